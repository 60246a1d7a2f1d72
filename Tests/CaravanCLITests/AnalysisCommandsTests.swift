import Foundation
import Testing

/// The analysis commands end to end: exit codes, outputs a GIS opens, one-line errors.
@Suite("caravan geocode, routes, density, crossings, hotspots, kde — end to end", .serialized)
struct AnalysisCommandsTests {
    func json(_ path: String) throws -> [[String: Any]] {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (d["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
    }

    @Test("geocode --query --json answers with status, place and score")
    func query() throws {
        let r = try caravan(["geocode", "--query", "Alma-Ata", "--json"])
        #expect(r.status == 0)
        let d = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        #expect(d["status"] as? String == "matched" && d["name"] as? String == "Almaty" && d["country"] as? String == "KZ")
        #expect(try caravan(["geocode", "--query", "heroin"]).stdout.contains("unmatched"))
    }

    @Test("geocode a table: a summary line; a missing column lists the columns and exits 1")
    func table() throws {
        let dir = TempFolder()
        let r = try caravan(["geocode", "samples/events/caricc-2022.csv", "--column", "place", "-o", dir.file("e.geojson")])
        #expect(r.status == 0)
        #expect(r.stderr.contains("10 rows: 10 matched, 0 ambiguous, 0 unmatched"))
        #expect(try json(dir.file("e.geojson")).allSatisfy { $0["match_status"] as? String == "matched" })
        let bad = try caravan(["geocode", "samples/events/caricc-2022.csv", "--column", "town", "-o", dir.file("x.geojson")])
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("no column 'town'; the columns are: date_start, date_end, place, country, kind, summary"))
    }

    @Test("density writes the specified fields; a zero cell size is refused with units in the hint")
    func density() throws {
        let dir = TempFolder()
        let r = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "-o", dir.file("d.geojson")])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try json(dir.file("d.geojson"))
        #expect(!f.isEmpty && Set(f[0].keys) == ["col", "row", "length_km", "density", "routes", "cell_km2"])
        let zero = try caravan(["density", "shapefiles/railways.shp", "--cell", "0km", "-o", dir.file("z.geojson")])
        #expect(zero.status == 1 && zero.stderr.contains("--cell must be greater than zero"))
        let units = try caravan(["density", "shapefiles/railways.shp", "--cell", "5 furlongs", "-o", dir.file("z.geojson")])
        #expect(units.status == 1 && units.stderr.contains("hint: write it like 500m, 10km or 5mi"))
    }

    @Test("crossings with posts and merging; hot spots with ArcGIS field names; KDE to GeoTIFF")
    func crossingsHotspotsKDE() throws {
        let dir = TempFolder()
        let x = try caravan(["crossings", "shapefiles/railways.shp", "shapefiles/countries.shp", "--posts", "shapefiles/border_posts.shp",
                             "--merge", "2km", "-o", dir.file("x.geojson")])
        #expect(x.status == 0, "\(x.stderr)")
        #expect(x.stdout.contains("Busiest crossing points"))
        let xs = try json(dir.file("x.geojson"))
        #expect(xs.contains { $0["pair"] as? String == "CN-KZ" && $0["post"] as? String == "Dostyk–Alashankou" && $0["unlisted"] as? Int == 0 })
        let g = try caravan(["geocode", "samples/events/seizures.csv", "--column", "place", "--country-column", "country", "-o", dir.file("s.gpkg")])
        #expect(g.status == 0)
        let h = try caravan(["hotspots", dir.file("s.gpkg"), "--cell", "25km", "--band", "100km", "--fdr", "-o", dir.file("h.geojson")])
        #expect(h.status == 0, "\(h.stderr)")
        #expect(h.stdout.contains("Strongest hot spots"))
        let hs = try json(dir.file("h.geojson"))
        #expect(Set(hs[0].keys) == ["SOURCE_ID", "col", "row", "count", "GiZScore", "GiPValue", "NNeighbors", "Gi_Bin"])
        #expect(hs.contains { ($0["Gi_Bin"] as? Int ?? 0) == 3 })
        let none = try caravan(["hotspots", dir.file("s.gpkg"), "-o", dir.file("n.geojson")])
        #expect(none.status == 1 && none.stderr.contains("hint: give --cell 25km"))
        let k = try caravan(["kde", dir.file("s.gpkg"), "--cell", "10km", "-o", dir.file("k.tif")])
        #expect(k.status == 0 && k.stderr.contains("search radius") && k.stderr.contains("ArcGIS's default"))
        #expect(FileManager.default.fileExists(atPath: dir.file("k.tif")))
    }

    @Test("routes from the sample waypoints")
    func routes() throws {
        let dir = TempFolder()
        let r = try caravan(["routes", "samples/routes/waypoints.csv", "-o", dir.file("r.geojson")])
        #expect(r.status == 0)
        let f = try json(dir.file("r.geojson"))
        #expect(f.count == 5 && f.allSatisfy { $0["gaps"] as? Int == 0 })
    }
}
