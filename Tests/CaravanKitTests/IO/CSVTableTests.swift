import Foundation
import Testing
@testable import CaravanKit

/// The bulk CSV reader, checked against GDAL's CSV driver reading the same files.
@Suite("Plain CSV tables read in bulk")
struct CSVTableTests {
    /// GDAL's CSV driver reading a table with every value as text (no type detection), through
    /// ogr2ogr to GeoJSON: header and values.
    static func gdal(_ path: String) throws -> ([String], [[String]]) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ogr2ogr")
        p.arguments = ["-f", "GeoJSON", "/vsistdout/", path, "-oo", "AUTODETECT_TYPE=NO", "-oo", "EMPTY_STRING_AS_NULL=NO",
                       "-oo", "KEEP_GEOM_COLUMNS=YES", "-oo", "X_POSSIBLE_NAMES=none_such", "-oo", "Y_POSSIBLE_NAMES=none_such"]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let json = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let features = json["features"] as! [[String: Any]]
        // Column order from the header line GDAL kept: the first feature's keys are unordered, so read the names from the file.
        var text = String(decoding: data, as: UTF8.self)
        if let r = text.range(of: "\"properties\": {") { text = String(text[r.upperBound...]) }
        guard let first = features.first?["properties"] as? [String: Any] else { return ([], []) }
        let names = first.keys.sorted { text.range(of: "\"\($0)\":")!.lowerBound < text.range(of: "\"\($1)\":")!.lowerBound }
        return (names, features.map { f in
            let props = f["properties"] as! [String: Any]
            return names.map { props[$0] as? String ?? "" }
        })
    }

    @Test("the same header and values as GDAL's CSV driver: sample tables and hostile quoting")
    func sameAsGDAL() throws {
        let dir = TempDir()
        let cases = [
            repositoryRoot + "/samples/events/seizures.csv",
            dir.write("q.csv", "id,name,note\n0012,\"Ташкент, city\",\"he said \"\"hi\"\"\"\n0013,,\"two\nlines\"\r\n0014,Osh ,  spaced\n"),
            dir.write("s.csv", "\u{FEFF}id;name;kg\n1;Термез;2,5\n2;\"a;b\";\n"),
            dir.write("t.tsv", "id\tname\n1\tTermez\n"),
        ]
        for path in cases {
            guard let table = try CSVTable.read(path) else { Issue.record("\(path) not read"); continue }
            let (h, rows) = try Self.gdal(path)
            #expect(table.header == h, "\(path)")
            #expect(table.rows.count == rows.count, "\(path)")
            var diff = 0
            for (a, b) in zip(table.rows, rows) where a != b { diff += 1; if diff < 3 { Issue.record("\(a) vs GDAL \(b)") } }
            #expect(diff == 0, "\(path)")
        }
        #expect(try CSVTable.read(cases[1])!.rows[0][0] == "0012")
        #expect(try CSVTable.read(cases[2])!.separator == ";")
    }

    @Test("GDAL keeps what it alone handles: .csvt, WKT columns, ragged rows, UTF-16, other extensions; NUL is an error")
    func fallbacks() throws {
        let dir = TempDir()
        let typed = dir.write("typed.csv", "id,n\n1,2\n")
        _ = dir.write("typed.csvt", "Integer,Integer\n")
        #expect(try CSVTable.read(typed) == nil)
        #expect(try CSVTable.read(dir.write("w.csv", "id,WKT\n1,\"POINT (1 2)\"\n")) == nil)
        #expect(try CSVTable.read(dir.write("r.csv", "a,b\n1,2,3\n")) == nil)
        let utf16 = dir.file("u.csv")
        try Data([0xFF, 0xFE] + Array("a,b\n".utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }).write(to: URL(fileURLWithPath: utf16))
        #expect(try CSVTable.read(utf16) == nil)
        let latin = dir.file("latin.csv")
        try Data([0x61, 0x2C, 0x62, 0x0A, 0xC0, 0xE1, 0x2C, 0x31, 0x0A]).write(to: URL(fileURLWithPath: latin))   // Windows-1251 bytes
        #expect(try CSVTable.read(latin) == nil)
        #expect(try CSVTable.read(dir.write("x.xlsx", "a,b\n")) == nil)
        let nul = dir.write("nul.csv", "a,b\n1,x\u{0}y\n")
        #expect(throws: GeoError.self) { _ = try CSVTable.read(nul) }
    }

    @Test("inferred types keep every value: 0012 and 1e5 stay text, 10.227 and 1.50 are numbers")
    func inferredTypes() throws {
        let dir = TempDir()
        let t = try CSVTable.read(dir.write("t.csv", "id,code,kg,kg2,n,e\n1,0012,10.227,1.50,3,1e5\n2,0013,,2,-4,2\n"))!
        let schema = t.inferredSchema()
        #expect(schema.fields.map(\.type) == [.integer64, .string, .real, .real, .integer64, .string])
        let f = t.feature(0, schema: schema)
        #expect(f["code"] == .string("0012"))
        #expect(f["kg"] == .real(10.227))
        #expect(t.feature(1, schema: schema)["kg"] == .null)
        // Written back through the CSV encoder: the same values; a decimal loses its trailing zeros.
        let w = try VectorWriter(path: dir.file("back.csv"), geometryType: .none, crs: nil, fields: schema.fields)
        for i in t.rows.indices { try w.write(t.feature(i, schema: schema)) }
        try w.commit()
        #expect(try String(contentsOfFile: dir.file("back.csv"), encoding: .utf8) == "id,code,kg,kg2,n,e\n1,0012,10.227,1.5,3,1e5\n2,0013,,2,-4,2\n")
    }

    @Test("a one-column table keeps its blank rows; a 200,000-row table reads every row")
    func rowsKept() throws {
        let dir = TempDir()
        #expect(try CSVTable.read(dir.write("one.csv", "name\nOsh\n\nNaryn\n"))!.rows == [["Osh"], [""], ["Naryn"]])
        var text = "id,place\n"
        for i in 0..<200_000 { text += "\(i),place \(i % 977)\n" }
        let t = try CSVTable.read(dir.write("big.csv", text))!
        #expect(t.rows.count == 200_000)
        #expect(t.rows[199_999] == ["199999", "place \(199_999 % 977)"])
        let schema = t.schema
        #expect(t.feature(4, schema: schema)["place"] == .string("place 4"))
        #expect(try CSVTable.read(dir.write("e.csv", "a,b\n,x\n"))!.feature(0, schema: Schema([FieldDefinition("a", .string), FieldDefinition("b", .string)]))["a"] == .null)
        #expect(t.feature(4, schema: schema).fid == 5)
    }
}
