import Foundation

/// Cleans a query: drops decorations and parenthetical remarks, pulls out country hints, and
/// recognises strings that are not places.
enum QueryCleaner {
    struct Parsed {
        /// Candidate place strings in normal form, most likely first (comma-separated parts).
        var segments: [String]
        var countryHint: String?
        var nonPlaceReason: String?
        /// The part of the text (comma-separated) each segment comes from.
        var parts: [Int] = []
        /// How many parts hold a candidate.
        var partCount = 0
        /// Russian case forms taken back to a nominative ("tashkente" → "tashkent"), with their part:
        /// looked up by name only, never guessed at.
        var caseForms: [(String, Int)] = []
    }

    /// Russian prepositions before a place ("в Ташкенте", "из Алма-Аты", "под Шымкентом"), transliterated.
    static let prepositions: Set<String> = ["v", "vo", "iz", "pod", "u", "do", "ot", "k", "ko", "s", "so", "na", "okolo", "bliz",
                                            "vozle", "cherez", "za", "pered", "mezhdu", "posle", "vblizi", "ryadom"]

    /// Province abbreviations that are names of a province, not only a country hint.
    static let provinceAbbreviations: Set<String> = ["gbao", "vmkb"]

    /// The nominatives a Russian case form may come from, by its ending (transliterated):
    /// "-е" (в Ташкенте, в Фергане), "-а" (из Оша), "-ы" (из Алма-Аты), "-у" (к Ошу, в Москву),
    /// "-ом"/"-ем" (под Шымкентом), "-ой"/"-ей" (под Ферганой). Only the last word; the stem keeps 3 letters.
    static func nominatives(of word: String) -> [String] {
        func stem(_ n: Int) -> String? { word.count - n >= 2 ? String(word.dropLast(n)) : nil }
        var out: [String] = []
        if word.hasSuffix("om") || word.hasSuffix("em") { if let s = stem(2) { out += [s] } }
        else if word.hasSuffix("oy") || word.hasSuffix("ey") { if let s = stem(2) { out += [s + "a", s + "ya"] } }
        else if word.hasSuffix("e") { if let s = stem(1) { out += [s, s + "a", s + "ya"] } }
        else if word.hasSuffix("a") { if let s = stem(1) { out += [s] } }
        else if word.hasSuffix("y") { if let s = stem(1) { out += [s + "a"] } }
        else if word.hasSuffix("u") { if let s = stem(1) { out += [s, s + "a"] } }
        return out.filter { $0.count >= 3 }
    }

    /// A surname with two initials ("Ivanov S.P.", "С. П. Иванов"): a person, not a place.
    static func isPersonName(_ part: Substring) -> Bool {
        var initials = 0, words = 0
        for t in part.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            let letters = t.filter { $0 != "." }
            if t.contains("."), !letters.isEmpty, letters.count <= 2, letters.allSatisfy(\.isUppercase),
               t.filter({ $0 == "." }).count == letters.count {
                initials += letters.count; continue
            }
            if t.count >= 3, t.first?.isUppercase == true, t.dropFirst().allSatisfy({ $0.isLowercase || $0 == "-" }) { words += 1; continue }
            return false
        }
        return words == 1 && initials == 2
    }

    static let focusCountries: Set<String> = ["KZ", "KG", "TJ", "TM", "UZ", "AF"]
    /// A neighbour's place near the focus countries (Mashhad, Kashgar, Quetta, Omsk; not Saratov or Baku).
    static func isNearRegion(_ p: Place) -> Bool {
        region.contains(p.country) && (50...90).contains(p.location.lon) && (29...56).contains(p.location.lat)
    }

    /// The focus countries and their neighbours: the region whose places a misspelling may be guessed at.
    static let region: Set<String> = focusCountries.union(["IR", "PK", "CN", "RU", "MN", "AZ"])

    /// Country names (normal forms) and region names that imply a country.
    static let countries: [String: String] = [
        "kazakhstan": "KZ", "kazakstan": "KZ", "qazaqstan": "KZ", "kz": "KZ", "kazakhstana": "KZ", "rk": "KZ",
        "kyrgyzstan": "KG", "kyrgyz republic": "KG", "kirgizstan": "KG", "kirgiziya": "KG", "kirghizia": "KG", "kyrgyzstana": "KG", "kr": "KG",
        "tajikistan": "TJ", "tadzhikistan": "TJ", "tojikiston": "TJ", "tadzhikistana": "TJ", "gbao": "TJ", "rt": "TJ",
        "turkmenistan": "TM", "turkmenistana": "TM", "turkmeniya": "TM",
        "uzbekistan": "UZ", "ozbekiston": "UZ", "uzbekistana": "UZ", "ru": "UZ",
        "afghanistan": "AF", "afganistan": "AF", "afganistana": "AF", "irta": "AF",
        "iran": "IR", "pakistan": "PK", "china": "CN", "kitai": "CN", "kitay": "CN", "prc": "CN", "russia": "RU", "rossiya": "RU",
        "russian federation": "RU", "rf": "RU", "mongolia": "MN", "azerbaijan": "AZ", "spain": "ES", "ispaniya": "ES", "austria": "AT",
        "avstriya": "AT", "turkey": "TR", "turkiye": "TR", "india": "IN",
    ]
    static let isoCodes: Set<String> = ["KZ", "KG", "TJ", "TM", "UZ", "AF", "IR", "PK", "CN", "RU", "MN", "AZ", "ES", "AT", "TR", "IN"]

    /// Words dropped from queries (normal forms; Russian ones after transliteration).
    static let decorations: Set<String> = Set<String>([
        "city", "of", "the", "town", "village", "region", "oblast", "oblys", "oblysy", "district", "rayon", "raion", "tumani", "tuman",
        "province", "velayat", "welayat", "viloyati", "viloyat", "republic", "near", "outskirts", "vicinity", "area", "centre", "center",
        "settlement", "kishlak", "aul", "ail",
        "g", "gor", "gorod", "goroda", "oblast", "oblasti", "obl", "raiona", "rayona", "r n", "rn", "pos", "poselok", "posyolok", "s", "selo",
        "d", "derevnya", "aul", "okrestnosti", "vblizi", "okolo", "ryadom", "s", "v", "rai", "gbao", "respublika", "respubliki",
        "vilayat", "wilaya", "district of", "mahalla", "pgt", "st", "stantsiya", "station",
    ]).union(["ولایت", "ولسوالی", "ولسوالۍ", "شهر", "استان", "شهرستان"].map(TextNormalizer.normalize))

    /// Decorations that name an administrative area.
    static let areaWords: Set<String> = ["oblast", "oblasti", "obl", "region", "rayon", "raion", "raiona", "rayona", "rn", "district", "province",
                                         "viloyati", "viloyat", "vilayat", "velayat", "welayat", "oblys", "oblysy", "tumani", "tuman"]

    /// The town a Russian adjective is made from: "oshskaya" → "osh", "tashkentskiy" → "tashkent".
    static func adjectiveStem(_ word: String) -> String? {
        for suffix in ["skaya", "skaia", "skaja", "skiy", "skii", "skij", "skoy", "skoi", "skogo", "skoe"] where word.hasSuffix(suffix) {
            let stem = String(word.dropLast(suffix.count))
            return stem.count >= 3 ? stem : nil
        }
        return nil
    }

    /// Words that mark a string as an institution, operation, drug or non-answer.
    static let nonPlaceWords: Set<String> = [
        "ministry", "ministerstvo", "agency", "agentstvo", "service", "sluzhba", "committee", "komitet", "department", "upravlenie",
        "police", "politsiya", "militsiya", "customs", "tamozhnya", "tamozhni", "border", "guard", "guards", "pogranichnaya", "pogranichnyi", "academy",
        "akademiya", "institute", "institut", "university", "universitet", "office", "unodc", "caricc", "interpol", "europol", "osce",
        "operation", "operatsiya", "headquarters", "hq", "embassy", "posolstvo", "training", "seminar", "meeting", "conference",
        "heroin", "geroin", "opium", "opii", "hashish", "gashish", "cannabis", "marijuana", "marikhuana", "methamphetamine",
        "metamfetamin", "cocaine", "kokain", "precursor", "precursors", "prekursor", "anhydride", "angidrid", "tramadol", "nps",
        "psychoactive", "substances", "drug", "drugs", "narcotics", "initiative", "programme", "program", "project", "pact",
        "lake", "ozero", "river", "reka", "valley", "dolina", "mountains", "mountain", "gory", "khrebet", "desert", "pustynya",
        "highway", "trassa", "mephedrone", "mefedron", "pvp", "amphetamine", "amfetamin", "captagon", "ephedrine", "efedrin", "synthetic", "narkotiki", "reflex", "substitution", "na", "n a", "unknown",
        "neizvestno", "none", "null", "nil", "various", "multiple", "several", "other", "tbd", "nd", "kg", "ton", "tons",
    ]
    static let stopWords: Set<String> = ["road", "bridge", "port", "airport", "post", "checkpoint", "market", "bazaar", "bazar", "east",
                                          "west", "north", "south", "central", "new", "old", "big", "small", "upper", "lower",
                                          "bus", "railway", "train", "truck", "car", "terminal", "crossing", "pass", "pereval", "kpp",
                                          "punkt", "propuska", "pogranpost", "zastava", "tamozhennyi", "avtovokzal", "vokzal"]

    /// Words of the provinces' names in the focus countries (normal forms, common spellings): beside
    /// a town they qualify it ("Fayzabad Badakhshan"), they do not make it another place.
    static let provinceWords: Set<String> = [
        "badakhshan", "badghis", "baghlan", "balkh", "bamyan", "farah", "faryab", "ghazni", "ghor", "helmand", "hilmand", "herat", "hirat",
        "jawzjan", "jowzjan", "kabul", "kandahar", "kapisa", "khost", "kunar", "kunduz", "laghman", "logar", "nangarhar", "nimroz",
        "nuristan", "paktika", "paktya", "paktia", "parwan", "samangan", "sari", "pul", "takhar", "uruzgan", "wardak", "zabul",
        "batken", "chuy", "chui", "jalal", "abad", "naryn", "osh", "talas", "issyk", "kul", "ysyk", "kol",
        "almaty", "aqmola", "akmola", "aqtobe", "aktobe", "atyrau", "mangystau", "mangghystau", "pavlodar", "qaraghandy", "karaganda",
        "karagandy", "qostanay", "kostanay", "qyzylorda", "kyzylorda", "turkistan", "zhambyl", "jambyl", "abai", "abay", "ulytau",
        "zhetysu", "kazakhstan", "gorno", "khatlon", "sughd", "soghd", "sugd", "leninabad", "gbao", "rrp",
        "ahal", "akhal", "balkan", "lebap", "mary", "dashoguz", "dasoguz",
        "andijan", "andijon", "bukhara", "buxoro", "fergana", "fargona", "ferghana", "jizzakh", "jizzax", "karakalpakstan",
        "qoraqalpogiston", "kashkadarya", "qashqadaryo", "khorezm", "xorazm", "namangan", "navoi", "navoiy", "samarkand", "samarqand",
        "sirdaryo", "syrdarya", "surkhandarya", "surxondaryo", "tashkent", "toshkent",
    ]

    /// A word within an edit or two of a decoration or stop word ("disrict", "regoin"), or a
    /// province's name.
    static func isMisspeltDecoration(_ w: String) -> Bool {
        if isStopWord(w) || provinceWords.contains(w) { return true }
        let a = Array(w.utf8)
        let limit = a.count >= 6 ? 2 : a.count >= 4 ? 1 : 0
        guard limit > 0 else { return false }
        return decorationBytes.contains { d in
            abs(d.count - a.count) <= limit && EditDistance.damerauLevenshtein(a, d, limit: limit) <= limit
        }
    }

    /// The decorations and stop words of four letters or more, as bytes, for `isMisspeltDecoration`.
    private static let decorationBytes: [[UInt8]] = decorations.union(stopWords).map { Array($0.utf8) }.filter { $0.count >= 4 }

    /// Whole texts that are not places, though their words may be part of one ("Bus station
    /// Bishkek" is a place, "bus" is not): notes, means of transport, acronyms of organisations.
    static let nonPlaceTexts: Set<String> = [
        "same", "idem", "ditto", "see above", "as above", "same as above", "above", "not specified", "not known", "unspecified",
        "n s", "no data", "no info", "at sea", "en route", "in transit", "transit", "on the way", "abroad", "elsewhere",
        "car", "cars", "bus", "truck", "trucks", "lorry", "train", "trains", "vehicle", "vehicles", "mail", "post", "parcel",
        "parcels", "courier", "cargo", "container", "consignment", "shipment", "luggage", "baggage", "internet", "darknet",
        "online", "telegram", "whatsapp", "home", "house", "apartment", "flat", "warehouse", "garage", "market", "airport",
        "sco", "csto", "cis", "eu", "un", "nato", "knb", "gknb", "kgb", "mvd", "fsb", "dea", "bomca", "cadap", "scnc", "dca",
        "paris pact", "paris pact initiative", "triangular initiative", "rainbow strategy", "northern route", "balkan route",
        "southern route", "global smart",
    ]

    /// FNV hashes of the non-place words and texts, without their spaces ("n a" → "na").
    static let nonPlaceHashes: Set<UInt64> = Set(nonPlaceWords.union(nonPlaceTexts).map { Gazetteer.fnv($0.filter { $0 != " " }) })

    static func isStopWord(_ normal: String) -> Bool { stopWords.contains(normal) || nonPlaceWords.contains(normal) || decorations.contains(normal) }

    static func countryCode(_ s: String) -> String? {
        let t = s.trimmingCharacters(in: .whitespaces)
        if t.count == 2, isoCodes.contains(t.uppercased()) { return t.uppercased() }
        return countries[TextNormalizer.normalize(t)]
    }

    static func clean(_ query: String) -> Parsed {
        var text = query
        var hint: String? = nil
        // Parenthetical remarks: dropped, but a country or region in them is a hint ("Khorog (GBAO)").
        while text.utf8.contains(where: { $0 == 40 || $0 == 91 }), let open = text.firstIndex(where: { $0 == "(" || $0 == "[" }),
              let close = text[open...].firstIndex(where: { $0 == ")" || $0 == "]" }) {
            let inner = String(text[text.index(after: open)..<close])
            if hint == nil { hint = countryCode(inner) }
            text.removeSubrange(open...close)
        }
        // Upper-case ISO codes as separate tokens ("Termez UZ"): looked for only when two capitals stand together.
        // The code is a hint, not part of the name ("Jalal-Abad KG" is Jalal-Abad).
        var isoTokens: Set<String> = []
        let u = Array(text.utf8)
        if u.count > 2, (1..<u.count).contains(where: { (65...90).contains(u[$0]) && (65...90).contains(u[$0 - 1]) }) {
            // A code stands apart (space, comma, bracket): "AT-BASHY" is a name, not Austria.
            for token in text.split(whereSeparator: { $0.isWhitespace || ",;/()[]".contains($0) })
            where token.count == 2 && token == token.uppercased() && isoCodes.contains(String(token)) {
                hint = hint ?? String(token)
                isoTokens.insert(token.lowercased())
            }
        }
        var segments: [String] = [], parts: [Int] = [], caseForms: [(String, Int)] = []
        var nonPlace: String? = nil
        for part in text.split(whereSeparator: { ",;/\n".contains($0) }) {
            let norm = TextNormalizer.normalize(String(part))
            if norm.isEmpty { continue }
            if isPersonName(part) {
                nonPlace = "'\(part.trimmingCharacters(in: .whitespaces))' is a person's name (a surname with initials), not a place"; continue
            }
            if provinceAbbreviations.contains(norm) {
                hint = hint ?? countries[norm]
                parts.append(parts.last.map { $0 + 1 } ?? 0); segments.append(norm); continue
            }
            if nonPlaceWords.contains(norm) || nonPlaceTexts.contains(norm)
                || (norm.utf8.contains(32) && nonPlaceWords.contains(String(norm.filter { $0 != " " }))) {
                nonPlace = "'\(part.trimmingCharacters(in: .whitespaces))' is not a place name"; continue
            }
            if let c = countries[norm] {
                hint = hint ?? c
                nonPlace = nonPlace ?? "only a country (\(c)) is named: too coarse for a point; give a town or a province"
                continue
            }
            var words = norm.split(separator: " ").map(String.init)
            if words.count > 1 && !isoTokens.isEmpty { words.removeAll { isoTokens.contains($0) } }
            // Russian prepositions before the place go ("в Ташкенте", "из Алма-Аты").
            let cyrillic = part.unicodeScalars.contains { (0x400...0x52F).contains($0.value) }
            if cyrillic { while words.count > 1, prepositions.contains(words[0]) { words.removeFirst() } }
            if words.allSatisfy({ $0.allSatisfy(\.isNumber) }) { nonPlace = "a number, not a place"; continue }
            if let w = words.first(where: { nonPlaceWords.contains($0) }) { nonPlace = "'\(w)' is not a place name"; continue }
            // Country names inside a part ("Termez Uzbekistan") become hints.
            words = words.filter { w in
                if let c = countries[w], w.count > 2 { hint = hint ?? c; return false }
                return true
            }
            let kept = words.filter { !decorations.contains($0) }
            if kept.isEmpty { nonPlace = nonPlace ?? "only decorations"; continue }
            if kept.joined().count < (TextNormalizer.isHan(kept.joined()) ? 2 : 3) { nonPlace = nonPlace ?? "too short to be a place name"; continue }
            // The whole text first ("Mexico City" is a name), then without its decorations ("г. Ташкент").
            let whole = words.joined(separator: " "), stripped = kept.joined(separator: " ")
            let partIndex = parts.last.map { $0 + 1 } ?? 0
            let before = segments.count
            defer { parts += Array(repeating: partIndex, count: segments.count - before) }
            segments.append(whole)
            if cyrillic, let last = kept.last {
                for n in nominatives(of: last) { caseForms.append(((kept.dropLast() + [n]).joined(separator: " "), partIndex)) }
            }
            // A Russian adjective naming a province or district after its town ("Ошская область",
            // "Ташкентский район"): the town, before the adjective itself.
            if words.contains(where: { areaWords.contains($0) }), let last = kept.last, let stem = adjectiveStem(last) {
                segments.append((kept.dropLast() + [stem]).joined(separator: " "))
            }
            if stripped != whole { segments.append(stripped) }
        }
        return Parsed(segments: segments, countryHint: hint, nonPlaceReason: nonPlace, parts: parts,
                      partCount: Set(parts).count, caseForms: caseForms)
    }
}

/// Coordinates written in a query: "41.3, 69.2", "69.2 41.3" (when unambiguous),
/// "41°18′N 69°15′E", "41 18 N, 69 15 E", "N41.31 E69.24".
enum CoordinateParser {
    private static let number = #"(\d{1,3}(?:[.,]\d+)?)\s*[°º]?\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*['′’]?)?\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:"|″|''))?"#
    // Compiled once (NSRegularExpression is immutable and Sendable), without a crash path: a
    // pattern that did not compile would leave hemisphere coordinates unread, and a test checks both compile.
    static let hemisphereFirst = try? NSRegularExpression(pattern: #"([NSEW])\s*"# + number + "()", options: [.caseInsensitive])
    static let hemisphereLast = try? NSRegularExpression(pattern: "()" + number + #"\s*([NSEW])"#, options: [.caseInsensitive])

    /// What a coordinate pair is written with: digits, signs, separators, degree, minute and
    /// second marks, hemisphere letters. Text with anything else ("Route 4 E, km 12 N", a note
    /// with numbers in it) is not read as coordinates.
    private static let coordinateCharacters = Set("0123456789.,;:+-−°º˚′'’″\"NSEWnsew \t\u{A0}")

    static func parse(_ s: String) -> LonLat? {
        guard s.utf8.contains(where: { $0 >= 48 && $0 <= 57 }) else { return nil }   // no digit: not coordinates
        var t = s.trimmingCharacters(in: .whitespaces)
        // "lat 41.3 lon 69.2": the labels go, the rule above then applies to the rest.
        for label in ["latitude", "longitude", "lat", "lon", "lng", "long", "широта", "долгота"] {
            t = t.replacingOccurrences(of: label, with: " ", options: [.caseInsensitive])
        }
        t = t.replacingOccurrences(of: "=", with: " ").trimmingCharacters(in: .whitespaces)
        guard t.allSatisfy({ coordinateCharacters.contains($0) }) else { return nil }
        // Degrees, minutes, seconds with hemispheres.
        // Hemisphere letters either all before the numbers ("N41.31 E69.24") or all after ("41°18′N 69°15′E").
        let leading = t.first.map { "NSEWnsew".contains($0) } ?? false
        let hemi = leading ? hemisphereFirst : hemisphereLast
        if let hemi, t.utf8.contains(where: { [78, 83, 69, 87, 110, 115, 101, 119].contains($0) }) {   // a hemisphere letter N S E W
            var lat: Double? = nil, lon: Double? = nil
            for m in hemi.matches(in: t, range: NSRange(t.startIndex..., in: t)) {
                func group(_ i: Int) -> String? { Range(m.range(at: i), in: t).map { String(t[$0]).replacingOccurrences(of: ",", with: ".") } }
                guard let degText = group(2), let deg = Double(degText) else { continue }
                let h = [group(1), group(5)].compactMap { $0 }.first { !$0.isEmpty }?.uppercased()
                guard let h else { continue }
                let value = deg + (group(3).flatMap(Double.init) ?? 0) / 60 + (group(4).flatMap(Double.init) ?? 0) / 3600
                switch h {
                case "N": lat = value
                case "S": lat = -value
                case "E": lon = value
                case "W": lon = -value
                default: break
                }
            }
            if let lat, let lon, abs(lat) <= 90, abs(lon) <= 180 { return LonLat(lon: lon, lat: lat) }
            return nil
        }
        // Two decimal numbers: lat, lon (the usual order) unless only lon, lat makes sense.
        let parts = t.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == " " }).filter { !$0.isEmpty }
        guard parts.count == 2, let a = Double(parts[0]), let b = Double(parts[1]), parts.allSatisfy({ $0.contains(".") }) else { return nil }
        if abs(a) <= 90 && abs(b) <= 180 { return LonLat(lon: b, lat: a) }
        if abs(b) <= 90 && abs(a) <= 180 { return LonLat(lon: a, lat: b) }
        return nil
    }
}
