import Foundation

/// How a query was matched.
public enum MatchKind: String, Sendable, Codable {
    case exact, alias, transliterated, fuzzy, extra, coordinates
    /// One of the region's provinces (oblast, viloyat, velayat, province), placed at its centroid.
    case province
}

/// How precise a matched location is, for a person to filter on (`match_precision`).
public enum MatchPrecision: String, Sendable, Codable {
    /// Coordinates given in the text.
    case point
    /// A town, village, border post or a user's place.
    case town
    /// A province's centroid: the text named only the province.
    case province
    /// A country's point: reserved (a text naming only a country is unmatched today, too coarse for a point).
    case country
}

public enum MatchStatus: String, Sendable {
    case matched, ambiguous, unmatched
}

/// One candidate place for a query.
public struct GeocodeCandidate: Sendable {
    public var place: Place
    public var score: Double
    public var kind: MatchKind
}

/// The answer to one query: a place with a confidence, an honest `ambiguous` with the
/// candidates, or `unmatched` with the reason.
public struct GeocodeResult: Sendable {
    public var status: MatchStatus
    /// The chosen place (matched), or nil.
    public var place: Place?
    public var location: LonLat?
    /// 0…1: 1 for an exact name or coordinates; lower for aliases, transliterations, fuzzy matches.
    public var score: Double
    public var kind: MatchKind?
    /// The best candidates (for ambiguous and fuzzy answers, and reports).
    public var candidates: [GeocodeCandidate]
    /// Why it is unmatched or ambiguous, for a person.
    public var reason: String?

    /// How precise the location is (nil unless matched).
    public var precision: MatchPrecision? {
        guard status == .matched else { return nil }
        if kind == .coordinates { return .point }
        guard let place else { return nil }
        if place.isProvince { return .province }
        if place.kind == "country" && !place.isExtra { return .country }
        return .town
    }

    static func unmatched(_ reason: String, candidates: [GeocodeCandidate] = []) -> GeocodeResult {
        GeocodeResult(status: .unmatched, place: nil, location: nil, score: 0, kind: nil, candidates: candidates, reason: reason)
    }
}

/// Per-thread counters for the fuzzy search (one array the size of the fuzzy index) and the
/// prepared pattern of the bit-parallel distance.
final class FuzzyScratch {
    var counts: [UInt16]
    var touched: [Int32] = []
    let pattern = BitParallelPattern()
    init(size: Int) { counts = [UInt16](repeating: 0, count: size) }
    private static let perThread = ThreadLocal<FuzzyScratch>()
    /// The calling thread's scratch, remade when the index searched has more keys (the counts
    /// are all zero between searches, so a larger array serves a smaller partition).
    static func current(size: Int) -> FuzzyScratch {
        if let s = perThread.value, s.counts.count >= size { return s }
        let s = FuzzyScratch(size: size)
        perThread.value = s
        return s
    }
}

/// Offline geocoding of free-text place names against a `Gazetteer`.
///
/// A query is cleaned (decorations like "г.", "city of", "district", "near" and parenthetical
/// remarks dropped; country names and ISO codes kept as a country hint), then matched: exact
/// normal form of a name or alias, then the transliteration-aware key, then fuzzy (trigram
/// candidates, Damerau–Levenshtein on keys). Candidates are ranked by match quality, the place's
/// size and the country hint. Strings that are not places stay `unmatched`; two different places
/// that nothing decides between are `ambiguous`. Coordinates ("41.3, 69.2", "41°18′N 69°15′E")
/// are read as a point.
///
/// ```swift
/// let g = Geocoder()
/// let r = g.geocode("г. Ташкент")   // matched, Tashkent, UZ, score 0.97, alias
/// ```
public final class Geocoder: Sendable {
    public let gazetteer: Gazetteer
    /// The numbers it ranks and decides by.
    public let policy: GeocoderPolicy

    public init(gazetteer: Gazetteer = .shared, policy: GeocoderPolicy = .standard) {
        self.gazetteer = gazetteer
        self.policy = policy
    }

    /// The shipped gazetteer with a user's extra gazetteers added (border posts, checkpoints, BLOs),
    /// which take precedence: what `caravan geocode --extra` and `caravan routes --extra` use.
    public convenience init(extraGazetteers: [String], policy: GeocoderPolicy = .standard) throws {
        var g = Gazetteer.shared
        for path in extraGazetteers { g = try g.adding(extraFrom: path) }
        self.init(gazetteer: g, policy: policy)
    }

    /// Geocodes one query. `countryHint` is an ISO-2 code or a country name.
    public func geocode(_ query: String, countryHint: String? = nil) -> GeocodeResult {
        geocode(query, countryHint: countryHint, quick: true)
    }

    /// `quick: false` skips the byte-level path for plain names (tests check both agree).
    func geocode(_ query: String, countryHint: String?, quick: Bool) -> GeocodeResult {
        if query.utf8.count > 2000 { return .unmatched("the text is too long to be a place name (\(query.count) characters)") }
        if let p = CoordinateParser.parse(query) {
            return GeocodeResult(status: .matched, place: nil, location: p, score: 1, kind: .coordinates, candidates: [], reason: nil)
        }
        var hint = countryHint.flatMap(QueryCleaner.countryCode)
        if quick, let r = quickMatch(query, hint: hint) { return r }
        let parsed = QueryCleaner.clean(query)
        if hint == nil { hint = parsed.countryHint }
        guard !parsed.segments.isEmpty else {
            return .unmatched(parsed.nonPlaceReason ?? "empty")
        }
        // A province named beside a town ("Жамбылская обл., Кордай"): the town in that province
        // is the answer, the province only when no other part of the text is a place in it.
        var province: GeocodeResult? = nil, provincePart = -1
        if parsed.partCount > 1 {
            for (i, segment) in parsed.segments.enumerated() {
                let r = match(segment, hint: hint, fuzzyAllowed: false)
                if r.status == .matched, r.place?.isProvince == true { province = r; provincePart = parsed.parts[i]; break }
            }
            if hint == nil { hint = province?.place?.country }
        }
        // Every form of the text by name first (exact, alias, transliterated, then Russian case
        // forms), then fuzzy: a name that contains a decoration ("Mexico City") must not be guessed
        // at before it is looked up. With a country given, a name found only elsewhere ("Kashi" is
        // Varanasi) waits until the fuzzy pass has looked inside that country ("Kashi" in UZ is a misspelt Karshi).
        var best: GeocodeResult? = nil
        var elsewhere: GeocodeResult? = nil
        let within = province?.place
        for fuzzyAllowed in [false, true] {
            // Fuzzy guesses are made on the shortest forms (decorations dropped) first.
            var forms = zip(parsed.segments, parsed.parts).map { (text: $0, part: $1, caseForm: false) }
            if fuzzyAllowed {
                forms.sort { $0.text.count < $1.text.count }
            } else {
                forms += parsed.caseForms.map { (text: $0.0, part: $0.1, caseForm: true) }
            }
            // A respelling of a Russian case form ("Оша" is the key of Osa, Russia), or a name far
            // from the region ("Ошу" is Ōshū, Japan), waits for the nominative ("Ош") to be looked up by name.
            let caseFormParts = Set(parsed.caseForms.map(\.1))
            var held: GeocodeResult? = nil
            for form in forms where form.part != provincePart {
                var r = match(form.text, hint: hint, fuzzyAllowed: fuzzyAllowed, within: within)
                if form.caseForm {
                    guard r.kind != .transliterated else { continue }
                    r.score = (r.score * policy.caseFormFactor * 1000).rounded() / 1000
                } else if !fuzzyAllowed, r.status == .matched, caseFormParts.contains(form.part),
                          r.kind == .transliterated || r.place.map({ !policy.region.contains($0.country) }) == true {
                    if held == nil { held = r }
                    continue
                }
                if r.status == .matched {
                    if hint == nil || r.place?.country == hint { return r }
                    if elsewhere == nil { elsewhere = r }
                    continue
                }
                if best == nil || (r.status == .ambiguous && best!.status == .unmatched) { best = r }
            }
            if let held {
                if hint == nil || held.place?.country == hint { return held }
                if elsewhere == nil { elsewhere = held }
            }
            if best?.status == .ambiguous && elsewhere == nil { break }
        }
        if let elsewhere { return elsewhere }
        if let province { return province }
        // Nothing matched the whole text: one word of it may be the place.
        if best?.status != .ambiguous, let r = placeWithinText(parsed, hint: hint) { return r }
        return best ?? .unmatched("not a known place")
    }

    /// A place named by one word of a longer text ("Tashkent airport", "Panj disrict" with a
    /// misspelt decoration, "Fayzabad Badakhshan"): names, aliases and the region's respellings
    /// only, longest word first, at 0.85 of the score. Two places named are ambiguous; a place
    /// beside an unknown word is unmatched. Nil: no word is a place.
    private func placeWithinText(_ parsed: QueryCleaner.Parsed, hint: String?) -> GeocodeResult? {
        // ("Tashkent airport": the word left beside a stop word counts; a one-word text was looked up already.)
        let words = Set(parsed.segments.flatMap { $0.split(separator: " ").map(String.init) })
            .filter { $0.count >= 3 && !QueryCleaner.isStopWord($0) && !parsed.segments.contains($0) }
        // Two words naming two different places ("Kabul Kandahar road") are a route, not
        // a place: ambiguous, with both.
        var found: [GeocodeResult] = []
        var unknown: [String] = []
        for w in words.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }) {
            var r = match(w, hint: hint, fuzzyAllowed: false)
            // A name or alias, or a respelling of a place in the region ("darya" alone is not Dar'ā, Syria).
            // (A province's name beside a town qualifies it: "Fayzabad Badakhshan".)
            guard r.status == .matched, let p = r.place, !p.isProvince, r.kind != .transliterated || policy.region.contains(p.country) else {
                if !QueryCleaner.isMisspeltDecoration(w) { unknown.append(w) }
                continue
            }
            if found.contains(where: { $0.place.map { Geodesic.distance($0.location, p.location) < policy.sameTextPlaceDistance } ?? false }) { continue }
            r.score = (r.score * policy.withinTextFactor * 1000).rounded() / 1000
            found.append(r)
        }
        // A word beside it that is neither a place nor a decoration makes the text another
        // place's name ("Sary Tash" is not Sari, Iran): unmatched, with the candidate to check.
        if found.count == 1, let p = found[0].place, !unknown.isEmpty {
            return .unmatched("only part of the text is a known place (\(p.name), \(p.country)); '\(unknown.joined(separator: " "))' is not",
                              candidates: found[0].candidates.prefix(1).map { $0 })
        }
        if found.count == 1 { return found[0] }
        if found.count > 1 {
            let names = found.compactMap(\.place).map { "\($0.name) (\($0.country))" }.joined(separator: ", ")
            return GeocodeResult(status: .ambiguous, place: nil, location: nil, score: found[0].score, kind: found[0].kind,
                                 candidates: found.compactMap { r in r.place.map { GeocodeCandidate(place: $0, score: r.score, kind: r.kind ?? .exact) } },
                                 reason: "the text names several places: \(names); give one")
        }
        return nil
    }

    /// Geocodes many queries on every core; results are in input order.
    ///
    /// While the gazetteer's phonetic index is still being made (a fresh process), the queries
    /// its exact names answer are answered meanwhile, and those that need the phonetic or fuzzy
    /// index wait for it: each answer is the one `geocode(_:countryHint:)` gives.
    public func geocode(_ queries: [(String, String?)]) -> [GeocodeResult] {
        let n = queries.count
        guard n > 0 else { return [] }
        nonisolated(unsafe) let out = UnsafeMutableBufferPointer<GeocodeResult?>.allocate(capacity: n)
        out.initialize(repeating: nil)
        defer { _ = out.deinitialize(); out.deallocate() }   // results hold places and candidates: release them
        func each(_ todo: [Int]?, deferring: Bool) {
            let m = todo?.count ?? n
            let chunk = max(64, m / (processorCount * 8))
            DispatchQueue.concurrentPerform(iterations: (m + chunk - 1) / chunk) { c in
                let deferral = Deferral.current
                deferral.allowed = deferring
                defer { deferral.allowed = false }
                for j in (c * chunk)..<min(m, (c + 1) * chunk) {
                    let i = todo?[j] ?? j
                    deferral.hit = false
                    let r = geocode(queries[i].0, countryHint: queries[i].1)
                    if !deferral.hit { out[i] = r }   // else made again below, with the index
                }
            }
        }
        let deferring = gazetteer.phoneticIfReady == nil
        each(nil, deferring: deferring)
        if deferring {
            let rest = (0..<n).filter { out[$0] == nil }
            if !rest.isEmpty { each(rest, deferring: false) }
        }
        return out.map { $0! }
    }

    /// A thread's batch state: whether a query may be put off until the phonetic index is
    /// made, and whether the running one was.
    private final class Deferral {
        var allowed = false, hit = false
        fileprivate static let perThread = ThreadLocal<Deferral>()
        static var current: Deferral { perThread.get { Deferral() } }
    }

    /// What `match` returns for a query put off: never kept (the batch makes it again).
    private static let deferredResult = GeocodeResult.unmatched("waiting for the phonetic index")

    /// The gazetteer's phonetic index; nil when it is not made yet and the running batch puts
    /// this query off (else it is waited for).
    private func phoneticIndex() -> Gazetteer.PhoneticIndex? {
        if let p = gazetteer.phoneticIfReady { return p }
        if let d = Deferral.perThread.value, d.allowed { d.hit = true; return nil }
        return gazetteer.phonetic
    }

    // MARK: matching

    /// A candidate while it is being scored.
    private struct Scored {
        var place: Int32
        var score: Double
        var kind: MatchKind
    }

    /// Word hashes that send a query down the general path: decorations, non-place words,
    /// country names and ISO codes.
    private static let specialWords: Set<UInt64> = {
        var s = Set<UInt64>()
        for w in QueryCleaner.decorations.union(QueryCleaner.nonPlaceWords).union(QueryCleaner.nonPlaceTexts).union(QueryCleaner.countries.keys) {
            s.insert(Gazetteer.fnv(w))
        }
        for c in QueryCleaner.isoCodes { s.insert(Gazetteer.fnv(c.lowercased())) }
        return s
    }()

    /// The common case without any String work: a plain ASCII name (no decoration, country,
    /// ISO code, bracket, separator, digit or apostrophe) that is found by its name or its key.
    /// Nil sends the query down the general path, which gives such a query the same answer.
    private func quickMatch(_ query: String, hint: String?) -> GeocodeResult? {
        let n = query.utf8.count
        guard n >= 3, n <= 256 else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n * 2) { out -> GeocodeResult? in
            let basis: UInt64 = 0xcbf2_9ce4_8422_2325, prime: UInt64 = 0x100_0000_01b3
            var len = 0, letters = 0, lastSpace = true
            var word = basis, whole = basis, joined = basis
            let special = Geocoder.specialWords
            var table: [UInt32: TextNormalizer.Mapping]? = nil
            var cyrillic = false
            @inline(__always) func letter(_ l: UInt8) {
                if lastSpace { word = basis }
                out[len] = l; len += 1; letters += 1; lastSpace = false
                word = (word ^ UInt64(l)) &* prime
                whole = (whole ^ UInt64(l)) &* prime
                joined = (joined ^ UInt64(l)) &* prime
            }
            @inline(__always) func space() -> Bool {   // false: the word just ended is special
                if lastSpace { return true }
                if special.contains(word) { return false }
                out[len] = 32; len += 1; lastSpace = true
                whole = (whole ^ 32) &* prime
                return true
            }
            for scalar in query.unicodeScalars {
                let v = scalar.value
                if v < 128 {
                    switch UInt8(v) {
                    case 97...122: letter(UInt8(v))
                    case 65...90: letter(UInt8(v) | 0x20)
                    case 0..<32, 127, 48...57, 44, 59, 47, 40, 41, 91, 93, 39, 96:
                        return nil   // control, digit , ; / ( ) [ ] ' `: the general path reads these
                    default: guard space() else { return nil }
                    }
                    continue
                }
                if table == nil { table = TextNormalizer.table }
                if v >= 0x400 && v <= 0x52F { cyrillic = true }
                guard let m = table![v], len + Int(m.count) < n * 2 else { return nil }
                switch m.kind {
                case .letters:
                    var b = m.bytes
                    for _ in 0..<m.count { letter(UInt8(b & 0xFF)); b >>= 8 }
                case .separator: guard space() else { return nil }
                case .vanishes, .unknown: return nil   // apostrophes split words for the ISO-code check
                }
            }
            if lastSpace && len > 0 {
                len -= 1   // the trailing space
                whole = Gazetteer.fnv(UnsafeBufferPointer(start: out.baseAddress, count: len))
            } else if special.contains(word) { return nil }
            guard letters >= 3 else { return nil }
            if special.contains(whole) || QueryCleaner.nonPlaceHashes.contains(joined) { return nil }
            let r = match(UnsafeBufferPointer(start: out.baseAddress, count: len), hint: hint, fuzzyAllowed: false)
            // A respelling of Cyrillic text may be a case form ("Ошу"): the general path looks up its
            // nominative first. (Only Cyrillic text has case forms, as `QueryCleaner.clean` makes them:
            // a Latin name with diacritics, "Cordeirópolis", is answered here like a plain one.)
            if cyrillic && (r.kind == .transliterated || r.place.map { !policy.region.contains($0.country) } == true) { return nil }
            // The general path gives the same answer for a match in the hinted country (or with
            // no hint) and for a tie; anything else goes on to its other forms and fuzzy search.
            if r.status == .ambiguous || (r.status == .matched && (hint == nil || r.place?.country == hint)) { return r }
            return nil
        }
    }

    /// `within`: a province the text named beside this part; only places in it are taken.
    private func match(_ normal: String, hint: String?, fuzzyAllowed: Bool = true, within: Place? = nil) -> GeocodeResult {
        var normal = normal
        return normal.withUTF8 { match($0, hint: hint, fuzzyAllowed: fuzzyAllowed, within: within) }
    }

    private func match(_ normal: UnsafeBufferPointer<UInt8>, hint: String?, fuzzyAllowed: Bool, within: Place? = nil) -> GeocodeResult {
        let g = gazetteer, policy = policy
        var scored: [Scored] = []
        func consider(_ i: Int32, _ score: Double, _ kind: MatchKind, among count: Int) {
            let place = g.places[Int(i)]
            let k: MatchKind = place.isExtra ? .extra : place.isProvince ? .province : kind
            for j in 0..<min(count, scored.count) where scored[j].place == i {
                if scored[j].score < score { scored[j] = Scored(place: i, score: score, kind: k) }
                return
            }
            scored.append(Scored(place: i, score: score, kind: k))
        }
        for e in Gazetteer.lookup(Gazetteer.fnv(normal), g.exactHashes, g.exactPlaces) {
            let primary = e < 0
            consider(primary ? -e - 1 : e, primary ? 1.0 : policy.aliasScore, primary ? .exact : .alias, among: .max)
        }
        let key = [UInt8](unsafeUninitializedCapacity: max(normal.count, 1)) { b, count in
            count = TextNormalizer.phoneticKey(normal, writingTo: b.baseAddress!)
        }
        if scored.isEmpty {
            guard let phonetic = phoneticIndex() else { return Geocoder.deferredResult }
            let h = key.withUnsafeBufferPointer { Gazetteer.fnv($0) }
            // A short key says little about a place far away ("qhy" is not Creil, France).
            for i in Gazetteer.lookup(h, phonetic.hashes, phonetic.places) where key.count >= policy.shortKeyLength || policy.region.contains(g.places[Int(i)].country) {
                consider(i, policy.transliteratedScore, .transliterated, among: .max)
            }
        }
        // Fuzzy when nothing matched, or when a country was given and nothing matched there
        // ("Kashi" with UZ is a misspelt Karshi, not Varanasi).
        // (Names in other scripts, Arabic or Chinese, are taken as written: never guessed at.)
        if fuzzyAllowed && key.count >= policy.fuzzyMinimumKeyLength && !normal.contains(where: { $0 >= 0x80 })
            && !QueryCleaner.isStopWord(String(decoding: normal, as: UTF8.self))
            && (scored.isEmpty || (hint != nil && !scored.contains { g.places[Int($0.place)].country == hint })
                || within.map { w in !scored.contains { w.contains(g.places[Int($0.place)], radiusFactor: policy.provinceRadiusFactor) } } == true) {
            guard phoneticIndex() != nil else { return Geocoder.deferredResult }   // the fuzzy index is made from its keys
            let before = scored.count   // fuzzy answers are one per place: compared only with the names found before
            // A guess at a misspelling must be close: one edit in a five-letter name stands only
            // inside the country the officer gave or for a city of the focus countries ("Hirat"),
            // a little more is needed for a smaller place there or a neighbour's city, more still
            // for the rest of the world. A wrong point is worse than an honest "unmatched".
            for (i, sim) in fuzzy(key, normal: normal) {
                let score = policy.fuzzyScale * sim, place = g.places[Int(i)]
                let focus = policy.focusCountries.contains(place.country), city = place.population >= policy.cityPopulation
                let needed = place.country == hint || (focus && city) ? policy.fuzzyNeededHintedOrFocusCity
                    : focus || (city && policy.isNearRegion(place)) ? policy.fuzzyNeededFocusOrNearCity : policy.fuzzyNeededElsewhere
                guard score >= needed, key.count >= policy.shortKeyLength || policy.region.contains(place.country) else { continue }
                consider(i, score, .fuzzy, among: before)
            }
        }
        guard !scored.isEmpty else { return .unmatched("no place of that name") }
        // With a province named beside it, only a place in that province.
        if let within {
            scored.removeAll { !within.contains(g.places[Int($0.place)], radiusFactor: policy.provinceRadiusFactor) }
            guard !scored.isEmpty else { return .unmatched("no place of that name in \(within.name)") }
        }
        let minimum = policy.minimumScore
        // With a country given, a good match there wins; outside it only an exact name or alias
        // may stand (a meeting in Madrid), never a fuzzy guess.
        if let hint {
            if scored.contains(where: { g.places[Int($0.place)].country == hint && $0.score >= minimum }) {
                scored.removeAll { g.places[Int($0.place)].country != hint }
            } else {
                scored.removeAll { $0.kind == .fuzzy || $0.kind == .transliterated }
                guard !scored.isEmpty else { return .unmatched("no place of that name in \(hint)") }
            }
        }
        // Rank: match quality first, then the place's size, the country hint, the region.
        func rank(_ c: Scored) -> Double {
            let place = g.places[Int(c.place)]
            // Size matters: an alias of a city of 350,000 outranks the exact name of a village.
            var r = c.score + policy.populationWeight * log10(Double(place.population) + 1) / 7
            if place.isExtra { r += policy.extraBonus }   // a user's own gazetteer takes precedence
            // A shipped border post called by its own name counts like a town of 10,000 ("Alat" is
            // the post, not Alot, India); its aliases earn nothing.
            else if place.isShippedPost && c.kind == .exact { r += policy.shippedPostBonus }
            if let hint { r += place.country == hint ? policy.hintBonus : -policy.hintBonus }
            // The five countries and Afghanistan first: a place there outranks one of the same
            // name up to about 2.2 times its size elsewhere (Chkalovsk is Buston, TJ, not Russia's).
            if policy.focusCountries.contains(place.country) { r += policy.focusBonus }
            return r
        }
        // Ties go to the place listed first: the lower GeoNames id; of a post's two sides, the first
        // (ids of posts and users' places count down from -1, so the higher one).
        var ranked: [(c: Scored, rank: Double, order: Int)] = scored.map {
            let place = g.places[Int($0.place)]
            return ($0, rank($0), place.isFromGeoNames ? place.id : -place.id)
        }
        if ranked.count > 1 { ranked.sort { $0.rank != $1.rank ? $0.rank > $1.rank : $0.order < $1.order } }
        // One candidate per place location (GeoNames sometimes lists a city twice).
        var list: [GeocodeCandidate] = []
        for (c, _, _) in ranked {
            let place = g.places[Int(c.place)]
            if list.contains(where: { abs($0.place.location.lat - place.location.lat) < policy.duplicateLatitude
                                        && abs($0.place.location.lon - place.location.lon) < policy.duplicateLongitude }) { continue }
            list.append(GeocodeCandidate(place: place, score: c.score, kind: c.kind))
        }
        var top = list[0]
        if top.score < minimum { return .unmatched("no close match (best: \(top.place.name), \(top.place.country), score \(String(format: "%.2f", top.score)))", candidates: Array(list.prefix(3))) }
        if list.count > 1 {
            let second = list[1]
            // Ambiguous: the same quality of match, the first not clearly bigger than the second
            // (a factor of 2, or both unknown), and no hint or gazetteer preference between them.
            let p1 = Double(max(top.place.population, 1)), p2 = Double(max(second.place.population, 1))
            // An alternate name shared by several places (often a historic name) needs a clearer
            // difference in size (20×) before the larger is taken.
            let ratioLimit = top.kind == .alias && second.kind == .alias ? policy.sharedAliasPopulationRatio : policy.tiePopulationRatio
            // Size decides only for the clearly bigger place: one ranked first for being in the
            // focus countries while much smaller than the other is still a tie ("Rasht").
            var tied = abs(top.score - second.score) < policy.tieScoreDifference && p1 / p2 < ratioLimit
                && (hint == nil || top.place.country == second.place.country) && second.score >= minimum
                && top.place.isFromGeoNames == second.place.isFromGeoNames   // a user's place or a shipped post is preferred, not tied
            // A shared alias decides for the place whose own name is closest to what was typed.
            if tied {
                func closeness(_ c: GeocodeCandidate) -> Int {
                    EditDistance.damerauLevenshtein(key, Array(TextNormalizer.phoneticKey(TextNormalizer.normalize(c.place.name)).utf8), limit: 3)
                }
                let d1 = closeness(top), d2 = closeness(second), near = policy.tieClosenessEdits
                if d1 <= near && d2 > d1 { tied = false }
                else if d2 <= near && d1 > d2 { list.swapAt(0, 1); tied = false }
            }
            if tied {
                return GeocodeResult(status: .ambiguous, place: nil, location: nil, score: top.score, kind: top.kind,
                                     candidates: Array(list.prefix(5)),
                                     reason: "\(list.prefix(3).map { "\($0.place.name) (\($0.place.country))" }.joined(separator: ", ")) fit equally; give a country")
            }
        }
        top = list[0]
        var score = top.score
        if let hint, top.place.country != hint { score *= policy.outsideHintFactor }
        return GeocodeResult(status: .matched, place: top.place, location: top.place.location, score: (score * 1000).rounded() / 1000,
                             kind: top.kind, candidates: Array(list.prefix(3)), reason: nil)
    }

    /// Places whose keys are within a small edit distance of `key`, with similarity 0…1.
    private func fuzzy(_ key: [UInt8], normal: UnsafeBufferPointer<UInt8>) -> [(Int32, Double)] {
        var best: [Int32: Double] = [:]
        // Search the phonetic keys with the query's key, and the plain forms with its plain form.
        for q in [key, [61] + normal.filter { $0 != 32 }] {
            // Only the query's partition (first letter, phonetic or plain) can share its trigrams.
            let g = gazetteer.fuzzy(partition: q.withUnsafeBufferPointer { Gazetteer.partition(of: $0) })
            let scratch = FuzzyScratch.current(size: g.count)
            let grams = Gazetteer.trigrams(of: q)
            let length = q.first == 61 ? q.count - 1 : q.count
            let limit = length <= 5 ? 1 : length <= 8 ? 2 : 3
            // Only keys within `limit` of the query's length can be within `limit` edits: each
            // posting list is sorted by key length, so only that stretch of it is counted.
            let shortest = q.count - limit, longest = q.count + limit
            // Count shared trigrams in a dense, reused array (no hashing per posting).
            var used = 0
            scratch.counts.withUnsafeMutableBufferPointer { counts in
                g.keyLengths.withUnsafeBufferPointer { lengths in
                    for t in grams {
                        guard let range = g.keys(with: t) else { continue }
                        used += 1
                        g.postings.withUnsafeBufferPointer { all in
                            let p = UnsafeBufferPointer(rebasing: all[range])
                            var lo = 0, hi = p.count
                            while lo < hi { let m = (lo + hi) / 2; if Int(lengths[Int(p[m])]) < shortest { lo = m + 1 } else { hi = m } }
                            var i = lo
                            while i < p.count, Int(lengths[Int(p[i])]) <= longest {
                                let k = Int(p[i])
                                if counts[k] == 0 { scratch.touched.append(p[i]) }
                                counts[k] &+= 1
                                i += 1
                            }
                        }
                    }
                }
            }
            let need = UInt16(max(1, min(used, grams.count / 3)))
            // Take the counts and clear them in one pass over the touched entries; the survivors
            // are measured with the bit-parallel distance (the query is the pattern).
            let pattern = scratch.pattern
            let parallel = pattern.set(q)
            let plain = q.first == 61
            scratch.counts.withUnsafeMutableBufferPointer { counts in
                g.keyBytes.withUnsafeBufferPointer { bytes in
                    g.keyOffsets.withUnsafeBufferPointer { offsets in
                        for k in scratch.touched {
                            defer { counts[Int(k)] = 0 }
                            guard counts[Int(k)] >= need else { continue }
                            // Postings are partitioned by first letter and plain-ness: a key reached
                            // through them is of the query's kind.
                            let cand = UnsafeBufferPointer(rebasing: bytes[Int(offsets[Int(k)])..<Int(offsets[Int(k) + 1])])
                            guard abs(cand.count - q.count) <= limit else { continue }
                            let d = parallel ? pattern.distance(cand) : EditDistance.damerauLevenshtein(q, Array(cand), limit: limit)
                            guard d <= limit else { continue }
                            let sim = 1 - Double(d) / Double(max(length, plain ? cand.count - 1 : cand.count))
                            for p in g.places(of: Int(k)) where sim > (best[p] ?? 0) { best[p] = sim }
                        }
                    }
                }
            }
            scratch.touched.removeAll(keepingCapacity: true)
        }
        return best.map { ($0.key, $0.value) }
    }
}
