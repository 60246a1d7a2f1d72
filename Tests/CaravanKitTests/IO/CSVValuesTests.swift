import Foundation
import Testing
@testable import CaravanKit

/// Values leave caravan as they came in: CSV columns are not type-sniffed, and the CSV edge
/// cases of the hostile trial (NUL bytes, blank lines, duplicate headers) lose nothing silently.
@Suite("CSV values as written, and CSV edge cases")
struct CSVValuesTests {
    /// Ids with leading zeros, a number-like code, ISO and Russian dates, padding, a real and an integer.
    static let text = "id,code,expo,iso,ru,pad,place,kg,n\n"
        + "0012,007,1e3,2023-01-05,05.01.2023, padded ,Tashkent,10.227,12\n"
        + "0013,010,2E5,2023-12-31,31.12.2023,\"  two  \",Osh,2.5,-4\n"
    static let asWritten: [[String]] = [
        ["0012", "007", "1e3", "2023-01-05", "05.01.2023", " padded ", "Tashkent", "10.227", "12"],
        ["0013", "010", "2E5", "2023-12-31", "31.12.2023", "  two  ", "Osh", "2.5", "-4"],
    ]
    static let columns = ["id", "code", "expo", "iso", "ru", "pad", "place", "kg", "n"]

    /// The values as text, from a file caravan wrote, read by GDAL with every value as text.
    static func gdalText(_ path: String, layer: String? = nil) throws -> [[String]] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ogr2ogr")
        var args = ["-f", "CSV", "/vsistdout/", path, "-lco", "STRING_QUOTING=IF_NEEDED"]
        // GDAL's own readers type-sniff (XLSX cells, GeoJSON date strings): read every value as text.
        if path.hasSuffix(".xlsx") { args += ["-oo", "FIELD_TYPES=STRING"] }
        if path.hasSuffix(".geojson") { args += ["-oo", "DATE_AS_STRING=YES"] }
        if let layer { args.append(layer) }   // a GeoPackage holds QGIS's layer_styles too
        p.arguments = args
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "ogr2ogr \(path): \(message)")
        let tmp = TempDir()
        let table = try #require(try CSVTable.read(tmp.write("back.csv", String(decoding: data, as: UTF8.self))))
        let idx = try columns.map { try #require(table.column($0)) }
        return table.rows.map { r in idx.map { r[$0] } }
    }

    @Test("convert to CSV, GeoJSON, GeoPackage and XLSX keeps every value byte for byte (GeoJSON: text as strings)")
    func convertKeepsValues() throws {
        let dir = TempDir()
        let input = dir.write("v.csv", Self.text)
        for ext in ["csv", "geojson", "gpkg", "xlsx"] {
            let out = dir.file("v_out.\(ext)")
            _ = try convert(source: Dataset.open(input), to: out, options: ConvertOptions())
            if ext == "csv" {
                #expect(try String(contentsOfFile: out, encoding: .utf8) == Self.text.replacingOccurrences(of: "\"  two  \"", with: "  two  "))
            }
            #expect(try Self.gdalText(out) == Self.asWritten, "\(ext)")
        }
        // GeoJSON: the ids, codes and dates are JSON strings; the real and integer columns numbers.
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("v_out.geojson")))) as! [String: Any]
        let props = (json["features"] as! [[String: Any]])[0]["properties"] as! [String: Any]
        for c in ["id", "code", "expo", "iso", "ru", "pad"] { #expect(props[c] is String, "\(c)") }
        #expect(props["id"] as? String == "0012" && props["expo"] as? String == "1e3" && props["pad"] as? String == " padded ")
        #expect((props["kg"] as? NSNumber)?.doubleValue == 10.227)   // plain decimals stay numbers
        #expect((props["n"] as? NSNumber)?.intValue == 12)
    }

    @Test("geocode keeps every input value byte for byte, to CSV, GeoJSON, GeoPackage and XLSX")
    func geocodeKeepsValues() throws {
        let dir = TempDir()
        let input = dir.write("v.csv", Self.text)
        for ext in ["csv", "geojson", "gpkg", "xlsx"] {
            let out = dir.file("g.\(ext)")
            let s = try geocodeTable(input, to: out, geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
            #expect(s.rows == 2 && s.matched == 2)
            #expect(try Self.gdalText(out, layer: ext == "gpkg" ? "v" : nil) == Self.asWritten, "\(ext)")
        }
        let lines = try String(contentsOfFile: dir.file("g.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines[1].hasPrefix("0012,007,1e3,2023-01-05,05.01.2023, padded ,Tashkent,10.227,12,matched,Tashkent,UZ"))
    }

    @Test("a column of plain numbers stays a number (for --where and QGIS); weights in a text column are parsed on use")
    func numbersOnUse() throws {
        let dir = TempDir()
        let input = dir.write("w.csv", "id,lon,lat,kg,w,t\n1,69.2,41.3,2.50,3,.5\n2,72.8,40.5,4.0,x,1e3\n")
        let (layer, f) = try readAll(input)
        // "2.50" and "4.0" are numbers (the value is kept, not the trailing zeros); ".5" and "1e3" text.
        #expect(layer.schema.fields.map(\.type) == [.integer64, .real, .real, .real, .string, .string])
        #expect(f[0].geometry == .point(XY(69.2, 41.3)))
        #expect(f[0]["kg"] == .real(2.5) && f[1]["kg"] == .real(4))
        #expect(f[0]["t"] == .string(".5") && f[0]["t"].doubleValue == 0.5)
        #expect(layer.readsAsNumber(5))
        // A --where comparing a text column with a number says how to compare numbers.
        #expect { try layer.setAttributeFilter("t > 3") } throws: { ($0 as? GeoError)?.hint?.contains("CAST(") == true }
        try layer.setAttributeFilter("CAST(t AS float) > 3")
        #expect(try layer.featureCount() == 1)
    }

    @Test("a NUL byte is an error naming the file and row, never a row cut short (GDAL would drop the rest of the row)")
    func nulByte() throws {
        let dir = TempDir()
        let input = dir.write("nul.csv", "id,place,note\n1,Osh,a\n2,Tash\u{0}kent,b\n")
        for open in [{ _ = try Dataset.open(input) }, { _ = try CSVFile.open(input) }] as [() throws -> Void] {
            #expect { try open() } throws: { e in
                let g = e as? GeoError
                return g?.file == input && g?.index == 2 && g?.message.contains("NUL") == true
            }
        }
        #expect(throws: GeoError.self) { try geocodeTable(input, to: dir.file("o.csv"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place")) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("o.csv")))
    }

    @Test("a one-column list keeps its blank lines as rows (GDAL reads), and geocode reports them unmatched")
    func oneColumnBlankLines() throws {
        let dir = TempDir()
        let input = dir.write("places.csv", "place\nTashkent\n\nOsh\n\r\nTermez\n")
        let (layer, f) = try readAll(input)
        #expect(layer.name == "places")
        #expect(f.map { $0["place"] } == [.string("Tashkent"), .null, .string("Osh"), .null, .string("Termez")])
        let s = try geocodeTable(input, to: dir.file("o.csv"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
        #expect(s.rows == 5 && s.matched == 3 && s.unmatched == 2)
        let tsv = dir.write("places.tsv", "place\nOsh\n\nNaryn\n")
        #expect(try readAll(tsv).0.schema.names == ["place"])
        #expect(try readAll(tsv).1.count == 3)
        // A quoted field spanning lines is one value, not a blank row.
        let multi = dir.write("m.csv", "note\n\"a\n\nb\"\nc\n")
        #expect(try readAll(multi).1.map { $0["note"] } == [.string("a\n\nb"), .string("c")])
    }

    @Test("a header naming a column twice is a one-line error saying what to do, for GDAL's reader and the bulk one")
    func duplicateHeaders() throws {
        let dir = TempDir()
        for text in ["id,place,Place\n1,Osh,x\n", "id,place,id\n1,Osh,2\n"] {
            let input = dir.write("dup.csv", text)
            #expect { try Dataset.open(input) } throws: { e in
                let g = e as? GeoError
                return g?.message.contains("twice") == true && g?.hint?.contains("rename") == true && !g!.description.contains("CREATE TABLE")
            }
            #expect { try geocodeTable(input, to: dir.file("o.gpkg"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place")) }
                throws: { ($0 as? GeoError)?.message.contains("twice") == true }
        }
    }

    @Test("a row with more values than the header is an error naming the row; a trailing empty value is not")
    func wideRows() throws {
        let dir = TempDir()
        #expect { try Dataset.open(dir.write("w.csv", "a,b\n1,2\n3,4,5\n")) } throws: { ($0 as? GeoError)?.index == 2 }
        #expect(try readAll(dir.write("t.csv", "a,b\n1,2,\n3,4,\n")).1.count == 2)
    }

    @Test("re-geocoding a geocoded table says what to do instead of failing on duplicate columns")
    func regeocode() throws {
        let dir = TempDir()
        let input = dir.write("in.csv", "id,place\n1,Osh\n")
        _ = try geocodeTable(input, to: dir.file("once.gpkg"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
        for again in [dir.file("once.gpkg"), { () -> String in
            _ = try? geocodeTable(input, to: dir.file("once.csv"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
            return dir.file("once.csv")
        }()] {
            #expect { try geocodeTable(again, to: dir.file("twice.gpkg"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place")) }
                throws: { e in
                    let g = e as? GeoError
                    return g?.message.contains("geocoded already") == true && g?.hint?.contains("{select} id,place") == true
                }
        }
    }

    @Test("input lon/lat columns are kept as they are (400 included); the geocoded point goes to match_lon/match_lat")
    func ownLonLat() throws {
        let dir = TempDir()
        let input = dir.write("ll.csv", "id,place,lon,lat\n1,Osh,,\n2,Tashkent,12.5,400\n3,heroin,1,2\n")
        let s = try geocodeTable(input, to: dir.file("o.csv"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
        #expect(s.rows == 3 && s.matched == 2)
        let lines = try String(contentsOfFile: dir.file("o.csv"), encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines[0] == "id,place,lon,lat,match_status,match_name,match_country,match_score,match_kind,match_precision,match_lon,match_lat")
        #expect(lines[2] == "2,Tashkent,12.5,400,matched,Tashkent,UZ,1,exact,town,69.21627,41.26465")
        #expect(lines[3] == "3,heroin,1,2,unmatched,,,0,,,,")
        // GeoJSON: the geocoded point is the geometry; the input columns stay properties.
        _ = try geocodeTable(input, to: dir.file("o.geojson"), geocoder: sharedGeocoder, options: GeocodeTableOptions(column: "place"))
        let (_, f) = try readAll(dir.file("o.geojson"))
        #expect(f[1].geometry == .point(XY(69.21627, 41.26465)) && f[1]["lat"].doubleValue == 400)
        #expect(f[2].geometry == nil)
    }

    @Test("the bulk reader and GDAL's reader give the same rows and types for the sample tables")
    func bulkAsGDAL() throws {
        for path in ["samples/events/seizures.csv", "samples/events/caricc-2022.csv", "samples/routes/flows.csv"].map({ repositoryRoot + "/" + $0 }) {
            let bulk = try #require(try CSVFile.open(path))
            let (layer, f) = try readAll(path)
            #expect(bulk.schema.fields.map(\.type) == layer.schema.fields.map(\.type), "\(path)")
            #expect(bulk.header == layer.schema.names)
            #expect(bulk.count == f.count)
            var diff = 0
            for i in 0..<bulk.count where bulk.values(i) != f[i].values { diff += 1 }
            #expect(diff == 0, "\(path)")
        }
    }

    @Test("the byte-level number check decides as the exact one (the value read back and printed is the text itself)")
    func numberCheck() {
        func exact(_ v: String, _ state: UInt8) -> UInt8 {
            if state == 0, let n = Int64(v), String(n) == v { return 0 }
            if let d = Double(v), d.isFinite, CSVTable.shortestPlain(d) == v { return 1 }
            // A plain decimal with trailing zeros ("1.50", "4.0") is the same value, written as
            // the shortest form without them.
            if v.contains("."), !v.hasSuffix("."), !v.contains("e"), !v.contains("E"), !v.hasPrefix("+"), !v.hasPrefix("."), !v.hasPrefix("-."),
               let d = Double(v), d.isFinite {
                var t = v
                while t.hasSuffix("0") { t.removeLast() }
                if t.hasSuffix(".") { t.removeLast() }
                if t == "-0" { t = "0" }
                if CSVTable.shortestPlain(d) == t || (t == "0" && d == 0) { return 1 }
            }
            return 2
        }
        var rng = SeededRNG(seed: 7)
        let alphabet = Array("0123456789-.e+")
        var cases = ["0", "-0", "00", "12", "0012", "-4", "+4", "1.5", "1.50", "0.1", "0.0001", "0.00001", "10.227", "-0.5", ".5", "5.",
                     "123456789012345", "1234567890123456", "12345678901234567", "123456789012345678", "1234567890123456789",
                     "0.123456789012345", "0.1234567890123456", "99999999999999.9", "1e5", "1E5", "1e-05", "-", "--1", "1-2", "1.2.3"]
        for _ in 0..<20_000 {
            let n = Int.random(in: 1...19, using: &rng)
            cases.append(String((0..<n).map { _ in alphabet[Int.random(in: 0..<(Int.random(in: 0...9, using: &rng) == 0 ? alphabet.count : 11), using: &rng)] }))
        }
        var wrong: [String] = []
        for c in cases {
            for state: UInt8 in [0, 1] {
                let fast = Array(c.utf8).withUnsafeBufferPointer { CSVScan.numberState($0, state) }
                if fast != exact(c, state) { wrong.append("\(c) (state \(state))") }
            }
        }
        #expect(wrong.isEmpty, "\(wrong.prefix(10))")
    }
}
