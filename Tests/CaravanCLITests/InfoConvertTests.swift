import Foundation
import Testing

@Suite("caravan info and convert, end to end", .serialized)
struct InfoConvertTests {
    static let points = """
    {"type":"FeatureCollection","features":[
    {"type":"Feature","properties":{"name":"Termez","kind":"road"},"geometry":{"type":"Point","coordinates":[67.278,37.224]}},
    {"type":"Feature","properties":{"name":"Khorgos","kind":"both"},"geometry":{"type":"Point","coordinates":[80.25,44.21]}}]}
    """

    @Test("info prints layer, type, count, CRS, extent and fields; --json is parseable")
    func info() throws {
        let dir = TempFolder()
        let p = dir.write("posts.geojson", Self.points)
        let r = try caravan(["info", p])
        #expect(r.status == 0)
        for s in ["layer 'posts'", "geometry: Point", "features: 2", "EPSG:4326 (WGS 84)", "lon 67.278000 … 80.250000", "name", "String"] {
            #expect(r.stdout.contains(s), "missing \(s) in \(r.stdout)")
        }
        let j = try caravan(["info", p, "--json"])
        let doc = try JSONSerialization.jsonObject(with: Data(j.stdout.utf8)) as! [String: Any]
        let layer = (doc["layers"] as! [[String: Any]])[0]
        #expect(layer["feature_count"] as? Int == 2)
        #expect((layer["crs"] as! [String: Any])["epsg"] as? Int == 4326)
        #expect(layer["extent_lonlat"] as? [Double] == [67.278, 37.224, 80.25, 44.21])
    }

    @Test("convert with --where, --select and --t-srs; the summary names the output")
    func convert() throws {
        let dir = TempFolder()
        let p = dir.write("posts.geojson", Self.points)
        let out = dir.file("road.gpkg")
        let r = try caravan(["convert", p, out, "--where", "kind = 'road'", "--select", "name", "--t-srs", "EPSG:32642"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("wrote 1 feature to \(out) in EPSG:32642"))
        let i = try caravan(["info", out, "--json"])
        let layer = ((try JSONSerialization.jsonObject(with: Data(i.stdout.utf8)) as! [String: Any])["layers"] as! [[String: Any]])[0]
        #expect((layer["fields"] as! [[String: Any]]).map { $0["name"] as! String } == ["name"])
        let ext = layer["extent"] as! [Double]
        // Termez (67.278°E, 37.224°N) is 1.722° of longitude west of UTM 42N's 69°E meridian:
        // 1.722 × 111.32 km × cos 37.224° ≈ 152.6 km, so the easting is about 500 − 152.6 ≈ 347.3 km.
        #expect(abs(ext[0] - 347_300) < 500)
    }

    @Test("bad input: one line 'caravan: error: <file>: <what>', a hint, exit 1, no stack trace")
    func badInput() throws {
        let dir = TempFolder()
        let missing = try caravan(["info", dir.file("nope.shp")])
        #expect(missing.status == 1)
        #expect(missing.stderr.hasPrefix("caravan: error: \(dir.file("nope.shp")): no such file or directory\n"))
        #expect(missing.stderr.contains("hint:"))
        let junk = dir.write("junk.geojson", "{ this is not json")
        let j = try caravan(["convert", junk, dir.file("o.geojson")])
        #expect(j.status == 1)
        #expect(j.stderr.hasPrefix("caravan: error: \(junk):"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("o.geojson")))
        for r in [missing, j] { #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack dump")) }
    }

    @Test("existing outputs are kept unless --overwrite")
    func overwrite() throws {
        let dir = TempFolder()
        let p = dir.write("posts.geojson", Self.points)
        let out = dir.file("o.geojson")
        #expect(try caravan(["convert", p, out]).status == 0)
        let again = try caravan(["convert", p, out])
        #expect(again.status == 1)
        #expect(again.stderr.contains("already exists"))
        #expect(again.stderr.contains("--overwrite"))
        #expect(try caravan(["convert", p, out, "--overwrite"]).status == 0)
    }

    @Test("usage errors exit 64 with the parser's message; help has examples")
    func usage() throws {
        let r = try caravan(["convert"])
        #expect(r.status == 64)
        let bad = try caravan(["convert", "a.geojson", "b.geojson", "--precision", "99"])
        #expect(bad.status == 64)
        let help = try caravan(["convert", "--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("Examples:"))
        #expect(try caravan(["--help"]).stdout.contains("convert"))
    }
}
