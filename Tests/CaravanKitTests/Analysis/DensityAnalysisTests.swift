import Foundation
import Testing
@testable import CaravanKit

/// `routeDensity` (the entry point of `caravan density`): its options, its figures, the
/// GeoTIFF's zeros and NoData, and the tiled study area, against independent computations.
@Suite("Route density: options, entry point, zeros, study area")
struct DensityAnalysisTests {
    static let rail = repositoryRoot + "/shapefiles/railways.shp"
    static let countries = repositoryRoot + "/shapefiles/countries.shp"

    @Test("options have the flags' names, survive a recipe's JSON, and are validated with hints")
    func options() throws {
        var o = DensityOptions(routes: Self.rail, output: "out/x.tif")
        o.cell = "50km"; o.studyArea = Self.countries; o.studyWhere = "role = 'focus'"; o.keepEmpty = true
        let back = try JSONDecoder().decode(DensityOptions.self, from: JSONEncoder().encode(o))
        #expect(back == o)
        let keys = try JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as! [String: Any]
        #expect(keys["cell"] as? String == "50km" && keys["studyWhere"] as? String == "role = 'focus'" && keys["keepEmpty"] as? Bool == true)
        #expect(o.inputPaths == [Self.rail, Self.countries] && o.outputPaths == ["out/x.tif"])
        func hint(_ o: DensityOptions) -> String? {
            do { try o.validate(); return nil } catch let e as GeoError { return e.hint } catch { return nil }
        }
        #expect(hint(DensityOptions(routes: Self.rail))?.contains("{cell}") == true)
        var k = DensityOptions(routes: Self.rail); k.cell = "10km"; k.method = .kernel
        #expect(hint(k)?.contains("{radius}") == true)
        var h = DensityOptions(routes: Self.rail, output: "x.tif"); h.cell = "10km"; h.grid = .hex
        #expect(hint(h)?.contains(".geojson") == true)
        var bare = DensityOptions(routes: Self.rail); bare.cell = "25"
        #expect(hint(bare)?.contains("25km") == true)
        var w = DensityOptions(routes: Self.rail); w.cell = "10km"; w.studyWhere = "role = 'focus'"
        #expect(hint(w)?.contains("{studyArea}") == true)
    }

    @Test("the kernel method's summary gives the network's length, not the within-radius lengths summed over cells")
    func kernelNetworkLength() throws {
        var o = DensityOptions(routes: Self.rail)
        o.cell = "25km"
        let plain = try routeDensity(o)
        o.method = .kernel; o.radius = "50km"
        let kernel = try routeDensity(o)
        // The shapefile's own geodesic lengths (written by the build, not by caravan density).
        var geodesicKm = 0.0
        try Dataset.open(Self.rail).layer(named: nil).forEach { geodesicKm += $0["length_km"].doubleValue ?? 0 }
        let a = try #require(plain.figures["network_km"]), b = try #require(kernel.figures["network_km"])
        #expect(abs(a - geodesicKm) < 0.01 * geodesicKm, "length method: \(a) km for a \(geodesicKm) km network")
        #expect(abs(b - a) < 1e-6 * a, "kernel method: \(b) km for a \(a) km network")
        #expect(kernel.summary[0].contains(String(format: "%.0f km of network", a)))
        // The cells do hold much more than the network: each route counts in every circle it passes.
        let layer = kernel.layers[0]
        let cellSum = (0..<layer.count).reduce(0.0) { $0 + (layer.values($1)[2].doubleValue ?? 0) }
        #expect(cellSum > 3 * a)
    }

    @Test("GeoTIFF: 0 for analysed cells without route, NoData only outside the study area; the province mean counts every cell")
    func zerosAndNoData() throws {
        let dir = TempDir()
        var o = DensityOptions(routes: Self.rail, output: dir.file("d.tif"))
        o.cell = "50km"; o.studyArea = Self.countries; o.studyWhere = "iso_a2 = 'TM'"
        let result = try routeDensity(o)
        try ResultWriter.write(result.layers[0], to: dir.file("d.tif"))
        let r = try RasterGrid.read(dir.file("d.tif"))
        // Independently: which cells meet Turkmenistan (GEOS on the cell squares), and the cell lengths.
        let tm = try StudyArea.load(Self.countries, where: "iso_a2 = 'TM'")
        let crs = r.crs
        let area = try PreparedGeometry(try Transformer(from: .wgs84, to: crs).transform(tm))
        var inside = 0, zeros = 0, noData = 0, withRoute = 0
        for row in 0..<r.height {
            for col in 0..<r.width {
                // RasterGrid keeps values bottom row first, as the density grid does.
                let v = r.values[row * r.width + col]
                let x0 = r.originX + Double(col) * r.cellSize, y0 = r.originY + Double(row) * r.cellSize
                let s = r.cellSize
                let cell = Geometry.polygon([[XY(x0, y0), XY(x0 + s, y0), XY(x0 + s, y0 + s), XY(x0, y0 + s), XY(x0, y0)]])
                let meets = try area.intersects(cell) && (try cell.intersection(area.geometry).area) > 0
                if meets {
                    inside += 1
                    #expect(v != r.noData, "cell \(col),\(row) inside Turkmenistan is NoData")
                    if v == 0 { zeros += 1 } else { withRoute += 1 }
                } else {
                    #expect(v == r.noData, "cell \(col),\(row) outside Turkmenistan is \(v), not NoData")
                    noData += 1
                }
            }
        }
        #expect(zeros > 0 && withRoute > 0 && noData > 0)
        #expect(Double(inside) == result.figures["cells"])
        #expect(Double(withRoute) == result.figures["cells_with_route"])
    }

    @Test("a study area of many vertices is clipped tile by tile with the same lengths as GEOS on the whole area")
    func tiledStudyArea() throws {
        // Turkmenistan with every edge split into 8 pieces: thousands of vertices, several tiles.
        let tm = try StudyArea.load(Self.countries, where: "iso_a2 = 'TM'")
        let crs = try CRS("EPSG:32641")
        let metric = try Transformer(from: .wgs84, to: crs).transform(tm)
        func densify(_ r: [XY]) -> [XY] {
            var out: [XY] = []
            for k in 1..<r.count { for j in 0..<8 { let f = Double(j) / 8; out.append(XY(r[k - 1].x + f * (r[k].x - r[k - 1].x), r[k - 1].y + f * (r[k].y - r[k - 1].y))) } }
            out.append(r[0]); return out
        }
        let dense = Geometry.multiPolygon(metric.polygons.map { $0.map(densify) })
        let tiles = try AreaTiles(dense, verticesPerTile: 300)
        #expect(tiles.side >= 4)
        // Lines: the railways in the same CRS; reference: GEOS intersection with the whole area.
        let t = try Transformer(from: .wgs84, to: crs)
        var lines: [Geometry] = []
        try Dataset.open(Self.rail).layer(named: nil).forEachGeometry { _, g in
            let m = try t.transform(g)
            if m.envelope.intersects(dense.envelope) { lines.append(m) }
        }
        let prepared = PreparedTiles(tiles)
        var mine = 0.0, reference = 0.0
        for l in lines {
            if let parts = try tiles.clip(l, prepared: prepared) { mine += parts.reduce(0) { $0 + $1.planarLength } } else { mine += l.planarLength }
            reference += try l.intersection(dense).planarLength
        }
        #expect(reference > 1_000_000)
        #expect(abs(mine - reference) < 1e-6 * reference, "tiles \(mine) m, GEOS \(reference) m")
        // Cells: the area inside of each 50 km square equals GEOS on the whole area.
        let e = dense.envelope
        var worst = 0.0
        for x in stride(from: e.minX, to: e.maxX, by: 50_000) {
            for y in stride(from: e.minY, to: e.maxY, by: 50_000) {
                let cell = Geometry.polygon([[XY(x, y), XY(x + 50_000, y), XY(x + 50_000, y + 50_000), XY(x, y + 50_000), XY(x, y)]])
                let a = try tiles.areaInside(cell, prepared: prepared), b = try cell.intersection(dense).area
                worst = max(worst, abs(a - b))
            }
        }
        #expect(worst < 1.0, "a cell's area inside differs by \(worst) m²")
    }

    @Test("hexagons clipped by a study area are one geometry type (MultiPolygon) in the GeoPackage")
    func oneGeometryType() throws {
        let dir = TempDir()
        var o = DensityOptions(routes: Self.rail, output: dir.file("h.gpkg"))
        o.grid = .hex; o.cellArea = "2000km2"; o.studyArea = Self.countries; o.studyWhere = "iso_a2 = 'UZ'"
        let result = try routeDensity(o)
        #expect(result.layers[0].geometryType == .multiPolygon)
        try ResultWriter.write(result.layers[0], to: dir.file("h.gpkg"))
        let l = try Dataset.open(dir.file("h.gpkg")).layer(named: nil)
        #expect(l.geometryType == .multiPolygon)
        var types = Set<GeometryType>()
        try l.forEachGeometry { _, g in types.insert(g.type) }
        #expect(types == [.multiPolygon])
    }
}
