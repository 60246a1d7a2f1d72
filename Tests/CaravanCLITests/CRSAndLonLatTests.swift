import CaravanKit
import Foundation
import Testing

/// Issue 15, end to end: `--crs` in feet or geocentric, 3-D inputs on 2-D outputs, grid cells
/// over the antimeridian and around a pole in GeoJSON.
@Suite("caravan --crs units, Z/M, cells over 180° and the pole", .serialized)
struct CRSAndLonLatTests {
    func km(_ stderr: String) -> Double? {
        guard let r = stderr.range(of: #"([0-9,]+) km of network"#, options: .regularExpression) else { return nil }
        return Double(stderr[r].split(separator: " ")[0].replacingOccurrences(of: ",", with: ""))
    }

    @Test("density of the railways with --crs EPSG:2263 (feet) gives the km of EPSG:32118 (metres); EPSG:4978 is refused in one line")
    func densityInFeet() throws {
        let dir = TempFolder()
        let feet = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "--crs", "EPSG:2263", "-o", dir.file("f.gpkg")])
        let metres = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "--crs", "EPSG:32118", "-o", dir.file("m.gpkg")])
        #expect(feet.status == 0 && metres.status == 0, "\(feet.stderr)\(metres.stderr)")
        let f = try #require(km(feet.stderr), "\(feet.stderr)"), m = try #require(km(metres.stderr), "\(metres.stderr)")
        #expect(abs(f - m) <= 1, "\(f) km in feet vs \(m) km in metres")
        // The railways are about 71,600 km (with an equal-area CRS); feet read as metres made 238,004.
        let auto = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "-o", dir.file("a.gpkg")])
        let a = try #require(km(auto.stderr), "\(auto.stderr)")
        #expect(a > 65_000 && a < 80_000 && f < 100_000, "\(a) \(f)")
        let geocentric = try caravan(["density", "shapefiles/railways.shp", "--cell", "50km", "--crs", "EPSG:4978", "-o", dir.file("g.gpkg")])
        #expect(geocentric.status == 1)
        let lines = geocentric.stderr.split(separator: "\n")
        #expect(lines.first?.contains("geocentric") == true && lines.count <= 2, "\(geocentric.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("g.gpkg")))
    }

    @Test("info prints the file's names as they are (a field '{abc}' is not shown as a flag); its own hint names --s-srs")
    func infoKeepsNames() throws {
        let dir = TempFolder()
        let csv = dir.write("braces.csv", "{abc},lon,lat\nOsh,72.8,40.5\n")
        let r = try caravan(["info", csv])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("{abc}") && !r.stdout.contains("--abc"), "\(r.stdout)")
        let shp = dir.file("noprj.shp")
        #expect(try caravan(["convert", packageRoot + "/shapefiles/roads.shp", shp]).status == 0)
        try FileManager.default.removeItem(atPath: dir.file("noprj.prj"))
        #expect(try caravan(["info", shp]).stdout.contains("use --s-srs"))
    }

    @Test("an error names the user's path as written, braces and all ('{cell}', '{abc}'); the library's own keys still show as flags")
    func errorKeepsPaths() throws {
        let dir = TempFolder()
        let missing = dir.file("{cell}") + "/{abc}.shp"
        let r = try caravan(["info", missing])
        #expect(r.status == 1)
        #expect(r.stderr.contains(missing) && !r.stderr.contains("--abc") && !r.stderr.contains("/--cell"), "\(r.stderr)")
        let d = try caravan(["density", dir.file("{cell}") + "/r.shp", "-o", dir.file("o.tif")])
        #expect(d.status != 0 && d.stderr.contains("--cell"), "\(d.stderr)")
    }

    @Test("a 3-D input (EPSG:4979, PointZ) converted: the output is 2-D, declares WGS 84 2-D, and the dropped heights are counted")
    func zDropped() throws {
        let dir = TempFolder()
        let csv = dir.write("z.csv", "name,lon,lat,z\nOsh,72.8,40.5,960\nKhorog,71.55,37.49,2200\nMurghab,73.97,38.17,3600\n")
        let gpkg = dir.file("z.gpkg")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ogr2ogr")
        p.arguments = ["-f", "GPKG", gpkg, csv, "-a_srs", "EPSG:4979", "-oo", "X_POSSIBLE_NAMES=lon", "-oo", "Y_POSSIBLE_NAMES=lat",
                       "-oo", "Z_POSSIBLE_NAMES=z", "-nln", "peaks"]
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let info = try caravan(["info", gpkg])
        #expect(info.stdout.contains("4979") || info.stdout.contains("3D"), "\(info.stdout)")
        let r = try caravan(["convert", gpkg, dir.file("flat.gpkg")])
        #expect(r.status == 0, "\(r.stderr)")
        let all = r.stdout + r.stderr
        #expect(all.contains("Z (heights) of 3 features not kept"), "\(all)")
        #expect(all.contains("is 3-D"), "\(all)")
        let layer = try Dataset.open(dir.file("flat.gpkg")).layer(named: nil)
        let crs = try #require(try layer.crs)
        #expect(crs.isEquivalent(to: .wgs84) && crs.twoDimensional == nil, "\(crs)")
        #expect(layer.zm.z == false)
    }

    /// The parts of each feature's (Multi)Polygon in a GeoJSON file.
    func cells(_ path: String) throws -> [[[[XY]]]] {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
        return (d["features"] as! [[String: Any]]).map { f in
            let g = f["geometry"] as! [String: Any]
            func ring(_ r: Any) -> [XY] { (r as! [[Double]]).map { XY($0[0], $0[1]) } }
            func poly(_ p: Any) -> [[XY]] { (p as! [Any]).map(ring) }
            return g["type"] as! String == "Polygon" ? [poly(g["coordinates"]!)] : (g["coordinates"] as! [Any]).map(poly)
        }
    }

    func signedArea(_ r: [XY]) -> Double {
        var a = 0.0
        for i in 0 ..< r.count - 1 { a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y }
        return a / 2
    }

    func events(_ dir: TempFolder, _ name: String, _ point: (Int) -> (Double, Double)) -> String {
        var rows = "id,lon,lat\n"
        for i in 0 ..< 120 { let (x, y) = point(i); rows += "\(i),\(x),\(y)\n" }
        return dir.write(name, rows)
    }

    @Test("hot spot cells over 180° (Chukotka, UTM 60N) in GeoJSON: parts valid, counter-clockwise, within ±180°, each of the cell's area")
    func antimeridianCells() throws {
        let dir = TempFolder()
        // Events 178.5°E … 178.5°W, 64.5–65.5°N, spread evenly.
        let input = events(dir, "chukotka.csv") { i in
            var lon = 178.5 + Double(i % 12) * 0.25
            if lon > 180 { lon -= 360 }
            return (lon, 64.5 + Double(i / 12) * 0.1)
        }
        let r = try caravan(["hotspots", input, "--cell", "25km", "--crs", "EPSG:32660", "-o", dir.file("h.geojson")])
        #expect(r.status == 0, "\(r.stderr)")
        let all = try cells(dir.file("h.geojson"))
        #expect(all.count > 20)
        #expect(all.contains { $0.count == 2 }, "no cell was cut at 180°")
        for parts in all {
            var area = 0.0
            for p in parts {
                let xs = p[0].map(\.x)
                #expect(xs.allSatisfy { $0 >= -180 && $0 <= 180 } && xs.max()! - xs.min()! < 5, "\(p[0])")
                #expect(signedArea(p[0]) > 0, "clockwise: \(p[0])")
                #expect(try Geometry.polygon(p).isValid)
                area += Geodesic.area(of: .polygon(p))
            }
            // 25 km × 25 km in UTM; the zone's scale near 180° (3° from its meridian) changes it by well under 1%.
            #expect(abs(area / 625e6 - 1) < 0.01, "\(area / 1e6) km²")
        }
    }

    @Test("hot spot cells around the North Pole (polar stereographic) in GeoJSON: the pole's cell closes along it; every part valid and counter-clockwise")
    func poleCells() throws {
        let dir = TempFolder()
        let input = events(dir, "pole.csv") { i in (-180 + Double(i) * 3, 89.5 + Double(i % 5) * 0.09) }
        let crs = "+proj=stere +lat_0=90 +lat_ts=71 +lon_0=0 +x_0=12500 +y_0=12500 +datum=WGS84 +units=m"
        let r = try caravan(["hotspots", input, "--cell", "25km", "--crs", crs, "-o", dir.file("p.geojson")])
        #expect(r.status == 0, "\(r.stderr)")
        let all = try cells(dir.file("p.geojson"))
        #expect(all.count > 10)
        #expect(all.contains { $0.contains { $0[0].contains { $0.y == 90 } } }, "no cell reaches the pole")
        for parts in all {
            for p in parts {
                #expect(p[0].allSatisfy { $0.x >= -180 && $0.x <= 180 && $0.y <= 90 })
                #expect(signedArea(p[0]) > 0, "clockwise: \(p[0])")
                #expect(try Geometry.polygon(p).isValid, "\(p)")
            }
        }
    }
}
