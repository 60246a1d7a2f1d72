import Foundation

/// An area given by a person: `500km2`, `2.5 km²`, `100ha`, `1e6m2`. A bare number is km².
public struct AreaSize: Hashable, Sendable {
    public var squareMeters: Double
    public init(squareMeters: Double) { self.squareMeters = squareMeters }

    public static func parse(_ text: String, option: String = "area") throws -> AreaSize {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "²", with: "2")
        let units: [(String, Double)] = [("km2", 1e6), ("sqkm", 1e6), ("mi2", 2_589_988.110336), ("ha", 1e4), ("m2", 1)]
        var number = t, factor = 1e6
        for (u, f) in units where t.hasSuffix(u) {
            number = String(t.dropLast(u.count)).trimmingCharacters(in: .whitespaces); factor = f; break
        }
        guard isPlainDecimal(number), let v = Double(number), v.isFinite, v > 0 else {
            throw GeoError(.invalidArgument, "\(option) '\(text)' is not a positive area", hint: "write it like 500km2, 100ha or 2.5mi2")
        }
        // "5e305" km² is a finite number but not a finite area (found by fuzzing).
        guard (v * factor).isFinite else {
            throw GeoError(.invalidArgument, "\(option) '\(text)' is too large", hint: "write it like 500km2, 100ha or 2.5mi2")
        }
        return AreaSize(squareMeters: v * factor)
    }
}
