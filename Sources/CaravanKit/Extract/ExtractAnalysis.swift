import Foundation

/// The options of `caravan extract`: the same names as its flags.
public struct ExtractOptions: AnalysisOptions {
    public static let command = "extract"
    /// Report files or folders (text, Markdown, HTML; PDF with poppler's pdftotext).
    public var reports: [String]
    /// The events table or layer (.csv, .gpkg, .geojson…).
    public var output: String
    /// The reports' language: auto (by script, per item), en, ru. Names match_name in Russian with ru.
    public var lang: ExtractLanguage = .auto
    /// Where the sentences for a person go (a date without a place, a place without an event…).
    public var report: String?
    /// Extra institutions → city (CSV: name, city, country), ahead of the shipped table.
    public var extra: [String] = []
    /// A hand-made table (date_start, date_end, place, country, kind) to compare the events with.
    public var compare: String?
    public var overwrite = false

    /// Events kept in the returned layer (all are written to `output`, as they are found).
    public static let keptInMemory = 5_000
    /// Events shown in the summary table.
    public static let tableRows = 60

    public init(reports: [String], output: String) { self.reports = reports; self.output = output }

    public func validate() throws {
        if reports.isEmpty { throw GeoError(.invalidArgument, "no reports given", hint: "name report files or a folder of them") }
        for r in reports where !FileManager.default.fileExists(atPath: r) {
            throw GeoError(.invalidArgument, "the report does not exist", file: r, hint: "check the path")
        }
        if output.isEmpty { throw GeoError(.invalidArgument, "no output named", hint: "-o events.csv or events.gpkg") }
    }

    public var inputPaths: [String] { reports + extra + (compare.map { [$0] } ?? []) }
    public var outputPaths: [String] { [output] + (report.map { [$0] } ?? []) }
}

public enum ExtractLanguage: String, Codable, Sendable, CaseIterable { case auto, en, ru }

/// One event found in a report.
public struct ExtractedEvent: Sendable {
    public var start: EventDate
    public var end: EventDate
    public var dateText: String
    public var placeText: String
    /// "text" (a place named) or "institution" (the city of an institution named).
    public var placeSource: String
    public var geocode: GeocodeResult
    public var kind: EventKind
    public var drug: String?
    public var amount: DrugAmount?
    public var agencies: [String]
    public var evidence: String
    public var document: String
    public var item: Int
    public var offsetStart: Int
    public var offsetEnd: Int
    public var confidence: Double
    public var lang: String
}

/// A sentence a person should look at, and why.
public struct ReviewSentence: Sendable {
    public var document: String
    public var item: Int
    public var offsetStart: Int
    public var offsetEnd: Int
    public var reason: String
    public var dateText: String?
    public var placeText: String?
    public var evidence: String
}

/// Finds dated, placed events in report text: the engine behind `caravan extract`.
public final class EventExtractor: Sendable {
    let geocoder: Geocoder
    /// The geocoder's answers, kept per text: reports name the same places again and again.
    let memo: GeocodeMemo
    let institutions: [(pattern: String, institution: Institution)]
    /// The institutions' names, lower-cased, as UTF-8 bytes (searched byte by byte: NSString's
    /// range(of:) was a third of the time), and their UTF-16 lengths.
    let institutionBytes: [(bytes: [UInt8], utf16: Int)]
    let names: NameLanguage

    public init(geocoder: Geocoder = Geocoder(), institutions: [Institution] = Institutions.shipped, names: NameLanguage = .english) {
        self.geocoder = geocoder
        self.memo = GeocodeMemo(geocoder)
        self.names = names
        var list: [(String, Institution)] = []
        for i in institutions { for n in i.names { list.append((n.lowercased(), i)) } }
        self.institutions = list.sorted { $0.0.count > $1.0.count }
        self.institutionBytes = self.institutions.map { (Self.folded($0.pattern), $0.pattern.utf16.count) }
    }

    /// The UTF-8 bytes of `text` with Latin and Cyrillic capitals lower-cased (Ё → ё), every other
    /// character as it is: each character keeps its length, so offsets stay the text's.
    static func folded(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for u in text.unicodeScalars {
            var v = u.value
            if (0x41...0x5A).contains(v) || (0x410...0x42F).contains(v) { v += 32 } else if v == 0x401 { v = 0x451 }
            if v < 0x80 { out.append(UInt8(v)) }
            else if v < 0x800 { out.append(UInt8(0xC0 | (v >> 6))); out.append(UInt8(0x80 | (v & 0x3F))) }
            else if v < 0x10000 { out.append(UInt8(0xE0 | (v >> 12))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F))) }
            else { out.append(UInt8(0xF0 | (v >> 18))); out.append(UInt8(0x80 | ((v >> 12) & 0x3F))); out.append(UInt8(0x80 | ((v >> 6) & 0x3F))); out.append(UInt8(0x80 | (v & 0x3F))) }
        }
        return out
    }

    /// Where `needle` occurs in `hay` (byte offsets), from `from` on: an anchor byte found with
    /// `memchr` (the second for a Cyrillic letter, whose first byte is nearly every other byte
    /// of Russian text), then the whole needle compared.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int) -> Int? {
        let m = needle.count
        guard m > 0, from >= 0, m <= hay.count - from else { return nil }
        return hay.withUnsafeBufferPointer { h -> Int? in
            needle.withUnsafeBufferPointer { n -> Int? in
                guard let hb = h.baseAddress else { return nil }
                let k = m > 1 && (n[0] == 0xD0 || n[0] == 0xD1) ? 1 : 0
                let anchor = Int32(n[k])
                let raw = UnsafeRawPointer(hb)
                let last = h.count - m
                var start = from
                while start <= last {
                    guard let p = memchr(raw + start + k, anchor, last - start + 1) else { return nil }
                    let at = raw.distance(to: UnsafeRawPointer(p)) - k
                    var j = 0
                    while j < m && h[at + j] == n[j] { j += 1 }
                    if j == m { return at }
                    start = at + 1
                }
                return nil
            }
        }
    }

    /// Whether a word (its first UTF-16 unit) starts with a lower-case Latin or Cyrillic letter:
    /// such a word is not `isUppercase`, read without making its string.
    @inline(__always) static func startsLowercase(_ u0: UInt16) -> Bool {
        (0x61...0x7A).contains(u0) || (0x430...0x44F).contains(u0) || u0 == 0x451
    }

    /// The words of a sentence: what `wordPattern` (`[\p{L}][\p{L}\p{M}'’-]*`) matches, as UTF-16
    /// ranges. Scanned by hand for plain text (Latin, Cyrillic and punctuation, whose letters and
    /// marks Swift and ICU class alike); anything else through the pattern.
    static func words(of sentence: String, _ folded: FoldedText) -> [NSRange] { words(of: sentence, folded, units: Array(sentence.utf16)) }

    static func words(of sentence: String, _ folded: FoldedText, units: [UInt16]) -> [NSRange] {
        guard folded.plain else {
            return wordPattern.matches(in: sentence, range: NSRange(location: 0, length: (sentence as NSString).length)).map { $0.range }
        }
        @inline(__always) func category(_ u: UInt16) -> Int { // 2 letter, 1 mark or joiner, 0 other
            if u < 0x80 {
                if (0x41...0x5A).contains(u) || (0x61...0x7A).contains(u) { return 2 }
                return u == 0x27 || u == 0x2D ? 1 : 0
            }
            // А-я, Ё, ё: letters; ’ joins.
            if (0x410...0x44F).contains(u) || u == 0x401 || u == 0x451 { return 2 }
            if u == 0x2019 { return 1 }
            guard let sc = Unicode.Scalar(u) else { return 0 }
            switch sc.properties.generalCategory {
            case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return 2
            case .nonspacingMark, .spacingMark, .enclosingMark: return 1
            default: return 0
            }
        }
        var out: [NSRange] = []
        var i = 0
        while i < units.count {
            guard category(units[i]) == 2 else { i += 1; continue }
            var j = i + 1
            while j < units.count, category(units[j]) > 0 { j += 1 }
            out.append(NSRange(location: i, length: j - i))
            i = j
        }
        return out
    }

    struct PlaceMention {
        var text: String
        var location: Int
        var rank: Int // 4 town, 3 institution, 2 province, 1 unmatched name after "in"/"to", 0 the end of a road
        var source: String
        var result: GeocodeResult
    }

    /// Words that start capitalised runs but name no place.
    static let stopwords: Set<String> = [
        "the", "a", "an", "on", "in", "at", "of", "for", "and", "to", "from", "during", "as", "also", "based", "after", "before", "with", "within",
        "this", "that", "these", "those", "it", "its", "their", "they", "he", "she", "we", "mr", "mrs", "ms", "director", "general", "major",
        "minister", "ministry", "ministers", "cabinet", "president", "government", "republic", "state", "states", "center", "centre", "program",
        "programme", "service", "committee", "agency", "academy", "faculty", "institute", "department", "office", "offices", "union", "council",
        "meeting", "training", "course", "phase", "operation", "regional", "national", "international", "central", "asian", "asia", "european",
        "joint", "working", "group", "executive", "heads", "units", "border", "customs", "security", "internal", "affairs", "militia", "troops",
        "higher", "military", "students", "participants", "parties", "delegation", "delegates", "experts", "specialists", "employees", "un", "eu",
        "ro", "ms", "excel", "arcgis", "esri", "sas", "reflex", "substitution", "page", "breaking", "news", "rate", "item", "votes", "east", "west",
        "north", "south", "liaison", "situation", "coordination", "expert", "competent", "analytical", "development", "sustainable", "agenda",
        "в", "на", "и", "с", "по", "из", "у", "о", "об", "от", "до", "для", "при", "за", "к", "со", "во", "г", "гор", "город", "области", "область",
        "район", "районе", "республики", "республика", "сотрудники", "сотрудниками", "кпп", "пост", "мвд", "гкнб", "пс", "кнб", "акн", "овд",
        "управление", "управления", "службы", "служба", "в ходе", "также", "всего", "однако", "по данным", "согласно",
    ]

    static let actorAfter = CompiledPattern("^\\W{0,3}(delegation|delegations|specialists|experts|employees|staff|member|members|director|officials|representatives?|team|делегаци\\w*|специалист\\w*|сотрудник\\w*|эксперт\\w*|представител\\w*|государств\\w*)", options: [.caseInsensitive])
    static let actorBefore = CompiledPattern("(director|head|officials|representatives?|delegation|specialists|experts|employees|staff|between|cooperation|директор\\w*|руководител\\w*|представител\\w*|сотрудник\\w*|между)\\s+(of\\s+)?(the\\s+)?$", options: [.caseInsensitive])
    static let placeSuffix = CompiledPattern("^\\s+(области|обл\\.|oblast|province|region|velayat|viloyati|viloyat|района|районе|район|district)", options: [.caseInsensitive])
    /// Words before a name that make it a place: "in", "at the", "near the village of", "в", "в селе",
    /// "на КПП «", "заставы «", "поста «", "(".
    static let locativeBefore = CompiledPattern("(\\b(in|to|at|near|from|в|во|на|г\\.|у|под|около|КПП|пост\\w*|застав\\w*|погранзастав\\w*|отряд\\w*|checkpoint|border post)\\s+(the\\s+)?((village|town|city|settlement|kishlak|district|area|checkpoint|border post|post|outpost|border crossing|crossing point)\\s+(of\\s+)?)?[«\"“]?|\\b(в|во|на|у|около|под)\\s+(сел[еоа]|посёлк[еа]|поселк[еа]|кишлак[еа]|городе|г\\.|айыл[еа]|аил[еа]|районе|жилмассиве|махалле|участке)\\s+[«\"“]?|\\()$", options: [.caseInsensitive])
    /// Words after a name that make it a place: "the Kyzyl-Bel checkpoint", "Panj district".
    static let locativeAfter = CompiledPattern("^[»\"”]?\\s+(checkpoint|border post|border crossing|crossing point|post|outpost|border outpost|district|region|province|oblast|village|town|city)(?![\\p{L}])", options: [.caseInsensitive])
    static let wordPattern = CompiledPattern("[\\p{L}][\\p{L}\\p{M}'’-]*", options: [])

    /// Every pattern `caravan extract` runs (dates, vocabulary, places), to check they compile.
    static var allPatterns: [CompiledPattern] {
        DateExpressions.patterns.map(\.1) + EventVocabulary.allPatterns
            + [actorAfter, actorBefore, placeSuffix, locativeBefore, locativeAfter, wordPattern, route, leadingDateline]
    }

    /// Throws the `GeoError` of the first pattern that does not compile (a bug, never the user's input).
    public static func checkPatterns() throws {
        for p in allPatterns { _ = try p.regex() }
    }

    /// Place mentions of a sentence: institutions from the table, then names the geocoder knows.
    func places(in sentence: String) -> [PlaceMention] { places(in: sentence, FoldedText(sentence)) }

    func places(in sentence: String, _ folded: FoldedText) -> [PlaceMention] {
        let ns = sentence as NSString
        let lower = folded.bytes
        var taken: [NSRange] = []
        var out: [PlaceMention] = []
        for (n, (_, inst)) in institutions.enumerated() {
            let needle = institutionBytes[n].bytes
            var fromByte = 0
            while let hit = Self.find(needle, in: lower, from: fromByte) {
                fromByte = hit + needle.count
                let location = String(decoding: lower[0..<hit], as: UTF8.self).utf16.count
                let r = NSRange(location: location, length: institutionBytes[n].utf16)
                let from = r.location + r.length
                // Whole words only.
                if r.location > 0, let c = Character(ns.substring(with: NSRange(location: r.location - 1, length: 1))) as Character?, c.isLetter { continue }
                if from < ns.length, let c = ns.substring(with: NSRange(location: from, length: 1)).first, c.isLetter { continue }
                if taken.contains(where: { NSIntersectionRange($0, r).length > 0 }) { continue }
                taken.append(r)
                let before = ns.substring(with: NSRange(location: max(0, r.location - 48), length: r.location - max(0, r.location - 48)))
                let after = ns.substring(with: NSRange(location: from, length: min(48, ns.length - from)))
                let actor = Self.actorAfter.firstMatch(in: after, range: NSRange(location: 0, length: (after as NSString).length)) != nil
                    || Self.actorBefore.firstMatch(in: before, range: NSRange(location: 0, length: (before as NSString).length)) != nil
                if actor { continue }
                let g = memo.geocode(inst.city, countryHint: inst.country.isEmpty ? nil : inst.country)
                out.append(PlaceMention(text: ns.substring(with: r), location: r.location, rank: 3, source: "institution", result: g))
            }
        }
        // Capitalised runs (and «quoted» names), tried longest span first.
        // The sentence's UTF-16 units, and for plain text (every character one unit) where each
        // unit's UTF-8 starts: spans are made from the bytes, not transcoded from UTF-16.
        let units = Array(sentence.utf16)
        let utf8: [UInt8] = folded.plain ? Array(sentence.utf8) : []
        var u8: [Int] = []
        if folded.plain {
            u8.reserveCapacity(units.count + 1)
            for (k, b) in utf8.enumerated() where b & 0xC0 != 0x80 { u8.append(k) }
            u8.append(utf8.count)
        }
        func sub(_ r: NSRange) -> String {
            folded.plain ? String(decoding: utf8[u8[r.location]..<u8[r.location + r.length]], as: UTF8.self) : ns.substring(with: r)
        }
        let tokens = Self.words(of: sentence, folded, units: units)
        var i = 0
        while i < tokens.count {
            // A word starting with a lower-case Latin or Cyrillic letter starts no run (read without making its string).
            if Self.startsLowercase(units[tokens[i].location]) { i += 1; continue }
            let w = sub(tokens[i])
            guard w.first?.isUppercase == true, DateExpressions.month(w) == nil,
                  !taken.contains(where: { NSIntersectionRange($0, tokens[i]).length > 0 }) else { i += 1; continue }
            var j = i
            while j + 1 < tokens.count, j - i < 3 {
                // One space or hyphen between (a one-unit gap of U+0020 or U+002D: the only strings equal to " " and "-").
                let gapStart = tokens[j].location + tokens[j].length
                guard tokens[j + 1].location - gapStart == 1, units[gapStart] == 0x20 || units[gapStart] == 0x2D,
                      !Self.startsLowercase(units[tokens[j + 1].location]),
                      sub(tokens[j + 1]).first?.isUppercase == true else { break }
                j += 1
            }
            var matched = false
            for end in stride(from: j, through: i, by: -1) {
                var range = NSRange(location: tokens[i].location, length: tokens[end].location + tokens[end].length - tokens[i].location)
                let span = sub(range)
                let spanWords = span.lowercased().split(whereSeparator: { $0 == " " || $0 == "-" }).map(String.init)
                if spanWords.allSatisfy({ Self.stopwords.contains($0) }) || Self.stopwords.contains(spanWords[0]) { continue }
                var query = span
                let rest = sub(NSRange(location: range.location + range.length, length: min(48, ns.length - range.location - range.length)))
                if let s = Self.placeSuffix.firstMatch(in: rest, range: NSRange(location: 0, length: (rest as NSString).length)) {
                    query += (rest as NSString).substring(with: s.range)
                    range.length += s.range.length
                }
                let g = memo.geocode(query)
                // Whether "in", "at the", "в"… stand before it (or "checkpoint", "district"… after): read only when needed.
                var locativeRead: Bool?
                func locative() -> Bool {
                    if let l = locativeRead { return l }
                    let before = sub(NSRange(location: max(0, range.location - 48), length: range.location - max(0, range.location - 48)))
                    let l = Self.locativeBefore.firstMatch(in: before, range: NSRange(location: 0, length: (before as NSString).length)) != nil
                        || Self.locativeAfter.firstMatch(in: rest, range: NSRange(location: 0, length: (rest as NSString).length)) != nil
                    locativeRead = l
                    return l
                }
                // Exact names of small places are often people's names ("Rustam"): without "in", "at", "в"… only towns of 50,000 or more, provinces and the user's places.
                // Far from the region a name needs "in", "в"… as well ("автомобиль «Тойота Камри»" is no trip to Toyota, Japan).
                let inRegion = g.place.map { geocoder.policy.region.contains($0.country) } ?? false
                let big = ((g.place?.population ?? 0) >= 50_000 && inRegion) || g.precision == .province || g.place?.isExtra == true || (g.place?.id ?? 1) < 0
                func fuzzyOK() -> Bool { g.kind != .fuzzy || (g.score >= 0.9 && span.count >= 6) || (locative() && g.score >= 0.75 && (g.place?.population ?? 0) >= 100_000) }
                if g.status == .matched, g.kind != nil, fuzzyOK(), big || locative() {
                    let rank = g.precision == .province ? 2 : 4
                    out.append(PlaceMention(text: query, location: range.location, rank: rank, source: "text", result: g))
                    matched = true
                } else if g.status == .ambiguous && locative() {
                    out.append(PlaceMention(text: query, location: range.location, rank: 1, source: "text", result: g))
                    matched = true
                } else if end == i && j == i && locative() && !span.hasSuffix("ing") && QueryCleaner.countryCode(span) == nil && span.count >= 4
                            && g.reason?.contains("country") != true && !(span.first?.isLowercase ?? true) && i > 0 {
                    // A capitalised name after "in"/"to" the gazetteer does not hold: kept, unmatched, for a person.
                    out.append(PlaceMention(text: span, location: range.location, rank: 1, source: "text", result: g))
                    matched = true
                }
                if matched { i = end + 1; break }
            }
            if !matched { i += 1 }
        }
        // The ends of a road ("на трассе Алматы — Бишкек", "the Dushanbe-Khorog highway") tell where it runs, not where
        // the event was: they are taken only when the sentence names no other place.
        for m in out.isEmpty ? [] : Self.route.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) {
            for k in out.indices where NSLocationInRange(out[k].location, m.range) { out[k].rank = 0 }
        }
        return out.sorted { $0.location < $1.location }
    }

    static let route = CompiledPattern("(?:\\b(?:трасс\\w*|автотрасс\\w*|автодорог\\w*|дорог[еиау])\\s+(?:«)?[\\p{L}-]+\\s*[-–—]\\s*[\\p{L}-]+|\\b[\\p{Lu}][\\p{L}]+\\s*[-–—]\\s*[\\p{Lu}][\\p{L}]+\\s+(?:road|highway|motorway|railway))", options: [])

    /// Whether a sentence names a country (and nothing finer) — for the report.
    func countries(in sentence: String) -> [String] {
        var out: [String] = []
        let lowered = sentence.lowercased()
        for name in ["kyrgyz republic", "republic of tajikistan", "tajikistan", "turkmenistan", "uzbekistan", "kazakhstan", "afghanistan", "kyrgyzstan",
                     "таджикистан", "туркменистан", "узбекистан", "казахстан", "кыргызстан", "киргизи", "афганистан"] where lowered.contains(name) {
            if !out.contains(where: { $0.contains(name) }) { out.append(name) }
        }
        return out
    }

    static func language(of text: String) -> String {
        var cyr = 0, lat = 0
        for u in text.unicodeScalars {
            if (0x0400...0x04FF).contains(u.value) { cyr += 1 } else if (0x41...0x7A).contains(u.value) { lat += 1 }
        }
        return cyr > lat ? "ru" : "en"
    }

    /// Whether a sentence is a dateline: a place or a press office and one day, nothing else
    /// ("Bishkek, 30 June 2023", "Пресс-служба УВД Согдийской области, 5 июля 2023 г."). It gives
    /// the document's date (for "yesterday") and is not itself an event.
    /// Which of a sentence's days (first and last day numbers, in the order written) dates its one
    /// event: the first, or the narrowest later one that lies inside the first and is shorter.
    static func refinedDay(_ days: [(Int, Int)]) -> Int {
        guard let first = days.first else { return 0 }
        var best = 0, bestSpan = first.1 - first.0
        for (k, d) in days.enumerated().dropFirst() where d.0 >= first.0 && d.1 <= first.1 && d.1 - d.0 < bestSpan {
            best = k; bestSpan = d.1 - d.0
        }
        return best
    }

    static func isDateline(_ text: String, dates: [DateMention], kinds: [EventKind]) -> Bool {
        guard kinds.isEmpty, dates.count == 1, let d = dates.first, !d.isRelative, !d.isMonth, d.hasYear,
              d.startMonth == d.endMonth, d.startDay == d.endDay else { return false }
        let ns = text as NSString
        // "Place, day" or the day alone: nothing but marks after the day, a comma (or nothing) before it.
        let before = ns.substring(to: d.location).trimmingCharacters(in: .whitespaces)
        let after = ns.substring(from: d.location + d.length)
        guard !after.contains(where: { $0.isLetter || $0.isNumber }), before.isEmpty || before.hasSuffix(",") || before.allSatisfy({ !$0.isLetter }) else { return false }
        return before.split { !$0.isLetter && !$0.isNumber }.count <= 6
    }

    /// A dateline leading a sentence ("ALMATY, 12 October 2023 - The Centre today …"): its day.
    static let leadingDateline = CompiledPattern("^[\\p{L}][\\p{L} .-]{1,40},\\s*$", options: [])

    /// The events and the sentences for review of one document.
    ///
    /// Per sentence: its calendar dates (a relative one — "yesterday", "on Monday", "the next day"
    /// — read against the document's dateline or the date told before in the item), its places,
    /// its kind. A sentence with several dates and several places ("4 декабря в Таразе, а 6
    /// декабря — в Шымкенте") pairs each date with the first place after it; otherwise its first
    /// date goes with its best place. A seizure of several drugs ("38 kg of heroin and 112 kg of
    /// hashish") gives one row per drug amount: the rows an analyst sums.
    public func extract(_ doc: ReportDocument, lang: ExtractLanguage = .auto) -> (events: [ExtractedEvent], review: [ReviewSentence]) {
        var events: [ExtractedEvent] = [], review: [ReviewSentence] = []
        var lastYear: Int?
        var documentDate: EventDate?
        for item in doc.items {
            let itemText = item.sentences.map(\.text).joined(separator: " ")
            let language = lang == .auto ? Self.language(of: itemText) : lang.rawValue
            // The item's year for dates written without one: the nearest earlier year, else the item's first.
            let itemFolded = item.sentences.map { FoldedText($0.text) }
            let itemDates = zip(item.sentences, itemFolded).map { DateExpressions.find(in: $0.text, $1) }
            let itemFirstYear = itemDates.joined().first(where: { $0.hasYear }).flatMap { $0.endYear ?? $0.startYear }
            var itemKind: EventKind?
            var previous: EventDate?
            var told = Set<String>()
            for (n, (s, dates)) in zip(item.sentences, itemDates).enumerated() {
                let folded = itemFolded[n]
                let own = EventVocabulary.kinds(in: s.text, folded)
                func note(_ why: String, date: String? = nil, place: String? = nil) {
                    review.append(ReviewSentence(document: doc.path, item: item.number, offsetStart: s.start, offsetEnd: s.end, reason: why,
                                                 dateText: date, placeText: place, evidence: s.text))
                }
                if Self.isDateline(s.text, dates: dates, kinds: own), let d = dates.first?.resolved(year: nil) {
                    documentDate = d.0; previous = d.0; lastYear = d.0.year
                    continue
                }
                var dates = dates
                if let d = dates.first, !d.isRelative, d.hasYear, d.startMonth == d.endMonth, d.startDay == d.endDay, !d.isMonth,
                   Self.leadingDateline.firstMatch(in: (s.text as NSString).substring(to: d.location), range: NSRange(location: 0, length: d.location)) != nil,
                   let r = d.resolved(year: nil) {
                    documentDate = r.0; lastYear = r.0.year
                    // "Khorog, 22 April 2024 - … met on 20 April": the dateline's day is the event's only when the sentence tells no other.
                    if dates.dropFirst().contains(where: { !$0.isRelative }) { dates.removeFirst() }
                }
                let amounts = EventVocabulary.amounts(in: s.text, excluding: dates, folded)
                let seizures = amounts.isEmpty ? [] : EventVocabulary.seizures(in: s.text, amounts: amounts)
                let drugNamed = seizures.contains { $0.drug != nil }
                var kind: EventKind? = own.first { $0 != .seizure } ?? nil
                var inherited = false
                // A seizure needs an amount and a drug ("выявлению прекурсоров" in a seminar's title is none).
                if own.contains(.seizure) || own.contains(.arrest), drugNamed { kind = .seizure }
                if let k = itemKind, folded.mayHold(EventVocabulary.anaphoraStems),
                   EventVocabulary.anaphora.firstMatch(in: s.text, range: NSRange(location: 0, length: (s.text as NSString).length)) != nil {
                    kind = k; inherited = true
                }
                defer { if itemKind == nil, let k = kind { itemKind = k } }
                let places = self.places(in: s.text, folded)
                let best = places.max { ($0.rank, -$0.location) < ($1.rank, -$1.location) }
                // The sentence's days: calendar dates, else a relative date that can be read.
                var days: [(mention: DateMention, start: EventDate, end: EventDate, relative: Bool)] = []
                var unresolved: DateMention?
                for d in dates where !d.isRelative {
                    let year = d.hasYear ? nil : (lastYear ?? itemFirstYear ?? documentDate?.year)
                    if d.hasYear { lastYear = d.endYear ?? d.startYear }
                    if let (a, b) = d.resolved(year: year) { days.append((d, a, b, false)) } else if unresolved == nil { unresolved = d }
                }
                if days.isEmpty, let r = dates.first(where: { $0.isRelative }) {
                    if let day = r.resolved(relativeTo: documentDate, previous: previous) { days.append((r, day, day, true)) }
                    else {
                        let against = r.relative.map { if case .afterPrevious = $0 { return "no date told before it in the item" }; if case .vague = $0 { return "it names no day" }; return "the document has no dateline" } ?? ""
                        note("a relative date ('\(r.text)') that cannot be read: \(against)", date: r.text, place: best?.text)
                        continue
                    }
                }
                guard !days.isEmpty else {
                    if let u = unresolved { note("a date without a year, and no year earlier in the document", date: u.text, place: best?.text) }
                    else if let p = best { note(kind == nil ? "a place but no event or date" : "a place and an event (\(kind!.rawValue)) but no date", place: p.text) }
                    continue
                }
                previous = days.last!.end
                guard let place = best else {
                    let cs = countries(in: s.text)
                    note(cs.isEmpty ? "a date but no place" : "a date, and only countries named (\(cs.joined(separator: ", "))): too coarse for a point", date: days[0].mention.text)
                    continue
                }
                // Several dates and several places: each date with the first place after it (before the next date).
                var pairs: [(Int, PlaceMention)] = []
                if days.count > 1, Set(places.map(\.text)).count > 1 {
                    for (k, d) in days.enumerated() {
                        let from = d.mention.location + d.mention.length
                        let to = k + 1 < days.count ? days[k + 1].mention.location : Int.max
                        if let p = places.first(where: { $0.location >= from && $0.location < to }) { pairs.append((k, p)) }
                    }
                    if pairs.count < 2 { pairs = [] }
                }
                // One event: its date is the first one, unless a later date of the sentence lies inside it
                // ("In June 2025 … the largest, 34 kg, was taken on 9 June 2025": 9 June).
                if pairs.isEmpty { pairs = [(Self.refinedDay(days.map { ($0.start.dayNumber, $0.end.dayNumber) }), place)] }
                let k = kind ?? itemKind ?? .other
                if kind == nil { inherited = itemKind != nil }
                let agencies = EventVocabulary.agencies(in: s.text, folded)
                var added: [String] = []
                for (di, place) in pairs {
                    let day = days[di]
                    let key = "\(day.start.iso)|\(day.end.iso)|\(place.result.place?.id ?? 0)|\(place.text)"
                    // The same event told again in a later sentence of the item (same dates, same place) is kept once.
                    if told.contains(key) { continue }
                    added.append(key)
                    var conf = 1.0
                    if !day.mention.hasYear && !day.relative { conf *= 0.9 }
                    if day.relative { conf *= 0.9 }
                    if day.mention.isMonth { conf *= 0.85 }
                    if place.source == "institution" { conf *= 0.9 }
                    conf *= place.result.status == .matched ? max(place.result.score, 0.5) : 0.5
                    if inherited { conf *= 0.9 }
                    if k == .other { conf *= 0.8 }
                    if pairs.count == 1, places.filter({ $0.rank == place.rank && $0.result.place?.id != place.result.place?.id }).count > 0 { conf *= 0.85 }
                    let rows: [(drug: String?, amount: DrugAmount?)] = k == .seizure && !seizures.isEmpty ? seizures.map { ($0.drug, $0.amount) } : [(nil, nil)]
                    for row in rows {
                        events.append(ExtractedEvent(start: day.start, end: day.end, dateText: day.mention.text, placeText: place.text, placeSource: place.source,
                                                     geocode: place.result, kind: k, drug: row.drug, amount: row.amount, agencies: agencies, evidence: s.text,
                                                     document: doc.path, item: item.number, offsetStart: s.start, offsetEnd: s.end,
                                                     confidence: (conf * 100).rounded() / 100, lang: language))
                    }
                    if place.result.status != .matched {
                        note("the place '\(place.text)' is \(place.result.status.rawValue) (\(place.result.reason ?? "not in the gazetteer")); the event is kept without a point",
                             date: day.mention.text, place: place.text)
                    }
                }
                told.formUnion(added)
            }
        }
        return (events, review)
    }

    /// The report files under the paths given (folders: their .txt, .md, .html, .htm, .pdf files, sorted).
    public static func files(_ paths: [String]) -> [String] {
        var out: [String] = []
        let exts: Set<String> = ["txt", "md", "markdown", "html", "htm", "pdf", "text"]
        for p in paths {
            var dir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &dir), dir.boolValue {
                // A folder given by a symbolic link is listed through it.
                let items = (try? FileManager.default.subpathsOfDirectory(atPath: (p as NSString).resolvingSymlinksInPath)) ?? []
                out += items.filter { exts.contains(($0 as NSString).pathExtension.lowercased()) }.sorted().map { (p as NSString).appendingPathComponent($0) }
            } else { out.append(p) }
        }
        return out
    }
}

/// The fields of the events layer, in order.
let extractEventFields: [ResultField] = [
    ResultField("date_start", .string, role: .date, meaning: "first day of the event (ISO)", width: 10),
    ResultField("date_end", .string, role: .date, meaning: "last day of the event (ISO)", width: 10),
    ResultField("date_text", .string, role: .text, meaning: "the date as written"),
    ResultField("place_text", .string, role: .text, meaning: "the place (or institution) as written"),
    ResultField("place_source", .string, role: .category, meaning: "text: a place named; institution: the city of an institution named"),
    ResultField("match_status", .string, role: .category, meaning: "geocoder: matched, ambiguous, unmatched"),
    ResultField("match_name", .string, role: .name, meaning: "the gazetteer's name of the place"),
    ResultField("match_country", .string, role: .category, meaning: "ISO country code of the place"),
    ResultField("match_score", .real, role: .measure, meaning: "geocoder confidence 0-1", width: 6, precision: 3),
    ResultField("match_precision", .string, role: .category, meaning: "point, town, province"),
    ResultField("kind", .string, role: .category, meaning: "seizure, meeting, training, assessment mission, visit, operation, arrest, other"),
    ResultField("drug", .string, role: .category, meaning: "the drug seized"),
    ResultField("amount", .real, role: .measure, meaning: "the amount seized, normalised", width: 14, precision: 6),
    ResultField("unit", .string, role: .category, meaning: "kg (masses) or l (liquids)"),
    ResultField("amount_text", .string, role: .text, meaning: "the amount as written"),
    ResultField("agency", .string, role: .text, meaning: "agencies named in the sentence"),
    ResultField("evidence", .string, role: .text, meaning: "the sentence the event was read from"),
    ResultField("document", .string, role: .identifier, meaning: "the report file"),
    ResultField("item", .integer, role: .identifier, meaning: "the item within the file (1-based)"),
    ResultField("offset_start", .integer, role: .identifier, meaning: "first character of the evidence in the cleaned text"),
    ResultField("offset_end", .integer, role: .identifier, meaning: "character after the evidence"),
    ResultField("confidence", .real, role: .measure, meaning: "0-1: lowered for a year taken from the document, a month-only date, an institution's city, a fuzzy or missing match, a kind taken from the item", width: 5, precision: 2),
    ResultField("lang", .string, role: .category, meaning: "en or ru"),
]

func extractEventRow(_ e: ExtractedEvent, names: NameLanguage) -> [FieldValue] {
    func s(_ v: String?) -> FieldValue { v.map { .string($0) } ?? .null }
    let g = e.geocode, ok = g.status == .matched
    return [.string(e.start.iso), .string(e.end.iso), .string(e.dateText), .string(e.placeText), .string(e.placeSource),
            .string(g.status.rawValue), ok ? s(g.place?.name(in: names)) : .null, ok ? s(g.place?.country) : .null,
            .real(ok ? (g.score * 1000).rounded() / 1000 : 0), s(g.precision?.rawValue), .string(e.kind.rawValue), s(e.drug),
            e.amount.map { .real($0.value) } ?? .null, s(e.amount?.unit), s(e.amount?.text),
            e.agencies.isEmpty ? .null : .string(e.agencies.joined(separator: "; ")), .string(e.evidence), .string(e.document),
            .integer(Int64(e.item)), .integer(Int64(e.offsetStart)), .integer(Int64(e.offsetEnd)), .real(e.confidence), .string(e.lang)]
}

/// Extracts dated, geocoded events from reports (the library entry point of `caravan extract`).
///
/// Every event row points to its evidence (document, item, sentence offsets); sentences with a
/// date but no place, a place but no date or event, a relative date that cannot be read, or only
/// a country go to `options.report` for a person, never into the events. Streamed: reports are
/// read and extracted on every core in chunks of 256, and each chunk's events are written, in
/// input order, before the next is read; memory holds one chunk. The returned layer and table
/// hold the first `ExtractOptions.keptInMemory` events (the output file holds all). `figures`:
/// documents, items, sentences, events, located (events with a point), review.
public func extractEvents(_ options: ExtractOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    try EventExtractor.checkPatterns()
    var extra: [Institution] = []
    for p in options.extra { extra += try Institutions.read(p) }
    let names: NameLanguage = options.lang == .ru ? .russian : .english
    let geocoder = Geocoder()
    let extractor = EventExtractor(geocoder: geocoder, institutions: extra + Institutions.shipped, names: names)
    let files = EventExtractor.files(options.reports)
    if files.isEmpty { throw GeoError(.invalidArgument, "no report files (.txt, .md, .html, .pdf) in the paths given", hint: "name report files or a folder holding them") }
    let write = WriteOptions(overwrite: options.overwrite, inputs: files + options.extra)
    let events = try VectorWriter(path: options.output, layerName: "events", geometryType: .point, crs: .wgs84,
                                  fields: extractEventFields.map(\.definition), options: write)
    let review = try options.report.map {
        try VectorWriter(path: $0, layerName: "review", geometryType: .none, crs: nil,
                         fields: [FieldDefinition("document", .string), FieldDefinition("item", .integer), FieldDefinition("offset_start", .integer),
                                  FieldDefinition("offset_end", .integer), FieldDefinition("reason", .string), FieldDefinition("date_text", .string),
                                  FieldDefinition("place_text", .string), FieldDefinition("evidence", .string)], options: write)
    }
    var kept: [ExtractedEvent] = []
    var items = 0, sentences = 0, eventCount = 0, located = 0, reviewCount = 0
    var byKind: [String: Int] = [:]
    // Reports are read and extracted on every core, in chunks, and written in input order.
    typealias One = Result<(items: Int, sentences: Int, events: [ExtractedEvent], review: [ReviewSentence]), Error>
    final class Slots: @unchecked Sendable {
        var values: [One?]
        let lock = NSLock()
        init(_ n: Int) { values = Array(repeating: nil, count: n) }
        func set(_ i: Int, _ v: One) { lock.lock(); values[i] = v; lock.unlock() }
    }
    var done = 0
    /// Writes one extracted chunk, in input order.
    func writeChunk(_ slots: Slots) throws {
        for v in slots.values {
            guard let v else { continue }
            let one = try v.get()
            items += one.items
            sentences += one.sentences
            for e in one.events {
                let point = e.geocode.status == .matched ? e.geocode.location.map { Geometry.point($0.xy) } : nil
                try events.write(geometry: point, values: extractEventRow(e, names: names))
                eventCount += 1
                if point != nil { located += 1 }
                byKind[e.kind.rawValue, default: 0] += 1
                if kept.count < ExtractOptions.keptInMemory { kept.append(e) }
            }
            for r in one.review {
                try review?.write(geometry: nil, values: [.string(r.document), .integer(Int64(r.item)), .integer(Int64(r.offsetStart)), .integer(Int64(r.offsetEnd)),
                                                          .string(r.reason), r.dateText.map { .string($0) } ?? .null, r.placeText.map { .string($0) } ?? .null, .string(r.evidence)])
            }
            reviewCount += one.review.count
        }
        done += slots.values.count
        context.progress("\(done) of \(files.count) reports read, \(eventCount) events")
    }
    // Chunk k is written while chunk k + 1 is extracted.
    var pending: Slots?
    for chunkStart in stride(from: 0, to: files.count, by: 256) {
        let chunk = Array(files[chunkStart..<min(files.count, chunkStart + 256)])
        let slots = Slots(chunk.count)
        let group = DispatchGroup()
        DispatchQueue.global().async(group: group) {
            DispatchQueue.concurrentPerform(iterations: chunk.count) { i in
                slots.set(i, Result {
                    let doc = try ReportText.read(chunk[i])
                    let r = extractor.extract(doc, lang: options.lang)
                    return (doc.items.count, doc.items.reduce(0) { $0 + $1.sentences.count }, r.events, r.review)
                })
            }
        }
        if let p = pending {
            do { try writeChunk(p) } catch { group.wait(); throw error }
        }
        group.wait()
        pending = slots
    }
    if let p = pending { try writeChunk(p) }
    let layer = ResultLayer(name: "events", kind: .events, title: "Events extracted from reports", crs: .wgs84, geometryType: .point,
                            fields: extractEventFields,
                            geometries: kept.map { e in e.geocode.status == .matched ? e.geocode.location.map { .point($0.xy) } : nil },
                            rows: kept.map { extractEventRow($0, names: names) },
                            metadata: ["command": "extract", "events": "\(eventCount)", "kept": "\(kept.count)"])
    let n = try events.commit()
    var written = [ResultWriter.styled(WrittenOutput(path: options.output, driver: events.format.driver, features: n, warnings: events.warnings), layer)]
    if let review, let rp = options.report { written.append(WrittenOutput(path: rp, driver: review.format.driver, features: try review.commit())) }
    let kinds = byKind.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    var summary = ["\(files.count) report\(files.count == 1 ? "" : "s"), \(items) items, \(sentences) sentences: \(eventCount) events (\(located) placed on the map)\(kinds.isEmpty ? "" : "; " + kinds); \(reviewCount) sentences for a person"]
    let shown = kept.prefix(ExtractOptions.tableRows)
    let table = ResultTable(title: eventCount > shown.count ? "Events (the first \(shown.count) of \(eventCount); all are in \(options.output))" : "Events",
                            columns: ["date", "place", "country", "kind", "confidence"],
                            rows: shown.map { e in [e.start == e.end ? e.start.iso : "\(e.start.iso)…\(e.end.iso)", e.geocode.place?.name(in: names) ?? e.placeText,
                                                    e.geocode.place?.country ?? "", e.kind.rawValue + (e.drug.map { " (\($0)\(e.amount.map { ", \(amountText($0))" } ?? ""))" } ?? ""),
                                                    String(format: "%.2f", e.confidence)] })
    if eventCount == 0 { summary.append("no event found: no sentence with both a date and a place") }
    var tables = [table]
    var figures: [String: Double] = ["documents": Double(files.count), "items": Double(items), "sentences": Double(sentences),
                                     "events": Double(eventCount), "located": Double(located), "review": Double(reviewCount)]
    if let cp = options.compare {
        if eventCount > kept.count {
            throw GeoError(.invalidArgument, "{compare} holds the events in memory, and these reports give \(eventCount) (more than \(ExtractOptions.keptInMemory))",
                           file: cp, hint: "compare one report or a few, not a whole archive")
        }
        let c = try EventComparison.compare(kept, withTable: cp, geocoder: geocoder)
        tables.append(c.table)
        (figures["same"], figures["kindDiffers"], figures["missing"], figures["extra"]) = (Double(c.matched), Double(c.kindDiffers), Double(c.missing), Double(c.extra))
    }
    return AnalysisOutput(layers: [layer], summary: summary, tables: tables, figures: figures, warnings: context.warnings.messages, written: written)
}

/// "120 kg", "0.85 kg", "15 l" for the summary table.
func amountText(_ a: DrugAmount) -> String {
    let v = a.value == a.value.rounded() ? String(Int(a.value)) : String(format: "%g", a.value)
    return "\(v) \(a.unit)"
}
