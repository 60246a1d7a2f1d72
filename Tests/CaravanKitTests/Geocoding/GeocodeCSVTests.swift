import Foundation
import Testing
@testable import CaravanKit

/// The byte path of `geocodeTable` (a plain CSV into a CSV, GeocodeCSV.swift) must write exactly
/// what the general path writes (rows read as `CSVFile.values`, written by the CSV encoder).
@Suite("Geocoding a CSV on its bytes")
struct GeocodeCSVTests {
    /// Both paths on one input; the outputs (and reports) as bytes.
    func both(_ input: String, in dir: TempDir, countryColumn: String? = nil, country: String? = nil,
              chunkRows: Int = 65_536, cacheLimit: Int = 100_000) throws -> (fast: [UInt8], general: [UInt8], fastReport: [UInt8], generalReport: [UInt8],
                                                                            fastSummary: GeocodeSummary, generalSummary: GeocodeSummary) {
        var outputs: [[UInt8]] = [], summaries: [GeocodeSummary] = []
        for byteCopy in [true, false] {
            var o = GeocodeTableOptions(column: "place")
            o.countryColumn = countryColumn
            o.country = country
            o.byteCopy = byteCopy
            o.chunkRows = chunkRows
            o.cacheLimit = cacheLimit
            let out = dir.file("out-\(byteCopy).csv"), report = dir.file("fix-\(byteCopy).csv")
            o.report = report
            o.write.overwrite = true
            summaries.append(try geocodeTable(input, to: out, geocoder: sharedGeocoder, options: o))
            outputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: out))))
            outputs.append((try? Data(contentsOf: URL(fileURLWithPath: report))).map(Array.init) ?? [])
        }
        return (outputs[0], outputs[2], outputs[1], outputs[3], summaries[0], summaries[1])
    }

    func expectSame(_ r: (fast: [UInt8], general: [UInt8], fastReport: [UInt8], generalReport: [UInt8],
                          fastSummary: GeocodeSummary, generalSummary: GeocodeSummary), _ what: String) {
        #expect(!r.fast.isEmpty)
        if r.fast != r.general {
            let a = String(decoding: r.fast, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let b = String(decoding: r.general, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            let i = (0..<min(a.count, b.count)).first { a[$0] != b[$0] } ?? min(a.count, b.count)
            Issue.record("\(what): line \(i + 1) differs: byte path \(i < a.count ? String(a[i]) : "(none)") | general \(i < b.count ? String(b[i]) : "(none)")")
        }
        #expect(r.fastReport == r.generalReport, "\(what): the reports differ")
        #expect(r.fastSummary.rows == r.generalSummary.rows && r.fastSummary.matched == r.generalSummary.matched
                && r.fastSummary.ambiguous == r.generalSummary.ambiguous && r.fastSummary.byPrecision == r.generalSummary.byPrecision, "\(what)")
    }

    @Test("the hard cases: BOM, semicolons, CRLF, quotes, line breaks in quotes, short rows, own lon/lat, a country column")
    func hardCases() throws {
        let dir = TempDir()
        let input = dir.write("e1.csv", "\u{FEFF}id;place;lon;lat;country;amt\r\n0012;\"Tashkent\";69.2;41.3;UZ;2.50\r\n13;Osh;;;;1e3\r\n"
            + "14;\"Bishkek; KG\";x;;KG;-0.0\r\n15;\"multi\nline\";1;2;TJ;4.000\r\n16;;;;;\r\n17;Dushanbe\r\n18;\"Кабул\";;;AF;0.5\r\n"
            + "19;\"He said \"\"Osh\"\"\";;;KG;7\r\n")
        let r = try both(input, in: dir, countryColumn: "country")
        expectSame(r, "e1")
        let text = String(decoding: r.fast, as: UTF8.self)
        // Values as written: "0012", "2.50" (a text column here, for "x"), the quote doubled again.
        #expect(text.contains("0012,Tashkent,69.2,41.3,UZ,2.50,matched,Tashkent,UZ,1,exact,town,69.21627,41.26465\n"))
        #expect(text.contains("19,\"He said \"\"Osh\"\"\",,,KG,7,unmatched,,,0,,,,\n"))
        #expect(text.contains("17,Dushanbe,,,,,matched,Dushanbe,TJ,"))
    }

    @Test("numbers: a real column's trailing zeros dropped as the encoder drops them, integers as written, long decimals kept")
    func numbers() throws {
        let dir = TempDir()
        let input = dir.write("n.csv", "n,place,w,k\n1,Almaty,0.10,7\n2,\"Almaty\",5,-3\n3,almaty ,-1.50,0\n4,Khorog,12345678901234,12\n"
            + "5,Xyzzyq,1.0,5\n6,Kabul Kandahar road,96367.968722356350,6\n7,\"41.3, 69.2\",-0.0,8\n8,Osh,,\n")
        let r = try both(input, in: dir, country: "KZ")
        expectSame(r, "numbers")
        let text = String(decoding: r.fast, as: UTF8.self)
        #expect(text.contains("\n1,Almaty,0.1,7,matched,Almaty,KZ,1,"))
        #expect(text.contains("\n3,almaty ,-1.5,0,"))
        #expect(text.contains("\n6,Kabul Kandahar road,96367.96872235635,6,"))
        #expect(text.contains("\n7,\"41.3, 69.2\",-0,8,matched,coordinates,"))
    }

    @Test("random tables, in chunks of a few rows and with the answers started afresh, write what the general path writes")
    func randomTables() throws {
        let dir = TempDir()
        var rng = SeededRNG(seed: 11)
        let places = ["Tashkent", "Osh", "Almaty", "Кабул", "Душанбе", "Khorog", "Hirat", "Mazar-i-Sharif", "Karshi", "Kashi",
                      "Xyzzyq", "heroin", "", "  Bishkek ", "Bishkek, KG", "Ош", "Termez district", "N/A", "Kabul Kandahar road",
                      "41.3, 69.2", "Sary Tash", "Aleksandrovka", "Panj", "Fayzabad Badakhshan", "Нур-Султан", "São Paulo", "Zürich"]
        let countries = ["", "UZ", "KG", "KZ", "TJ", "AF", "Kyrgyzstan", "xx"]
        func decimal() -> String {
            let digits = Int.random(in: 0...99_999, using: &rng)
            let zeros = String(repeating: "0", count: Int.random(in: 0...3, using: &rng))
            return (Bool.random(using: &rng) ? "-" : "") + "\(digits / 100).\(digits % 100)" + zeros
        }
        for table in 0..<6 {
            var lines = ["id,place,country,amount,count,note"]
            for i in 0..<300 {
                let place = places.randomElement(using: &rng)!
                let quoted = place.contains(",") || Bool.random(using: &rng) ? "\"\(place)\"" : place
                let note = ["", "a \"\"q\"\"", "x;y", "plain"].randomElement(using: &rng)!
                var fields = [String(format: "%04d", i), quoted, countries.randomElement(using: &rng)!, decimal(), "\(Int.random(in: -50...500, using: &rng))",
                              note.contains("\"") ? "\"\(note)\"" : note]
                if Int.random(in: 0..<10, using: &rng) == 0 { fields.removeLast(Int.random(in: 1...3, using: &rng)) }
                lines.append(fields.joined(separator: ","))
            }
            let input = dir.write("t\(table).csv", lines.joined(separator: table % 2 == 0 ? "\n" : "\r\n") + "\n")
            let chunk = [7, 64, 1000][table % 3]
            expectSame(try both(input, in: dir, countryColumn: table < 3 ? "country" : nil, chunkRows: chunk, cacheLimit: table == 4 ? 5 : 100_000),
                       "table \(table) in chunks of \(chunk)")
        }
    }

    @Test("a byte key table numbers distinct keys as met, tells byte strings apart that only differ at the end, and grows")
    func keyTable() {
        var t = ByteKeyTable()
        var seen: [[UInt8]: Int32] = [:]
        var rng = SeededRNG(seed: 3)
        for _ in 0..<20_000 {
            let key = (0..<Int.random(in: 0...6, using: &rng)).map { _ in UInt8.random(in: 97...100, using: &rng) }
            let h = key.withUnsafeBufferPointer { Gazetteer.fnv($0) }
            // Some keys are given one colliding hash: equal hashes must still compare the bytes.
            let hash = key.isEmpty || (key.count == 5 && key[0] == 97) ? 42 : h
            let (id, isNew) = key.withUnsafeBufferPointer { t.id(of: $0, hash: hash) }
            if let old = seen[key] { #expect(id == old && !isNew) } else {
                #expect(isNew && Int(id) == seen.count)
                seen[key] = id
            }
            #expect(Array(t.key(id)) == key)
        }
        #expect(t.count == seen.count && t.count > 4096 / 2)
    }
}
