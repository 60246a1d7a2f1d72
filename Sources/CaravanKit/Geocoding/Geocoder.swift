import Foundation

/// How a query was matched.
public enum MatchKind: String, Sendable {
    case exact, alias, transliterated, fuzzy, extra, coordinates
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

    static func unmatched(_ reason: String, candidates: [GeocodeCandidate] = []) -> GeocodeResult {
        GeocodeResult(status: .unmatched, place: nil, location: nil, score: 0, kind: nil, candidates: candidates, reason: reason)
    }
}

/// Per-thread counters for the fuzzy search (one array the size of the fuzzy index).
final class FuzzyScratch {
    var counts: [UInt16]
    var touched: [Int32] = []
    init(size: Int) { counts = [UInt16](repeating: 0, count: size) }
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<FuzzyScratch>.fromOpaque(p).release() } }
        return k
    }()
    static func current(size: Int) -> FuzzyScratch {
        if let p = pthread_getspecific(key) {
            let s = Unmanaged<FuzzyScratch>.fromOpaque(p).takeUnretainedValue()
            if s.counts.count == size { return s }
            Unmanaged<FuzzyScratch>.fromOpaque(p).release()
        }
        let s = FuzzyScratch(size: size)
        pthread_setspecific(key, Unmanaged.passRetained(s).toOpaque())
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

    public init(gazetteer: Gazetteer = .shared) { self.gazetteer = gazetteer }

    /// Geocodes one query. `countryHint` is an ISO-2 code or a country name.
    public func geocode(_ query: String, countryHint: String? = nil) -> GeocodeResult {
        if query.utf8.count > 2000 { return .unmatched("the text is too long to be a place name (\(query.count) characters)") }
        if let p = CoordinateParser.parse(query) {
            return GeocodeResult(status: .matched, place: nil, location: p, score: 1, kind: .coordinates, candidates: [], reason: nil)
        }
        var hint = countryHint.flatMap(QueryCleaner.countryCode)
        let parsed = QueryCleaner.clean(query)
        if hint == nil { hint = parsed.countryHint }
        guard !parsed.segments.isEmpty else {
            return .unmatched(parsed.nonPlaceReason ?? "empty")
        }
        // Every form of the text by name first (exact, alias, transliterated), then fuzzy: a name
        // that contains a decoration ("Mexico City") must not be guessed at before it is looked up.
        // With a country given, a name found only elsewhere ("Kashi" is Varanasi) waits until the
        // fuzzy pass has looked inside that country ("Kashi" in UZ is a misspelt Karshi).
        var best: GeocodeResult? = nil
        var elsewhere: GeocodeResult? = nil
        for fuzzyAllowed in [false, true] {
            // Fuzzy guesses are made on the shortest forms (decorations dropped) first.
            let forms = fuzzyAllowed ? parsed.segments.sorted { $0.count < $1.count } : parsed.segments
            for segment in forms {
                let r = match(segment, hint: hint, fuzzyAllowed: fuzzyAllowed)
                if r.status == .matched {
                    if hint == nil || r.place?.country == hint { return r }
                    if elsewhere == nil { elsewhere = r }
                    continue
                }
                if best == nil || (r.status == .ambiguous && best!.status == .unmatched) { best = r }
            }
            if best?.status == .ambiguous && elsewhere == nil { break }
        }
        if let elsewhere { return elsewhere }
        // Nothing matched the whole text: a single word of it may be the place ("Panj disrict",
        // a misspelt decoration). Exact names only, longest word first, at a lower score.
        if best?.status != .ambiguous {
            let words = Set(parsed.segments.flatMap { $0.split(separator: " ").map(String.init) }).filter { $0.count >= 3 && !QueryCleaner.isStopWord($0) }
            if words.count > 1 {
                for w in words.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0 < $1 }) {
                    var r = match(w, hint: hint, fuzzyAllowed: false)
                    if r.status == .matched {
                        r.score = (r.score * 0.85 * 1000).rounded() / 1000
                        return r
                    }
                }
            }
        }
        return best ?? .unmatched("not a known place")
    }

    /// Geocodes many queries on every core; results are in input order.
    public func geocode(_ queries: [(String, String?)]) -> [GeocodeResult] {
        let n = queries.count
        guard n > 0 else { return [] }
        nonisolated(unsafe) let out = UnsafeMutableBufferPointer<GeocodeResult?>.allocate(capacity: n)
        out.initialize(repeating: nil)
        defer { out.deallocate() }
        let chunk = max(64, n / (processorCount * 8))
        DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
            for i in (c * chunk)..<min(n, (c + 1) * chunk) { out[i] = geocode(queries[i].0, countryHint: queries[i].1) }
        }
        return out.map { $0! }
    }

    // MARK: matching

    private func match(_ normal: String, hint: String?, fuzzyAllowed: Bool = true) -> GeocodeResult {
        let g = gazetteer
        var scored: [Int32: GeocodeCandidate] = [:]
        func consider(_ i: Int32, _ score: Double, _ kind: MatchKind) {
            let place = g.places[Int(i)]
            let k: MatchKind = place.isExtra ? .extra : kind
            if let old = scored[i], old.score >= score { return }
            scored[i] = GeocodeCandidate(place: place, score: score, kind: k)
        }
        for (i, primary) in g.exactMatches(normal) { consider(i, primary ? 1.0 : 0.97, primary ? .exact : .alias) }
        let key = TextNormalizer.phoneticKey(normal)
        if scored.isEmpty {
            for i in g.phoneticMatches(key) { consider(i, 0.92, .transliterated) }
        }
        // Fuzzy when nothing matched, or when a country was given and nothing matched there
        // ("Kashi" with UZ is a misspelt Karshi, not Varanasi).
        let inHint = { (c: GeocodeCandidate) in hint == nil || c.place.country == hint }
        if fuzzyAllowed && key.utf8.count >= 4 && !QueryCleaner.isStopWord(normal)
            && (scored.isEmpty || (hint != nil && !scored.values.contains(where: inHint))) {
            for (i, sim) in fuzzy(key, normal: normal) { consider(i, 0.9 * sim, .fuzzy) }   // consider keeps each place's best
        }
        guard !scored.isEmpty else { return .unmatched("no place of that name") }
        let minimum = 0.72
        // With a country given, a good match there wins; outside it only an exact name or alias
        // may stand (a meeting in Madrid), never a fuzzy guess.
        if let hint {
            if scored.values.contains(where: { $0.place.country == hint && $0.score >= minimum }) {
                scored = scored.filter { $0.value.place.country == hint }
            } else {
                scored = scored.filter { $0.value.kind != .fuzzy && $0.value.kind != .transliterated }
                guard !scored.isEmpty else { return .unmatched("no place of that name in \(hint)") }
            }
        }
        // Rank: match quality first, then the place's size, the country hint, the region.
        func rank(_ c: GeocodeCandidate) -> Double {
            // Size matters: an alias of a city of 350,000 outranks the exact name of a village.
            var r = c.score + 0.15 * log10(Double(c.place.population) + 1) / 7
            if c.place.isExtra { r += 0.5 }   // a user's own gazetteer takes precedence
            if let hint { r += c.place.country == hint ? 0.15 : -0.15 }
            if QueryCleaner.focusCountries.contains(c.place.country) { r += 0.01 }
            return r
        }
        var list = Array(scored.values).sorted { rank($0) != rank($1) ? rank($0) > rank($1) : $0.place.id < $1.place.id }
        // One candidate per place location (GeoNames sometimes lists a city twice).
        var unique: [GeocodeCandidate] = []
        for c in list where !unique.contains(where: { abs($0.place.location.lat - c.place.location.lat) < 0.045
                                                            && abs($0.place.location.lon - c.place.location.lon) < 0.06 }) { unique.append(c) }
        list = unique
        var top = list[0]
        if top.score < minimum { return .unmatched("no close match (best: \(top.place.name), \(top.place.country), score \(String(format: "%.2f", top.score)))", candidates: Array(list.prefix(3))) }
        if list.count > 1 {
            let second = list[1]
            // Ambiguous: the same quality of match, places of comparable size (population within
            // a factor of 2, or both unknown), and no hint or gazetteer preference between them.
            let p1 = Double(max(top.place.population, 1)), p2 = Double(max(second.place.population, 1))
            // An alternate name shared by several places (often a historic name) needs a clearer
            // difference in size (20×) before the larger is taken.
            let ratioLimit = top.kind == .alias && second.kind == .alias ? 20.0 : 2.0
            var tied = abs(top.score - second.score) < 0.005 && max(p1, p2) / min(p1, p2) < ratioLimit
                && (hint == nil || top.place.country == second.place.country) && second.score >= minimum
            // A shared alias decides for the place whose own name is closest to what was typed.
            if tied {
                let q = Array(key.utf8)
                func closeness(_ c: GeocodeCandidate) -> Int {
                    EditDistance.damerauLevenshtein(q, Array(TextNormalizer.phoneticKey(TextNormalizer.normalize(c.place.name)).utf8), limit: 3)
                }
                let d1 = closeness(top), d2 = closeness(second)
                if d1 <= 2 && d2 > d1 { tied = false }
                else if d2 <= 2 && d1 > d2 { list.swapAt(0, 1); tied = false }
            }
            if tied {
                return GeocodeResult(status: .ambiguous, place: nil, location: nil, score: top.score, kind: top.kind,
                                     candidates: Array(list.prefix(5)),
                                     reason: "\(list.prefix(3).map { "\($0.place.name) (\($0.place.country))" }.joined(separator: ", ")) fit equally; give a country")
            }
        }
        top = list[0]
        var score = top.score
        if let hint, top.place.country != hint { score *= 0.8 }
        return GeocodeResult(status: .matched, place: top.place, location: top.place.location, score: (score * 1000).rounded() / 1000,
                             kind: top.kind, candidates: Array(list.prefix(3)), reason: nil)
    }

    /// Places whose keys are within a small edit distance of `key`, with similarity 0…1.
    private func fuzzy(_ key: String, normal: String) -> [(Int32, Double)] {
        let g = gazetteer.fuzzy
        let scratch = FuzzyScratch.current(size: g.keys.count)
        var best: [Int32: Double] = [:]
        // Search the phonetic keys with the query's key, and the plain forms with its plain form.
        for q in [Array(key.utf8), [61] + normal.utf8.filter { $0 != 32 }] {
            let grams = Gazetteer.trigrams(of: q)
            // Count shared trigrams in a dense, reused array (no hashing per posting). The
            // commonest trigrams (in more than 1 key in 50) say little and cost most: skipped,
            // and the number needed lowered to match.
            var used = 0
            let common = Int.max   // first-letter partitions keep postings short: count them all
            scratch.counts.withUnsafeMutableBufferPointer { counts in
                for t in grams {
                    guard let postings = g.trigrams[t], postings.count <= common else { continue }
                    used += 1
                    for k in postings {
                        let i = Int(k)
                        if counts[i] == 0 { scratch.touched.append(k) }
                        counts[i] &+= 1
                    }
                }
            }
            let need = UInt16(max(1, min(used, grams.count / 3)))
            let length = q.first == 61 ? q.count - 1 : q.count
            let limit = length <= 5 ? 1 : length <= 8 ? 2 : 3
            // Take the counts and clear them in one pass over the touched entries.
            var passing: [Int32] = []
            scratch.counts.withUnsafeMutableBufferPointer { counts in
                for k in scratch.touched {
                    if counts[Int(k)] >= need { passing.append(k) }
                    counts[Int(k)] = 0
                }
            }
            for k in passing {
                let cand = g.keys[Int(k)]
                guard (cand.first == 61) == (q.first == 61), abs(cand.count - q.count) <= limit else { continue }
                let d = EditDistance.damerauLevenshtein(q, cand, limit: limit)
                guard d <= limit else { continue }
                let sim = 1 - Double(d) / Double(max(length, q.first == 61 ? cand.count - 1 : cand.count))
                for p in g.keyPlaces[Int(k)] where sim > (best[p] ?? 0) { best[p] = sim }
            }
            scratch.touched.removeAll(keepingCapacity: true)
        }
        return best.map { ($0.key, $0.value) }
    }


}
