import Foundation

/// A date expression found in a sentence, as written and as read.
public struct DateMention: Sendable, Hashable {
    /// The text as written ("from 12 to 16 September 2022").
    public var text: String
    /// UTF-16 position and length in the sentence.
    public var location: Int
    public var length: Int
    /// Year (nil: not written), month, day of the first and last day.
    public var startYear: Int?, startMonth: Int, startDay: Int
    public var endYear: Int?, endMonth: Int, endDay: Int
    /// "yesterday", "вчера", "on Monday", "the next day": read against the document's date (or
    /// the date told before) by `resolved(relativeTo:previous:)`, never by `resolved(year:)`.
    public var isRelative = false
    /// What a relative date means; nil for a calendar date.
    public var relative: RelativeDay?
    /// A whole month ("In August 2022").
    public var isMonth = false

    public var hasYear: Bool { startYear != nil || endYear != nil }

    /// The day a relative date names: an offset or a weekday from the document's date, or days
    /// after the date told before in the item. Nil: not relative, vague ("last week"), or the
    /// date it hangs on is not known.
    public func resolved(relativeTo document: EventDate?, previous: EventDate?) -> EventDate? {
        guard let relative else { return nil }
        switch relative {
        case .offset(let n): return document.map { EventDate(dayNumber: $0.dayNumber + n) }
        case .weekday(let w):
            // The latest such weekday on or before the document's date (1970-01-01 was a Thursday: 4).
            guard let d = document else { return nil }
            let today = ((d.dayNumber + 4) % 7 + 7) % 7
            return EventDate(dayNumber: d.dayNumber - ((today - w + 7) % 7))
        case .afterPrevious(let n): return previous.map { EventDate(dayNumber: $0.dayNumber + n) }
        case .vague: return nil
        }
    }

    /// The first and last day, with `year` for a date written without one.
    public func resolved(year: Int?) -> (EventDate, EventDate)? {
        guard !isRelative else { return nil }
        guard let ey = endYear ?? startYear ?? year else { return nil }
        // "from 28 December to 3 January 2023": the start is in the year before.
        var sy = startYear ?? ey
        if startYear == nil, startMonth > endMonth { sy = ey - 1 }
        let a = EventDate(year: sy, month: startMonth, day: startDay), b = EventDate(year: ey, month: endMonth, day: endDay)
        return b < a ? nil : (a, b)
    }
}

/// What a relative date expression means.
public enum RelativeDay: Sendable, Hashable {
    /// Days from the document's date: "yesterday" -1, "today" 0, "позавчера" -2.
    case offset(Int)
    /// A weekday (0 Sunday … 6 Saturday): the latest on or before the document's date ("on Monday").
    case weekday(Int)
    /// Days after the date told before in the item ("the next day", "на следующий день").
    case afterPrevious(Int)
    /// "last week", "на днях": no day to give.
    case vague
}

/// Date expressions as reports write them, in English and Russian.
///
/// Ranges: "from 12 to 16 September 2022", "from October 4 to November 30, 2021",
/// "On August 18-19", "2-3 August 2022", "12–16 сентября 2022 г.", "с 4 октября по 30 ноября 2021
/// года", "с 4 по 6 апреля"; single days: "On September 2, 2022", "12 марта 2023 г.",
/// "12.03.2023", "2023-03-12"; months: "In August 2022", "в августе 2022 года". Relative dates
/// ("yesterday", "вчера", "накануне", "on Monday", "the next day") are found and marked; they are
/// resolved only against a document's date (its dateline) or the date told before, never guessed.
public enum DateExpressions {
    static let monthWord = "([A-Za-zА-Яа-яЁё]{3,9})\\.?"
    static let day = "(\\d{1,2})(?:st|nd|rd|th|-?го|-?е)?(?!\\d)"
    static let year = "(\\d{4})(?!\\d)(?:\\s*(?:гг?\\.|года|год|г(?![А-Яа-яЁё])))?"
    static let dash = "\\s*[-–—]\\s*"
    static let to = "\\s+(?:to|till|until|through|-|–)\\s+"
    static let optYear = "(?:,?\\s+" + year + ")?"

    /// Russian prepositional month forms ("в августе") and nominatives missing from `EventDates`.
    static let ruPrepositional = ["январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре", "октябре", "ноябре", "декабре"]

    /// Every word `month(_:)` accepts, lower-cased: the prepositional forms, "may"/"мая"/"май", and
    /// `EventDates.month(named:)`'s names (English full and 3-letter, "sept"; Russian nominative,
    /// genitive, abbreviations, "сент") — looked up in one dictionary instead of loops of `==`.
    /// (A test checks each against `EventDates.month(named:)`.)
    static let monthNames: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, w) in ruPrepositional.enumerated() where d[w] == nil { d[w] = i + 1 }
        for w in ["may", "мая", "май"] where d[w] == nil { d[w] = 5 }
        let en = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        let ruNom = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]
        let ruGen = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"]
        let ruAbbr = ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
        for i in 0..<12 {
            for w in [en[i], ruNom[i], ruGen[i], String(en[i].prefix(3)), ruAbbr[i]] where d[w] == nil { d[w] = i + 1 }
        }
        for (w, m) in [("sept", 9), ("сент", 9), ("май", 5)] where d[w] == nil { d[w] = m }
        return d
    }()

    /// The lower-cased first letters of every month name: text holding none of them (and plain,
    /// see `FoldedText`) names no month.
    static let monthStems = FoldedText.needles(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
                                                "янв", "фев", "мар", "апр", "май", "мая", "мае", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"])

    /// The month a word names, in English or Russian (any case form used in dates).
    public static func month(_ word: String) -> Int? {
        let w = word.lowercased()
        if let m = monthNames[w] { return m }
        // "Mar" and "March" but not "Marshal": English words are months only in full or as 3-4 letter abbreviations.
        // A word with dots: EventDates trims them ("Sept.").
        guard w.utf8.contains(0x2E) else { return nil }
        return EventDates.month(named: w)
    }

    enum Shape { case mdmdY, dmdmY, ddmY, mddY, mY, dmyNumeric, dmyNumericRange, iso, mdY, dmY, relative }

    static let patterns: [(Shape, CompiledPattern)] = {
        let list: [(Shape, String)] = [
            (.mdmdY, "\\bfrom\\s+" + monthWord + "\\s+" + day + to + monthWord + "\\s+" + day + optYear),
            (.dmdmY, "\\b(?:from|с|со)\\s+(?:the\\s+)?" + day + "\\s+(?:of\\s+)?" + monthWord + "(?:\\s+" + year + ")?" + "\\s+(?:to|till|until|по|до)\\s+(?:the\\s+)?" + day + "\\s+(?:of\\s+)?" + monthWord + optYear),
            (.ddmY, "\\b(?:from|с|со)\\s+(?:the\\s+)?" + day + "\\s+(?:to|till|until|по|до)\\s+(?:the\\s+)?" + day + "\\s+(?:of\\s+)?" + monthWord + optYear),
            (.mddY, "\\bfrom\\s+" + monthWord + "\\s+" + day + to + day + optYear),
            (.dmdmY, "\\b" + day + "\\s+" + monthWord + "(?:\\s+" + year + ")?" + dash + day + "\\s+" + monthWord + optYear),
            (.mdmdY, "\\b" + monthWord + "\\s+" + day + dash + monthWord + "\\s+" + day + optYear),
            (.dmyNumericRange, "\\b(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})" + dash + "(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})(?!\\d)"),
            (.dmyNumeric, "\\b(\\d{1,2})\\.(\\d{1,2})\\.(\\d{4})(?!\\d)(?:\\s*г\\.?)?"),
            (.iso, "\\b(\\d{4})-(\\d{2})-(\\d{2})(?!\\d)"),
            (.ddmY, "\\b" + day + dash + day + "\\s+" + monthWord + optYear),
            (.mddY, "\\b" + monthWord + "\\s+" + day + dash + day + optYear),
            (.mY, "\\b(?:in|during|throughout|в|во|за)\\s+" + monthWord + "\\s+" + year),
            (.mdY, "\\b" + monthWord + "\\s+" + day + optYear),
            (.dmY, "\\b" + day + "\\s+(?:of\\s+)?" + monthWord + optYear),
            (.mY, "\\b" + monthWord + "\\s+" + year),
            (.relative, "\\b(?:the day before yesterday|yesterday|earlier today|today|tonight|this (?:morning|afternoon|evening)|last night|(?:on |last )?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:on )?the (?:next|following) day|next day|last (?:week|month|year)|this (?:week|month)|позавчера|вчера|сегодня|накануне|(?:в|во) (?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)|на следующий день|на другой день|на прошлой неделе|в прошлом месяце|на днях)(?![A-Za-zА-Яа-яЁё])"),
        ]
        return list.map { ($0.0, CompiledPattern($0.1, options: [.caseInsensitive])) }
    }()

    /// What each of `patterns` needs besides a digit, tested on bytes before it is run.
    enum Gate { case month, monthFrom, monthFromOrRu, monthDash, dot, hyphen, relative }
    static let gates: [Gate] = [.monthFrom, .monthFromOrRu, .monthFromOrRu, .monthFrom, .monthDash, .monthDash, .dot, .dot, .hyphen,
                                .monthDash, .monthDash, .month, .month, .month, .month, .relative]
    static let fromStem = FoldedText.needles(["from"]), fromOrRuStems = FoldedText.needles(["from", "с"])

    /// Literals one of which every relative expression holds (lower-case, spaces as in the pattern).
    static let relativeStems = FoldedText.needles(["yesterday", "today", "tonight", "this ", "last ", "monday", "tuesday", "wednesday", "thursday",
                                                   "friday", "saturday", "sunday", "next day", "following day", "вчера", "сегодня", "накануне",
                                                   "понедельник", "вторник", "среду", "четверг", "пятницу", "субботу", "воскресенье",
                                                   "следующий день", "другой день", "прошлой неделе", "прошлом месяце", "на днях"])

    static let weekdays: [(String, Int)] = [("sunday", 0), ("monday", 1), ("tuesday", 2), ("wednesday", 3), ("thursday", 4), ("friday", 5), ("saturday", 6),
                                            ("воскресенье", 0), ("понедельник", 1), ("вторник", 2), ("среду", 3), ("четверг", 4), ("пятницу", 5), ("субботу", 6)]

    /// The meaning of a relative expression found by the pattern above.
    static func relativeDay(_ text: String) -> RelativeDay {
        let t = text.lowercased()
        if t.contains("before yesterday") || t == "позавчера" { return .offset(-2) }
        if t.contains("yesterday") || t == "вчера" || t == "накануне" || t == "last night" { return .offset(-1) }
        if t.contains("today") || t.hasPrefix("this morning") || t.hasPrefix("this afternoon") || t.hasPrefix("this evening") || t == "tonight" || t == "сегодня" { return .offset(0) }
        if t.contains("next day") || t.contains("following day") || t == "на следующий день" || t == "на другой день" { return .afterPrevious(1) }
        if let w = weekdays.first(where: { t.hasSuffix($0.0) }) { return .weekday(w.1) }
        return .vague
    }

    /// Every date expression in `text`, in order; earlier patterns (ranges) win over the parts they contain.
    public static func find(in text: String) -> [DateMention] { find(in: text, FoldedText(text)) }

    static func find(in text: String, _ folded: FoldedText) -> [DateMention] {
        let ns = text as NSString
        var taken: [NSRange] = []
        var found: [DateMention] = []
        // Every calendar form holds a digit: text without one can only hold a relative date.
        let digits = text.utf8.contains { $0 >= 0x30 && $0 <= 0x39 }
        // Cheap tests that a pattern cannot change the answer, before running it: a pattern with a
        // month word matters only where a month is named (a match on another word gives nothing),
        // "12.03.2023" needs a dot, "2023-03-12" a hyphen, a relative date one of its words.
        // (A range's dash is "-", "–" or "—"; "с", "со" and "from" start the ranges written with them.)
        let months = digits && folded.mayHold(monthStems), relatives = folded.mayHold(relativeStems)
        let dot = folded.contains(byte: 0x2E), hyphen = folded.contains(byte: 0x2D)
        let dash = hyphen || folded.contains([0xE2, 0x80, 0x93]) || folded.contains([0xE2, 0x80, 0x94])
        lazy var from = folded.mayHold(fromStem)
        lazy var fromOrRu = folded.mayHold(fromOrRuStems)
        for (n, (shape, re)) in patterns.enumerated() {
            if !digits && shape != .relative { continue }
            switch gates[n] {
            case .relative: if !relatives { continue }
            case .dot: if !dot { continue }
            case .hyphen: if !hyphen { continue }
            case .month: if !months { continue }
            case .monthDash: if !months || !dash { continue }
            case .monthFrom: if !months || !from { continue }
            case .monthFromOrRu: if !months || !fromOrRu { continue }
            }
            for m in re.matches(in: text, range: NSRange(location: 0, length: ns.length)) {
                if taken.contains(where: { NSIntersectionRange($0, m.range).length > 0 }) { continue }
                func g(_ k: Int) -> String? {
                    let r = m.range(at: k)
                    return r.location == NSNotFound ? nil : ns.substring(with: r)
                }
                func n(_ k: Int) -> Int? { g(k).flatMap { Int($0) } }
                func mo(_ k: Int) -> Int? { g(k).flatMap(month) }
                var d: DateMention?
                var impossibleDay = false
                let t = ns.substring(with: m.range)
                func make(_ sy: Int?, _ sm: Int?, _ sd: Int?, _ ey: Int?, _ em: Int?, _ ed: Int?) -> DateMention? {
                    guard let sm, let sd, let em, let ed, (1...12).contains(sm), (1...12).contains(em) else { return nil }
                    impossibleDay = true
                    for y in [sy, ey].compactMap({ $0 }) where !(1900...2100).contains(y) { return nil }
                    guard sd >= 1, sd <= EventDate.daysIn(month: sm, year: sy ?? ey ?? 2000),
                          ed >= 1, ed <= EventDate.daysIn(month: em, year: ey ?? sy ?? 2000) else { return nil }
                    impossibleDay = false
                    return DateMention(text: t, location: m.range.location, length: m.range.length,
                                       startYear: sy, startMonth: sm, startDay: sd, endYear: ey, endMonth: em, endDay: ed)
                }
                switch shape {
                case .mdmdY: d = make(nil, mo(1), n(2), n(5), mo(3), n(4))
                case .dmdmY: d = make(n(3), mo(2), n(1), n(6), mo(5), n(4))
                case .ddmY: d = make(nil, mo(3), n(1), n(4), mo(3), n(2))
                case .mddY: d = make(nil, mo(1), n(2), n(4), mo(1), n(3))
                case .mdY: d = make(nil, mo(1), n(2), n(3), mo(1), n(2))
                case .dmY: d = make(nil, mo(2), n(1), n(3), mo(2), n(1))
                case .dmyNumeric: d = make(n(3), n(2), n(1), n(3), n(2), n(1))
                case .dmyNumericRange: d = make(n(3), n(2), n(1), n(6), n(5), n(4))
                case .iso: d = make(n(1), n(2), n(3), n(1), n(2), n(3))
                case .mY:
                    if let y = n(2), let mm = mo(1) { d = make(y, mm, 1, y, mm, EventDate.daysIn(month: mm, year: y)); d?.isMonth = true }
                case .relative:
                    d = DateMention(text: t, location: m.range.location, length: m.range.length, startYear: nil, startMonth: 1, startDay: 1,
                                    endYear: nil, endMonth: 1, endDay: 1, isRelative: true, relative: relativeDay(t))
                }
                // "from 12 to 16 September" with a start later than the end in the same month is not a range.
                if let x = d, !x.isRelative, x.startYear == nil, x.endYear == nil, x.startMonth == x.endMonth, x.startDay > x.endDay { d = nil }
                if let x = d { found.append(x); taken.append(m.range) }
                // "31 February 2023": an impossible day is no date, and not "February 2023" either.
                else if impossibleDay { taken.append(m.range) }
            }
        }
        return found.sorted { $0.location < $1.location }
    }
}
