import Foundation

/// Number formatting for the streaming encoders: straight into a byte buffer, without
/// `String(format:)` or Foundation formatters.
///
/// - integers: plain decimal digits;
/// - `shortest`: the shortest digits that read back as the same `Double` (Swift's own
///   algorithm, as `description`), e.g. `0.1`, `334.8`, `1e-05`, `5.0`;
/// - `fixed`: a fixed number of decimals, correctly rounded (half to even on exact binary
///   ties, as `printf("%.6f")`), trailing zeros removed but one kept after the point
///   (`69.0`, `41.2995`) — GDAL's GeoJSON coordinate style.
enum NumberText {
    private static let powers: [Double] = (0...15).map { pow(10, Double($0)) }

    @inline(__always)
    static func append(_ v: Int64, to out: inout [UInt8]) {
        if v >= 0 && v < 10 { out.append(UInt8(48 + v)); return }
        var u = v.magnitude
        if v < 0 { out.append(UInt8(ascii: "-")) }
        appendDigits(&u, to: &out)
    }

    @inline(__always)
    private static func appendDigits(_ u: inout UInt64, to out: inout [UInt8]) {
        // Up to 20 digits, written backwards into a small tuple-like buffer.
        var tmp: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var n = 0
        withUnsafeMutableBytes(of: &tmp) { raw in
            repeat {
                let q = u / 10
                raw[23 - n] = UInt8(48 + (u - q * 10))
                u = q
                n += 1
            } while u != 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[(24 - n)...]))
        }
    }

    /// The shortest round-trip text of `d`; callers handle non-finite values first.
    @inline(__always)
    static func appendShortest(_ d: Double, to out: inout [UInt8]) {
        if d == d.rounded(.towardZero) && abs(d) < 1e15 {
            // Integral values: digits and ".0" (also -0.0).
            if d == 0 && d.sign == .minus { out.append(UInt8(ascii: "-")) }
            append(Int64(d), to: &out)
            out.append(UInt8(ascii: ".")); out.append(UInt8(ascii: "0"))
            return
        }
        var s = d.description
        s.withUTF8 { out.append(contentsOf: $0) }
    }

    /// `d` with `decimals` decimals (0…15), trailing zeros trimmed to one.
    @inline(__always)
    static func appendFixed(_ d: Double, decimals: Int, to out: inout [UInt8]) {
        let scale = powers[decimals]
        let p = d * scale
        guard abs(p) < 4.0e15 else { appendFixedSlow(d, decimals: decimals, to: &out); return }
        // p + e is d·scale exactly (scale is exact for 10^0…10^15 up to 2^53).
        let e = (-p).addingProduct(d, scale)
        var n = p.rounded(.toNearestOrEven)
        let r = p - n
        if r == 0.5 && e > 0 { n += 1 } else if r == -0.5 && e < 0 { n -= 1 }
        if d < 0 || (d == 0 && d.sign == .minus) { out.append(UInt8(ascii: "-")) }
        var m = UInt64(abs(n))
        let unit = UInt64(scale)
        var ip = m / unit
        var frac = m - ip * unit
        appendDigits(&ip, to: &out)
        out.append(UInt8(ascii: "."))
        if frac == 0 || decimals == 0 { out.append(UInt8(ascii: "0")); return }
        var digits = decimals
        while frac % 10 == 0 { frac /= 10; digits -= 1 }
        // Leading zeros of the fraction.
        var lead = UInt64(1)
        for _ in 1..<digits { lead *= 10 }
        while frac < lead { out.append(UInt8(ascii: "0")); lead /= 10 }
        m = frac
        appendDigits(&m, to: &out)
    }

    private static func appendFixedSlow(_ d: Double, decimals: Int, to out: inout [UInt8]) {
        var buf = [CChar](repeating: 0, count: 400)
        let n = withVaList([Int32(decimals), d]) { vsnprintf(&buf, 400, "%.*f", $0) }
        var bytes = buf[0..<Int(max(0, min(n, 399)))].map { UInt8(bitPattern: $0) }
        if let dot = bytes.firstIndex(of: UInt8(ascii: ".")) {
            while bytes.count > dot + 2 && bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        } else { bytes += [UInt8(ascii: "."), UInt8(ascii: "0")] }
        out += bytes
    }

    /// Text helpers for tests and callers outside the encoders.
    static func shortest(_ d: Double) -> String { var b: [UInt8] = []; appendShortest(d, to: &b); return String(decoding: b, as: UTF8.self) }
    static func fixed(_ d: Double, _ decimals: Int) -> String { var b: [UInt8] = []; appendFixed(d, decimals: decimals, to: &b); return String(decoding: b, as: UTF8.self) }
}
