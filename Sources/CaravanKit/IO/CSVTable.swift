import Foundation

/// A plain CSV table read in bulk: UTF-8 (with or without a BOM), `,` `;` or tab separated,
/// quoted fields with doubled quotes and line breaks, `\n` or `\r\n` lines. Every value is
/// kept exactly as written ("0012" stays "0012", nothing is sniffed or converted).
///
/// `read` returns nil for anything GDAL's CSV driver alone handles right — a `.csvt` or `.prj`
/// beside the file, a WKT/geometry column, another encoding, rows of another width — so the
/// caller falls back to `Dataset.open` for those.
///
/// ```swift
/// if let table = try CSVTable.read("places.csv") {
///     for row in table.rows { print(row[table.column("name")!]) }
/// }
/// ```
public struct CSVTable: Sendable {
    public var path: String
    public var header: [String]
    /// The rows after the header, each as wide as the header.
    public var rows: [[String]]
    /// The separator found in the header line.
    public var separator: Character

    /// The index of a column, matched without regard to case as GDAL does.
    public func column(_ name: String) -> Int? {
        header.firstIndex { $0.caseInsensitiveCompare(name) == .orderedSame }
    }

    /// The table's fields, all text (values are as written).
    public var schema: Schema { Schema(header.map { FieldDefinition($0, .string) }) }

    /// The fields with the narrowest type that keeps the value of everything written in the
    /// file: Integer64 when each value is an integer in its plain form ("12", not "0012" or
    /// "+12"), Real when each is a decimal in plain notation ("10.227", "1.50"; not "1e5"),
    /// String otherwise. Empty values fit any type.
    public func inferredSchema() -> Schema {
        Schema(header.indices.map { c in
            var integer = true, real = true
            for r in rows {
                let v = r[c]
                if v.isEmpty { continue }
                if integer, let n = Int64(v), String(n) == v { continue }
                integer = false
                if real, CSVTable.isPlainDecimal(v) || CSVTable.keepsValue(v) { continue }
                real = false
                break
            }
            return FieldDefinition(header[c], integer ? .integer64 : real ? .real : .string)
        })
    }

    /// A decimal in plain notation ("10.227", "4.0", "2.50"; not "0012", "1e3", "+1", ".5").
    static func isPlainDecimal(_ v: String) -> Bool {
        var v = v
        return v.withUTF8 { CSVScan.plainForm($0) != 0 }
    }

    /// Whether `v` read as a number and printed again is `v` itself, or `v` without the trailing
    /// zeros of its decimals ("96367.968722356350"): the value is kept exactly.
    static func keepsValue(_ v: String) -> Bool {
        guard let d = Double(v), d.isFinite else { return false }
        if shortestPlain(d) == v { return true }
        guard v.contains("."), !v.hasPrefix("+"), !v.hasPrefix("."), !v.hasPrefix("-."),
              !v.contains("e"), !v.contains("E"), v.last == "0" else { return false }
        var t = Substring(v)
        while t.last == "0" { t.removeLast() }
        if t.last == "." { t.removeLast() }
        return shortestPlain(d) == t || (d == 0 && (t == "0" || t == "-0"))
    }

    static func shortestPlain(_ d: Double) -> String {
        var s = NumberText.shortest(d)
        if s.hasSuffix(".0") { s.removeLast(2) }
        return s
    }

    /// Row `i` as a feature without geometry, as `Dataset` reads a CSV: fid = the 1-based row
    /// number, an empty field null, values typed as `schema` says (`schema` or `inferredSchema()`).
    public func feature(_ i: Int, schema: Schema) -> Feature {
        let values: [FieldValue] = rows[i].enumerated().map { c, v in
            if v.isEmpty { return .null }
            switch schema.fields[c].type {
            case .integer, .integer64: return Int64(v).map { .integer($0) } ?? .string(v)
            case .real: return Double(v).map { .real($0) } ?? .string(v)
            default: return .string(v)
            }
        }
        return Feature(fid: Int64(i + 1), geometry: nil, values: values, schema: schema)
    }

    static let geometryColumns: Set<String> = ["wkt", "geom", "geometry", "the_geom", "wkb_geometry", "shape"]

    /// Reads a plain CSV table, or returns nil when GDAL should read it.
    public static func read(_ path: String) throws -> CSVTable? {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "csv" || ext == "tsv" || ext == "txt" else { return nil }
        let base = (path as NSString).deletingPathExtension
        for side in ["csvt", "CSVT", "prj", "PRJ"] where FileManager.default.fileExists(atPath: base + "." + side) { return nil }
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else { return nil }
        return try data.withUnsafeBytes { raw -> CSVTable? in
            var bytes = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: raw.count)
            if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
            // UTF-16 and other encodings: GDAL (and the reader's recoding) handle them.
            if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) { return nil }
            guard isValidUTF8(bytes) else { return nil }
            let sep = CSVScan.separator(bytes)
            var parser = Parser(bytes: bytes, separator: sep)
            guard let header = try parser.nextRecord(path: path), !header.isEmpty else { return nil }
            if header.contains(where: { geometryColumns.contains($0.lowercased()) }) { return nil }
            var rows: [[String]] = []
            while let r = try parser.nextRecord(path: path) {
                if r.count == 1 && r[0].isEmpty && header.count > 1 { continue }   // a blank line, as GDAL skips it
                guard r.count == header.count else { return nil }              // ragged: GDAL decides
                rows.append(r)
            }
            return CSVTable(path: path, header: header, rows: rows, separator: Character(UnicodeScalar(sep)))
        }
    }

    static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        // Fast path for ASCII, then the standard library's validation.
        var i = 0
        while i < b.count && b[i] < 0x80 { i += 1 }
        if i == b.count { return true }
        return String(validating: b, as: UTF8.self) != nil
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let separator: UInt8
        var pos = 0
        var record = 0
        var field: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>, separator: UInt8, at pos: Int = 0) { self.bytes = bytes; self.separator = separator; self.pos = pos }

        mutating func nextRecord(path: String) throws -> [String]? {
            var out: [String] = []
            guard try nextFields(path: path, { out.append(String(decoding: $0, as: UTF8.self)) }) else { return nil }
            return out
        }

        /// Reads one record, handing each field's bytes (quotes removed) to `body`; false at the end.
        mutating func nextFields(path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Bool {
            guard pos < bytes.count else { return false }
            record += 1
            while true {
                if pos < bytes.count && bytes[pos] == 34 {
                    field.removeAll(keepingCapacity: true)
                    pos += 1
                    while true {
                        guard pos < bytes.count else {
                            throw GeoError(.read, "a quoted field is not closed", file: path, index: max(1, record - 1),
                                           hint: "the file may be cut off; check the quotes on this row")
                        }
                        let c = bytes[pos]
                        if c == 34 {
                            if pos + 1 < bytes.count && bytes[pos + 1] == 34 { field.append(34); pos += 2; continue }
                            pos += 1
                            break
                        }
                        if c == 0 { throw nul(path) }
                        field.append(c); pos += 1
                    }
                    // Text after the closing quote, up to the separator, is kept (as GDAL does).
                    while pos < bytes.count, bytes[pos] != separator, bytes[pos] != 10, bytes[pos] != 13 {
                        if bytes[pos] == 0 { throw nul(path) }
                        field.append(bytes[pos]); pos += 1
                    }
                    try field.withUnsafeBufferPointer { try body($0) }
                } else {
                    let start = pos
                    while pos < bytes.count {
                        let c = bytes[pos]
                        if c == separator || c == 10 || c == 13 { break }
                        if c == 0 { throw nul(path) }
                        pos += 1
                    }
                    try body(UnsafeBufferPointer(rebasing: bytes[start..<pos]))
                }
                if pos >= bytes.count { return true }
                if bytes[pos] == separator { pos += 1; continue }
                if bytes[pos] == 13 { pos += 1 }
                if pos < bytes.count && bytes[pos] == 10 { pos += 1 }
                return true
            }
        }

        func nul(_ path: String) -> GeoError {
            GeoError(.read, "a NUL byte in the text (a binary or UTF-16 file?); the rest of the row would be lost",
                     file: path, index: max(1, record - 1), hint: "save the table as UTF-8 CSV, or remove the NUL byte from that row")
        }
    }
}

/// What one pass over a CSV found: the header, a type per column that writes every value back
/// as written, where each row starts, and how wide the rows are.
struct CSVScan {
    var header: [String]
    var types: [FieldType]
    /// Byte offsets of the rows (after the header), when asked for.
    var rowStarts: [Int] = []
    var rows = 0
    /// Blank lines of a table of several columns (skipped, as GDAL skips them).
    var blankLines = 0
    /// The first row holding more values than the header names (a value would be lost).
    var tooWide: (row: Int, fields: Int)?

    /// Columns whose names GDAL takes for a geometry (WKT) column.
    static let geometryNames: Set<String> = ["wkt", "geom", "geometry", "the_geom", "wkt_geom", "geometry_wkt"]

    /// Scans `bytes` (no BOM) separated by `separator`. Throws on a NUL byte, an unclosed quote,
    /// a header naming a column twice, or a row with more values than the header names.
    /// `releasing`: called now and then with the offset the scan has passed (a mapped file's
    /// pages behind it can be given back).
    static func scan(_ bytes: UnsafeBufferPointer<UInt8>, separator: UInt8, path: String, keepStarts: Bool,
                     releasing: ((Int) -> Void)? = nil) throws -> CSVScan {
        var parser = CSVTable.Parser(bytes: bytes, separator: separator)
        var header: [String] = []
        guard try parser.nextFields(path: path, { header.append(String(decoding: $0, as: UTF8.self)) }) else {
            return CSVScan(header: [], types: [])
        }
        for i in header.indices where header[i].isEmpty { header[i] = "field_\(i + 1)" }   // as GDAL names them
        try checkUnique(header, path: path)
        let width = header.count
        // 0: every value so far an integer in its plain form; 1: a number in its shortest form; 2: text.
        var state = [UInt8](repeating: 0, count: width)
        var scan = CSVScan(header: header, types: [])
        var starts: [Int] = []
        var nextRelease = 8 << 20
        while parser.pos < bytes.count {
            let start = parser.pos
            if let releasing, start >= nextRelease { releasing(start); nextRelease = start + (8 << 20) }
            let blank = bytes[start] == 10 || bytes[start] == 13
            var c = 0
            var extra = false
            _ = try parser.nextFields(path: path) { f in
                defer { c += 1 }
                guard c < width else { if !f.isEmpty { extra = true }; return }
                guard state[c] < 2, !f.isEmpty else { return }
                state[c] = numberState(f, state[c])
            }
            if blank && width > 1 { scan.blankLines += 1; continue }
            if extra && scan.tooWide == nil { scan.tooWide = (scan.rows + 1, c) }
            if keepStarts { starts.append(start) }
            scan.rows += 1
        }
        scan.rowStarts = starts
        scan.types = state.map { $0 == 0 ? .integer64 : $0 == 1 ? .real : .string }
        // A column without a single value is text.
        if scan.rows == 0 { scan.types = Array(repeating: .string, count: width) }
        return scan
    }

    /// Whether the field still fits an integer (0) or a real (1) written in its own plain form.
    @inline(__always)
    static func numberState(_ f: UnsafeBufferPointer<UInt8>, _ state: UInt8) -> UInt8 {
        guard f.count <= 32 else { return 2 }
        // The common forms decided on the bytes, exactly as the check below would decide them.
        switch plainForm(f) {
        case 1: if state == 0 { return 0 }; if f.count <= 15 { return 1 }
        case 2: return 1
        default: break
        }
        for b in f where !((b >= 48 && b <= 57) || b == 45 || b == 43 || b == 46 || b == 101 || b == 69) { return 2 }
        let v = String(decoding: f, as: UTF8.self)
        if state == 0, let n = Int64(v), String(n) == v { return 0 }
        if CSVTable.keepsValue(v) { return 1 }
        return 2
    }

    /// 1: an integer in its plain form of at most 18 digits ("12", "-4", "0"; not "0012", "+1",
    /// "-0"); 2: a decimal in plain notation ("10.227", "-0.5", "0.0001", "4.0", "2.50": at most
    /// 15 significant digits, trailing zeros allowed, at least 1e-4, below 1e15);
    /// 0: anything else (left to the exact check).
    @inline(__always)
    static func plainForm(_ f: UnsafeBufferPointer<UInt8>) -> Int {
        var i = 0
        if i < f.count && f[i] == 45 { i += 1 }
        let intStart = i
        while i < f.count && f[i] >= 48 && f[i] <= 57 { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0, intDigits <= 18, intDigits == 1 || f[intStart] != 48 else { return 0 }
        if i == f.count { return f.count == 2 && f[0] == 45 && f[1] == 48 ? 0 : 1 }
        guard f[i] == 46, intDigits <= 15 else { return 0 }
        i += 1
        let fracStart = i
        while i < f.count && f[i] >= 48 && f[i] <= 57 { i += 1 }
        let fracDigits = i - fracStart
        guard i == f.count, fracDigits > 0 else { return 0 }
        // Trailing zeros do not change the value ("4.0", "2.50" as Excel's number formats write
        // them): the column stays a number a spreadsheet can sum; text outputs write it "4", "2.5".
        var significant = fracDigits
        while significant > 0 && f[fracStart + significant - 1] == 48 { significant -= 1 }
        if intDigits == 1 && f[intStart] == 48 {
            if significant == 0 { return 2 }
            var zeros = 0
            while zeros < significant && f[fracStart + zeros] == 48 { zeros += 1 }
            guard zeros < 4, significant - zeros <= 15 else { return 0 }
        } else {
            guard intDigits + significant <= 15 else { return 0 }
        }
        return 2
    }

    static func checkUnique(_ header: [String], path: String) throws {
        var seen: [String: Int] = [:]
        for (i, name) in header.enumerated() {
            let key = name.lowercased()
            if let j = seen[key] {
                let same = header[j] == name ? "'\(name)'" : "'\(header[j])' and '\(name)'"
                throw GeoError(.read, "the header names the column \(same) twice (columns \(j + 1) and \(i + 1)), so one of them would be lost",
                               file: path, hint: "rename one of them in the first line of the file (names differing only in case count as the same)")
            }
            seen[key] = i
        }
    }

    /// The error for a row wider than the header.
    func wideError(path: String) -> GeoError? {
        guard let w = tooWide else { return nil }
        return GeoError(.read, "the row holds \(w.fields) values and the header names \(header.count) columns, so values would be lost",
                        file: path, index: w.row,
                        hint: "quote values holding the separator (\"a, b\"), or name every column in the first line")
    }

    /// `;` when the header line has semicolons and no commas, a tab for tab-separated headers, else `,`.
    static func separator(_ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
        var commas = 0, semis = 0, tabs = 0, quoted = false
        for c in b {
            if c == 34 { quoted.toggle() }
            if quoted { continue }
            if c == 10 { break }
            if c == 44 { commas += 1 } else if c == 59 { semis += 1 } else if c == 9 { tabs += 1 }
        }
        if commas == 0 && semis > 0 { return 59 }
        if commas == 0 && tabs > 0 { return 9 }
        return 44
    }

    /// The bytes of a file after a UTF-8 BOM; nil for a UTF-16 file.
    static func body(_ raw: UnsafeRawBufferPointer) -> UnsafeBufferPointer<UInt8>? {
        guard let base = raw.baseAddress else { return UnsafeBufferPointer(start: nil, count: 0) }
        var bytes = UnsafeBufferPointer(start: base.assumingMemoryBound(to: UInt8.self), count: raw.count)
        if bytes.count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF)) { return nil }
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { bytes = UnsafeBufferPointer(rebasing: bytes[3...]) }
        return bytes
    }
}

/// A plain CSV table indexed in one pass and read row by row from the mapped file, on any
/// thread: what `geocode` reads a million-row table with, in bounded memory.
///
/// Every value is kept exactly as written; `schema` gives each column the narrowest type that
/// writes its values back as they are (as `CSVTable.inferredSchema`). `open` returns nil for
/// what GDAL's CSV driver alone handles (a `.csvt` or `.prj` beside the file, a WKT column,
/// another encoding than UTF-8), and throws, naming the file and row, for what no reader
/// should pass on silently: a NUL byte, a header naming a column twice, a row wider than the header.
///
/// ```swift
/// if let t = try CSVFile.open("places.csv") { print(t.count, t.field(0, t.column("place")!)) }
/// ```
public final class CSVFile: @unchecked Sendable {   // immutable after `open`
    public let path: String
    public let header: [String]
    public let schema: Schema
    public let separator: UInt8
    /// Blank lines skipped (a table of several columns); a one-column table keeps them as rows.
    public let blankLines: Int
    private let data: Data
    private let bodyOffset: Int
    /// Where each row starts in the body (`withBody`), and each column's type (`CSVScan`).
    let starts: [Int]
    let types: [FieldType]

    public var count: Int { starts.count }

    private init(path: String, data: Data, bodyOffset: Int, separator: UInt8, scan: CSVScan) {
        self.path = path; self.data = data; self.bodyOffset = bodyOffset; self.separator = separator
        header = scan.header
        schema = Schema(zip(scan.header, scan.types).map { FieldDefinition($0, $1) })
        starts = scan.rowStarts
        types = scan.types
        blankLines = scan.blankLines
    }

    public func column(_ name: String) -> Int? { schema.index(of: name) }

    public static func open(_ path: String) throws -> CSVFile? {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "csv" || ext == "tsv" || ext == "txt" else { return nil }
        let base = (path as NSString).deletingPathExtension
        for side in ["csvt", "CSVT", "prj", "PRJ"] where FileManager.default.fileExists(atPath: base + "." + side) { return nil }
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped), !data.isEmpty else { return nil }
        return try data.withUnsafeBytes { raw -> CSVFile? in
            guard let bytes = CSVScan.body(raw) else { return nil }
            guard CSVTable.isValidUTF8(bytes) else { return nil }
            let sep = CSVScan.separator(bytes)
            let scan = try CSVScan.scan(bytes, separator: sep, path: path, keepStarts: true)
            guard !scan.header.isEmpty else { return nil }
            if scan.header.contains(where: { CSVScan.geometryNames.contains($0.lowercased()) || $0.lowercased() == "wkb_geometry" }) { return nil }
            if let e = scan.wideError(path: path) { throw e }
            return CSVFile(path: path, data: data, bodyOffset: raw.count - bytes.count, separator: sep, scan: scan)
        }
    }

    /// The file's bytes after the BOM and the header line, where `starts` point.
    func withBody<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try data.withUnsafeBytes { raw in
            let all = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: raw.count)
            return try body(UnsafeBufferPointer(rebasing: all[bodyOffset...]))
        }
    }

    /// Row `i`'s fields as written, as wide as the header (missing trailing fields are empty).
    public func row(_ i: Int) -> [String] {
        var out: [String] = []
        out.reserveCapacity(header.count)
        withBody { bytes in
            var p = CSVTable.Parser(bytes: bytes, separator: separator, at: starts[i])
            _ = try? p.nextFields(path: path) { f in if out.count < header.count { out.append(String(decoding: f, as: UTF8.self)) } }
        }
        while out.count < header.count { out.append("") }
        return out
    }

    /// Row `i` as typed values: an empty field is null (as `Dataset` reads a CSV).
    public func values(_ i: Int) -> [FieldValue] {
        let width = header.count
        var out: [FieldValue] = []
        out.reserveCapacity(width)
        withBody { bytes in
            var p = CSVTable.Parser(bytes: bytes, separator: separator, at: starts[i])
            _ = try? p.nextFields(path: path) { f in
                let c = out.count
                guard c < width else { return }
                if f.isEmpty { out.append(.null); return }
                switch types[c] {
                case .integer64: if let n = CSVFile.integer(f) { out.append(.integer(n)); return }
                case .real: if let d = Double(String(decoding: f, as: UTF8.self)) { out.append(.real(d)); return }
                default: break
                }
                out.append(.string(String(decoding: f, as: UTF8.self)))
            }
        }
        while out.count < width { out.append(.null) }
        return out
    }

    /// A plain integer's value (the scan typed the column: digits with an optional minus).
    @inline(__always)
    static func integer(_ f: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0, negative = false
        if f[0] == 45 { negative = true; i = 1 }
        guard i < f.count, f.count - i <= 18 else { return Int64(String(decoding: f, as: UTF8.self)) }
        var n: Int64 = 0
        while i < f.count {
            let d = f[i] &- 48
            guard d < 10 else { return nil }
            n = n * 10 + Int64(d)
            i += 1
        }
        return negative ? -n : n
    }
}

extension CSVTable {
    /// Makes GDAL's CSV driver read `path` with every value as written: a private folder with
    /// a link to the file (a copy for a one-column table, which GDAL 3.6 does not open, with its
    /// blank lines kept as empty rows) and a `.csvt` giving each column the type that writes its
    /// values back exactly (`CSVScan`). Returns the path to open, in that folder; nil when the
    /// file has its own `.csvt` or is UTF-16 (GDAL reads it as it is, every value text).
    ///
    /// - Throws: a NUL byte, a header naming a column twice, a row wider than its header.
    static func prepareForGDAL(_ path: String) throws -> String? {
        let base = (path as NSString).deletingPathExtension
        if FileManager.default.fileExists(atPath: base + ".csvt") || FileManager.default.fileExists(atPath: base + ".CSVT") { return nil }
        return try MappedFile.withBytes(path) { mapped -> String? in
            guard mapped.count > 0, let bytes = CSVScan.body(UnsafeRawBufferPointer(mapped)) else { return nil }
            let sep = CSVScan.separator(bytes)
            // One pass over the whole file for the types: the pages read are given back as it goes.
            var released = 0
            let scan = try CSVScan.scan(bytes, separator: sep, path: path, keepStarts: false) { passed in
                let upTo = mapped.count - bytes.count + passed
                MappedFile.release(mapped, from: released, upTo: upTo)
                released = upTo
            }
            guard !scan.header.isEmpty else { return nil }
            if let e = scan.wideError(path: path) { throw e }
            let headerEnd = bytes.firstIndex(of: 10) ?? bytes.count
            let oneColumn = scan.header.count == 1 && !bytes[..<headerEnd].contains(where: { [44, 59, 9, 124].contains($0) })
            let fm = FileManager.default
            let folder = NSTemporaryDirectory() + "caravan-csv-" + UUID().uuidString
            try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let name = (path as NSString).lastPathComponent
            let target = folder + "/" + name
            do {
                let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
                if oneColumn {
                    let tab = (path as NSString).pathExtension.lowercased() == "tsv"
                    try oneColumnCopy(UnsafeRawBufferPointer(mapped), bodyOffset: mapped.count - bytes.count, separator: tab ? 9 : 44, to: target, path: path)
                } else {
                    try fm.createSymbolicLink(atPath: target, withDestinationPath: absolute)
                }
                for side in ["prj", "PRJ"] where fm.fileExists(atPath: base + "." + side) {
                    let abs = URL(fileURLWithPath: base + "." + side).standardizedFileURL.path
                    try fm.createSymbolicLink(atPath: (target as NSString).deletingPathExtension + ".prj", withDestinationPath: abs)
                    break
                }
                let types = zip(scan.header, scan.types).map { name, t -> String in
                    if CSVScan.geometryNames.contains(name.lowercased()) { return "WKT" }
                    return t == .integer64 ? "Integer64" : t == .real ? "Real" : "String"
                }
                try Data((types.joined(separator: ",") + "\n").utf8).write(to: URL(fileURLWithPath: (target as NSString).deletingPathExtension + ".csvt"))
            } catch let e as GeoError {
                try? fm.removeItem(atPath: folder); throw e
            } catch {
                try? fm.removeItem(atPath: folder)
                throw GeoError(.read, "cannot prepare the table for reading: \(error.localizedDescription)", file: path,
                               hint: "check the space in \(NSTemporaryDirectory())")
            }
            return target
        } ?? nil
    }

    /// A one-column table as GDAL reads it: a comma after the header, and `""` on each blank
    /// line (a blank line in a list of places is a row the user should see as unmatched).
    private static func oneColumnCopy(_ raw: UnsafeRawBufferPointer, bodyOffset: Int, separator: UInt8, to target: String, path: String) throws {
        let all = UnsafeBufferPointer(start: raw.baseAddress!.assumingMemoryBound(to: UInt8.self), count: raw.count)
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 1024)
        var i = bodyOffset
        while i < all.count && all[i] != 10 && all[i] != 13 { i += 1 }
        out.append(contentsOf: all[0..<i])
        out.append(separator)
        var quoted = false
        var lineStart = false
        while i < all.count {
            let c = all[i]
            if lineStart && !quoted && (c == 10 || c == 13) { out.append(34); out.append(34) }   // a blank line
            lineStart = false
            if c == 34 { quoted.toggle() }
            out.append(c)
            if c == 10 && !quoted { lineStart = true }
            i += 1
        }
        guard FileManager.default.createFile(atPath: target, contents: Data(out)) else {
            throw GeoError(.write, "cannot make a temporary copy of a one-column table", file: path, hint: "check the space in \(NSTemporaryDirectory())")
        }
    }
}
