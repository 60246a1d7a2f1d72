import Foundation

/// A length given by a person: `300m`, `10km`, `5 mi`, `2.5km`. A bare number is metres.
public struct Distance: Hashable, Sendable, CustomStringConvertible {
    public var meters: Double
    public init(meters: Double) { self.meters = meters }

    static let units: [(String, Double)] = [("km", 1000), ("mi", 1609.344), ("nm", 1852), ("ft", 0.3048), ("m", 1)]

    /// Parses a distance; `option` names the flag in the error.
    /// `requiringUnit`: a bare number is refused (a cell of "25" is rarely 25 m).
    public static func parse(_ text: String, option: String = "distance", requiringUnit: Bool = false) throws -> Distance {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        var number = t, factor = 1.0, hasUnit = false
        for (u, f) in units where t.hasSuffix(u) {
            number = String(t.dropLast(u.count)).trimmingCharacters(in: .whitespaces)
            factor = f
            hasUnit = true
            break
        }
        if requiringUnit, !hasUnit, Double(number) != nil {
            throw GeoError(.invalidArgument, "\(option) '\(text)' has no unit", hint: "write it with a unit: \(text)km, \(text)m or \(text)mi (m, km, mi, nm, ft)")
        }
        guard isPlainDecimal(number), let v = Double(number), v.isFinite else {
            throw GeoError(.invalidArgument, "\(option) '\(text)' is not a distance", hint: "write it like 500m, 10km or 5mi")
        }
        guard v > 0 else {
            throw GeoError(.invalidArgument, "\(option) must be greater than zero (got '\(text)')", hint: "write it like 500m, 10km or 5mi")
        }
        guard (v * factor).isFinite else {
            throw GeoError(.invalidArgument, "\(option) '\(text)' is too large", hint: "write it like 500m, 10km or 5mi")
        }
        return Distance(meters: v * factor)
    }

    public var description: String {
        // (Whole numbers beyond Int's range, e.g. "13.e26m" from the fuzzer, are not converted to Int.)
        if meters >= 1000 { let k = meters / 1000; return k == k.rounded() ? (k < 1e15 ? "\(Int(k))" : String(format: "%.0f", k)) + " km" : String(format: "%.2f km", k) }
        return meters == meters.rounded() ? "\(Int(meters)) m" : String(format: "%.1f m", meters)
    }
}

/// Whether `s` is a plain decimal number as people write one (`25`, `2.5`, `.5`, `1e3`): not
/// hexadecimal (`0x10`, which Swift's Double(_:) reads as 16), not `inf` or `nan`, no sign.
func isPlainDecimal(_ s: String) -> Bool {
    var digits = 0, seenDot = false, seenExp = false, expDigits = 0, i = s.startIndex
    while i < s.endIndex {
        let c = s[i]
        if c.isASCII && c.isNumber { if seenExp { expDigits += 1 } else { digits += 1 } }
        else if c == "." && !seenDot && !seenExp { seenDot = true }
        else if (c == "e" || c == "E") && digits > 0 && !seenExp {
            seenExp = true
            let n = s.index(after: i)
            if n < s.endIndex, s[n] == "+" || s[n] == "-" { i = n }
        } else { return false }
        i = s.index(after: i)
    }
    return digits > 0 && (!seenExp || expDigits > 0)
}
