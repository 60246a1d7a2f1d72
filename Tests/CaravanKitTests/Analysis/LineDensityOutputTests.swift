import Foundation
import Testing
@testable import CaravanKit

@Suite("Line density: outputs and bad input")
struct LineDensityOutputTests {
    static func roadsGrid(_ cell: Double = 50_000) throws -> DensityGrid {
        let roads = try Dataset.open(repositoryRoot + "/shapefiles/railways.shp").layer(named: nil)
        return try lineDensity(roads, options: LineDensityOptions(tessellation: .square(size: cell)))
    }

    @Test("GeoJSON cells are WGS84 and stay within 1 m of the true cell; fields as specified")
    func geojsonCells() throws {
        let dir = TempDir()
        let grid = try Self.roadsGrid()
        try grid.write(to: dir.file("d.geojson"))
        let (layer, features) = try readAll(dir.file("d.geojson"))
        #expect(layer.schema.names == ["col", "row", "length_km", "density", "routes", "cell_km2"])
        #expect(features.count == grid.nonEmptyCells.count)
        let back = try Transformer(from: .wgs84, to: grid.crs)
        let s = 50_000.0
        var worst = 0.0
        for f in features.prefix(200) {
            let col = Double(f["col"].doubleValue!), row = Double(f["row"].doubleValue!)
            var ring = f.geometry!.linework[0]
            // Points half-way along each written (lon/lat straight) piece, in the analysis CRS.
            var mids = (1..<ring.count).map { XY((ring[$0 - 1].x + ring[$0].x) / 2, (ring[$0 - 1].y + ring[$0].y) / 2) }
            try back.transform(&ring)
            try back.transform(&mids)
            for p in ring + mids {
                let dx = min(abs(p.x - col * s), abs(p.x - (col + 1) * s)), dy = min(abs(p.y - row * s), abs(p.y - (row + 1) * s))
                worst = max(worst, min(dx, dy))
            }
            #expect(abs(f["cell_km2"].doubleValue! - 2500) < 1e-9)
            #expect(abs(f["density"].doubleValue! - f["length_km"].doubleValue! / 2500) < 1e-9)
        }
        #expect(worst < 1.0, "a written cell is \(worst) m from the true one")
        #expect(abs(features.reduce(0) { $0 + $1["length_km"].doubleValue! } - grid.totalLength / 1000) < 1e-3)
    }

    @Test("a GeoTIFF holds the density, 0 (not NoData) where there is no route, georeferenced on the aligned grid")
    func geotiff() throws {
        let dir = TempDir()
        let grid = try Self.roadsGrid()
        try grid.write(to: dir.file("d.tif"))
        let r = try RasterGrid.read(dir.file("d.tif"))
        #expect(r.width == grid.window.width && r.height == grid.window.height)
        #expect(r.originX == Double(grid.window.cols.lowerBound) * 50_000)
        #expect(r.originY == Double(grid.window.rows.lowerBound) * 50_000)
        #expect(r.crs.isEquivalent(to: grid.crs))
        for i in 0..<grid.window.cellCount {
            if grid.length[i] > 0 { #expect(abs(Double(r.values[i]) - grid.density(i)) < 1e-5) }
            else { #expect(r.values[i] == 0) }   // issue 10: zero is not "no data" inside the grid
        }
    }

    func error(_ body: () throws -> Void) -> GeoError? {
        do { try body(); return nil } catch { return error as? GeoError }
    }

    func layer(_ geojson: String, _ dir: TempDir) throws -> Layer {
        try Dataset.open(dir.write("x.geojson", geojson)).layer(named: nil)
    }

    @Test("points or polygons where lines are expected, an empty layer, no CRS, a geographic CRS")
    func wrongInputs() throws {
        let dir = TempDir()
        let o = LineDensityOptions(tessellation: .square(size: 10_000))
        let points = try layer(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[69,41]}}]}"#, dir)
        #expect(error { _ = try lineDensity(points, options: o) }?.message.contains("Points") == true)
        let polys = try Dataset.open(repositoryRoot + "/shapefiles/countries.shp").layer(named: nil)
        let e = error { _ = try lineDensity(polys, options: o) }
        #expect(e?.hint?.contains("{boundaries}") == true)
        var b = o; b.boundaries = true
        #expect(try lineDensity(polys, options: b).totalLength > 0)
        let empty = try layer(#"{"type":"FeatureCollection","features":[]}"#, TempDir())
        #expect(error { _ = try lineDensity(empty, options: o) } != nil)
        var geo = o; geo.crs = .wgs84
        #expect(error { _ = try lineDensity(try Dataset.open(repositoryRoot + "/shapefiles/railways.shp").layer(named: nil), options: geo) }?.message.contains("geographic") == true)
        var huge = o; huge.tessellation = .square(size: 100)
        #expect(error { _ = try lineDensity(try Dataset.open(repositoryRoot + "/shapefiles/railways.shp").layer(named: nil), options: huge) }?.hint?.contains("{maxCells}") == true)
    }

    @Test("a layer without a CRS needs --s-srs")
    func noCRS() throws {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("l.shp"), geometryType: .lineString, crs: nil, fields: [FieldDefinition("a", .integer)])
        try w.write(geometry: .lineString([XY(0, 0), XY(1000, 1000)]), values: [.integer(1)])
        try w.commit()
        let e = error { _ = try lineDensity(try Dataset.open(dir.file("l.shp")).layer(named: nil), options: LineDensityOptions(tessellation: .square(size: 100))) }
        #expect(e?.hint?.contains("{sSrs}") == true)
    }

    @Test("weights: a missing or text field lists the numeric fields; negative or NaN names the feature")
    func weights() throws {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("l.gpkg"), geometryType: .lineString, crs: .wgs84,
                                 fields: [FieldDefinition("trips", .real), FieldDefinition("name", .string)])
        try w.write(geometry: .lineString([XY(69, 41), XY(69.5, 41.2)]), values: [.real(3), .string("a")])
        try w.write(geometry: .lineString([XY(69, 41.1), XY(69.5, 41.3)]), values: [.real(-1), .string("b")])
        try w.commit()
        let l = try Dataset.open(dir.file("l.gpkg")).layer(named: nil)
        var o = LineDensityOptions(tessellation: .square(size: 10_000))
        o.weightField = "nope"
        #expect(error { _ = try lineDensity(l, options: o) }?.message.contains("numeric fields are: trips") == true)
        o.weightField = "name"
        #expect(error { _ = try lineDensity(l, options: o) }?.message.contains("not numeric") == true)
        o.weightField = "trips"
        let e = error { _ = try lineDensity(l, options: o) }
        #expect(e?.featureID == 2)
        #expect(e?.message.contains("-1") == true)
    }

    @Test("distances and areas with units; zero and unknown units are refused")
    func units() throws {
        #expect(try Distance.parse("10km").meters == 10_000)
        #expect(try Distance.parse("2.5 mi").meters == 2.5 * 1609.344)
        #expect(try Distance.parse("300").meters == 300)
        #expect(try AreaSize.parse("500km2").squareMeters == 500e6)
        #expect(try AreaSize.parse("100 ha").squareMeters == 1e6)
        for bad in ["0km", "-5km", "10 parsecs", "km", ""] { #expect(throws: GeoError.self) { try Distance.parse(bad) } }
        #expect(throws: GeoError.self) { try AreaSize.parse("0km2") }
    }
}
