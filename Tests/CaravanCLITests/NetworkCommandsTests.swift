import Foundation
import Testing

/// caravan network info, routes --network and flows on the shipped data, end to end.
@Suite("caravan network info, routes --network, flows — end to end", .serialized)
struct NetworkCommandsTests {
    func properties(_ path: String) throws -> [[String: Any]] {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (d["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
    }

    @Test("network info: the shipped roads' figures; polygons are refused in one line")
    func info() throws {
        let r = try caravan(["network", "info", "shapefiles/roads.shp"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("36,220 lines") && r.stdout.contains("23,459 nodes") && r.stdout.contains("42 connected components"))
        #expect(r.stdout.contains("54 node pairs joined by more than one line") && r.stdout.contains("18 closed loops"))
        let bad = try caravan(["network", "info", "shapefiles/countries.shp"])
        #expect(bad.status == 1 && bad.stderr.contains("a network is made of lines"))
    }

    @Test("routes along roads: crossings name real posts; a bad --snap is a usage error")
    func routes() throws {
        let dir = TempFolder()
        let out = dir.file("c.geojson")
        let r = try caravan(["routes", "samples/routes/waypoints.csv", "--network", "shapefiles/roads.shp", "--snap", "line", "--max-snap", "10km",
                             "--countries", "shapefiles/countries.shp", "--posts", "shapefiles/border_posts.shp", "-o", out])
        #expect(r.status == 0, "\(r.stderr)")
        let f = try properties(out)
        #expect(f.count == 5)
        let uzbek = try #require(f.first { $0["route"] as? String == "Uzbek corridor" })
        #expect((uzbek["crossings"] as? String)?.hasPrefix("AF→UZ Termez–Hairatan") == true)
        #expect((uzbek["length_km"] as? Double ?? 0) > 500)
        #expect(try caravan(["routes", "samples/routes/waypoints.csv", "--network", "shapefiles/roads.shp", "--snap", "edge", "-o", out, "--overwrite"]).status == 64)
    }

    @Test("flows with Termez–Hairatan closed: three outputs, the displaced flows' crossings; a misspelt post names the nearest")
    func flows() throws {
        let dir = TempFolder()
        let out = dir.file("load.gpkg")
        let args = ["flows", "samples/routes/flows.csv", "--network", "shapefiles/roads.shp", "--countries", "shapefiles/countries.shp",
                    "--max-snap", "10km", "-o", out]
        let r = try caravan(args + ["--closed", "Termez–Hairatan"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("Where the displaced flows go") && r.stdout.contains("have no remaining path"))
        for p in [out, dir.file("load_crossings.gpkg"), dir.file("load_flows.csv")] { #expect(FileManager.default.fileExists(atPath: p)) }
        let bad = try caravan(args + ["--closed", "Termez-Hairaton Bridg", "--overwrite"])
        #expect(bad.status == 1 && bad.stderr.contains("did you mean Termez–Hairatan (Friendship Bridge)"))
    }
}
