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
    /// "city" for GeoNames populated places; the extra gazetteer's own kind (border post, checkpoint…).
    public var kind: String
    /// True for entries of a user's extra gazetteer, which take precedence.
    public var isExtra: Bool
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
    /// Phonetic index: hashes of phonetic keys, sorted, with their places.
    let phoneticHashes: [UInt64]
    let phoneticPlaces: [Int32]
    /// The trigram index of the phonetic keys, for fuzzy matching: built on first use.
    private let fuzzyIndex = LazyFuzzyIndex()
    var fuzzy: FuzzyIndex { fuzzyIndex.get(nameLists) }

    init(places: [Place], nameLists: [String]) {
        self.places = places
        self.nameLists = nameLists
        var ex: [(UInt64, Int32)] = [], ph: [(UInt64, Int32)] = []
        ex.reserveCapacity(nameLists.count * 6); ph.reserveCapacity(nameLists.count * 6)
        var key: [UInt8] = []
        for (i, list) in nameLists.enumerated() {
            var first = true
            var lastKey: UInt64 = 0
            var list = list
            list.withUTF8 { b in
                var s = 0
                while s <= b.count {
                    var e = s
                    while e < b.count && b[e] != 124 { e += 1 }
                    if e > s {
                        let name = UnsafeBufferPointer(rebasing: b[s..<e])
                        ex.append((Gazetteer.fnv(name), first ? -Int32(i) - 1 : Int32(i)))
                        TextNormalizer.phoneticKey(name, into: &key)
                        let h = key.withUnsafeBufferPointer { Gazetteer.fnv($0) }
                        if h != lastKey || first { ph.append((h, Int32(i))); lastKey = h }
                    }
                    first = false
                    s = e + 1
                }
            }
        }
        ex.sort { $0.0 < $1.0 }
        ph.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        exactHashes = ex.map(\.0); exactPlaces = ex.map(\.1)
        phoneticHashes = ph.map(\.0); phoneticPlaces = ph.map(\.1)
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

    /// Places with this normal form as a name: (place index, is the primary name).
    func exactMatches(_ normal: String) -> [(Int32, Bool)] {
        Gazetteer.lookup(Gazetteer.fnv(normal), exactHashes, exactPlaces).map { $0 < 0 ? (-$0 - 1, true) : ($0, false) }
    }

    /// Places with this phonetic key.
    func phoneticMatches(_ key: String) -> ArraySlice<Int32> {
        Gazetteer.lookup(Gazetteer.fnv(key), phoneticHashes, phoneticPlaces)
    }

    /// Phonetic keys, their places and trigram postings.
    ///
    /// Keys are numbered in the order of their trigram partition (plain or phonetic, first
    /// letter), then length: the keys one query can reach lie together in memory, and each
    /// posting list, sorted by number, is sorted by length too.
    struct FuzzyIndex: Sendable {
        /// All keys' bytes, one after another; key k is keyBytes[keyOffsets[k]..<keyOffsets[k + 1]].
        var keyBytes: [UInt8] = []
        var keyOffsets: [Int32] = [0]
        /// Each key's length in bytes (capped at 255).
        var keyLengths: [UInt8] = []
        var keyPlaces: [[Int32]] = []
        /// Keys by trigram, in increasing number (so by length).
        var trigrams: [UInt32: [Int32]] = [:]
        var count: Int { keyLengths.count }
    }

    final class LazyFuzzyIndex: @unchecked Sendable {
        private let lock = NSLock()
        private var index: FuzzyIndex?
        func get(_ nameLists: [String]) -> FuzzyIndex {
            lock.lock(); defer { lock.unlock() }
            if let index { return index }
            // Entries are phonetic keys and, prefixed with "=", plain normal forms without spaces:
            // a typo inside a digraph is closer in one, a doubled vowel in the other. Built on
            // bytes with integer hashes: no String per name.
            var keys: [[UInt8]] = [], places: [[Int32]] = []
            var ids: [UInt64: Int32] = [:]
            ids.reserveCapacity(nameLists.count * 8)
            var key: [UInt8] = [], plain: [UInt8] = []
            func add(_ bytes: [UInt8], _ place: Int32) {
                guard bytes.count >= (bytes.first == 61 ? 4 : 3) else { return }
                let h = bytes.withUnsafeBufferPointer { Gazetteer.fnv($0) }
                if let id = ids[h] {
                    if places[Int(id)].last != place { places[Int(id)].append(place) }
                    return
                }
                ids[h] = Int32(keys.count)
                keys.append(bytes)
                places.append([place])
            }
            for (i, list) in nameLists.enumerated() {
                var list = list
                list.withUTF8 { b in
                    var s = 0
                    while s < b.count {
                        var e = s
                        while e < b.count && b[e] != 124 { e += 1 }
                        if e > s {
                            let name = UnsafeBufferPointer(rebasing: b[s..<e])
                            TextNormalizer.phoneticKey(name, into: &key)
                            add(key, Int32(i))
                            plain.removeAll(keepingCapacity: true)
                            plain.append(61)
                            for c in name where c != 32 { plain.append(c) }
                            add(plain, Int32(i))
                        }
                        s = e + 1
                    }
                }
            }
            // Number the keys by partition, then length.
            func order(_ k: [UInt8]) -> UInt32 { Gazetteer.partition(of: k) << 8 | UInt32(min(k.count, 255)) }
            let ranks = keys.map(order)
            let sorted = keys.indices.sorted { ranks[$0] != ranks[$1] ? ranks[$0] < ranks[$1] : $0 < $1 }
            var f = FuzzyIndex()
            f.keyBytes.reserveCapacity(keys.reduce(0) { $0 + $1.count })
            f.keyOffsets.reserveCapacity(keys.count + 1)
            f.keyLengths.reserveCapacity(keys.count)
            f.keyPlaces.reserveCapacity(keys.count)
            for (id, old) in sorted.enumerated() {
                let k = keys[old]
                f.keyBytes.append(contentsOf: k)
                f.keyOffsets.append(Int32(f.keyBytes.count))
                f.keyLengths.append(UInt8(min(k.count, 255)))
                f.keyPlaces.append(places[old])
                for g in Gazetteer.trigrams(of: k) { f.trigrams[g, default: []].append(Int32(id)) }
            }
            index = f
            return f
        }
    }

    /// A key's trigram partition: its first letter, and whether it is a plain form.
    static func partition(of k: [UInt8]) -> UInt32 {
        let plain = k.first == 61
        guard let first = plain ? k.dropFirst().first : k.first else { return 0 }
        return UInt32(first & 0x7F | (plain ? 0x80 : 0))
    }

    /// Trigrams of a key padded with a start and an end mark, each tagged with the key's first
    /// letter (and whether it is a plain form): a fuzzy match must share the first letter, as
    /// typos rarely touch it, which keeps the postings short. Distinct, in no particular order.
    static func trigrams(of k: [UInt8]) -> [UInt32] {
        let plain = k.first == 61
        let body = plain ? Array(k.dropFirst()) : k
        guard !body.isEmpty else { return [] }
        let tag = partition(of: k) << 24
        let p: [UInt8] = [94] + body + [36]
        var out: [UInt32] = []
        out.reserveCapacity(p.count)
        for i in 0..<(p.count - 2) {
            let t = tag | UInt32(p[i] & 0x7F) << 14 | UInt32(p[i + 1] & 0x7F) << 7 | UInt32(p[i + 2] & 0x7F)
            if !out.contains(t) { out.append(t) }
        }
        return out
    }

    // MARK: the shipped gazetteer

    /// The shipped gazetteer, loaded on first use: GeoNames' places and the shipped border posts
    /// (both sides' names and aliases, e.g. Hairatan, Sherkhan Bandar, Torghundi).
    public static let shared: Gazetteer = {
        do {
            let g = try load()
            guard let posts = Bundle.module.path(forResource: "border_posts", ofType: "geojson") else { return g }
            return try g.adding(extraFrom: posts, asExtra: false)
        } catch { fatalError("the shipped gazetteer cannot be read: \(error)") }
    }()

    /// Reads a gazetteer file made by `build(from:to:)` (the shipped one by default).
    public static func load(_ path: String? = nil) throws -> Gazetteer {
        let file = path ?? Bundle.module.path(forResource: "gazetteer", ofType: "tsv")
        guard let file, let data = FileManager.default.contents(atPath: file) else {
            throw GeoError(.open, "the gazetteer file is missing", file: path ?? "gazetteer.tsv (CaravanKit resource)")
        }
        var places: [Place] = [], names: [String] = []
        places.reserveCapacity(40_000); names.reserveCapacity(40_000)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var lineStart = 0
            var lineNo = 0
            while lineStart < raw.count {
                var end = lineStart
                while end < raw.count && raw[end] != 10 { end += 1 }
                lineNo += 1
                if raw[lineStart] != 35 { // '#'
                    let fields = String(decoding: UnsafeRawBufferPointer(rebasing: raw[lineStart..<end]), as: UTF8.self)
                        .split(separator: "\t", omittingEmptySubsequences: false)
                    guard fields.count >= 9, let id = Int(fields[0]), let lat = Double(fields[2]), let lon = Double(fields[3]) else {
                        throw GeoError(.read, "malformed gazetteer line", file: file, index: lineNo)
                    }
                    places.append(Place(id: id, name: String(fields[1]), location: LonLat(lon: lon, lat: lat), country: String(fields[4]),
                                        admin1: String(fields[5]), population: Int(fields[6]) ?? 0, kind: "city", isExtra: false))
                    names.append(fields[8].isEmpty ? String(fields[7]) : String(fields[7]) + "|" + String(fields[8]))
                }
                lineStart = end + 1
            }
        }
        return Gazetteer(places: places, nameLists: names)
    }

    /// Builds the compact gazetteer file from the prepared GeoNames extract (see PROVENANCE):
    /// every name and alternate name in normal form, non-Latin scripts other than Cyrillic dropped
    /// (they never match what officers type), duplicates removed.
    public static func build(from source: String, to output: String) throws -> Int {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw GeoError(.open, "cannot read the GeoNames extract", file: source)
        }
        var out = """
        # Caravan gazetteer v1. Contains data from GeoNames (geonames.org), CC BY 4.0.
        # Built by 'caravan gazetteer build' from the prepared GeoNames extract (cities500 of KZ KG TJ TM UZ AF,
        # cities5000 of IR PK CN RU MN AZ, cities15000 worldwide). Columns: geonameid, name, lat, lon, country,
        # admin1, population, normal form of the name, normal forms of the alternate names (|-separated).

        """
        var count = 0
        for (n, line) in text.split(separator: "\n").enumerated() where n > 0 {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 9 else { continue }
            let primary = TextNormalizer.normalize(String(f[1]))
            var seen: Set<String> = [primary]
            var aliases: [String] = []
            for a in [String(f[2])] + f[3].split(separator: "|").map(String.init) {
                let norm = TextNormalizer.normalize(a)
                guard !norm.isEmpty, TextNormalizer.isLatin(norm), !seen.contains(norm) else { continue }
                seen.insert(norm)
                aliases.append(norm)
            }
            out += "\(f[0])\t\(f[1])\t\(f[4])\t\(f[5])\t\(f[6])\t\(f[7])\t\(f[8])\t\(primary)\t\(aliases.joined(separator: "|"))\n"
            count += 1
        }
        let safe = try SafeOutput(target: output, overwrite: true)
        try out.write(toFile: safe.temporaryPath, atomically: false, encoding: .utf8)
        try safe.commit()
        return count
    }

    // MARK: extra gazetteers

    /// This gazetteer with a user's places added (border posts, checkpoints, Border Liaison
    /// Offices): any layer GDAL reads with a `name` field, optional `aliases` (separated by | or ;),
    /// `name_a`/`name_b` (both sides' names of a border post), `country` (or iso_a), `kind`.
    public func adding(extraFrom path: String) throws -> Gazetteer { try adding(extraFrom: path, asExtra: true) }

    /// `asExtra`: the places take precedence and are reported as `extra` matches (a user's
    /// gazetteer); false for Caravan's own shipped additions.
    func adding(extraFrom path: String, asExtra: Bool) throws -> Gazetteer {
        let layer = try Dataset.open(path).layer(named: nil)
        let s = layer.schema
        guard let nameIndex = s.index(of: "name") else {
            throw GeoError(.invalidArgument, "an extra gazetteer needs a 'name' field; the fields are: \(s.names.joined(separator: ", "))", file: path)
        }
        guard let crs = try layer.crs else { throw GeoError(.projection, "the extra gazetteer has no CRS", file: path, hint: "give lon and lat columns, or a .prj") }
        let t = try Transformer(from: crs, to: .wgs84)
        let aliasFields = ["aliases", "alias", "name_a", "name_b", "name_ru", "name_en", "other_names"].compactMap { s.index(of: $0) }
        let countryIndex = s.index(of: "country") ?? s.index(of: "iso_a2") ?? s.index(of: "iso_a")
        let kindIndex = s.index(of: "kind") ?? s.index(of: "type")
        var places = self.places
        var names = nameLists
        var added = 0
        let sideA = s.index(of: "name_a"), sideB = s.index(of: "name_b"), isoA = s.index(of: "iso_a"), isoB = s.index(of: "iso_b")
        func add(_ name: String, _ list: [String], _ country: String, _ at: LonLat, _ kind: String) {
            places.append(Place(id: -(added + 1), name: name, location: at, country: country, admin1: "",
                                population: 0, kind: asExtra ? kind : "border post", isExtra: asExtra))
            names.append(list.joined(separator: "|"))
            added += 1
        }
        try layer.forEach { f in
            guard let p = f.geometry?.points.first, let name = f.values[nameIndex].stringValue, !name.isEmpty else { return }
            let ll = LonLat(try t.transform(p))
            var list = [TextNormalizer.normalize(name)]
            for ai in aliasFields where ai != sideA && ai != sideB {
                for a in (f.values[ai].stringValue ?? "").split(whereSeparator: { $0 == "|" || $0 == ";" }) {
                    let n = TextNormalizer.normalize(String(a))
                    if !n.isEmpty && !list.contains(n) { list.append(n) }
                }
            }
            let kind = kindIndex.flatMap { f.values[$0].stringValue } ?? "extra"
            let country = countryIndex.flatMap { f.values[$0].stringValue } ?? ""
            // A border post answers to each side's name, in that side's country.
            if let sideA, let sideB, let isoA, let isoB,
               let a = f.values[sideA].stringValue, let b = f.values[sideB].stringValue, !a.isEmpty, !b.isEmpty {
                let na = TextNormalizer.normalize(a), nb = TextNormalizer.normalize(b)
                // The aliases may name either side: both sides answer to them.
                add(name, list + (na == nb || list.contains(na) ? [] : [na]), f.values[isoA].stringValue ?? country, ll, kind)
                if nb != na && !list.contains(nb) {
                    add("\(b) (\(name))", [nb] + list.dropFirst(), f.values[isoB].stringValue ?? country, ll, kind)
                }
            } else {
                add(name, list, country, ll, kind)
            }
        }
        guard added > 0 else { throw GeoError(.invalidArgument, "the extra gazetteer has no named points", file: path) }
        return Gazetteer(places: places, nameLists: names)
    }
}
