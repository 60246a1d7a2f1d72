import Foundation
import Testing
@testable import CaravanKit

@Suite("Geocoding tables and routes")
struct GeocodeTableTests {
    func run(_ input: String, column: String = "place", countryColumn: String? = nil, output: String, report: String? = nil) throws -> GeocodeSummary {
        var o = GeocodeTableOptions(column: column)
        o.countryColumn = countryColumn
        o.report = report
        return try geocodeTable(input, to: output, geocoder: sharedGeocoder, options: o)
    }

    @Test("the CARICC events: every place matched, Akhshabad is Ashgabat, rows in order with their columns")
    func events() throws {
        let dir = TempDir()
        let s = try run(repositoryRoot + "/samples/events/caricc-2022.csv", output: dir.file("e.geojson"))
        #expect(s.rows == 10 && s.matched == 10)
        let (_, f) = try readAll(dir.file("e.geojson"))
        let input = try readAll(repositoryRoot + "/samples/events/caricc-2022.csv").1
        #expect(f.map { $0["place"] } == input.map { $0["place"] })
        #expect(f.map { $0["summary"] } == input.map { $0["summary"] })
        let ak = try #require(f.first { $0["place"] == .string("Akhshabad") })
        #expect(ak["match_name"] == .string("Ashgabat") && ak["match_country"] == .string("TM"))
        for e in f { #expect(e["match_country"] == e["country"], "\(e["place"])") }
    }

    @Test("the synthetic seizures: every row matched, in the country the officer gave")
    func seizures() throws {
        let dir = TempDir()
        let s = try run(repositoryRoot + "/samples/events/seizures.csv", countryColumn: "country", output: dir.file("s.gpkg"))
        #expect(s.rows == 3000)
        #expect(s.matched == 3000, "\(s.ambiguous) ambiguous, \(s.unmatched) unmatched")
        let (_, f) = try readAll(dir.file("s.gpkg"))
        let wrongCountry = f.filter { ($0["country"].stringValue ?? "").count == 2 && $0["match_country"] != $0["country"] }
        #expect(wrongCountry.isEmpty, "\(wrongCountry.prefix(5).map { "\($0["place"]) → \($0["match_name"]) \($0["match_country"])" })")
    }

    @Test("CSV output: every row, match columns, lon and lat; unmatched rows keep their row; a report lists them")
    func csvAndReport() throws {
        let dir = TempDir()
        let input = dir.write("in.csv", "id,place,note\n1,Tashkent,a\n2,heroin,b\n3,\"41.3, 69.2\",c\n4,Aleksandrovka,d\n5,,e\n")
        let s = try run(input, output: dir.file("out.csv"), report: dir.file("fix.csv"))
        #expect(s.rows == 5 && s.matched == 2 && s.ambiguous == 1 && s.unmatched == 2)
        let text = try String(contentsOfFile: dir.file("out.csv"), encoding: .utf8)
        let lines = text.split(separator: "\n")
        #expect(lines[0] == "id,place,note,match_status,match_name,match_country,match_score,match_kind,match_precision,lon,lat")
        #expect(lines.count == 6)
        #expect(lines[1].hasPrefix("1,Tashkent,a,matched,Tashkent,UZ,1"))
        #expect(lines[1].hasSuffix(",69.21627,41.26465"))
        #expect(lines[2].hasPrefix("2,heroin,b,unmatched"))
        let report = try String(contentsOfFile: dir.file("fix.csv"), encoding: .utf8)
        #expect(report.contains("heroin") && report.contains("Aleksandrovka") && !report.contains("Tashkent"))
    }

    @Test("a one-column list of places (which GDAL 3.6 cannot open) is geocoded, and its temporary copy removed")
    func oneColumn() throws {
        let dir = TempDir()
        // A name no other suite uses: other suites running at the same time make temporary
        // copies of their own tables, so only a folder holding this name is this test's.
        let stem = "places-" + UUID().uuidString
        let input = dir.write(stem + ".csv", "place\r\nTashkent\r\nOsh\r\nheroin\r\n")
        let temp = NSTemporaryDirectory()
        let before = Set((try? FileManager.default.contentsOfDirectory(atPath: temp)) ?? [])
        let s = try run(input, output: dir.file("out.csv"))
        #expect(s.rows == 3 && s.matched == 2 && s.unmatched == 1)
        let lines = try String(contentsOfFile: dir.file("out.csv"), encoding: .utf8).split(separator: "\n")
        #expect(lines[0] == "place,match_status,match_name,match_country,match_score,match_kind,match_precision,lon,lat")
        #expect(lines[2].hasPrefix("Osh,matched,Osh,KG"))
        let after = Set((try? FileManager.default.contentsOfDirectory(atPath: temp)) ?? [])
        let ours = after.subtracting(before).filter {
            $0.hasPrefix("caravan-csv-") && FileManager.default.fileExists(atPath: temp + "/" + $0 + "/" + stem + ".csv")
        }
        #expect(ours.isEmpty)
        #expect(try Dataset.open(input).layer(named: nil).name == stem)
        // A file that is no table at all is still named as the user gave it.
        let junk = dir.write("junk.csv", "\u{0}\u{1}binary junk without separators\n\u{2}\u{3}")
        #expect { try Dataset.open(junk) } throws: { ($0 as? GeoError)?.file == junk }
    }

    @Test("a missing column lists the columns; an empty table says so; nothing is written")
    func badColumns() throws {
        let dir = TempDir()
        let input = dir.write("in.csv", "id,город\n1,Ташкент\n")
        do { _ = try run(input, column: "place", output: dir.file("o.csv")); Issue.record("expected an error") }
        catch let e as GeoError { #expect(e.message.contains("the columns are: id, город")) }
        let empty = dir.write("empty.csv", "id,place\n")
        do { _ = try run(empty, output: dir.file("o2.csv")); Issue.record("expected an error") }
        catch let e as GeoError { #expect(e.message.contains("no rows")) }
        #expect(!FileManager.default.fileExists(atPath: dir.file("o.csv")) && !FileManager.default.fileExists(atPath: dir.file("o2.csv")))
    }

    @Test("invalid UTF-8 (a CP1251 file) is read as Cyrillic with a warning; a 10,000-character cell stays, unmatched")
    func encodingAndLongCells() throws {
        let dir = TempDir()
        var bytes = Array("id,place\n1,".utf8)
        bytes += [0xD2, 0xE0, 0xF8, 0xEA, 0xE5, 0xED, 0xF2]     // "Ташкент" in Windows-1251
        bytes += Array("\n2,\(String(repeating: "x", count: 10_000))\n3,Osh\n".utf8)
        let input = dir.file("cp1251.csv")
        #expect(FileManager.default.createFile(atPath: input, contents: Data(bytes)))
        let log = WarningLog()
        let s = try log.collecting { try run(input, output: dir.file("o.gpkg")) }
        #expect(s.rows == 3 && s.matched == 2 && s.unmatched == 1)
        let (_, f) = try readAll(dir.file("o.gpkg"))
        #expect(f[0]["place"] == .string("Ташкент") && f[0]["match_name"] == .string("Tashkent"))
        #expect(f[1]["place"].stringValue?.count == 10_000)
        #expect(log.messages.contains { $0.contains("Windows-1251") })
    }

    @Test("routes from waypoints: lines along geodesics, lengths, and gaps for unmatched waypoints")
    func routes() throws {
        let dir = TempDir()
        let input = dir.write("w.csv", "route,order,place\nA,2,Bishkek\nA,1,Almaty\nA,3,Nowhereville Xq\nB,1,Tashkent\n")
        let r = try buildRoutes(input, routeColumn: "route", orderColumn: "order", placeColumn: "place", geocoder: sharedGeocoder)
        #expect(r.map(\.name) == ["A", "B"])
        let a = r[0]
        #expect(a.waypoints == 3 && a.matched == 2 && a.unmatched == ["Nowhereville Xq"])
        let expected = Geodesic.distance(LonLat(lon: 76.91150, lat: 43.25249), LonLat(lon: 74.59, lat: 42.87)) / 1000
        #expect(abs(a.lengthKm - expected) < 1e-9)
        let line = try #require(a.geometry?.linework.first)
        #expect(line.first == XY(76.91150, 43.25249) && line.last == XY(74.59, 42.87))
        #expect(line.count > 10)   // densified every 10 km
        #expect(r[1].geometry == nil && r[1].matched == 1)   // one point: no line, still reported
        try writeRoutes(r, to: dir.file("r.geojson"))
        let (_, f) = try readAll(dir.file("r.geojson"))
        #expect(f.count == 2 && f[0]["gaps"].doubleValue == 1)
        let sample = try buildRoutes(repositoryRoot + "/samples/routes/waypoints.csv", routeColumn: "route", orderColumn: "order",
                                     placeColumn: "place", geocoder: sharedGeocoder)
        #expect(sample.count == 5 && sample.allSatisfy { $0.unmatched.isEmpty })
    }
}
