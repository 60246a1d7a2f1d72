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
        /// The match_precision it must have, when the fixture says.
        var precision: MatchPrecision?
        /// Why it is a known failure (it is expected to fail until the reason is fixed).
        var knownFailure: String?
        var description: String { "[\(category)] \(query)" }
    }

    static let cases: [Case] = {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/geocode_cases.tsv").path
        let text = try! String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n", omittingEmptySubsequences: true).filter { !$0.hasPrefix("#") }.map { line in
            let f = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let expected = f[3] == "UNMATCHED" ? nil : (f[3], LonLat(lon: Double(f[5])!, lat: Double(f[4])!))
            let precision = f.count > 6 && !f[6].isEmpty ? MatchPrecision(rawValue: f[6]) : nil
            if f.count > 6 && !f[6].isEmpty && precision == nil { Issue.record("unknown precision '\(f[6])' in the fixture: \(f[1])") }
            return Case(category: f[0], query: f[1], hint: f[2].isEmpty ? nil : f[2], expected: expected, precision: precision,
                        knownFailure: f.count > 7 && !f[7].isEmpty ? f[7] : nil)
        }
    }()

    static func correct(_ c: Case, _ r: GeocodeResult) -> Bool {
        guard let e = c.expected else { return r.status == .unmatched }
        guard r.status == .matched, let l = r.location, r.place?.country ?? e.country == e.country else { return false }
        if let p = c.precision, r.precision != p { return false }
        return Geodesic.distance(l, e.location) < 30_000
    }

    @Test("every listed case is right (no tolerance): a regression fails; known failures are marked with their reason")
    func accuracy() {
        var wrong: [String] = [], nowRight: [String] = []
        var byCategory: [String: (Int, Int)] = [:]
        for c in Self.cases {
            let r = sharedGeocoder.geocode(c.query, countryHint: c.hint)
            let ok = Self.correct(c, r)
            byCategory[c.category, default: (0, 0)].0 += ok ? 1 : 0
            byCategory[c.category, default: (0, 0)].1 += 1
            let answer = "\(r.status) \(r.place?.name ?? "") \(r.place?.country ?? "") \(r.precision?.rawValue ?? "") \(r.reason ?? "")"
            if c.knownFailure != nil { if ok { nowRight.append("\(c) → \(answer)") }; continue }
            if !ok { wrong.append("\(c) → \(answer)") }
            if c.expected == nil { #expect(r.status == .unmatched, "a non-place was matched: \(c.query) → \(r.place?.name ?? "?")") }
        }
        #expect(Self.cases.count >= 300)
        #expect(wrong.isEmpty, "\(wrong.count) of \(Self.cases.count) cases wrong:\n\(wrong.joined(separator: "\n"))")
        #expect(nowRight.isEmpty, "known failures that are now right (remove their mark):\n\(nowRight.joined(separator: "\n"))")
        print("geocoder cases: \(Self.cases.count - wrong.count - Self.cases.count(where: { $0.knownFailure != nil }))/\(Self.cases.count) right, "
              + "\(Self.cases.count(where: { $0.knownFailure != nil })) known failures; "
              + byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.0)/\($0.value.1)" }.joined(separator: ", "))
    }

    @Test("the correctness rule can fail: a wrong place, a wrong precision, a match for a non-place")
    func correctnessRuleCanFail() {
        let tashkent = sharedGeocoder.geocode("Tashkent")
        let osh = Case(category: "t", query: "Osh", hint: nil, expected: ("KG", LonLat(lon: 72.79850, lat: 40.52828)))
        #expect(!Self.correct(osh, tashkent))
        var asProvince = Case(category: "t", query: "Tashkent", hint: nil, expected: ("UZ", LonLat(lon: 69.21627, lat: 41.26465)))
        #expect(Self.correct(asProvince, tashkent))
        asProvince.precision = .province
        #expect(!Self.correct(asProvince, tashkent))
        #expect(!Self.correct(Case(category: "t", query: "Tashkent", hint: nil, expected: nil), tashkent))
    }

    @Test("the ranking numbers are one policy value: the defaults the cases were tuned on, and changing one changes answers")
    func policy() {
        let p = GeocoderPolicy.standard
        #expect(p.aliasScore == 0.97 && p.transliteratedScore == 0.92 && p.minimumScore == 0.72)
        #expect(p.fuzzyNeededHintedOrFocusCity == 0.72 && p.fuzzyNeededFocusOrNearCity == 0.75 && p.fuzzyNeededElsewhere == 0.78)
        #expect(p.withinTextFactor == 0.85 && p.populationWeight == 0.15 && p.shippedPostBonus == 0.06 && p.focusBonus == 0.05)
        #expect(p.sharedAliasPopulationRatio == 20 && p.tiePopulationRatio == 2)
        #expect(p.focusCountries == ["KZ", "KG", "TJ", "TM", "UZ", "AF"])
        #expect(sharedGeocoder.policy == p)
        // The geocoder reads its policy: a stricter minimum refuses the guess the standard one takes.
        var strict = p
        strict.minimumScore = 0.9
        let g = Geocoder(gazetteer: sharedGeocoder.gazetteer, policy: strict)
        #expect(sharedGeocoder.geocode("Akhshabad").status == .matched)
        #expect(g.geocode("Akhshabad").status == .unmatched)
        var noAlias = p
        noAlias.aliasScore = 0.5
        #expect(Geocoder(gazetteer: sharedGeocoder.gazetteer, policy: noAlias).geocode("Alma-Ata").score != 0.97)
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
        // Minutes without their mark, and labels.
        let c3 = sharedGeocoder.geocode("41 18 N, 69 15 E")
        #expect(c3.location.map { abs($0.lat - 41.3) < 1e-9 && abs($0.lon - 69.25) < 1e-9 } == true)
        #expect(sharedGeocoder.geocode("lat 41.3 lon 69.2").location == LonLat(lon: 69.2, lat: 41.3))
        // Numbers and hemisphere letters inside other text are not coordinates.
        for q in ["Route 4 E, km 12 N", "M41 km 5 S of Osh 2 E", "x3😀N7E"] {
            #expect(sharedGeocoder.geocode(q).kind != .coordinates, "\(q)")
        }
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

    @Test("the character table gives the same normal form as Unicode's own rules, character by character and in random text")
    func normaliseByTable() {
        // Every character the table covers, alone and between letters.
        for block in TextNormalizer.tableBlocks {
            for v in block {
                guard let u = Unicode.Scalar(v) else { continue }
                for s in [String(Character(u)), "Ab" + String(Character(u)) + "c", String(Character(u)) + " x"] {
                    #expect(TextNormalizer.normalize(s) == TextNormalizer.normalizeByUnicode(s), "U+\(String(v, radix: 16))")
                }
            }
        }
        // A combining breve makes и into й: the mark is context, never a table entry.
        #expect(TextNormalizer.normalize("И\u{306}ван") == "yvan")
        // A stress mark on a Cyrillic letter leaves it transliterated ("Алё́шино").
        #expect(TextNormalizer.normalize("Алё\u{301}шино") == "alyoshino")
        // Random strings mixing scripts, marks, joiners, quotes, digits and punctuation.
        let pool = Array("aZkh yTx-.,'’ʻ`\"(é)Ё́ёЙи\u{306}ШщқӯҳғÇşİıßæøÅĀḤṭ–—\u{200D}\u{200C}Σσς漢9١²ﬁ½\t")
        var rng = SeededRNG(seed: 11)
        for _ in 0..<20_000 {
            let s = String((0..<Int.random(in: 0...12, using: &rng)).map { _ in pool.randomElement(using: &rng)! })
            #expect(TextNormalizer.normalize(s) == TextNormalizer.normalizeByUnicode(s), "\(s.unicodeScalars.map { String($0.value, radix: 16) })")
        }
    }

    @Test("a text naming two places is ambiguous, with both; a short word is never guessed at far away")
    func twoPlacesAndShortGuesses() {
        let r = sharedGeocoder.geocode("Kabul Kandahar road")
        #expect(r.status == .ambiguous && Set(r.candidates.map(\.place.name)) == ["Kabul", "Kandahār"])
        // One edit in five letters is too weak a guess on its own ("Kanal" is not Karnāl, India)…
        for q in ["Kanal", "Metal", "Panel", "Fraap"] { #expect(sharedGeocoder.geocode(q).status == .unmatched, "\(q)") }
        // …but stands inside the country the officer gave ("Fraap", TM is Farap) and for a city
        // of the focus countries ("Hirat" is Herat).
        #expect(sharedGeocoder.geocode("Fraap", countryHint: "TM").place?.name == "Farap")
        #expect(sharedGeocoder.geocode("Hirat").place?.name == "Herāt")
        // A short spelling key says little about a place far away.
        #expect(sharedGeocoder.geocode("qhy").status == .unmatched)
        #expect(sharedGeocoder.geocode("Semy").place?.name == "Semey")   // not Semi, Benin
        // An ISO code beside a name is a hint, not part of it.
        #expect(sharedGeocoder.geocode("Jalal-Abad KG").place?.name == "Jalal-Abad")
        #expect(sharedGeocoder.geocode("Jalalabad AF").place?.country == "AF")
        // GeoNames' airport codes are not aliases ("KBL" would be Kabul, "SCO" Aktau).
        let g = sharedGeocoder.gazetteer
        let shortAliases = g.places.indices.filter { g.places[$0].isFromGeoNames }.map { g.nameLists[$0] }.filter { list in
            list.components(separatedBy: "|").dropFirst().contains { $0.count < 4 && TextNormalizer.isLatin($0) }
        }
        #expect(shortAliases.isEmpty, "\(shortAliases.prefix(3))")
    }

    @Test("the gazetteer reader's numbers equal strtod's, digit for digit")
    func gazetteerNumbers() {
        var rng = SeededRNG(seed: 17)
        for _ in 0..<20_000 {
            let decimals = Int.random(in: 0...7, using: &rng)
            let v = Double.random(in: -180...180, using: &rng)
            for text in [String(format: "%.\(decimals)f", v), String(Int.random(in: -99_999_999...99_999_999, using: &rng)), "1e5", "-0.0", "12345678901234567.5"] {
                let bytes = Array(text.utf8)
                let parsed = bytes.withUnsafeBufferPointer { Gazetteer.parseDecimal($0, 0..<$0.count) }
                #expect(parsed == Double(text), "\(text)")
            }
        }
        #expect(Array("4x".utf8).withUnsafeBufferPointer { Gazetteer.parseDecimal($0, 0..<2) } == nil)
    }

    @Test("the bit-parallel distance equals the dynamic-programming one (optimal string alignment)")
    func bitParallelDistance() {
        var rng = SeededRNG(seed: 3)
        let pattern = BitParallelPattern()
        let alphabet: [UInt8] = Array("abcdkhs=".utf8)
        for _ in 0..<20_000 {
            let a = (0..<Int.random(in: 0...14, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! }
            var b = a
            for _ in 0..<Int.random(in: 0...4, using: &rng) where !b.isEmpty {   // edits, transpositions among them
                let i = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b.remove(at: i)
                case 1: b.insert(alphabet.randomElement(using: &rng)!, at: i)
                case 2: b[i] = alphabet.randomElement(using: &rng)!
                default: if i + 1 < b.count { b.swapAt(i, i + 1) }
                }
            }
            pattern.set(a)
            #expect(pattern.distance(b) == EditDistance.damerauLevenshtein(a, b, limit: 64), "\(a) \(b)")
        }
        #expect(pattern.set(Array("ashkhabad".utf8)) && pattern.distance(Array("akhshabad".utf8)) == 2)
        // A transposition counts once; OSA never edits a substring twice ("ca" → "abc" is 3, not 2).
        pattern.set(Array("ca".utf8))
        #expect(pattern.distance(Array("ac".utf8)) == 1 && pattern.distance(Array("abc".utf8)) == 3)
        let long = [UInt8](repeating: 97, count: 64)
        #expect(pattern.set(long) && pattern.distance(long) == 0 && pattern.distance(Array(long.dropLast())) == 1)
        #expect(!pattern.set(long + [98]))
    }

    @Test("the quick path for plain names answers exactly as the general path does")
    func quickPathAgrees() {
        var rng = SeededRNG(seed: 5)
        let g = sharedGeocoder
        let places = g.gazetteer.places
        let hints: [String?] = [nil, nil, "KZ", "UZ", "TJ", "RU", "AF"]
        var queries: [String] = ["Tashkent", "TASHKENT", "Ташкент", "Mexico City", "Aleksandrovka", "kyrgyz republic", "n a", "Osh!",
                                 "  Bishkek  ", "Mazār-e Sharīf", "Kashi", "São Paulo", "Dushanbe city", "near Termez", "Alma-Ata"]
        for i in 0..<1_500 {
            let p = places[Int.random(in: 0..<places.count, using: &rng)]
            queries.append(p.name)
            queries.append(p.name.uppercased())
            if i % 8 == 0 { queries.append(p.name.lowercased().replacingOccurrences(of: "a", with: "o")) }   // mostly general path
        }
        var quick = 0
        for q in queries {
            let hint = hints.randomElement(using: &rng)!
            let a = g.geocode(q, countryHint: hint, quick: true), b = g.geocode(q, countryHint: hint, quick: false)
            #expect(a.status == b.status && a.place?.id == b.place?.id && a.score == b.score && a.kind == b.kind
                    && a.candidates.map(\.place.id) == b.candidates.map(\.place.id) && a.reason == b.reason, "\(q) [\(hint ?? "-")]")
            if a.status != .unmatched { quick += 1 }
        }
        #expect(quick > queries.count / 2)
    }

    @Test("a border post answers to each side's name in that side's country; a: and b: aliases name one side")
    func postSides() throws {
        let dir = TempDir()
        let p = dir.write("posts.csv", "name,name_a,name_b,iso_a,iso_b,aliases,lon,lat\n"
                          + "Alpha–Beta,Alpha Post,Beta Post,KG,CN,a:Alfa Gate|b:Bayta Gate|Twin Bridge,74.1,40.1\n")
        let g = Geocoder(gazetteer: try Gazetteer.shared.adding(extraFrom: p))
        #expect(g.geocode("Alpha Post").place?.country == "KG")
        #expect(g.geocode("Beta Post").place?.country == "CN")
        #expect(g.geocode("Alfa Gate").place?.country == "KG")
        #expect(g.geocode("Bayta Gate").place?.country == "CN")
        // An alias of both sides: the first side.
        #expect(g.geocode("Twin Bridge").place?.country == "KG")
        // The shipped posts: Sherkhan Bandar is the Afghan side, Nizhny Panj the Tajik one.
        #expect(sharedGeocoder.geocode("Sherkhan Bandar").place?.country == "AF")
        #expect(sharedGeocoder.geocode("Nizhny Panj").place?.country == "TJ")
    }

    @Test("an extra gazetteer takes precedence and is reported as such")
    func extra() throws {
        let dir = TempDir()
        let p = dir.write("posts.csv", "name,aliases,lon,lat,country,kind\nBLO Termez,Termez BLO|Border Liaison Office Termez,67.30,37.20,UZ,BLO\nTashkent,,69.0,41.0,UZ,checkpoint\n")
        let g = try Geocoder(extraGazetteers: [p])
        // Every place keeps its own id: the user's places are numbered after the shipped posts.
        #expect(Set(g.gazetteer.places.map(\.id)).count == g.gazetteer.places.count)
        let r = g.geocode("Termez BLO")
        #expect(r.status == .matched && r.kind == .extra && r.place?.kind == "BLO")
        #expect(g.geocode("Tashkent").location == LonLat(lon: 69.0, lat: 41.0))
    }

    @Test("Arabic-script variants meet (ي/ی, ك/ک, tatweel, vowel marks); Chinese is taken exactly; neither is guessed at")
    func otherScripts() {
        func n(_ s: String) -> String { TextNormalizer.normalize(s) }
        #expect(n("كابل") == n("کابل") && n("هـرات") == n("هرات") && n("شريف") == n("شریف"))
        #expect(n("مَزارِ شَریف") == n("مزار شریف") && n("أفغانستان") == n("افغانستان"))
        #expect(n("喀什") == "喀什")
        #expect(sharedGeocoder.geocode("کابل").place?.name == "Kabul")
        #expect(sharedGeocoder.geocode("كابل").place?.name == "Kabul")
        #expect(sharedGeocoder.geocode("کابلل").status == .unmatched)   // one letter more: not guessed at
        #expect(sharedGeocoder.geocode("喀什什").status == .unmatched)
    }

    @Test("Russian case forms are taken back only to a known name, and only in Cyrillic text; prepositions go")
    func caseForms() {
        #expect(QueryCleaner.nominatives(of: "tashkente").contains("tashkent"))
        #expect(QueryCleaner.nominatives(of: "shymkentom") == ["shymkent"])
        #expect(QueryCleaner.nominatives(of: "aty") == ["ata"])
        let r = sharedGeocoder.geocode("в Ташкенте")
        #expect(r.place?.name == "Tashkent" && r.kind == .exact && r.score == GeocoderPolicy.standard.caseFormFactor)
        #expect(sharedGeocoder.geocode("под Шымкентом").place?.name == "Shymkent")
        // Latin text is not declined ("Tashkente" may be guessed at, but is no case form).
        #expect(sharedGeocoder.geocode("Tashkente").kind != .exact)
        // A word that is no known name in any case stays unmatched.
        #expect(sharedGeocoder.geocode("в Бырдымкенте").status == .unmatched)
    }

    @Test("provinces: the province alone, the town with its province, only places in that province")
    func provinces() {
        let almaty = sharedGeocoder.geocode("Almaty oblast")
        #expect(almaty.kind == .province && almaty.precision == .province && almaty.place?.name == "Almaty Region")
        #expect(sharedGeocoder.geocode("Almaty").precision == .town)
        let korday = sharedGeocoder.geocode("Жамбылская обл., Кордай")
        #expect(korday.place?.name == "Korday" && korday.precision == .town)
        // A town of that name elsewhere is not taken: the province stands.
        let elsewhere = sharedGeocoder.geocode("Жамбылская обл., Ош")
        #expect(elsewhere.place?.isProvince == true && elsewhere.place?.name == "Jambyl Region")
        let p = sharedGeocoder.gazetteer.places.first { $0.name == "Jambyl Region" }!
        #expect(p.contains(sharedGeocoder.geocode("Taraz").place!) && !p.contains(sharedGeocoder.geocode("Osh").place!))
        #expect(p.name(in: .russian) == "Жамбылская область" && p.name(in: .local) == "Жамбыл облысы")
        #expect(sharedGeocoder.geocode("41.3, 69.2").precision == .point)
    }

    @Test("GeocodeOptions: the flags' names, validated in one place; the --min-matched gate")
    func options() throws {
        var o = GeocodeOptions(input: "a.csv", column: "place", output: "b.csv")
        o.minMatched = 1.5
        #expect(throws: GeoError.self) { try o.validate() }
        o.minMatched = 0.95
        try o.validate()
        var s = GeocodeSummary()
        s.rows = 100; s.matched = 94
        #expect(!o.passes(s))
        s.matched = 95
        #expect(o.passes(s))
        o.country = "KZ"; o.countryColumn = "c"
        #expect(throws: GeoError.self) { try o.validate() }
        let json = String(decoding: try JSONEncoder().encode(o), as: UTF8.self)
        #expect(json.contains("\"minMatched\"") && json.contains("\"countryColumn\"") && json.contains("\"names\":\"en\""))
        #expect(GeocodeOptions.command == "geocode" && o.inputPaths == ["a.csv"] && o.outputPaths == ["b.csv"])
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

    @Test("while the phonetic index is being made, a batch answers exact names without it and every query as one-by-one geocoding does")
    func batchWhilePhoneticIndexIsMade() {
        let shared = Gazetteer.shared
        func fresh() -> Gazetteer { Gazetteer(places: shared.places, nameLists: shared.nameLists, phoneticIndexInBackground: false) }
        // Exact names (primary names and an alias) need only the exact index.
        let plain = fresh()
        let exact = Geocoder(gazetteer: plain).geocode(["Tashkent", "Bishkek", "Dushanbe", "Almaty", "Termez"].map { ($0, nil) })
        #expect(exact.allSatisfy { $0.status == .matched && ($0.kind == .exact || $0.kind == .alias) }, "\(exact.map(\.kind))")
        #expect(plain.phoneticIfReady == nil)
        // The listed cases (respellings, fuzzy guesses, hints, provinces, non-places): those put
        // off are answered once the index is made, as a ready gazetteer answers them one by one.
        let mixed = fresh()
        let qs = Self.cases.map { ($0.query, $0.hint) }
        let batch = Geocoder(gazetteer: mixed).geocode(qs)
        #expect(mixed.phoneticIfReady != nil)
        for (q, r) in zip(qs, batch) {
            let one = sharedGeocoder.geocode(q.0, countryHint: q.1)
            #expect(one.status == r.status && one.location == r.location && one.score == r.score && one.kind == r.kind
                    && one.reason == r.reason && one.candidates.map(\.place) == r.candidates.map(\.place), "\(q.0)")
        }
    }

    @Test("the shipped gazetteer holds GeoNames' 37,887 places, 98 provinces and the shipped border posts, each side in its country")
    func shippedGazetteer() throws {
        let g = try Gazetteer.load()
        #expect(g.places.count(where: \.isFromGeoNames) == 37_887)
        #expect(g.places.count(where: \.isProvince) == 98)
        #expect(Gazetteer.shared.places.count > 37_887 + 98 + 29)
        #expect(sharedGeocoder.geocode("Hairatan").place?.country == "AF")
        #expect(sharedGeocoder.geocode("Termez").place?.country == "UZ")
    }

    @Test("the shipped border posts read from their JSON give the places GDAL's reading of the same file gives")
    func shippedPostsWithoutGDAL() throws {
        let path = try #require(Gazetteer.shippedPostsPath)
        let (places, names) = try Gazetteer.readShippedPosts(path)
        let (gdalPlaces, gdalNames) = try Gazetteer.readExtra(path, asExtra: false, firstID: 0)
        #expect(places.count > 29 && places.count == gdalPlaces.count)
        #expect(places == gdalPlaces)
        #expect(names == gdalNames)
        // Aliases and both sides made it through (not only the names).
        #expect(names.contains { $0.split(separator: "|").contains("druzhba") })
        #expect(places.contains { $0.name.hasPrefix("Alashankou") && $0.country == "CN" })
    }

    @Test("the gazetteer file: every line's place in file order, and a broken line named by its number, early or late in the file")
    func gazetteerFileOrderAndLineNumbers() throws {
        let path = repositoryRoot + "/Sources/CaravanKit/Resources/gazetteer.tsv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let expected = lines.filter { !$0.isEmpty && !$0.hasPrefix("#") }.map { Int($0.prefix { $0 != "\t" })! }
        let (places, names) = try Gazetteer.readFile(path)
        #expect(places.map(\.id) == expected)
        #expect(names.count == expected.count)
        // A broken line three quarters in (and one near the top) is reported with its own line number.
        let dir = TempDir()
        for lineNo in [lines.count * 3 / 4, 5] {
            var broken = lines.map(String.init)
            broken[lineNo - 1] = "not-a-number\tBroken"
            let file = dir.write("g\(lineNo).tsv", broken.joined(separator: "\n"))
            do { _ = try Gazetteer.readFile(file); Issue.record("a broken line was read") }
            catch let e as GeoError { #expect(e.index == lineNo, "\(e)") }
        }
    }

    @Test("each fuzzy-index partition, built on its own, holds exactly its names' keys: phonetic keys and plain forms, with their places")
    func fuzzyPartitions() throws {
        let g = try Gazetteer.load()
        // The keys each partition must hold, made from the names as the index's definition says:
        // ASCII names only; the phonetic key (3 letters or more) and "=" + the name without spaces (4 or more).
        var expected = [Set<[UInt8]>](repeating: [], count: 256)
        for (i, list) in g.nameLists.enumerated() {
            for name in list.split(separator: "|") where name.utf8.allSatisfy({ $0 < 0x80 }) {
                let phonetic = Array(TextNormalizer.phoneticKey(String(name)).utf8)
                let plain = [61] + name.utf8.filter { $0 != 32 }
                for key in [phonetic.count >= 3 ? phonetic : nil, plain.count >= 4 ? plain : nil].compactMap({ $0 }) {
                    let p = key.withUnsafeBufferPointer { Gazetteer.partition(of: $0) }
                    expected[Int(p)].insert(key + [0] + withUnsafeBytes(of: Int32(i)) { Array($0) })
                }
            }
        }
        var nonEmpty = 0
        for p in 0..<256 {
            let f = g.fuzzy(partition: UInt32(p))
            var found = Set<[UInt8]>()
            for k in 0..<f.count {
                let key = Array(f.keyBytes[Int(f.keyOffsets[k])..<Int(f.keyOffsets[k + 1])])
                for place in f.places(of: k) { found.insert(key + [0] + withUnsafeBytes(of: place) { Array($0) }) }
            }
            #expect(found == expected[p], "partition \(p): \(found.count) keys with places, expected \(expected[p].count)")
            if !found.isEmpty { nonEmpty += 1 }
        }
        #expect(nonEmpty > 40)
    }
}
