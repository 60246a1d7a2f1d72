import Foundation

/// The columns a cube needs from a plain comma-separated table with lon/lat columns, read
/// straight from its bytes (RFC 4180 quoting, CRLF or LF): a million rows in a fraction of the
/// time a feature-by-feature read through GDAL takes. Used only when GDAL has opened the same
/// file as a CSV layer whose header this reader finds identical; anything else (another
/// separator, a `--where`) goes through GDAL.
struct CSVEventColumns {
    var lon: Int, lat: Int, date: Int, weight: Int?
}

enum CSVEventReader {
    /// Calls `row` for each data row (1-based row number) with the raw bytes of the four columns.
    /// Returns nil when the header does not match `names` (the caller then reads through GDAL).
    static func read(path: String, names: [String], columns: CSVEventColumns,
                     row: (Int64, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>, UnsafeBufferPointer<UInt8>?) throws -> Void) throws -> Bool? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped) else { return nil }
        return try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> Bool? in
            let bytes = raw.bindMemory(to: UInt8.self)
            var pos = 0
            let n = bytes.count
            if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
            // Field boundaries of one record; quoted fields keep their quotes (unquoted below).
            var starts: [Int] = [], ends: [Int] = []
            func record() -> Bool {
                starts.removeAll(keepingCapacity: true); ends.removeAll(keepingCapacity: true)
                guard pos < n else { return false }
                var s = pos, inQuotes = false
                while pos < n {
                    let b = bytes[pos]
                    if inQuotes {
                        if b == 0x22 { inQuotes = false }
                    } else if b == 0x22 {
                        inQuotes = true
                    } else if b == 0x2C {
                        starts.append(s); ends.append(pos); s = pos + 1
                    } else if b == 0x0A {
                        var e = pos
                        if e > s, bytes[e - 1] == 0x0D { e -= 1 }
                        starts.append(s); ends.append(e); pos += 1
                        return true
                    }
                    pos += 1
                }
                var e = pos
                if e > s, bytes[e - 1] == 0x0D { e -= 1 }
                starts.append(s); ends.append(e)
                return true
            }
            func field(_ k: Int) -> UnsafeBufferPointer<UInt8> {
                var a = starts[k], b = ends[k]
                while a < b, bytes[a] == 0x20 { a += 1 }
                while b > a, bytes[b - 1] == 0x20 { b -= 1 }
                if b - a >= 2, bytes[a] == 0x22, bytes[b - 1] == 0x22 { a += 1; b -= 1 }
                return UnsafeBufferPointer(rebasing: bytes[a..<b])
            }
            guard record(), starts.count == names.count else { return nil }
            for k in 0..<names.count {
                let f = field(k)
                guard String(decoding: f, as: UTF8.self) == names[k] else { return nil }
            }
            var number: Int64 = 0
            let need = max(columns.lon, columns.lat, columns.date, columns.weight ?? 0)
            while record() {
                if starts.count == 1 && ends[0] == starts[0] { continue }      // a blank line
                number += 1
                guard starts.count > need else {
                    throw GeoError(.read, "row \(number) has \(starts.count) fields, the header \(names.count)", file: path,
                                   hint: "check the quoting of that row")
                }
                try row(number, field(columns.lon), field(columns.lat), field(columns.date), columns.weight.map { field($0) })
            }
            return true
        }
    }

    /// A decimal number from bytes, or nil (empty: .nan).
    static func double(_ f: UnsafeBufferPointer<UInt8>) -> Double? {
        if f.isEmpty { return .nan }
        if f.count > 60 { return nil }
        // [-+]digits[.digits] with at most 15 digits: mantissa / 10^k is one correctly rounded
        // division of two exact doubles, the same value strtod gives.
        var i = 0, negative = false, mantissa: Int64 = 0, digits = 0, fraction = 0, dot = false
        if f[0] == 0x2D || f[0] == 0x2B { negative = f[0] == 0x2D; i = 1 }
        var simple = i < f.count
        while i < f.count {
            let b = f[i]
            if b >= 48 && b <= 57 {
                mantissa = mantissa * 10 + Int64(b - 48); digits += 1
                if dot { fraction += 1 }
            } else if b == 0x2E && !dot {
                dot = true
            } else { simple = false; break }
            i += 1
        }
        if simple && digits > 0 && digits <= 15 {
            let v = fraction == 0 ? Double(mantissa) : Double(mantissa) / powersOfTen[fraction]
            return negative ? -v : v
        }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: f.count + 1) { buf -> Double? in
            for i in 0..<f.count { buf[i] = CChar(bitPattern: f[i]) }
            buf[f.count] = 0
            var end: UnsafeMutablePointer<CChar>? = nil
            let v = strtod(buf.baseAddress!, &end)
            guard let end, end == buf.baseAddress! + f.count else { return nil }
            return v
        }
    }

    private static let powersOfTen: [Double] = (0...15).map { pow(10, Double($0)) }

    /// `yyyy-mm-dd` (or `/`) from bytes.
    static func isoDate(_ f: UnsafeBufferPointer<UInt8>) -> EventDate? {
        guard f.count == 10 else { return nil }
        var y = 0, m = 0, d = 0
        for (pos, b) in f.enumerated() {
            switch pos {
            case 4, 7: guard b == 0x2D || b == 0x2F, b == f[4] else { return nil }
            default:
                guard b >= 48, b <= 57 else { return nil }
                let digit = Int(b) - 48
                if pos < 4 { y = y * 10 + digit } else if pos < 7 { m = m * 10 + digit } else { d = d * 10 + digit }
            }
        }
        guard y >= 1, (1...12).contains(m), d >= 1, d <= EventDate.daysIn(month: m, year: y) else { return nil }
        return EventDate(year: y, month: m, day: d)
    }
}
