import Foundation

/// What kind of event a sentence reports.
public enum EventKind: String, Sendable, Codable, CaseIterable {
    case seizure, meeting, training, assessmentMission = "assessment mission", visit, operation, arrest, other
}

/// An amount of a drug as written, and normalised: mass in kg, liquids in liters.
public struct DrugAmount: Sendable, Hashable {
    public var text: String
    public var value: Double
    /// "kg" or "l".
    public var unit: String
    public var location: Int
    public var length: Int
}

/// The words that make a sentence an event, the drugs and amounts of seizures and the agencies,
/// in English and Russian.
public enum EventVocabulary {
    static func re(_ p: String) -> CompiledPattern { CompiledPattern(p, options: [.caseInsensitive]) }

    /// For each pattern below, literals (lower-case) one of which each of its matches holds: on
    /// plain text without any of them the pattern is not run (see `FoldedText`).
    static let kindStems: [EventKind: [[UInt8]]] = [
        .seizure: FoldedText.needles(["seiz", "confiscat", "intercept", "found", "discovered", "изъя", "обнаруж", "выявлен", "конфискова"]),
        .assessmentMission: FoldedText.needles(["assessment mission", "мисси"]),
        .training: FoldedText.needles(["training", "course", "seminar", "workshop", "тренинг", "обучени", "семинар", "учебн", "курс", "мастер-класс"]),
        .operation: FoldedText.needles(["operation", "опм", "операц"]),
        .meeting: FoldedText.needles(["meet", "met", "conference", "talks", "consultations", "round table", "встреч", "совещани", "заседани",
                                      "конференци", "переговор", "круглый стол"]),
        .visit: FoldedText.needles(["visit", "посети", "посещени", "визит"]),
        .arrest: FoldedText.needles(["arrest", "detain", "detention", "задержа", "арестова"]),
    ]
    static let anaphoraStems = FoldedText.needles(["similar", "the event", "this event", "the same", "аналогичн", "мероприятие"])
    static let drugStems: [String: [[UInt8]]] = [
        "acetic anhydride": FoldedText.needles(["acetic anhydride", "ангидрид"]),
        "heroin": FoldedText.needles(["heroin", "героин"]),
        "opium": FoldedText.needles(["opium", "опи"]),
        "hashish": FoldedText.needles(["hash", "гашиш"]),
        "cannabis": FoldedText.needles(["cannabis", "marijuana", "marihuana", "марихуан", "каннабис", "канабис", "анаш", "конопл"]),
        "methamphetamine": FoldedText.needles(["methamphetamine", "метамфетамин"]),
        "amphetamine": FoldedText.needles(["amphetamine", "амфетамин"]),
        "mephedrone": FoldedText.needles(["mephedrone", "мефедрон"]),
        "cocaine": FoldedText.needles(["cocaine", "кокаин"]),
        "tramadol": FoldedText.needles(["tramadol", "трамадол"]),
        "NPS": FoldedText.needles(["new psychoactive substances", "nps", "новых психоактивных веществ", "новые психоактивные вещества", "нпв",
                                   "синтетическ", "synthetic drugs"]),
        "precursors": FoldedText.needles(["precursor", "прекурсор"]),
        "psychotropic substances": FoldedText.needles(["psychotropic", "психотропн"]),
        "drugs": FoldedText.needles(["narcotics", "drugs", "наркоти"]),
    ]
    static let agencyStems: [String: [[UInt8]]] = [
        "CARICC": FoldedText.needles(["caricc", "царикц"]),
        "UNODC": FoldedText.needles(["unodc", "унп оон"]),
        "Border Service of the SCNS": FoldedText.needles(["пс гкнб", "пограничн", "border service of the state committee for national security"]),
        "Border Troops": FoldedText.needles(["border troops", "пв", "пограничн", "погранвойск"]),
        "State Border Service": FoldedText.needles(["state border service", "государственн"]),
        "State Committee for National Security": FoldedText.needles(["гкнб", "scns", "state committee for national security"]),
        "National Security Committee": FoldedText.needles(["кнб", "national security committee"]),
        "State Security Service": FoldedText.needles(["сгб", "state security service"]),
        "Drug Control Agency": FoldedText.needles(["dca", "drug control agency", "акн", "агентств"]),
        "Counter Narcotics Service": FoldedText.needles(["counter narcotics service", "сбнон", "служб"]),
        "NIACCN": FoldedText.needles(["niaccn", "ниац"]),
        "Ministry of Internal Affairs": FoldedText.needles(["ministry of internal affairs", "mia", "мвд", "овд", "министерств"]),
        "Customs": FoldedText.needles(["customs", "гтк", "гтс", "таможенн", "таможн"]),
        "RATS SCO": FoldedText.needles(["rats sco", "ратс шос"]),
        "FIIAPP": FoldedText.needles(["fiiapp"]),
        "CITCO": FoldedText.needles(["citco"]),
    ]

    /// Every pattern of the vocabulary, to check they compile (at the start of a run, and in the tests).
    static var allPatterns: [CompiledPattern] {
        kinds.map(\.1) + [anaphora, amountPattern] + drugs.map(\.1) + agencies.map(\.1)
    }

    static let L = "A-Za-zА-Яа-яЁё"
    /// Event words in the order they decide: a seizure needs a drug as well; "assessment mission,
    /// combined with a one-day training" is an assessment mission; "the visit …, a meeting was held" a meeting.
    static let kinds: [(EventKind, CompiledPattern)] = [
        (.seizure, re("\\b(seiz(ed|ure|ures|ing)|confiscat\\w*|intercept\\w*|found|discovered|изъят\\w*|изъял\\w*|обнаружен\\w*|обнаружил\\w*|выявлен[оаы]?(?![А-Яа-яЁё])|конфискова\\w*)")),
        (.assessmentMission, re("\\b(assessment missions?|оценочн\\w* мисси\\w*|мисси\\w* по оценке)")),
        (.training, re("\\b(trainings?|training courses?|courses?|seminars?|workshops?|тренинг\\w*|обучени\\w*|семинар\\w*|учебн\\w* курс\\w*|курс\\w* обучения|мастер-класс\\w*)(?!\\s+(cent(er|re)|institute|facility))(?![" + L + "])")),
        (.operation, re("\\b(operations?|special operation|ОПМ|операци\\w*|спецоперац\\w*)(?![" + L + "])")),
        (.meeting, re("\\b(meetings?|met|meets|conferences?|talks|consultations|round table|встреч\\w*|совещани\\w*|заседани\\w*|конференци\\w*|переговор\\w*|круглый стол)(?![" + L + "])")),
        (.visit, re("\\b(visit(ed|s)?|посети\\w*|посещени\\w*|визит\\w*)(?![" + L + "])")),
        (.arrest, re("\\b(arrest(ed|s)?|detain(ed|s)?|detention|задержан\\w*|задержал\\w*|арестова\\w*|задержани\\w*)(?![" + L + "])")),
    ]

    /// Words that refer back to the item's event ("the event", "a similar meeting"): the sentence takes the item's kind.
    static let anaphora = re("\\b(similar|the event|this event|the same|аналогичн\\w*|данное мероприятие|мероприятие)(?![" + L + "])")

    /// Nouns that make a capitalised run a name ("Faculty of … Training", "Center for the Training of Specialists"), not an event.
    static let institutionNouns: Set<String> = ["faculty", "center", "centre", "institute", "academy", "school", "department", "college", "university", "agency", "service", "committee"]

    /// The kinds found in a sentence (in deciding order), skipping words inside institution names.
    static func kinds(in sentence: String) -> [EventKind] { kinds(in: sentence, FoldedText(sentence)) }

    static func kinds(in sentence: String, _ folded: FoldedText) -> [EventKind] {
        let ns = sentence as NSString
        var out: [EventKind] = []
        for (k, r) in kinds where kindStems[k].map(folded.mayHold) ?? true {
            for m in r.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) where !insideName(ns, m.range) {
                out.append(k); break
            }
        }
        return out
    }

    /// Whether a match is a capitalised word inside a run of capitalised words holding an institution noun.
    static func insideName(_ ns: NSString, _ r: NSRange) -> Bool {
        let word = ns.substring(with: r)
        guard let f = word.first, f.isUppercase, r.location > 0 else { return false }
        // The run of words around it: capitalised words joined by of/the/for/and.
        let words = ns.substring(to: r.location).split(separator: " ").reversed()
        var run: [String] = []
        for w in words {
            let t = w.trimmingCharacters(in: .punctuationCharacters)
            if t.isEmpty { break }
            if ["of", "the", "for", "and", "on", "in"].contains(t) { run.append(t); continue }
            guard t.first?.isUppercase == true else { break }
            run.append(t)
            if w.last == "," { break }
        }
        let after = ns.substring(from: r.location + r.length).split(separator: " ").prefix(4).map { $0.trimmingCharacters(in: .punctuationCharacters) }
        let all = run + after.prefix { $0.first?.isUppercase == true || ["of", "the", "for"].contains($0) }
        return all.contains { institutionNouns.contains($0.lowercased()) }
    }

    static let drugs: [(String, CompiledPattern)] = [
        ("acetic anhydride", re("(acetic anhydride|уксусн\\w* ангидрид\\w*|ангидрид\\w* уксусной кислоты)")),
        ("heroin", re("\\b(heroin|героин\\w*)")),
        ("opium", re("\\b(opium|опи[йяюуе]\\w*|опиум\\w*)(?![" + L + "])")),
        ("hashish", re("\\b(hashish|hash|гашиш\\w*)")),
        ("cannabis", re("\\b(cannabis|marijuana|marihuana|марихуан\\w*|каннабис\\w*|канабис\\w*|анаш\\w*|конопл\\w*)")),
        ("methamphetamine", re("\\b(methamphetamine|метамфетамин\\w*)")),
        ("amphetamine", re("\\b(amphetamine|амфетамин\\w*)")),
        ("mephedrone", re("\\b(mephedrone|мефедрон\\w*)")),
        ("cocaine", re("\\b(cocaine|кокаин\\w*)")),
        ("tramadol", re("\\b(tramadol|трамадол\\w*)")),
        ("NPS", re("(new psychoactive substances|\\bNPS\\b|новых психоактивных веществ|новые психоактивные вещества|\\bНПВ\\b|синтетическ\\w* наркотик\\w*|synthetic drugs)")),
        ("precursors", re("\\b(precursors?|прекурсор\\w*)")),
        ("psychotropic substances", re("\\b(psychotropic|психотропн\\w*)")),
        ("drugs", re("\\b(narcotics|drugs|наркотик\\w*|наркотическ\\w* веществ\\w*)(?![" + L + "])")),
    ]

    /// The first drug named in a sentence, preferring the first after `position` (the amount).
    static func drug(in sentence: String, after position: Int? = nil) -> String? {
        let ns = sentence as NSString
        let folded = FoldedText(sentence)
        var best: (Int, String)?
        for (name, r) in drugs where drugStems[name].map(folded.mayHold) ?? true {
            for m in r.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) {
                let p = m.range.location
                // Distance from the amount: words after it first, then before it.
                let key = position.map { p >= $0 ? p - $0 : 10_000 + ($0 - p) } ?? p
                if best == nil || key < best!.0 { best = (key, name) }
                break
            }
        }
        return best?.1
    }

    static let amountPattern = re("(?<![\\d.,])(\\d{1,3}(?:[ \u{00A0}]\\d{3})+|\\d+)(?:[.,](\\d+))?\\s*(kilograms?|kilos?|kg|grams?|g|gr|tonnes?|tons?|t|milliliters?|millilitres?|ml|liters?|litres?|l|килограмм\\w*|кг|граммов|грамма|грамм|гр|г|тонн\\w*|тн|т|миллилитр\\w*|мл|литр\\w*|л)(?![" + L + "])\\.?")

    /// The amounts written in a sentence, normalised (g, t → kg; ml → l), skipping spans inside dates.
    static func amounts(in sentence: String, excluding dates: [DateMention]) -> [DrugAmount] {
        amounts(in: sentence, excluding: dates, FoldedText(sentence))
    }

    static func amounts(in sentence: String, excluding dates: [DateMention], _ folded: FoldedText) -> [DrugAmount] {
        // Every amount starts with a digit.
        guard folded.mayHoldDigit else { return [] }
        let ns = sentence as NSString
        var out: [DrugAmount] = []
        var factors: [Double] = []
        for m in amountPattern.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) {
            if dates.contains(where: { NSIntersectionRange(NSRange(location: $0.location, length: $0.length), m.range).length > 0 }) { continue }
            let whole = ns.substring(with: m.range(at: 1)).filter(\.isNumber)
            let frac = m.range(at: 2).location == NSNotFound ? "" : ns.substring(with: m.range(at: 2))
            guard let v = Double(frac.isEmpty ? whole : whole + "." + frac) else { continue }
            let u = ns.substring(with: m.range(at: 3)).lowercased()
            let (factor, unit): (Double, String)
            if u.hasPrefix("kilo") || u == "kg" || u.hasPrefix("килограмм") || u == "кг" { (factor, unit) = (1, "kg") }
            else if u.hasPrefix("gram") || u == "g" || u == "gr" || u.hasPrefix("грамм") || u == "гр" || u == "г" { (factor, unit) = (0.001, "kg") }
            else if u.hasPrefix("ton") || u == "t" || u.hasPrefix("тонн") || u == "тн" || u == "т" { (factor, unit) = (1000, "kg") }
            else if u.hasPrefix("milli") || u == "ml" || u.hasPrefix("миллилитр") || u == "мл" { (factor, unit) = (0.001, "l") }
            else { (factor, unit) = (1, "l") }
            // "г" alone after a four-digit number is a year ("2023 г"), never grams.
            if u == "г", frac.isEmpty, whole.count == 4, (1900...2100).contains(Int(whole) ?? 0) { continue }
            let a = DrugAmount(text: ns.substring(with: m.range).trimmingCharacters(in: .whitespaces), value: (v * factor * 1_000_000).rounded() / 1_000_000,
                               unit: unit, location: m.range.location, length: m.range.length)
            // "2 кг 300 г": kilograms then grams with only a space between are one amount.
            defer { factors.append(factor) }
            if let last = out.last, factors.last == 1, last.unit == "kg", unit == "kg", factor == 0.001,
               last.location + last.length <= a.location,
               ns.substring(with: NSRange(location: last.location + last.length, length: a.location - last.location - last.length)).allSatisfy(\.isWhitespace) {
                let merged = DrugAmount(text: ns.substring(with: NSRange(location: last.location, length: a.location + a.length - last.location)).trimmingCharacters(in: .whitespaces),
                                        value: ((last.value + a.value) * 1_000_000).rounded() / 1_000_000, unit: "kg", location: last.location,
                                        length: a.location + a.length - last.location)
                out[out.count - 1] = merged
                factors.removeLast()
                continue
            }
            out.append(a)
        }
        return out
    }

    /// Every drug named in a sentence: (position, name), earlier-listed names winning over the words they contain.
    static func drugMentions(in sentence: String) -> [(location: Int, length: Int, name: String)] {
        let ns = sentence as NSString
        let folded = FoldedText(sentence)
        var out: [(location: Int, length: Int, name: String)] = []
        for (name, r) in drugs where drugStems[name].map(folded.mayHold) ?? true {
            for m in r.matches(in: sentence, range: NSRange(location: 0, length: ns.length))
            where !out.contains(where: { NSIntersectionRange(NSRange(location: $0.location, length: $0.length), m.range).length > 0 }) {
                out.append((m.range.location, m.range.length, name))
            }
        }
        return out.sorted { $0.location < $1.location }
    }

    /// The drug of each amount of a sentence: a drug right after it ("38 kg of heroin", "2,5 кг
    /// героина"), else one right before it ("героина 1,1 кг"), else the first after it (before
    /// the next amount), the nearest before it (after the previous amount), the sentence's first.
    /// "38 kg of heroin and 112 kg of hashish" → (38 kg, heroin), (112 kg, hashish);
    /// "изъято 2,5 кг героина и 300 г опия" → (2.5 kg, heroin), (0.3 kg, opium).
    static func seizures(in sentence: String, amounts: [DrugAmount]) -> [(amount: DrugAmount, drug: String?)] {
        let drugs = drugMentions(in: sentence)
        let ns = sentence as NSString
        func gap(_ from: Int, _ to: Int) -> String {
            ns.substring(with: NSRange(location: from, length: max(0, to - from))).trimmingCharacters(in: .whitespacesAndNewlines.union(.punctuationCharacters)).lowercased()
        }
        let linking: Set<String> = ["", "of", "of the", "of pure", "of raw", "of liquid", "чистого", "сырого"]
        return amounts.enumerated().map { i, a in
            let end = a.location + a.length
            let next = i + 1 < amounts.count ? amounts[i + 1].location : Int.max
            let prev = i > 0 ? amounts[i - 1].location + amounts[i - 1].length : 0
            let after = drugs.first { $0.location >= end && $0.location < next }
            let before = drugs.last { $0.location + $0.length <= a.location && $0.location >= prev }
            if let d = after, linking.contains(gap(end, d.location)) { return (a, d.name) }
            if let d = before, gap(d.location + d.length, a.location).isEmpty { return (a, d.name) }
            return (a, (after ?? before ?? drugs.first)?.name)
        }
    }

    /// Agencies named, as (pattern, name written out); more specific first.
    static let agencies: [(String, CompiledPattern)] = [
        ("CARICC", re("\\b(CARICC|ЦАРИКЦ)\\b")),
        ("UNODC", re("\\b(UNODC|УНП ООН)\\b")),
        ("Border Service of the SCNS", re("(\\bПС ГКНБ\\b|Пограничн\\w+ служб\\w+ ГКНБ|Border Service of the State Committee for National Security)")),
        ("Border Troops", re("(Border Troops|\\bПВ\\b|пограничн\\w+ войск\\w*|Погранвойск\\w*)")),
        ("State Border Service", re("(State Border Service|Государственн\\w+ пограничн\\w+ служб\\w*)")),
        ("State Committee for National Security", re("(\\bГКНБ\\b|\\bSCNS\\b|State Committee for National Security)")),
        ("National Security Committee", re("(\\bКНБ\\b|\\bДКНБ\\b|National Security Committee)")),
        ("State Security Service", re("(\\bСГБ\\b|State Security Service)")),
        ("Drug Control Agency", re("(\\bDCA\\b|Drug Control Agency|\\bАКН\\b|Агентств\\w+ по контролю за наркотиками)")),
        ("Counter Narcotics Service", re("(Counter Narcotics Service|\\bСБНОН\\b|Служб\\w+ по борьбе с незаконным оборотом наркотиков)")),
        ("NIACCN", re("\\b(NIACCN|НИАЦ\\w*)\\b")),
        ("Ministry of Internal Affairs", re("(Ministry of Internal Affairs|\\bMIA\\b|\\bМВД\\b|\\bОВД\\b|Министерств\\w+ внутренних дел)")),
        ("Customs", re("(State Customs Committee|State Customs Service|Customs Committee|\\bГТК\\b|\\bГТС\\b|таможенн\\w+ (?:служб|комитет|орган)\\w*|таможн\\w+)")),
        ("RATS SCO", re("(RATS SCO|\\bРАТС ШОС\\b)")),
        ("FIIAPP", re("\\bFIIAPP\\b")),
        ("CITCO", re("\\bCITCO\\b")),
    ]

    /// The agencies a sentence names, in the order written, each once.
    static func agencies(in sentence: String) -> [String] { agencies(in: sentence, FoldedText(sentence)) }

    static func agencies(in sentence: String, _ folded: FoldedText) -> [String] {
        let ns = sentence as NSString
        var taken: [NSRange] = []
        var found: [(Int, String)] = []
        for (name, r) in agencies where agencyStems[name].map(folded.mayHold) ?? true {
            for m in r.matches(in: sentence, range: NSRange(location: 0, length: ns.length)) {
                if taken.contains(where: { NSIntersectionRange($0, m.range).length > 0 }) { continue }
                taken.append(m.range)
                if !found.contains(where: { $0.1 == name }) { found.append((m.range.location, name)) }
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
