import Foundation
import Testing

/// `caravan density` and `caravan crossings` end to end on the shipped layers.
@Suite("caravan density and crossings — the region, zeros, refusals", .serialized)
struct DensityCrossingsCommandsTests {
    func json(_ path: String) throws -> [[String: Any]] {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (d["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
    }

    @Test("crossings speak of the region: only its borders, Islam Qala labelled with its own post, posts as polygons refused")
    func crossingsOfTheRegion() throws {
        let dir = TempFolder()
        let r = try caravan(["crossings", "shapefiles/roads.shp", "shapefiles/countries.shp", "--posts", "shapefiles/border_posts.shp",
                             "--merge", "2km", "-o", dir.file("x.geojson")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("crossings on the borders of AF, KG, KZ, TJ, TM, UZ (merged within 2km)"))
        #expect(r.stderr.contains("flagged artefact"))
        #expect(r.stdout.contains("Busiest crossing points") && r.stdout.contains("Crossings by border"))
        #expect(!r.stdout.contains("Armenia") && !r.stdout.contains("Azerbaijan"))
        // The tables name places: the nearest town beside each point.
        #expect(r.stdout.contains("nearest town") && r.stdout.contains("Eslam Qaleh (AF, 11 km)"))
        let xs = try json(dir.file("x.geojson"))
        let region: Set<String> = ["AF", "KG", "KZ", "TJ", "TM", "UZ"]
        #expect(xs.allSatisfy { x in (x["pair"] as! String).split(separator: "-").contains { region.contains(String($0)) } })
        // Islam Qala (61.0°E 34.7°N, Afghanistan–Iran): its own post, not Serhetabat 148 km away on another border.
        let islamQala = xs.filter { $0["pair"] as? String == "AF-IR" && abs(($0["lon"] as! Double) - 60.96) < 0.05 && abs(($0["lat"] as! Double) - 34.72) < 0.05 }
        #expect(!islamQala.isEmpty)
        #expect(islamQala.allSatisfy { $0["post"] as? String == "Islam Qala–Dogharoun" && ($0["post_km"] as! Double) < 15 })
        let all = try caravan(["crossings", "shapefiles/railways.shp", "shapefiles/countries.shp", "--region", "all", "-o", dir.file("all.geojson")])
        #expect(all.status == 0 && all.stderr.contains("on every border"))
        let poly = try caravan(["crossings", "shapefiles/railways.shp", "shapefiles/countries.shp", "--posts", "shapefiles/provinces.shp",
                                "-o", dir.file("p.geojson")])
        #expect(poly.status == 1 && poly.stderr.contains("border posts must be points"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("p.geojson")))
    }

    @Test("density GeoTIFF: 0 in cells without road, NoData outside the study area; the kernel summary gives the network length")
    func densityZeros() throws {
        let dir = TempFolder()
        let r = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "--study-area", "shapefiles/countries.shp",
                             "--study-where", "iso_a2 = 'TM'", "-o", dir.file("d.tif")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("outside the study area (NoData in a GeoTIFF); cells without route are 0"))
        let info = Process()
        info.executableURL = URL(fileURLWithPath: "/usr/bin/gdalinfo")
        info.arguments = ["-stats", "-hist", dir.file("d.tif")]
        let out = Pipe(); info.standardOutput = out; info.standardError = Pipe()
        try info.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        info.waitUntilExit()
        // GDAL's own statistics: the minimum over valid cells is 0 (cells without railway count).
        #expect(text.contains("STATISTICS_MINIMUM=0"), "\(text)")
        #expect(text.contains("NoData Value=-9999"))
        let k = try caravan(["density", "shapefiles/railways.shp", "--cell", "25km", "--method", "kernel", "--radius", "50km",
                             "-o", dir.file("k.tif")])
        let l = try caravan(["density", "shapefiles/railways.shp", "--cell", "25km", "-o", dir.file("l.tif")])
        func km(_ s: String) -> Int? {
            guard let m = s.range(of: #"[0-9]+ km of network"#, options: .regularExpression) else { return nil }
            return Int(s[m].split(separator: " ")[0])
        }
        #expect(km(k.stderr) != nil && km(k.stderr) == km(l.stderr), "\(k.stderr) vs \(l.stderr)")
    }
}
