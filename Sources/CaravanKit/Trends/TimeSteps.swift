import Foundation

/// The length of one time step of a space-time cube: a number of days (weeks are 7 days) or of
/// calendar months (years are 12 months).
public enum TimeStep: Hashable, Sendable, Codable, CustomStringConvertible {
    case days(Int)
    case months(Int)

    /// Reads `1month`, `3 months`, `30days`, `2weeks`, `1year`, `quarter`, `week`.
    public static func parse(_ text: String, option: String = "{step}") throws -> TimeStep {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = t.prefix { $0.isNumber }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: .whitespaces)
        let n = digits.isEmpty ? 1 : Int(digits) ?? 0
        func bad() -> GeoError {
            GeoError(.invalidArgument, "\(option) '\(text)' is not a time step", hint: "write it like 1month, 3months, 30days, 2weeks or 1year")
        }
        guard n > 0, n <= 100_000 else { throw bad() }
        switch unit {
        case "d", "day", "days": return .days(n)
        case "w", "week", "weeks": return .days(7 * n)
        case "m", "mo", "month", "months": return .months(n)
        case "q", "quarter", "quarters": return .months(3 * n)
        case "y", "yr", "year", "years": return .months(12 * n)
        default: throw bad()
        }
    }

    public var description: String {
        switch self {
        case .days(let n): return n % 7 == 0 ? (n == 7 ? "1 week" : "\(n / 7) weeks") : (n == 1 ? "1 day" : "\(n) days")
        case .months(let n): return n % 12 == 0 ? (n == 12 ? "1 year" : "\(n / 12) years") : (n == 1 ? "1 month" : "\(n) months")
        }
    }
}

/// The time steps of a cube, aligned as ArcGIS's Create Space Time Cube aligns them by default
/// (END_TIME, ANALYSIS.md §7): the last break is the last event's time; breaks go back one step
/// at a time until one lies strictly before the first event; step j is (b_j, b_{j+1}], closed
/// on the right. Times are whole seconds since 1970-01-01 (UTC).
public struct TimeSteps: Sendable, Hashable {
    public var step: TimeStep
    /// T + 1 breaks, ascending: step j runs from breaks[j] (excluded) to breaks[j + 1] (included).
    public var breaks: [Int]

    /// The steps for events from `first` to `last` (seconds since 1970).
    public init(step: TimeStep, first: Int, last: Int) {
        self.step = step
        switch step {
        case .days(let n):
            let s = n * 86_400
            let T = (last - first) / s + 1
            breaks = (0...T).map { last - (T - $0) * s }
        case .months(let n):
            let end = TimeSteps.date(last)
            var back: [Int] = [last]
            var k = 1
            while back.last! >= first {
                back.append(TimeSteps.seconds(end.addingMonths(-k * n)))
                k += 1
            }
            breaks = back.reversed()
        }
    }

    /// Steps from breaks already made (`breaks` ascending, at least two).
    public init(step: TimeStep, breaks: [Int]) {
        self.step = step; self.breaks = breaks
    }

    public var count: Int { breaks.count - 1 }

    /// The step holding time `t` (seconds), or nil outside (breaks[0], breaks[T]].
    @inline(__always)
    public func index(of t: Int) -> Int? {
        guard t > breaks[0], t <= breaks[breaks.count - 1] else { return nil }
        if case .days(let n) = step {
            return count - 1 - (breaks[breaks.count - 1] - t) / (n * 86_400)
        }
        // First break ≥ t, by bisection: step = that index − 1.
        var lo = 1, hi = breaks.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if breaks[mid] >= t { hi = mid } else { lo = mid + 1 }
        }
        return lo - 1
    }

    /// The share of the first step that lies before the first event (ArcGIS's temporal bias).
    public func temporalBias(first: Int) -> Double {
        Double(first - breaks[0]) / Double(breaks[1] - breaks[0])
    }

    /// The start (excluded) and end (included) of step `j`, as dates.
    public func bounds(_ j: Int) -> (start: EventDate, end: EventDate) {
        (TimeSteps.date(breaks[j]), TimeSteps.date(breaks[j + 1]))
    }

    /// A label for step `j`: the days it covers, e.g. "2023-02-01 – 2023-03-01".
    public func label(_ j: Int) -> String {
        let (a, b) = bounds(j)
        return "\(a.iso) – \(b.iso)"
    }

    static func date(_ s: Int) -> EventDate {
        let day = Int((Double(s) / 86_400).rounded(.down))
        return EventDate(dayNumber: day, seconds: s - day * 86_400)
    }

    static func seconds(_ d: EventDate) -> Int { d.dayNumber * 86_400 + d.seconds }
}
