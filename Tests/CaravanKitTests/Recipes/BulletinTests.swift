import Foundation
import Testing
@testable import CaravanKit

/// The bulletin's numbers on a hand-made table whose answers are counted by hand.
@Suite("Bulletin: counts per country and province, the period before, hot spots by town")
struct BulletinTests {
    static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
        }
        return "."
    }()

    func feature(_ date: String, _ place: String, _ status: String, _ country: String, _ kg: Double, _ lonlat: (Double, Double)?) -> String {
        let g = lonlat.map { "{\"type\":\"Point\",\"coordinates\":[\($0.0),\($0.1)]}" } ?? "null"
        return "{\"type\":\"Feature\",\"geometry\":\(g),\"properties\":{\"date\":\"\(date)\",\"place\":\"\(place)\",\"match_status\":\"\(status)\",\"match_country\":\"\(country)\",\"amount_kg\":\(kg)}}"
    }

    @Test("the period's counts by country and province, the period before, weights, rows not geocoded")
    func counts() throws {
        let dir = NSTemporaryDirectory() + "caravan-bulletin-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let rows = [
            feature("2023-12-25", "Dushanbe", "matched", "TJ", 2.0, (68.78, 38.54)),   // now, TJ, Dushanbe
            feature("2023-12-31", "Tashkent", "matched", "UZ", 1.5, (69.24, 41.30)),   // now, UZ, Tashkent
            feature("2023-12-24", "Dushanbe", "matched", "TJ", 4.0, (68.78, 38.54)),   // before
            feature("2023-12-18", "Bishkek", "matched", "KG", 1.0, (74.59, 42.87)),    // before
            feature("2023-12-17", "Bishkek", "matched", "KG", 9.0, (74.59, 42.87)),    // neither
            feature("2023-12-26", "see above", "unmatched", "", 0.5, nil),             // now, not located
            feature("2024-01-01", "Osh", "matched", "KG", 9.0, (72.80, 40.53)),        // neither
            feature("2023-12-28", "50.0, 60.0", "matched", "", 3.0, (60.0, 50.0)),     // now, coordinates: the province's country
        ]
        let events = dir + "/events.geojson"
        try ("{\"type\":\"FeatureCollection\",\"features\":[" + rows.joined(separator: ",") + "]}").write(toFile: events, atomically: true, encoding: .utf8)
        let cell = { (x: Double, y: Double, bin: Int, z: Double) in
            "{\"type\":\"Feature\",\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[\(x),\(y)],[\(x + 0.2),\(y)],[\(x + 0.2),\(y + 0.2)],[\(x),\(y + 0.2)],[\(x),\(y)]]]},\"properties\":{\"SOURCE_ID\":\"a\",\"count\":3,\"GiZScore\":\(z),\"GiPValue\":0.01,\"NNeighbors\":9,\"Gi_Bin\":\(bin)}}"
        }
        let hot = dir + "/hot.geojson"
        try ("{\"type\":\"FeatureCollection\",\"features\":[" + [cell(68.7, 38.5, 3, 3.1), cell(68.6, 38.5, 2, 2.2), cell(60, 45, 1, 1.7), cell(80, 45, -2, -2.1)].joined(separator: ",") + "]}")
            .write(toFile: hot, atomically: true, encoding: .utf8)

        var o = BulletinOptions(events: events, until: "2023-12-31", output: dir + "/b.html")
        o.weight = "amount_kg"
        o.provinces = Self.root + "/shapefiles/provinces.shp"
        o.hotspots = hot
        let d = try makeBulletin(o)
        #expect(d.from == "2023-12-25" && d.previousFrom == "2023-12-18" && d.previousUntil == "2023-12-24")
        #expect(d.eventsNow == 4 && d.eventsBefore == 2)
        #expect(abs(d.weightNow - 7.0) < 1e-9 && abs(d.weightBefore - 5.0) < 1e-9)
        #expect(d.byCountry.map { "\($0.name) \($0.now)/\($0.before)" } == ["TJ 1/1", "KZ 1/0", "UZ 1/0", "not located 1/0", "KG 0/1"])
        #expect(d.byProvince.map { "\($0.name) \($0.country) \($0.now)/\($0.before)" } == ["Dushanbe TJ 1/1", "Aqtöbe KZ 1/0", "Tashkent UZ 1/0", "Bishkek KG 0/1"])
        #expect(d.outsideProvinces == 1)
        #expect(d.unmatchedNow.map { "\($0.row) \($0.place)" } == ["6 see above"] && d.unmatchedTotal == 1)
        // Two hot cells at 95 %+ near Dushanbe are one line; the 90 % cell is left out; one cold cell.
        #expect(d.hotUnits95 == 2 && d.coldUnits95 == 1)
        #expect(d.hotPlaces.map { "\($0.place) \($0.country) \($0.units) \($0.bestBin)" } == ["Dushanbe TJ 2 3"])
        #expect(abs((d.hotPlaces.first?.events ?? 0) - 6) < 1e-9)

        let html = BulletinPage.html(d, generated: "now", caravanVersion: "test")
        #expect(html.contains("<td>Aqtöbe</td><td>KZ</td><td class=\"n\">1</td><td class=\"n\">0</td><td class=\"n up\">+1</td>"))
        #expect(html.contains("<td>TJ</td><td class=\"n\">1</td><td class=\"n\">1</td><td class=\"n \">±0 (±0 %)</td>"))
        #expect(html.contains("<td>see above</td>") && html.contains("<svg"))
        #expect(BulletinPage.change(3, 4) == "−1 (−25 %)" && BulletinPage.esc("a<b & \"c\"") == "a&lt;b &amp; &quot;c&quot;")
    }

    @Test("a bad date or a missing field is refused with a hint")
    func refused() throws {
        #expect(throws: GeoError.self) { try makeBulletin(BulletinOptions(events: "x", until: "31.12.2023", output: "y")) }
        do {
            var o = BulletinOptions(events: Self.root + "/samples/events/caricc-2022.csv", until: "2022-09-30", output: "y")
            o.dateField = "when"
            _ = try makeBulletin(o)
            Issue.record("no error")
        } catch let e as GeoError {
            #expect(e.description.contains("no date field 'when'") && e.hint?.contains("{dateField}") == true)
        }
    }
}
