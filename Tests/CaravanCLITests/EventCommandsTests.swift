import Foundation
import Testing

/// hotspots, kde and count on the demo's seizures, end to end.
@Suite("caravan hotspots, kde, count — the event commands on the demo's seizures", .serialized)
struct EventCommandsTests {
    /// The demo's geocoded seizures (made once per run).
    static let seizures: String = {
        let dir = NSTemporaryDirectory() + "caravan-cli-events-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/seizures.gpkg"
        if !FileManager.default.fileExists(atPath: path) {
            _ = try? caravan(["geocode", "samples/events/seizures.csv", "--column", "place", "--country-column", "country", "-o", path])
        }
        return path
    }()

    @Test("hot spots over the focus countries: every cell has neighbours, the table names places, the CRS is stated")
    func studyArea() throws {
        let dir = TempFolder()
        let r = try caravan(["hotspots", Self.seizures, "--cell", "25km", "--band", "100km", "--study-area", "shapefiles/countries.shp",
                             "--study-where", "role = 'focus'", "-o", dir.file("h.geojson"), "--report", dir.file("outside.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(!r.stderr.contains("no neighbour besides themselves"))
        #expect(!r.stderr.contains("e+"))
        #expect(r.stderr.contains("analysis CRS: Caravan Central Asia Albers"))
        #expect(r.stderr.contains("62 events fall outside every cell of the study area: row "))
        #expect(r.stdout.contains("Strongest hot spots") && r.stdout.contains("near") && r.stdout.contains("events within 100 km"))
        #expect(r.stdout.contains("Khatlon, TJ") || r.stdout.contains(", AF"))
        let report = try String(contentsOfFile: dir.file("outside.csv"), encoding: .utf8)
        #expect(report.split(separator: "\n").count == 63)
    }

    @Test("count per province with the border check, and with --assign-by")
    func count() throws {
        let dir = TempFolder()
        let r = try caravan(["count", Self.seizures, "--polygons", "shapefiles/countries.shp", "--weight", "amount_kg", "-o", dir.file("c.csv")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("events lie in another country's polygon than their 'country' says"))
        #expect(r.stderr.contains("TJ in AF") && r.stderr.contains("KZ in CN"))
        func events(_ out: String, _ country: String) -> Int? {
            let lines = out.split(separator: "\n")
            guard let start = lines.firstIndex(where: { $0.hasPrefix("Events per country") }) else { return nil }
            for l in lines[(start + 2)...] {
                let cells = l.split(separator: " ", omittingEmptySubsequences: true)
                if cells.first == Substring(country) { return Int(cells[1]) }
            }
            return nil
        }
        let tjBefore = try #require(events(r.stdout, "TJ"))
        let a = try caravan(["count", Self.seizures, "--polygons", "shapefiles/countries.shp", "--assign-by", "country",
                             "--report", dir.file("moved.csv"), "-o", dir.file("c2.csv")])
        #expect(a.status == 0, "\(a.stderr)")
        let tjAfter = try #require(events(a.stdout, "TJ"))
        #expect(tjAfter > tjBefore + 100)
        #expect(FileManager.default.fileExists(atPath: dir.file("moved.csv")))
        let p = try caravan(["count", Self.seizures, "--polygons", "shapefiles/provinces.shp", "--by", "drug", "--period", "year", "-o", dir.file("p.csv")])
        #expect(p.status == 0, "\(p.stderr)")
        let csv = try String(contentsOfFile: dir.file("p.csv"), encoding: .utf8)
        #expect(csv.contains("Tashkent (UZ, city)") && csv.contains("Tashkent region"))
        #expect(csv.split(separator: "\n")[0].contains("unit_name") && csv.split(separator: "\n")[0].contains("fips"))
    }

    @Test("kde states the weight's unit; sizes without units and coordinate-less tables are refused with the fix in the hint")
    func messages() throws {
        let dir = TempFolder()
        let k = try caravan(["kde", Self.seizures, "--cell", "10km", "--radius", "40km", "--weight", "amount_kg", "-o", dir.file("k.tif")])
        #expect(k.status == 0, "\(k.stderr)")
        #expect(k.stderr.contains("kg per km²"))
        let bare = try caravan(["hotspots", Self.seizures, "--cell", "25", "--band", "100km", "-o", dir.file("h.geojson")])
        #expect(bare.status == 1 && bare.stderr.contains("has no unit") && bare.stderr.contains("25km"))
        let noXY = try caravan(["kde", "samples/events/caricc-2022.csv", "--cell", "5km", "-o", dir.file("x.tif")])
        #expect(noXY.status == 1 && noXY.stderr.contains("geocode it first") && !noXY.stderr.contains("--s-srs"))
        let both = try caravan(["hotspots", Self.seizures, "--cell", "25km", "--polygons", "shapefiles/provinces.shp", "-o", dir.file("b.geojson")])
        #expect(both.status == 1 && both.stderr.contains("--polygons with --cell"))
    }

    @Test("help examples name files that exist after make demo")
    func helpExamples() throws {
        let demo = try String(contentsOfFile: packageRoot + "/scripts/demo.sh", encoding: .utf8)
        for command in ["hotspots", "kde", "count"] {
            let help = try caravan([command, "--help"]).stdout
            let words = help.split(whereSeparator: { " \n\\\"".contains($0) }).map { String($0).trimmingCharacters(in: CharacterSet(charactersIn: ".,;:()")) }
            for w in words where w.hasPrefix("shapefiles/") || w.hasPrefix("samples/") {
                #expect(FileManager.default.fileExists(atPath: packageRoot + "/" + w), "\(command) --help names \(w)")
            }
            let inputs = words.indices.filter { words[$0] == command && $0 > 0 && words[$0 - 1] == "caravan" }.map { words[$0 + 1] }.filter { !$0.hasPrefix("<") && !$0.hasPrefix("[") }
            #expect(!inputs.isEmpty)
            for i in inputs {
                #expect(i.hasPrefix("out/") ? demo.contains("$OUT/" + i.dropFirst(4)) : FileManager.default.fileExists(atPath: packageRoot + "/" + i),
                        "\(command) --help reads \(i)")
            }
        }
    }
}
