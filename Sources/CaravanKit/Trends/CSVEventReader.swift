import Foundation

/// The columns a cube needs from a plain comma-separated table with lon/lat columns, read
/// straight from its bytes (RFC 4180 quoting, CRLF or LF): a million rows in a fraction of the
/// time a feature-by-feature read through GDAL takes. Used only when GDAL has opened the same
/// file as a CSV layer whose header this reader finds identical; anything else (another
/// separator, a `--where`) goes through GDAL.
struct CSVEventColumns {
    var lon: Int, lat: Int, date: Int, weight: Int?
}

/// What the direct reader found: the events kept (lon/lat, seconds since 1970, weights) and
/// every row it could not keep, by row number (1-based, blank lines not counted, as GDAL's FIDs).
struct CSVEventRows {
    var points: [XY] = []
    var times: [Int] = []
    var weights: [Double] = []
    var rows = 0
    var withoutLocation = 0
    var outsidePeriod = 0
    /// Unreadable dates: how many, and the first five (row, problem).
    var badCount = 0
    var bad: [(Int64, String)] = []
    /// Empty dates: how many, and the first five rows.
    var missingCount = 0
    var missing: [Int64] = []
    /// Rows whose lon/lat are not numbers (warned about, kept as rows without a point).
    var notNumbers: [(Int64, String, String)] = []

    /// Adds the rows of a later part of the file, whose row 1 is row `rowOffset + 1` of the file.
    mutating func append(_ r: CSVEventRows, rowOffset offset: Int64) {
        points += r.points; times += r.times; weights += r.weights
        notNumbers += r.notNumbers.map { ($0.0 + offset, $0.1, $0.2) }
        appendCounts(r, rowOffset: offset)
    }

    /// Adds the counts of a later part of the file and its first listed rows, not its events.
    mutating func appendCounts(_ r: CSVEventRows, rowOffset offset: Int64) {
        withoutLocation += r.withoutLocation; outsidePeriod += r.outsidePeriod
        badCount += r.badCount; missingCount += r.missingCount
        bad += r.bad.prefix(max(0, 5 - bad.count)).map { ($0.0 + offset, $0.1) }
        missing += r.missing.prefix(max(0, 5 - missing.count)).map { $0 + offset }
        rows += r.rows
    }
}

enum CSVEventReader {
    /// A row that stops the reading.
    enum Fatal {
        case fieldCount(Int)
        case outOfRange(Double, Double)
        case badWeight(String)
    }

    /// One chunk's rows, numbered from 1 within the chunk.
    private struct Chunk {
        var rows = CSVEventRows()
        var fatal: (Int64, Fatal)? = nil
        var end = 0
    }

    /// Reads the events of a CSV whose header is `names`: the columns of `columns`, dates in ISO
    /// form read from the bytes (others through `EventDates.parse`), the events outside `period`
    /// counted and left out. Files without a quote character are read by every core, each a
    /// slice of whole lines. Returns nil when the header does not match `names` (the caller then
    /// reads through GDAL). Errors and warnings name rows as a sequential read would, in order.
    static func readEvents(path: String, names: [String], columns: CSVEventColumns, period: DatePeriod?,
                           layer: String? = nil, minimumSliceBytes: Int = 4 << 20,
                           progress: ((Double) -> Void)? = nil) throws -> CSVEventRows? {
        var all = CSVEventRows()
        let found = try forEachBatch(path: path, names: names, columns: columns, period: period, layer: layer, batchBytes: .max,
                                     minimumSliceBytes: minimumSliceBytes, progress: progress) { all.append($0, rowOffset: 0) }
        return found ? all : nil
    }

    /// The same reading a batch of about `batchBytes` of the file (whole lines) at a time:
    /// `body` gets each batch's rows in file order, numbered across the file, and memory holds
    /// one batch. Returns false (calling `body` never) when the header does not match `names`.
    /// A row that stops the reading throws after the batches before it were given to `body`.
    static func forEachBatch(path: String, names: [String], columns: CSVEventColumns, period: DatePeriod?,
                             layer: String? = nil, batchBytes: Int = 16 << 20, minimumSliceBytes: Int = 4 << 20,
                             progress: ((Double) -> Void)? = nil, _ body: (CSVEventRows) throws -> Void) throws -> Bool {
        return try MappedFile.withBytes(path) { bytes -> Bool in
            let n = bytes.count
            var pos = 0
            if n >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { pos = 3 }
            // The header.
            var header: [String] = []
            var quoted = false, s = pos
            while pos < n {
                let b = bytes[pos]
                if quoted { if b == 0x22 { quoted = false } }
                else if b == 0x22 { quoted = true }
                else if b == 0x2C || b == 0x0A {
                    header.append(String(decoding: trimmed(bytes, s, b == 0x0A && pos > s && bytes[pos - 1] == 0x0D ? pos - 1 : pos), as: UTF8.self))
                    s = pos + 1
                    if b == 0x0A { pos += 1; break }
                }
                pos += 1
                if pos == n { header.append(String(decoding: trimmed(bytes, s, bytes[pos - 1] == 0x0D ? pos - 1 : pos), as: UTF8.self)) }
            }
            guard header == names else { return false }
            let bodyStart = pos
            var offset: Int64 = 0
            var start = pos
            while start < n {
                let chunks: [Chunk]
                var next: Int
                let share = { (f: Double, a: Int, b: Int) in progress?((Double(a - bodyStart) + f * Double(b - a)) / Double(max(1, n - bodyStart))) }
                // The batch: to the line end after `batchBytes`. With a quote in it (a quote might hold
                // a line break) it is read as one slice, ending where a row does; else by every core.
                next = batchBytes >= n - start ? n : start + batchBytes
                while next < n && bytes[next - 1] != 0x0A { next += 1 }
                if memchr(bytes.baseAddress! + start, 0x22, next - start) != nil {
                    let stop = batchBytes >= n - start ? Int.max : start + batchBytes
                    let c = parse(bytes, start, n, stopAfter: stop, columns: columns, period: period,
                                  progress: progress == nil ? nil : { share($0, start, n) })
                    chunks = [c]; next = c.end
                } else {
                    let size = next - start
                    var slices = 1
                    if size >= 2 * minimumSliceBytes { slices = min(processorCount, size / minimumSliceBytes) }
                    var bounds = [start]
                    for k in 1..<max(slices, 1) {
                        var b = start + size * k / slices
                        while b < next && bytes[b - 1] != 0x0A { b += 1 }
                        bounds.append(max(b, bounds.last!))
                    }
                    bounds.append(next)
                    var parts = [Chunk](repeating: Chunk(), count: slices)
                    parts.withUnsafeMutableBufferPointer { out in
                        let cuts = bounds, a = start, b = next
                        nonisolated(unsafe) let base = out.baseAddress!, src = bytes
                        nonisolated(unsafe) let report: ((Double) -> Void)? = progress == nil ? nil : { share($0, a, b) }
                        DispatchQueue.concurrentPerform(iterations: slices) { k in
                            base[k] = parse(src, cuts[k], cuts[k + 1], stopAfter: .max, columns: columns, period: period,
                                            progress: k == 0 ? report : nil)
                        }
                    }
                    chunks = parts
                }
                // Rows numbered across slices and batches; the first fatal row in file order stops the reading.
                var out = CSVEventRows()
                for c in chunks {
                    if let (row, f) = c.fatal { throw error(f, row: row + offset, path: path, layer: layer, header: names.count) }
                    out.append(c.rows, rowOffset: offset)
                    offset += Int64(c.rows.rows)
                }
                try body(out)
                if next <= start { break }
                // Give back the pages of the batch read (the mapping is read-only: nothing is lost),
                // so a file of any size costs one batch of memory.
                if batchBytes < n { MappedFile.release(bytes, from: start, upTo: next) }
                start = next
            }
            return true
        } ?? false
    }

    private static func error(_ f: Fatal, row: Int64, path: String, layer: String?, header: Int) -> GeoError {
        switch f {
        case .fieldCount(let k):
            return GeoError(.read, "row \(row) has \(k) fields, the header \(header)", file: path, hint: "check the quoting of that row")
        case .outOfRange(let lon, let lat):
            return GeoError(.read, "coordinate \(lon), \(lat) is out of range for longitude/latitude", file: path, layer: layer, featureID: row)
        case .badWeight(let w):
            return GeoError(.invalidArgument, "the weight '\(w)' is not a number", file: path, layer: layer, featureID: row,
                            hint: "fix the value, or leave it out with {where}")
        }
    }

    /// A field's bytes without surrounding spaces and quotes.
    @inline(__always)
    private static func trimmed(_ bytes: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UnsafeBufferPointer<UInt8> {
        var a = start, b = end
        while a < b, bytes[a] == 0x20 { a += 1 }
        while b > a, bytes[b - 1] == 0x20 { b -= 1 }
        if b - a >= 2, bytes[a] == 0x22, bytes[b - 1] == 0x22 { a += 1; b -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[a..<b])
    }

    /// The rows of bytes[from..<to] (whole lines of a `MappedFile`), those starting before
    /// `stopAfter`; `end` of the result is where the next row starts.
    private static func parse(_ bytes: UnsafeBufferPointer<UInt8>, _ from: Int, _ to: Int, stopAfter: Int, columns: CSVEventColumns,
                              period: DatePeriod?, progress: ((Double) -> Void)?) -> Chunk {
        var c = Chunk()
        let estimate = (to - from) / 32 + 16
        c.rows.points.reserveCapacity(estimate); c.rows.times.reserveCapacity(estimate)
        if columns.weight != nil { c.rows.weights.reserveCapacity(estimate) }
        let lonC = columns.lon, latC = columns.lat, dateC = columns.date, wC = columns.weight ?? -1
        let need = max(lonC, latC, dateC, wC)
        let fromDay = period?.from?.dayNumber ?? Int.min, toDay = period?.to?.dayNumber ?? Int.max
        var released = from, nextRelease = from + (8 << 20)
        var pos = from
        var row: Int64 = 0
        while pos < to && pos < stopAfter {
            // One record: the boundaries of the four fields.
            var f = 0, s = pos, inQuotes = false
            var ls = 0, le = 0, as_ = 0, ae = 0, ds = 0, de = 0, ws = 0, we = 0
            var end = to
            while pos < to {
                let b = bytes[pos]
                if inQuotes {
                    if b == 0x22 { inQuotes = false }
                } else if b == 0x2C {
                    if f == lonC { ls = s; le = pos }
                    if f == latC { as_ = s; ae = pos }
                    if f == dateC { ds = s; de = pos }
                    if f == wC { ws = s; we = pos }
                    f += 1; s = pos + 1
                } else if b == 0x0A {
                    end = pos; pos += 1
                    break
                } else if b == 0x22 {
                    inQuotes = true
                }
                pos += 1
            }
            if end > s, bytes[end - 1] == 0x0D { end -= 1 }
            if f == lonC { ls = s; le = end }
            if f == latC { as_ = s; ae = end }
            if f == dateC { ds = s; de = end }
            if f == wC { ws = s; we = end }
            if f == 0 && end == s { continue }                         // a blank line
            row += 1
            guard f >= need else { c.fatal = (row, .fieldCount(f + 1)); break }
            let lonB = trimmed(bytes, ls, le), latB = trimmed(bytes, as_, ae)
            let lon = double(lonB), lat = double(latB)
            var point: XY? = nil
            if let lon, let lat, !(lon.isNaN && lat.isNaN) {
                if lon.isNaN || lat.isNaN {
                    c.rows.notNumbers.append((row, String(decoding: lonB, as: UTF8.self), String(decoding: latB, as: UTF8.self)))
                } else {
                    guard abs(lon) <= 360, abs(lat) <= 90 else { c.fatal = (row, .outOfRange(lon, lat)); break }
                    point = XY(lon, lat)
                }
            } else if lon == nil || lat == nil {
                c.rows.notNumbers.append((row, String(decoding: lonB, as: UTF8.self), String(decoding: latB, as: UTF8.self)))
            }
            var w = 1.0
            if wC >= 0 {
                let wB = trimmed(bytes, ws, we)
                guard let x = double(wB), x.isFinite else { c.fatal = (row, .badWeight(String(decoding: wB, as: UTF8.self))); break }
                w = x
            }
            guard let point else { c.rows.withoutLocation += 1; continue }
            let dateB = trimmed(bytes, ds, de)
            let date: EventDate
            if let d = isoDate(dateB) { date = d } else {
                switch EventDates.parse(.string(String(decoding: dateB, as: UTF8.self))) {
                case nil:
                    c.rows.missingCount += 1
                    if c.rows.missing.count < 5 { c.rows.missing.append(row) }
                    continue
                case .failure(let problem)?:
                    c.rows.badCount += 1
                    if c.rows.bad.count < 5 { c.rows.bad.append((row, problem.description)) }
                    continue
                case .success(let d)?: date = d
                }
            }
            let day = date.dayNumber
            if day < fromDay || day > toDay { c.rows.outsidePeriod += 1; continue }
            c.rows.points.append(point)
            c.rows.times.append(day * 86_400 + date.seconds)
            if wC >= 0 { c.rows.weights.append(w) }
            if pos >= nextRelease {
                MappedFile.release(bytes, from: released, upTo: pos)     // the pages read
                released = pos
                nextRelease = pos + (8 << 20)
                progress?(Double(pos - from) / Double(max(1, to - from)))
            }
        }
        c.rows.rows = Int(row)
        c.end = pos
        return c
    }

    /// A decimal number from bytes, or nil (empty: .nan).
    @inline(__always)
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
    @inline(__always)
    static func isoDate(_ f: UnsafeBufferPointer<UInt8>) -> EventDate? {
        guard f.count == 10, f[4] == 0x2D || f[4] == 0x2F, f[7] == f[4] else { return nil }
        @inline(__always) func digit(_ i: Int) -> Int { Int(f[i]) &- 48 }
        var all = 0
        for i in 0..<10 where i != 4 && i != 7 { all |= Int(bitPattern: UInt(bitPattern: digit(i)) > 9 ? 1 : 0) }
        guard all == 0 else { return nil }
        let y = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let m = digit(5) * 10 + digit(6), d = digit(8) * 10 + digit(9)
        guard y >= 1, (1...12).contains(m), d >= 1, d <= EventDate.daysIn(month: m, year: y) else { return nil }
        return EventDate(year: y, month: m, day: d)
    }
}
