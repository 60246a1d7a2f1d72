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

    /// The fields with the narrowest type that writes every value back exactly as it is in the
    /// file: Integer64 when each value is an integer in its plain form ("12", not "0012" or
    /// "+12"), Real when each is a number in its shortest form ("10.227", not "1.50" or "1e5"),
    /// String otherwise. Empty values fit any type.
    public func inferredSchema() -> Schema {
        Schema(header.indices.map { c in
            var integer = true, real = true
            for r in rows {
                let v = r[c]
                if v.isEmpty { continue }
                if integer, let n = Int64(v), String(n) == v { continue }
                integer = false
                if real, let d = Double(v), d.isFinite, CSVTable.shortestPlain(d) == v { continue }
                real = false
                break
            }
            return FieldDefinition(header[c], integer ? .integer64 : real ? .real : .string)
        })
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
            let sep = separatorOf(bytes)
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

    private static func isValidUTF8(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        // Fast path for ASCII, then the standard library's validation.
        var i = 0
        while i < b.count && b[i] < 0x80 { i += 1 }
        if i == b.count { return true }
        return String(validating: b, as: UTF8.self) != nil
    }

    /// `;` when the header line has semicolons and no commas, a tab for tab-separated headers, else `,`.
    private static func separatorOf(_ b: UnsafeBufferPointer<UInt8>) -> UInt8 {
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

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        let separator: UInt8
        var pos = 0
        var record = 0
        var field: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>, separator: UInt8) { self.bytes = bytes; self.separator = separator }

        mutating func nextRecord(path: String) throws -> [String]? {
            guard pos < bytes.count else { return nil }
            record += 1
            var out: [String] = []
            while true {
                // One field.
                field.removeAll(keepingCapacity: true)
                var end = false
                if pos < bytes.count && bytes[pos] == 34 {
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
                    while pos < bytes.count, bytes[pos] != separator, bytes[pos] != 10, bytes[pos] != 13 { field.append(bytes[pos]); pos += 1 }
                } else {
                    let start = pos
                    while pos < bytes.count {
                        let c = bytes[pos]
                        if c == separator || c == 10 || c == 13 { break }
                        if c == 0 { throw nul(path) }
                        pos += 1
                    }
                    field.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<pos]))
                }
                out.append(String(decoding: field, as: UTF8.self))
                if pos >= bytes.count { end = true }
                else if bytes[pos] == separator { pos += 1; continue }
                else {
                    if bytes[pos] == 13 { pos += 1 }
                    if pos < bytes.count && bytes[pos] == 10 { pos += 1 }
                    end = true
                }
                if end { return out }
            }
        }

        func nul(_ path: String) -> GeoError {
            GeoError(.read, "a NUL byte in the text (a binary or UTF-16 file?)", file: path, index: max(1, record - 1),
                     hint: "save the table as UTF-8 CSV")
        }
    }
}
