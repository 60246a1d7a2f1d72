import Foundation
import Testing
@testable import CaravanKit

/// One geocoder for all tests: the shipped gazetteer loads once.
let sharedGeocoder = Geocoder()

@Suite("Geocoder")
struct GeocoderTests {
    struct Case: CustomStringConvertible {
        var category: String, query: String, hint: String?
        var expected: (country: String, location: LonLat)?
        var description: String { "[\(category)] \(query)" }
    }

    static let cases: [Case] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/geocode_cases.tsv").path
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let expected = f[3] == "UNMATCHED" ? nil : (f[3], LonLat(lon: Double(f[5])!, lat: Double(f[4])!))
            return Case(category: f[0], query: f[1], hint: f[2].isEmpty ? nil : f[2], expected: expected)
        }
    }()

    static func correct(_ c: Case, _ r: GeocodeResult) -> Bool {
        guard let e = c.expected else { return r.status == .unmatched }
        guard r.status == .matched, let l = r.location else { return false }
        return Geodesic.distance(l, e.location) < 30_000
    }

    @Test("accuracy on 212 realistic cases: at least 95% right, and no non-place ever matched")
    func accuracy() {
        var wrong: [String] = []
        var byCategory: [String: (Int, Int)] = [:]
        for c in Self.cases {
            let r = sharedGeocoder.geocode(c.query, countryHint: c.hint)
            let ok = Self.correct(c, r)
            byCategory[c.category, default: (0, 0)].0 += ok ? 1 : 0
            byCategory[c.category, default: (0, 0)].1 += 1
            if !ok { wrong.append("\(c) → \(r.status) \(r.place?.name ?? "") \(r.place?.country ?? "") \(r.reason ?? "")") }
            if c.expected == nil { #expect(r.status == .unmatched, "a non-place was matched: \(c.query) → \(r.place?.name ?? "?")") }
        }
        let right = Self.cases.count - wrong.count
        let share = Double(right) / Double(Self.cases.count)
        #expect(Self.cases.count >= 150)
        #expect(share >= 0.95, "\(right)/\(Self.cases.count) right; wrong:\n\(wrong.joined(separator: "\n"))")
        print("geocoder accuracy: \(right)/\(Self.cases.count) = \(String(format: "%.1f", share * 100))%  " +
              byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", "))
        if !wrong.isEmpty { print("wrong:\n" + wrong.joined(separator: "\n")) }
    }

    @Test("match kinds and scores: exact 1, alias 0.97, transliterated or fuzzy below, coordinates 1")
    func kinds() {
        let exact = sharedGeocoder.geocode("Tashkent")
        #expect(exact.kind == .exact && exact.score == 1)
        let alias = sharedGeocoder.geocode("Alma-Ata")
        #expect(alias.kind == .alias && alias.score == 0.97 && alias.place?.name == "Almaty")
        let fuzzy = sharedGeocoder.geocode("Akhshabad")
        #expect(fuzzy.kind == .fuzzy && fuzzy.place?.name == "Ashgabat" && fuzzy.score < 0.9 && fuzzy.score > 0.7)
        let c1 = sharedGeocoder.geocode("41.3, 69.2")
        #expect(c1.kind == .coordinates && c1.location == LonLat(lon: 69.2, lat: 41.3))
        let c2 = sharedGeocoder.geocode("41°18′N 69°15′E")
        #expect(abs(c2.location!.lat - 41.3) < 1e-9 && abs(c2.location!.lon - 69.25) < 1e-9)
        #expect(sharedGeocoder.geocode("N41.31 E69.24").location.map { abs($0.lon - 69.24) < 1e-9 } == true)
    }

    @Test("two different places that nothing decides between are ambiguous, with candidates; a hint decides")
    func ambiguity() {
        let r = sharedGeocoder.geocode("Aleksandrovka")
        #expect(r.status == .ambiguous)
        #expect(r.place == nil && r.location == nil)
        #expect(r.candidates.count >= 2)
        #expect(Geodesic.distance(r.candidates[0].place.location, r.candidates[1].place.location) > 50_000)
        #expect(sharedGeocoder.geocode("Kurgan-Tyube", countryHint: "Uzbekistan").place?.country == "UZ")
        #expect(sharedGeocoder.geocode("Kurgan-Tyube", countryHint: "Tajikistan").place?.name == "Bokhtar")
    }

    @Test("normal forms and phonetic keys meet across scripts and spellings")
    func normalisation() {
        #expect(TextNormalizer.normalize("  Г. ТАШКЕНТ ") == "g tashkent")
        #expect(TextNormalizer.normalize("Qo‘qon") == "qoqon")
        #expect(TextNormalizer.normalize("Türkmenbaşy") == "turkmenbasy")
        #expect(TextNormalizer.normalize("Қызылорда") == "qyzylorda")
        func k(_ s: String) -> String { TextNormalizer.phoneticKey(s) }
        #expect(k("shimkent") == k(TextNormalizer.normalize("Шымкент")))
        #expect(k("khorog") == k("horog"))
        #expect(k("andizhan") == k("andijan"))
        #expect(k("tselinograd") == k("celinograd"))
        #expect(k("przhevalskiy") == k("przhevalsky"))
    }

    @Test("an extra gazetteer takes precedence and is reported as such")
    func extra() throws {
        let dir = TempDir()
        let p = dir.write("posts.csv", "name,aliases,lon,lat,country,kind\nBLO Termez,Termez BLO|Border Liaison Office Termez,67.30,37.20,UZ,BLO\nTashkent,,69.0,41.0,UZ,checkpoint\n")
        let g = Geocoder(gazetteer: try Gazetteer.shared.adding(extraFrom: p))
        let r = g.geocode("Termez BLO")
        #expect(r.status == .matched && r.kind == .extra && r.place?.kind == "BLO")
        #expect(g.geocode("Tashkent").location == LonLat(lon: 69.0, lat: 41.0))
    }

    @Test("the batch form equals one-by-one geocoding, in order")
    func batch() {
        let qs = Self.cases.map { ($0.query, $0.hint) }
        let batch = sharedGeocoder.geocode(qs)
        for (q, r) in zip(qs, batch) {
            let one = sharedGeocoder.geocode(q.0, countryHint: q.1)
            #expect(one.status == r.status && one.location == r.location)
        }
    }

    @Test("the shipped gazetteer holds GeoNames' 37,887 places and the shipped border posts, each side in its country")
    func shippedGazetteer() throws {
        let g = try Gazetteer.load()
        #expect(g.places.count == 37_887)
        #expect(Gazetteer.shared.places.count > 37_887 + 29)
        #expect(sharedGeocoder.geocode("Hairatan").place?.country == "AF")
        #expect(sharedGeocoder.geocode("Termez").place?.country == "UZ")
    }
}
