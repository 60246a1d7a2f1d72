import Foundation

/// A named place.
public struct Place: Sendable, Hashable {
    /// GeoNames id, or a negative id for entries of an extra gazetteer.
    public var id: Int
    public var name: String
    public var location: LonLat
    /// ISO 3166-1 alpha-2 country code.
    public var country: String
    public var admin1: String
    public var population: Int
    /// "city" for GeoNames populated places, "province" for the region's provinces; the extra
    /// gazetteer's own kind (border post, checkpoint…).
    public var kind: String
    /// True for entries of a user's extra gazetteer, which take precedence.
    public var isExtra: Bool
    /// The name as Russian-language reports write it (GeoNames' Russian alternate name); empty: unknown.
    public var nameRussian: String = ""
    /// The name in the country's own language and script where known (Uzbek Latin, Kazakh,
    /// Kyrgyz or Tajik Cyrillic, Turkmen Latin, Dari); empty: unknown.
    public var nameLocal: String = ""
    /// For a province: the radius (km) of a circle of its area, to tell whether a town lies in it.
    public var radiusKm: Double = 0

    /// Ids of the shipped provinces start here (above every GeoNames id).
    public static let provinceIDs = 1_000_000_000
    /// A GeoNames place (positive id), not a province, a shipped border post or a user's place.
    public var isFromGeoNames: Bool { id > 0 && id < Place.provinceIDs }
    /// One side of a shipped border post (`shapefiles/border_posts`).
    public var isShippedPost: Bool { id < 0 && !isExtra }
    /// One of the region's shipped provinces (oblast, viloyat, velayat, province), at its centroid.
    public var isProvince: Bool { kind == "province" && !isExtra }

    /// The name to show in `language` (the GeoNames name when that form is unknown).
    public func name(in language: NameLanguage) -> String {
        switch language {
        case .english: return name
        case .russian: return nameRussian.isEmpty ? name : nameRussian
        case .local: return nameLocal.isEmpty ? name : nameLocal
        }
    }

    /// Whether `other` (a town) lies in this province: the same country and GeoNames admin1
    /// code, or, for codes GeoNames has since renumbered, within the province's radius.
    public func contains(_ other: Place, radiusFactor: Double = GeocoderPolicy.standard.provinceRadiusFactor) -> Bool {
        guard isProvince, other.country == country, !other.isProvince else { return false }
        if !other.admin1.isEmpty, admin1.split(separator: ",").contains(Substring(other.admin1)) { return true }
        return Geodesic.distance(location, other.location) <= radiusKm * 1000 * radiusFactor
    }
}

/// The language of the names a geocoded table shows (`--names`).
public enum NameLanguage: String, Sendable, Codable, CaseIterable {
    /// GeoNames' own name (mostly English or a romanisation).
    case english = "en"
    /// Russian, as the region's reports write it.
    case russian = "ru"
    /// The country's own form where known.
    case local
}

/// The places and their name keys: GeoNames' populated places of the region (shipped inside
/// CaravanKit, built by `caravan gazetteer build`) and any extra gazetteers.
///
/// Immutable once built, so one gazetteer serves every thread.
public final class Gazetteer: Sendable {
    public let places: [Place]
    /// Each place's names in normal form: the primary name first, then the aliases, "|"-joined.
    let nameLists: [String]
    /// Exact index: FNV-1a hashes of normal forms, sorted, with their places (negative = -(i+1) for a primary name).
    let exactHashes: [UInt64]
    let exactPlaces: [Int32]
    /// The phonetic index and the names' keys for the fuzzy index, made on another thread
    /// after the exact index: a table of exact names is answered while it is being made.
    private let phoneticIndex: Pending<PhoneticIndex>
    /// The phonetic index, waited for (or made now) if it is not ready.
    var phonetic: PhoneticIndex { phoneticIndex.value }
    /// The phonetic index if it is ready, without waiting.
    var phoneticIfReady: PhoneticIndex? { phoneticIndex.ifReady }
    /// The trigram index of the phonetic keys, for fuzzy matching: built on first use.
    private let fuzzyIndex = LazyFuzzyIndex()
    /// The fuzzy index's partition `p` (`partition(of:)` of a query key), built on first use.
    func fuzzy(partition p: UInt32) -> FuzzyIndex { fuzzyIndex.get(nameLists, nameKeys: phonetic.nameKeys, partition: p) }
    /// Builds the whole fuzzy index now (each part is otherwise built when a query first needs
    /// it): for timing fuzzy queries apart from the index.
    public func prepareFuzzyIndex() { fuzzyIndex.prepareAll(nameLists, nameKeys: phonetic.nameKeys) }

    /// `phoneticIndexInBackground: false` leaves the phonetic index to the first query that
    /// needs it (for tests of what is answered without it).
    init(places: [Place], nameLists: [String], phoneticIndexInBackground: Bool = true) {
        self.places = places
        self.nameLists = nameLists
        (exactHashes, exactPlaces) = Gazetteer.exactIndex(nameLists)
        phoneticIndex = Pending { Gazetteer.phoneticIndex(nameLists) }
        if phoneticIndexInBackground { phoneticIndex.start() }
    }

    /// Hashes of phonetic keys, sorted, with their places; and every name's key for the fuzzy index.
    /// (A class: handed out for every lookup, it is one reference to count, not a dozen arrays.)
    final class PhoneticIndex: Sendable {
        let hashes: [UInt64]
        let places: [Int32]
        let nameKeys: LazyFuzzyIndex.NameKeys
        init(hashes: [UInt64], places: [Int32], nameKeys: LazyFuzzyIndex.NameKeys) {
            self.hashes = hashes; self.places = places; self.nameKeys = nameKeys
        }
    }

    /// Calls `body` with each name of each list: its bytes, its list, where it starts in the
    /// list's UTF-8, and whether it is the list's first (primary) name.
    @inline(__always)
    private static func forEachName(_ nameLists: [String], _ body: (UnsafeBufferPointer<UInt8>, Int, Int, Bool) -> Void) {
        for (i, list) in nameLists.enumerated() {
            var list = list
            list.withUTF8 { b in
                var s = 0, first = true
                while s <= b.count {
                    var e = s
                    while e < b.count && b[e] != 124 { e += 1 }
                    if e > s { body(UnsafeBufferPointer(rebasing: b[s..<e]), i, s, first) }
                    first = false
                    s = e + 1
                }
            }
        }
    }

    /// The exact index: FNV-1a hashes of the names' normal forms, radix-sorted (stable, so the
    /// entries of one hash stay in place order), a primary name's place as -(i+1).
    static func exactIndex(_ nameLists: [String]) -> ([UInt64], [Int32]) {
        var ex: [(UInt64, Int32)] = []
        ex.reserveCapacity(nameLists.count * 6)
        forEachName(nameLists) { name, i, _, first in ex.append((fnv(name), first ? -Int32(i) - 1 : Int32(i))) }
        radixSort(&ex) { $0.0 }
        return (ex.map(\.0), ex.map(\.1))
    }

    /// The phonetic index (one entry per place and key: a list's names with one key count once)
    /// and each name's phonetic key, kept for the fuzzy index in name order.
    static func phoneticIndex(_ nameLists: [String]) -> PhoneticIndex {
        var ph: [(UInt64, Int32)] = [], keys = LazyFuzzyIndex.NameKeys()
        ph.reserveCapacity(nameLists.count * 6); keys.reserve(nameLists.count * 6)
        var key: [UInt8] = []
        var lastList = -1, lastKey: UInt64 = 0
        forEachName(nameLists) { name, i, start, first in
            TextNormalizer.phoneticKey(name, into: &key)
            let h = key.withUnsafeBufferPointer { fnv($0) }
            if h != lastKey || first || i != lastList { ph.append((h, Int32(i))); lastKey = h; lastList = i }
            keys.add(name: name, key: key, list: i, at: start)
        }
        radixSort(&ph) { $0.0 }
        keys.sortByPartition()
        return PhoneticIndex(hashes: ph.map(\.0), places: ph.map(\.1), nameKeys: keys)
    }


    /// Sorts stably by `key(element)`'s bits from `fromBit` up (LSD radix sort, 16 bits a pass):
    /// the name indexes by their 64-bit hashes, the fuzzy index's pairs by the trigram in their
    /// high 32 bits.
    @inline(__always)
    static func radixSort<T>(_ a: inout [T], fromBit: Int = 0, key: (T) -> UInt64) {
        guard a.count > 1 else { return }
        var other = a
        var counts = [Int](repeating: 0, count: 65_537)
        for shift in stride(from: UInt64(fromBit), to: 64, by: 16) {
            for i in counts.indices { counts[i] = 0 }
            for e in a { counts[Int((key(e) >> shift) & 0xFFFF) + 1] += 1 }
            for i in 1..<counts.count { counts[i] += counts[i - 1] }
            for e in a {
                let b = Int((key(e) >> shift) & 0xFFFF)
                other[counts[b]] = e
                counts[b] += 1
            }
            swap(&a, &other)
        }
    }

    /// FNV-1a, 64 bits: stable across runs (Swift's Hasher is seeded per process).
    @inline(__always)
    static func fnv(_ b: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        guard let base = b.baseAddress else { return h }
        for i in 0..<b.count { h = (h ^ UInt64(base[i])) &* 0x100_0000_01b3 }
        return h
    }
    static func fnv(_ s: String) -> UInt64 { var s = s; return s.withUTF8 { fnv($0) } }

    /// The entries of a sorted hash index equal to `h`.
    @inline(__always)
    static func lookup(_ h: UInt64, _ hashes: [UInt64], _ values: [Int32]) -> ArraySlice<Int32> {
        var lo = 0, hi = hashes.count
        while lo < hi { let m = (lo + hi) / 2; if hashes[m] < h { lo = m + 1 } else { hi = m } }
        var end = lo
        while end < hashes.count && hashes[end] == h { end += 1 }
        return values[lo..<end]
    }

    /// Phonetic keys, their places and trigram postings.
    ///
    /// Keys are numbered in the order of their trigram partition (plain or phonetic, first
    /// letter), then length: the keys one query can reach lie together in memory, and each
    /// posting list, sorted by number, is sorted by length too. Every table is flat.
    struct FuzzyIndex: Sendable {
        /// All keys' bytes, one after another; key k is keyBytes[keyOffsets[k]..<keyOffsets[k + 1]].
        var keyBytes: [UInt8] = []
        var keyOffsets: [Int32] = [0]
        /// Each key's length in bytes (capped at 255).
        var keyLengths: [UInt8] = []
        /// Key k's places are placeList[placeStarts[k]..<placeStarts[k + 1]].
        var placeStarts: [Int32] = []
        var placeList: [Int32] = []
        /// Keys by trigram, in increasing number (so by length): trigram t's keys are
        /// postings[postingStarts[i]..<postingStarts[i + 1]] where i = gramIndex[t].
        var gramIndex: [UInt32: Int32] = [:]
        var postingStarts: [Int32] = []
        var postings: [Int32] = []
        var count: Int { keyLengths.count }

        /// The keys holding trigram t, in increasing number.
        func keys(with t: UInt32) -> Range<Int>? {
            guard let i = gramIndex[t] else { return nil }
            return Int(postingStarts[Int(i)])..<Int(postingStarts[Int(i) + 1])
        }

        /// The places key k names.
        func places(of k: Int) -> ArraySlice<Int32> { placeList[Int(placeStarts[k])..<Int(placeStarts[k + 1])] }
    }

    /// The fuzzy index, one partition (a first letter, phonetic or plain) at a time, each built
    /// the first time a query needs it: a query's trigrams are tagged with its partition, so it
    /// only ever reaches keys of that partition, and a table of exact names builds none.
    final class LazyFuzzyIndex: @unchecked Sendable {
        /// Guards `parts`; a partition is built under its own lock, so two threads build two partitions at once.
        private let lock = NSLock()
        private var parts = [FuzzyIndex?](repeating: nil, count: 256)
        private let building = (0..<256).map { _ in NSLock() }
        /// Every name's phonetic key (made with the phonetic index) and its partition, in name
        /// order (list by list): the fuzzy index's keys without computing them again.
        struct NameKeys: Sendable {
            var bytes: [UInt8] = [], ends: [Int32] = [], partitions: [UInt8] = []
            /// Each name's list, and where it starts and ends in the list's UTF-8.
            var lists: [Int32] = [], starts: [Int32] = [], nameEnds: [Int32] = []
            /// Each name's plain-form partition: its first letter but spaces, | 0x80; 0 for none.
            var plain: [UInt8] = []
            /// Whether the name is ASCII (names in other scripts are never fuzzy-matched).
            var ascii: [Bool] = []
            /// The ASCII names of each partition, in name order: partition p's are
            /// members[memberStarts[p]..<memberStarts[p + 1]], each a name's number times 2, plus 1
            /// for its plain form (`sortByPartition`), so a partition's keys are gathered without a
            /// pass over every name.
            var memberStarts: [Int32] = [], members: [Int32] = []

            mutating func reserve(_ n: Int) {
                bytes.reserveCapacity(n * 8); ends.reserveCapacity(n); partitions.reserveCapacity(n)
                lists.reserveCapacity(n); starts.reserveCapacity(n); nameEnds.reserveCapacity(n); plain.reserveCapacity(n); ascii.reserveCapacity(n)
            }

            /// Name `name` (at `start` in list `list`'s UTF-8) with its phonetic key.
            mutating func add(name: UnsafeBufferPointer<UInt8>, key: [UInt8], list: Int, at start: Int) {
                partitions.append(UInt8(key.withUnsafeBufferPointer { Gazetteer.partition(of: $0) }))
                bytes.append(contentsOf: key)
                ends.append(Int32(bytes.count))
                lists.append(Int32(list)); starts.append(Int32(start)); nameEnds.append(Int32(start + name.count))
                var f = 0
                while f < name.count && name[f] == 32 { f += 1 }
                plain.append(f < name.count ? name[f] & 0x7F | 0x80 : 0)
                ascii.append(!name.contains { $0 >= 0x80 })
            }

            /// Makes `members` (a counting sort of the names' two partitions, stable).
            mutating func sortByPartition() {
                var starts = [Int32](repeating: 0, count: 257)
                for n in partitions.indices where ascii[n] {
                    starts[Int(partitions[n]) + 1] += 1
                    if plain[n] != 0 { starts[Int(plain[n]) + 1] += 1 }
                }
                for p in 0..<256 { starts[p + 1] += starts[p] }
                var next = starts
                var m = [Int32](repeating: 0, count: Int(starts[256]))
                for n in partitions.indices where ascii[n] {
                    m[Int(next[Int(partitions[n])])] = Int32(n * 2); next[Int(partitions[n])] += 1
                    if plain[n] != 0 { m[Int(next[Int(plain[n])])] = Int32(n * 2 + 1); next[Int(plain[n])] += 1 }
                }
                memberStarts = starts; members = m
            }
        }
        /// The keys of partition `p` (`Gazetteer.partition(of:)`).
        func get(_ nameLists: [String], nameKeys: NameKeys, partition p: UInt32) -> FuzzyIndex {
            let p = Int(p & 0xFF)
            func built() -> FuzzyIndex? { lock.lock(); defer { lock.unlock() }; return parts[p] }
            if let f = built() { return f }
            building[p].lock(); defer { building[p].unlock() }
            if let f = built() { return f }   // built by another thread meanwhile
            var wanted = [Bool](repeating: false, count: 256)
            wanted[p] = true
            let f = LazyFuzzyIndex.build(PartitionKeys.gather(nameLists, wanted: wanted, nameKeys: nameKeys)[p])
            lock.lock(); parts[p] = f; lock.unlock()
            return f
        }

        /// Every partition not built yet, from one pass over the names, built on every core.
        func prepareAll(_ nameLists: [String], nameKeys: NameKeys) {
            lock.lock(); defer { lock.unlock() }
            let keys = PartitionKeys.gather(nameLists, wanted: parts.map { $0 == nil }, nameKeys: nameKeys)
            let todo = (0..<256).filter { parts[$0] == nil && !keys[$0].places.isEmpty }
            nonisolated(unsafe) let out = UnsafeMutableBufferPointer<FuzzyIndex>.allocate(capacity: max(todo.count, 1))
            out.initialize(repeating: FuzzyIndex())
            defer { _ = out.deinitialize(); out.deallocate() }
            DispatchQueue.concurrentPerform(iterations: todo.count) { i in out[i] = LazyFuzzyIndex.build(keys[todo[i]]) }
            for (i, p) in todo.enumerated() { parts[p] = out[i] }
        }

        /// One partition's keys as the names come (list order, then name order in the list):
        /// phonetic keys, or, prefixed with "=", plain normal forms without spaces (a typo inside
        /// a digraph is closer in one, a doubled vowel in the other), with their places. Names in
        /// other scripts (Arabic, Chinese) are found by their exact form only: not here.
        struct PartitionKeys: Sendable {
            var bytes: [UInt8] = [], starts: [Int32] = [0], places: [Int32] = []

            /// The keys of each partition `wanted` (256 flags; the others stay empty), in one pass.
            static func gather(_ nameLists: [String], wanted: [Bool], nameKeys: NameKeys) -> [PartitionKeys] {
                var out = [PartitionKeys](repeating: PartitionKeys(), count: 256)
                var key: [UInt8] = []
                // Each wanted partition's names, in name order: a name's phonetic key (made with the
                // phonetic index), or its plain form.
                for p in 0..<256 where wanted[p] {
                    for m in nameKeys.members[Int(nameKeys.memberStarts[p])..<Int(nameKeys.memberStarts[p + 1])] {
                        let n = Int(m >> 1), i = Int(nameKeys.lists[n])
                        if m & 1 == 0 {
                            let start = n == 0 ? 0 : Int(nameKeys.ends[n - 1]), end = Int(nameKeys.ends[n])
                            if end - start >= 3 { out[p].add(nameKeys.bytes[start..<end], Int32(i)) }
                        } else {
                            key.removeAll(keepingCapacity: true)
                            key.append(61)
                            var list = nameLists[i]
                            list.withUTF8 { b in
                                for c in b[Int(nameKeys.starts[n])..<Int(nameKeys.nameEnds[n])] where c != 32 { key.append(c) }
                            }
                            if key.count >= 4 { out[p].add(key, Int32(i)) }
                        }
                    }
                }
                return out
            }

            mutating func add<C: Collection<UInt8>>(_ key: C, _ place: Int32) {
                bytes.append(contentsOf: key)
                starts.append(Int32(bytes.count))
                places.append(place)
            }
        }

        /// One partition's index from its keys. Built on bytes with integer hashes and sorts, in
        /// flat arrays: no allocation per key.
        static func build(_ entries: PartitionKeys) -> FuzzyIndex {
            // 1. The distinct keys, in the order they come, and (key, place) pairs.
            var bytes: [UInt8] = [], starts: [Int32] = [0], lastPlace: [Int32] = []
            var keyPlace: [UInt64] = []   // key << 32 | place
            var ids: [UInt64: Int32] = [:]
            let count = entries.places.count
            ids.reserveCapacity(count)
            bytes.reserveCapacity(entries.bytes.count)
            entries.bytes.withUnsafeBufferPointer { all in
                for j in 0..<count {
                    let k = UnsafeBufferPointer(rebasing: all[Int(entries.starts[j])..<Int(entries.starts[j + 1])])
                    let place = entries.places[j]
                    let h = Gazetteer.fnv(k)
                    if let id = ids[h] {
                        if lastPlace[Int(id)] != place { keyPlace.append(UInt64(id) << 32 | UInt64(place)); lastPlace[Int(id)] = place }
                        continue
                    }
                    let id = Int32(starts.count - 1)
                    ids[h] = id
                    bytes.append(contentsOf: k)
                    starts.append(Int32(bytes.count))
                    lastPlace.append(place)
                    keyPlace.append(UInt64(id) << 32 | UInt64(place))
                }
            }
            let n = starts.count - 1
            // 2. Number the keys by partition, then length (ties in the order they came).
            let order: [UInt64] = bytes.withUnsafeBufferPointer { b in
                (0..<n).map { k in
                    let key = UnsafeBufferPointer(rebasing: b[Int(starts[k])..<Int(starts[k + 1])])
                    return UInt64(Gazetteer.partition(of: key) << 8 | UInt32(min(key.count, 255))) << 32 | UInt64(k)
                }.sorted()
            }
            var newID = [Int32](repeating: 0, count: n)
            for (id, o) in order.enumerated() { newID[Int(o & 0xFFFF_FFFF)] = Int32(id) }
            // 3. The keys in their new order, and every (trigram, key) pair made in key order,
            // then sorted stably by trigram: the posting lists, each in key order.
            var f = FuzzyIndex()
            f.keyBytes.reserveCapacity(bytes.count)
            f.keyOffsets.reserveCapacity(n + 1)
            f.keyLengths.reserveCapacity(n)
            var pairs: [UInt64] = []   // trigram << 32 | key
            pairs.reserveCapacity(bytes.count + n)
            var grams: [UInt32] = []
            bytes.withUnsafeBufferPointer { b in
                for (id, o) in order.enumerated() {
                    let old = Int(o & 0xFFFF_FFFF)
                    let key = UnsafeBufferPointer(rebasing: b[Int(starts[old])..<Int(starts[old + 1])])
                    f.keyBytes.append(contentsOf: key)
                    f.keyOffsets.append(Int32(f.keyBytes.count))
                    f.keyLengths.append(UInt8(min(key.count, 255)))
                    Gazetteer.trigrams(of: key, into: &grams)
                    for g in grams { pairs.append(UInt64(g) << 32 | UInt64(id)) }
                }
            }
            Gazetteer.radixSort(&pairs, fromBit: 32) { $0 }
            f.postings = pairs.map { Int32(truncatingIfNeeded: $0) }
            f.gramIndex.reserveCapacity(pairs.count / 8)
            for i in pairs.indices where i == 0 || pairs[i - 1] >> 32 != pairs[i] >> 32 {
                f.gramIndex[UInt32(pairs[i] >> 32)] = Int32(f.postingStarts.count)
                f.postingStarts.append(Int32(i))
            }
            f.postingStarts.append(Int32(pairs.count))
            // 4. Each key's places, in the order they came.
            for i in keyPlace.indices { keyPlace[i] = UInt64(newID[Int(keyPlace[i] >> 32)]) << 32 | (keyPlace[i] & 0xFFFF_FFFF) }
            Gazetteer.radixSort(&keyPlace, fromBit: 32) { $0 }
            f.placeList = keyPlace.map { Int32(truncatingIfNeeded: $0) }
            f.placeStarts = [Int32](repeating: 0, count: n + 1)
            for e in keyPlace { f.placeStarts[Int(e >> 32) + 1] += 1 }
            for k in 0..<n { f.placeStarts[k + 1] += f.placeStarts[k] }
            return f
        }
    }

    /// A key's trigram partition: its first letter, and whether it is a plain form.
    static func partition(of k: UnsafeBufferPointer<UInt8>) -> UInt32 {
        let plain = k.first == 61
        guard k.count > (plain ? 1 : 0) else { return 0 }
        return UInt32(k[plain ? 1 : 0] & 0x7F | (plain ? 0x80 : 0))
    }

    /// Trigrams of a key padded with a start and an end mark, each tagged with the key's
    /// partition: a fuzzy match must share the first letter, as typos rarely touch it, which
    /// keeps the postings short. Distinct, in no particular order.
    static func trigrams(of k: [UInt8]) -> [UInt32] {
        var out: [UInt32] = []
        k.withUnsafeBufferPointer { trigrams(of: $0, into: &out) }
        return out
    }

    static func trigrams(of k: UnsafeBufferPointer<UInt8>, into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        let skip = k.first == 61 ? 1 : 0
        let n = k.count - skip
        guard n > 0 else { return }
        let tag = partition(of: k) << 24
        @inline(__always) func at(_ j: Int) -> UInt32 { UInt32((j == 0 ? 94 : j == n + 1 ? 36 : k[skip + j - 1]) & 0x7F) }
        for i in 0..<n {
            let t = tag | at(i) << 14 | at(i + 1) << 7 | at(i + 2)
            if !out.contains(t) { out.append(t) }
        }
    }

    // MARK: the shipped gazetteer

    /// The shipped gazetteer, loaded on first use: GeoNames' places and the shipped border posts
    /// (both sides' names and aliases, e.g. Hairatan, Sherkhan Bandar, Torghundi).
    public static let shared: Gazetteer = {
        do {
            var (places, names) = try readFile(nil)
            if let posts = shippedPostsPath {
                let (p, n) = try readShippedPosts(posts)
                places += p; names += n
            }
            return Gazetteer(places: places, nameLists: names)
        } catch {
            // A broken installation, not input: every query comes back unmatched, and the warning says why.
            warn("the shipped gazetteer cannot be read (\((error as? GeoError)?.description ?? "\(error)")): no place can be matched; reinstall caravan")
            return Gazetteer(places: [], nameLists: [])
        }
    }()

    /// The shipped border posts (`shapefiles/border_posts` as GeoJSON, a CaravanKit resource).
    static var shippedPostsPath: String? { Bundle.module.path(forResource: "border_posts", ofType: "geojson") }

    /// Reads a gazetteer file made by `build(from:to:)` (the shipped one by default).
    public static func load(_ path: String? = nil) throws -> Gazetteer {
        let (places, names) = try readFile(path)
        return Gazetteer(places: places, nameLists: names)
    }

    /// The places and name lists of a gazetteer file, read from its bytes: numbers parsed in
    /// place, a String made only for what a place keeps.
    static func readFile(_ path: String?) throws -> ([Place], [String]) {
        let file = path ?? Bundle.module.path(forResource: "gazetteer", ofType: "tsv")
        guard let file, let data = FileManager.default.contents(atPath: file) else {
            throw GeoError(.open, "the gazetteer file is missing", file: path ?? "gazetteer.tsv (CaravanKit resource)")
        }
        var places: [Place] = [], names: [String] = []
        places.reserveCapacity(40_000); names.reserveCapacity(40_000)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let b = raw.bindMemory(to: UInt8.self)
            var lineStart = 0
            var lineNo = 0
            var fields: [Range<Int>] = []
            fields.reserveCapacity(9)
            func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
            while lineStart < b.count {
                var end = lineStart
                while end < b.count && b[end] != 10 { end += 1 }
                lineNo += 1
                if end > lineStart && b[lineStart] != 35 { // '#'
                    fields.removeAll(keepingCapacity: true)
                    var s = lineStart
                    for i in lineStart...end where i == end || b[i] == 9 { fields.append(s..<i); s = i + 1 }
                    guard fields.count >= 9, let id = parseInteger(b, fields[0]), let lat = parseDecimal(b, fields[2]),
                          let lon = parseDecimal(b, fields[3]) else {
                        throw GeoError(.read, "malformed gazetteer line", file: file, index: lineNo)
                    }
                    var place = Place(id: id, name: text(fields[1]), location: LonLat(lon: lon, lat: lat), country: text(fields[4]),
                                      admin1: text(fields[5]), population: parseInteger(b, fields[6]) ?? 0, kind: "city", isExtra: false)
                    // Optional columns (v2): kind, Russian name, local name, radius of a province.
                    if fields.count > 9 && !fields[9].isEmpty { place.kind = text(fields[9]) }
                    if fields.count > 10 && !fields[10].isEmpty { place.nameRussian = text(fields[10]) }
                    if fields.count > 11 && !fields[11].isEmpty { place.nameLocal = text(fields[11]) }
                    if fields.count > 12 && !fields[12].isEmpty { place.radiusKm = parseDecimal(b, fields[12]) ?? 0 }
                    places.append(place)
                    // The name list: the normal form, then the aliases ("|"-joined), the tab between them as "|".
                    let list = fields[7].lowerBound..<fields[8].upperBound
                    names.append(fields[8].isEmpty ? text(fields[7]) : String(unsafeUninitializedCapacity: list.count) { out in
                        for (j, i) in list.enumerated() { out[j] = b[i] == 9 ? 124 : b[i] }
                        return list.count
                    })
                }
                lineStart = end + 1
            }
        }
        return (places, names)
    }

    /// A decimal integer of ASCII digits (optional minus sign).
    static func parseInteger(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        var i = r.lowerBound, negative = false
        if i < r.upperBound && b[i] == 45 { negative = true; i += 1 }
        guard i < r.upperBound, r.count <= 18 else { return nil }
        var v = 0
        while i < r.upperBound {
            let d = Int(b[i]) - 48
            guard d >= 0 && d <= 9 else { return nil }
            v = v * 10 + d; i += 1
        }
        return negative ? -v : v
    }

    /// A plain decimal ("-41.26465") as digits over a power of ten: both exact in a double
    /// (up to 15 digits), so the quotient rounds exactly as strtod does. Other forms: Double(_:).
    static func parseDecimal(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Double? {
        var i = r.lowerBound, negative = false
        if i < r.upperBound && b[i] == 45 { negative = true; i += 1 }
        var mantissa: Int64 = 0, digits = 0, decimals = 0, point = false
        while i < r.upperBound {
            let c = b[i]
            if c == 46 && !point { point = true } else if c >= 48 && c <= 57 {
                if digits < 18 { mantissa = mantissa * 10 + Int64(c - 48) }
                digits += 1
                if point { decimals += 1 }
            } else { break }
            i += 1
        }
        guard i == r.upperBound, digits > 0, digits <= 15 else {
            return Double(String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self))
        }
        let v = Double(mantissa) / Gazetteer.powersOfTen[decimals]
        return negative ? -v : v
    }
    private static let powersOfTen: [Double] = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15]

    /// GeoNames names a handful of the region's towns by something their people do not use:
    /// the name Caravan shows (the GeoNames name stays an alias).
    static let corrections: [Int: String] = [
        1528249: "Jalal-Abad",   // GeoNames: "Manas" (the Kyrgyz city of 123,000)
    ]

    // MARK: extra gazetteers

    /// This gazetteer with a user's places added (border posts, checkpoints, Border Liaison
    /// Offices): any layer GDAL reads with a `name` field, optional `aliases` (separated by | or ;),
    /// `name_a`/`name_b` and `iso_a`/`iso_b` (both sides of a border post, each a place in its
    /// country; an alias written "a:…" or "b:…" names that side only), `country` (or iso_a), `kind`.
    public func adding(extraFrom path: String) throws -> Gazetteer { try adding(extraFrom: path, asExtra: true) }

    /// `asExtra`: the places take precedence and are reported as `extra` matches (a user's
    /// gazetteer); false for Caravan's own shipped additions.
    func adding(extraFrom path: String, asExtra: Bool) throws -> Gazetteer {
        let (p, n) = try Gazetteer.readExtra(path, asExtra: asExtra, firstID: places.count(where: { !$0.isFromGeoNames }))
        return Gazetteer(places: places + p, nameLists: nameLists + n)
    }

    /// The places and name lists of an extra gazetteer (ids from -(firstID + 1) down): any layer
    /// GDAL reads, its points taken to lon/lat.
    static func readExtra(_ path: String, asExtra: Bool, firstID: Int) throws -> ([Place], [String]) {
        let layer = try Dataset.open(path).layer(named: nil)
        let s = layer.schema
        guard s.index(of: "name") != nil else {
            throw GeoError(.invalidArgument, "an extra gazetteer needs a 'name' field; the fields are: \(s.names.joined(separator: ", "))", file: path)
        }
        guard let crs = try layer.crs else { throw GeoError(.projection, "the extra gazetteer has no CRS", file: path, hint: "give lon and lat columns, or a .prj") }
        let t = try Transformer(from: crs, to: .wgs84)
        return try extraPlaces(s, path: path, asExtra: asExtra, firstID: firstID) { point in
            try layer.forEach { f in
                guard let p = f.geometry?.points.first else { return }
                try point({ LonLat(try t.transform(p)) }, { f.values[$0].stringValue })
            }
        }
    }

    /// The shipped border posts (`border_posts.geojson`, RFC 7946: lon/lat, string properties)
    /// as `readExtra` reads them, parsed with Foundation's JSON reader: the geocoder then needs
    /// neither GDAL nor PROJ (loading them is a third of a CSV table's geocoding time).
    /// `GazetteerTests` checks that both readings give the same places.
    static func readShippedPosts(_ path: String) throws -> ([Place], [String]) {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let features = root["features"] as? [[String: Any]] else {
            throw GeoError(.read, "the shipped border posts are not a GeoJSON feature collection", file: path, hint: "reinstall caravan")
        }
        let properties = features.map { ($0["properties"] as? [String: Any]) ?? [:] }
        var names: [String] = [], seen: Set<String> = []
        for p in properties {
            for k in p.keys.sorted() where seen.insert(k.lowercased()).inserted { names.append(k) }
        }
        let schema = Schema(names.map { FieldDefinition($0, .string) })
        return try extraPlaces(schema, path: path, asExtra: false, firstID: 0) { point in
            for (f, properties) in zip(features, properties) {
                guard let g = f["geometry"] as? [String: Any], g["type"] as? String == "Point",
                      let c = g["coordinates"] as? [Any], c.count >= 2, let lon = (c[0] as? NSNumber)?.doubleValue,
                      let lat = (c[1] as? NSNumber)?.doubleValue else { continue }
                try point({ LonLat(lon: lon, lat: lat) }, { i in
                    switch properties[names[i]] {
                    case let text as String: text
                    case let n as NSNumber: (n as? Int).map { FieldValue.integer(Int64($0)) }.map(\.stringValue) ?? FieldValue.real(n.doubleValue).stringValue
                    default: nil
                    }
                })
            }
        }
    }

    /// An extra gazetteer's places from its points: `points` calls its argument with each
    /// point's location (asked only for a named point) and a field's text by index in `s`.
    private static func extraPlaces(_ s: Schema, path: String, asExtra: Bool, firstID: Int,
                                    points: ((() throws -> LonLat, (Int) -> String?) throws -> Void) throws -> Void) throws -> ([Place], [String]) {
        guard let nameIndex = s.index(of: "name") else {
            throw GeoError(.invalidArgument, "an extra gazetteer needs a 'name' field; the fields are: \(s.names.joined(separator: ", "))", file: path)
        }
        let aliasFields = ["aliases", "alias", "name_a", "name_b", "name_ru", "name_en", "other_names"].compactMap { s.index(of: $0) }
        let countryIndex = s.index(of: "country") ?? s.index(of: "iso_a2") ?? s.index(of: "iso_a")
        let kindIndex = s.index(of: "kind") ?? s.index(of: "type")
        var places: [Place] = []
        var names: [String] = []
        var added = 0
        let sideA = s.index(of: "name_a"), sideB = s.index(of: "name_b"), isoA = s.index(of: "iso_a"), isoB = s.index(of: "iso_b")
        func add(_ name: String, _ list: [String], _ country: String, _ at: LonLat, _ kind: String) {
            places.append(Place(id: -(firstID + added + 1), name: name, location: at, country: country, admin1: "",
                                population: 0, kind: asExtra ? kind : "border post", isExtra: asExtra))
            names.append(list.joined(separator: "|"))
            added += 1
        }
        try points { location, value in
            guard let name = value(nameIndex), !name.isEmpty else { return }
            let ll = try location()
            // Aliases; with both sides' names, "a:" or "b:" before an alias keeps it to that side.
            var list = [TextNormalizer.normalize(name)], onlyA: [String] = [], onlyB: [String] = []
            for ai in aliasFields where ai != sideA && ai != sideB {
                for a in (value(ai) ?? "").split(whereSeparator: { $0 == "|" || $0 == ";" }) {
                    var text = a.trimmingCharacters(in: .whitespaces), side: Character? = nil
                    if text.count > 2, let c = text.first?.lowercased().first, c == "a" || c == "b", text.dropFirst().first == ":" {
                        side = c; text = String(text.dropFirst(2))
                    }
                    let n = TextNormalizer.normalize(text)
                    guard !n.isEmpty, !list.contains(n), !onlyA.contains(n), !onlyB.contains(n) else { continue }
                    switch side {
                    case "a": onlyA.append(n)
                    case "b": onlyB.append(n)
                    default: list.append(n)
                    }
                }
            }
            let kind = kindIndex.flatMap { value($0) } ?? "extra"
            let country = countryIndex.flatMap { value($0) } ?? ""
            // A border post answers to each side's name, in that side's country.
            if let sideA, let sideB, let isoA, let isoB,
               let a = value(sideA), let b = value(sideB), !a.isEmpty, !b.isEmpty {
                let na = TextNormalizer.normalize(a), nb = TextNormalizer.normalize(b)
                if nb != na && !list.contains(nb) {
                    add(name, list + onlyA + (list.contains(na) || onlyA.contains(na) ? [] : [na]), value(isoA) ?? country, ll, kind)
                    add("\(b) (\(name))", [nb] + list.dropFirst() + onlyB.filter { $0 != nb }, value(isoB) ?? country, ll, kind)
                } else {
                    // One name for both sides (Torugart): one place with every alias.
                    add(name, list + onlyA + onlyB + (na == nb || list.contains(na) ? [] : [na]), value(isoA) ?? country, ll, kind)
                }
            } else {
                add(name, list + onlyA + onlyB, country, ll, kind)
            }
        }
        guard added > 0 else { throw GeoError(.invalidArgument, "the extra gazetteer has no named points", file: path) }
        return (places, names)
    }
}
