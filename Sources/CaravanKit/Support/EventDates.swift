import Foundation

/// A calendar date (and time of day) of an event, read from a table as people write dates.
///
/// Forms read: ISO (`2023-03-12`, `2023-03-12T10:30`, `2023-03-12 10:30:00`, GDAL's
/// `2023/03/12`), day first with dots (`12.03.2023`, Russian Excel), slashes when the order is
/// unambiguous or stated (`25/03/2023`; `03/04/2023` needs `DayOrder`), Excel serial day numbers
/// (`44997`), and text months in English and Russian (`12 March 2023`, `March 12, 2023`,
/// `12 марта 2023 г.`, `12-Mar-2023`). Times are UTC; a date without a time is midnight.
public struct EventDate: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int
    /// Seconds since midnight.
    public var seconds: Int

    public init(year: Int, month: Int, day: Int, seconds: Int = 0) {
        self.year = year; self.month = month; self.day = day; self.seconds = seconds
    }

    /// Days since 1970-01-01 (proleptic Gregorian).
    public var dayNumber: Int { EventDate.daysFromCivil(year, month, day) }

    /// Seconds since 1970-01-01T00:00:00Z.
    public var unixTime: Double { Double(dayNumber) * 86_400 + Double(seconds) }

    public init(dayNumber: Int, seconds: Int = 0) {
        let (y, m, d) = EventDate.civilFromDays(dayNumber)
        self.init(year: y, month: m, day: d, seconds: seconds)
    }

    /// `2023-03-12`, or `2023-03-12T10:30:00` with a time.
    public var iso: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var s = "\(year)-\(two(month))-\(two(day))"
        if seconds != 0 { s += "T\(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60))" }
        return s
    }

    public var description: String { iso }

    public static func < (a: EventDate, b: EventDate) -> Bool { (a.dayNumber, a.seconds) < (b.dayNumber, b.seconds) }

    /// The number of days in a month.
    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// The same day `n` months later (or earlier), the day clamped to the month's end.
    public func addingMonths(_ n: Int) -> EventDate {
        let total = year * 12 + (month - 1) + n
        let y = Int((Double(total) / 12).rounded(.down)), m = total - y * 12 + 1
        return EventDate(year: y, month: m, day: min(day, EventDate.daysIn(month: m, year: y)), seconds: seconds)
    }

    // Howard Hinnant's civil-date algorithms.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp + (mp < 10 ? 3 : -9)
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}

/// How to read `03/04/2023`: day first (Europe, Russia), month first (US Excel), or only when
/// unambiguous.
public enum DayOrder: String, Codable, Sendable, CaseIterable {
    case auto, dayFirst = "dmy", monthFirst = "mdy"
}

/// Why a date could not be read.
public struct DateProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var text: String
    public var reason: String
    public var description: String { "'\(text)': \(reason)" }
}

public enum EventDates {
    /// Column names taken as the date column when none is given (case-insensitive, in order).
    public static let columnNames = ["date", "event_date", "seizure_date", "date_start", "datetime", "time", "дата", "sana", "day"]

    /// The date column of a table when it is obvious: a field named like one of `columnNames`.
    public static func guessColumn(in names: [String]) -> String? {
        for candidate in columnNames {
            if let n = names.first(where: { $0.lowercased() == candidate }) { return n }
        }
        return nil
    }

    /// Reads a field value: text in any form above; a number as an Excel serial day.
    public static func parse(_ value: FieldValue, order: DayOrder = .auto) -> Result<EventDate, DateProblem>? {
        switch value {
        case .null: return nil
        case .integer(let n): return excelSerial(Double(n), text: String(n))
        case .real(let d): return excelSerial(d, text: String(d))
        case .string(let s):
            let t = s.trimmingCharacters(in: .whitespaces)
            return t.isEmpty ? nil : parse(t, order: order)
        }
    }

    /// Excel's serial day numbers (1900 system): day 1 is 1900-01-01, with Excel's phantom
    /// 1900-02-29, so day 61 onwards is 1899-12-30 + n. Fractions are the time of day.
    static func excelSerial(_ d: Double, text: String) -> Result<EventDate, DateProblem> {
        guard d.isFinite, d >= 61, d < 2_958_466 else {
            return .failure(DateProblem(text: text, reason: "a number that is not an Excel date (serial days 61 to 2958465)"))
        }
        let days = Int(d.rounded(.down))
        let secs = Int(((d - Double(days)) * 86_400).rounded())
        return .success(EventDate(dayNumber: EventDate.daysFromCivil(1899, 12, 30) + days, seconds: min(secs, 86_399)))
    }

    private static let months: [(String, Int)] = {
        let en = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"]
        // Russian: nominative and genitive, and the usual abbreviations.
        let ruNom = ["январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь"]
        let ruGen = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября", "ноября", "декабря"]
        let ruAbbr = ["янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]
        var list: [(String, Int)] = []
        for i in 0..<12 {
            list.append((en[i], i + 1)); list.append((ruNom[i], i + 1)); list.append((ruGen[i], i + 1))
            list.append((String(en[i].prefix(3)), i + 1)); list.append((ruAbbr[i], i + 1))
        }
        list.append(("sept", 9)); list.append(("сент", 9)); list.append(("май", 5))
        return list
    }()

    /// The month a word names (English or Russian, full or abbreviated, any case), or nil.
    public static func month(named word: String) -> Int? {
        let w = word.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        return months.first { $0.0 == w }?.1
    }

    /// Reads a date written as text.
    public static func parse(_ text: String, order: DayOrder = .auto) -> Result<EventDate, DateProblem> {
        let s = text.trimmingCharacters(in: .whitespaces)
        func fail(_ why: String) -> Result<EventDate, DateProblem> { .failure(DateProblem(text: text, reason: why)) }
        func make(_ y: Int, _ m: Int, _ d: Int, _ secs: Int = 0) -> Result<EventDate, DateProblem> {
            guard (1..<10_000).contains(y) else { return fail("year \(y) out of range") }
            guard (1...12).contains(m) else { return fail("month \(m) does not exist") }
            guard d >= 1, d <= EventDate.daysIn(month: m, year: y) else { return fail("day \(d) does not exist in \(y)-\(m)") }
            return .success(EventDate(year: y, month: m, day: d, seconds: secs))
        }
        // Split off a time ("T10:30", " 10:30:00", "Z").
        var datePart = Substring(s), secs = 0
        if let sep = s.firstIndex(where: { $0 == "T" || $0 == " " }), s[s.index(after: sep)...].contains(":") {
            datePart = s[..<sep]
            var t = s[s.index(after: sep)...].trimmingCharacters(in: .whitespaces)
            if t.hasSuffix("Z") { t.removeLast() }
            let hms = t.split(separator: ":").map { Int($0.prefix(2)) }
            guard hms.count >= 2, hms.count <= 3, hms.allSatisfy({ $0 != nil }) else { return fail("unreadable time") }
            let h = hms[0]!, mi = hms[1]!, se = hms.count == 3 ? hms[2]! : 0
            guard h < 24, mi < 60, se < 61 else { return fail("unreadable time") }
            secs = h * 3600 + mi * 60 + min(se, 59)
        }
        let d = String(datePart)
        // Excel serial written as text.
        if d.allSatisfy(\.isNumber), d.count == 5, let n = Int(d) { return excelSerial(Double(n), text: text) }
        // Numeric forms.
        let numericParts = d.split(whereSeparator: { $0 == "-" || $0 == "." || $0 == "/" })
        // ASCII digits only: "2̧" (a digit with a combining mark) or "٣" are numbers to Character but not to Int (a fuzzer's crash).
        if numericParts.count == 3, numericParts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
           let a = Int(numericParts[0]), let b = Int(numericParts[1]), let c = Int(numericParts[2]) {
            if numericParts[0].count == 4 { return make(a, b, c, secs) }                      // yyyy-mm-dd, yyyy/mm/dd
            guard numericParts[2].count == 4 else { return fail("a two-digit year; write the year in full (2023)") }
            if d.contains(".") || d.contains("-") { return make(c, b, a, secs) }               // dd.mm.yyyy, dd-mm-yyyy
            switch order {                                                                      // slashes
            case .dayFirst: return make(c, b, a, secs)
            case .monthFirst: return make(c, a, b, secs)
            case .auto:
                if a > 12 && b <= 12 { return make(c, b, a, secs) }
                if b > 12 && a <= 12 { return make(c, a, b, secs) }
                if a == b { return make(c, a, b, secs) }
                return fail("ambiguous: day/month or month/day; write ISO dates (yyyy-mm-dd) or give the day order (dmy or mdy)")
            }
        }
        // Text months: "12 March 2023", "March 12, 2023", "12-Mar-2023", "12 марта 2023 г."
        let stop: Set<String> = ["г.", "г", "года", "год"]
        let cleaned: String = d.lowercased().replacingOccurrences(of: ",", with: " ")
        let pieces: [Substring] = cleaned.split(whereSeparator: { (c: Character) -> Bool in c == " " || c == "-" })
        let words: [String] = pieces.map { String($0) }.filter { !stop.contains($0) }
        if words.count == 3 {
            if let day = Int(words[0]), let m = month(named: words[1]), let y = Int(words[2]) { return make(y, m, day, secs) }
            if let m = month(named: words[0]), let day = Int(words[1]), let y = Int(words[2]) { return make(y, m, day, secs) }
        }
        return fail("not a date (write yyyy-mm-dd, dd.mm.yyyy, or 12 March 2023)")
    }
}
