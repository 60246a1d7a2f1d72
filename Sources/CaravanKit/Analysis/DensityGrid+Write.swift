import Foundation

extension Tessellation {
    /// The cell's outline with each edge split into `segments` pieces.
    func densifiedRing(_ c: CellIndex, segments: Int) -> [XY] {
        let r = ring(c)
        guard segments > 1 else { return r }
        var out: [XY] = []
        out.reserveCapacity((r.count - 1) * segments + 1)
        for k in 0..<(r.count - 1) {
            let a = r[k], b = r[k + 1]
            for j in 0..<segments {
                let f = Double(j) / Double(segments)
                out.append(XY(a.x + f * (b.x - a.x), a.y + f * (b.y - a.y)))
            }
        }
        out.append(r[0])
        return out
    }
}

/// How many pieces each cell edge needs so that, drawn straight in lon/lat, it stays within
/// `tolerance` metres of the true (straight in the analysis CRS) edge. Checked at the window's
/// corners and centre, where the distortion is largest and smallest.
func edgeSegments(window: GridWindow, crs: CRS, tolerance: Double = 0.5) throws -> Int {
    let toLonLat = try Transformer(from: crs, to: .wgs84)
    let t = window.tessellation
    let probes = [CellIndex(col: window.cols.lowerBound, row: window.rows.lowerBound),
                  CellIndex(col: window.cols.upperBound, row: window.rows.lowerBound),
                  CellIndex(col: window.cols.lowerBound, row: window.rows.upperBound),
                  CellIndex(col: window.cols.upperBound, row: window.rows.upperBound)]
    var n = 1
    while n < 1024 {
        var worst = 0.0
        for c in probes {
            let ring = t.densifiedRing(c, segments: n)
            var ll = ring
            try toLonLat.transform(&ll)
            // Midpoints in lon/lat, back to the analysis CRS, against the true straight piece.
            var mids = (0..<(ll.count - 1)).map { XY((ll[$0].x + ll[$0 + 1].x) / 2, (ll[$0].y + ll[$0 + 1].y) / 2) }
            try toLonLat.transform(&mids, direction: .inverse)
            for (k, m) in mids.enumerated() {
                let a = ring[k], b = ring[k + 1]
                let d = abs((b.x - a.x) * (a.y - m.y) - (a.x - m.x) * (b.y - a.y)) / hypot(b.x - a.x, b.y - a.y)
                worst = max(worst, d)
            }
        }
        if worst <= tolerance { return n }
        n *= 2
    }
    return n
}

extension DensityGrid {
    /// The fields of a density layer, with their meanings.
    public var resultFields: [ResultField] {
        var f = [
            ResultField("col", .integer, role: .gridIndex, meaning: "cell column: the cell covers x in [col·s, (col+1)·s) of the analysis CRS"),
            ResultField("row", .integer, role: .gridIndex, meaning: "cell row: the cell covers y in [row·s, (row+1)·s) of the analysis CRS"),
            ResultField("length_km", .real, role: .measure,
                        meaning: method == .length ? "length of route inside the cell" : "length of route within the search radius of the cell centre",
                        unit: "km", width: 16, precision: 6),
            ResultField("density", .real, role: .measure, meaning: weighted_ ? "weighted route density" : "route density",
                        unit: "km/km²", width: 16, precision: 6),
            ResultField("routes", .integer, role: .count, meaning: "input features touching the cell (or its circle)"),
            ResultField("cell_km2", .real, role: .measure, meaning: "cell area (clipped to the study area)", unit: "km²", width: 16, precision: 6),
        ]
        if weighted_ { f.append(ResultField("weighted_km", .real, role: .sum, meaning: "length × weight", unit: "km", width: 16, precision: 6)) }
        return f
    }

    /// The density as a raster of a square grid: the density of every analysed cell (0 where it
    /// has no route: zero is a value, not "no data"), NoData only for cells outside the study
    /// area. nil for hexagons.
    public var raster: ResultRaster? {
        guard case .square(let s) = window.tessellation else { return nil }
        var r = RasterGrid(width: window.width, height: window.height, originX: Double(window.cols.lowerBound) * s,
                           originY: Double(window.rows.lowerBound) * s, cellSize: s, crs: crs, values: [])
        var values = [Float](repeating: 0, count: window.cellCount)
        for i in 0..<window.cellCount {
            if excluded.contains(i) { values[i] = r.noData } else if length[i] > 0 { values[i] = Float(density(i)) }
        }
        r.values = values
        return ResultRaster(grid: r, meaning: weighted_ ? "weighted route density" : "route density", unit: "km per km²")
    }

    /// The grid as a result layer: one feature per cell with a route (every analysed cell with
    /// `keepEmpty`), produced on demand, and the raster form for a GeoTIFF. Hexagons and cells
    /// clipped by a study area are MultiPolygons with a study area, Polygons without one.
    /// `densifyForWGS84` splits each cell edge so that, drawn straight in lon/lat (GeoJSON, KML),
    /// it stays within 1 m of the true cell.
    public func resultLayer(keepEmpty: Bool = false, densifyForWGS84: Bool = false) throws -> ResultLayer {
        let cells = keepEmpty ? Array(0..<window.cellCount).filter { !excluded.contains($0) } : nonEmptyCells
        let segments = densifyForWGS84 ? try edgeSegments(window: window, crs: crs) : 1
        let window = self.window, tiles = self.studyTiles, clipped = self.clippedArea
        let multi = studyArea != nil
        let grid = self
        let title = "Route density (\(window.tessellation.isSquare ? "square" : "hexagon") cells of \(String(format: "%.1f", window.tessellation.cellArea / 1e6)) km², \(method == .length ? "length per cell" : "kernel"))"
        return ResultLayer(
            name: "density", kind: .density, title: title, crs: crs, geometryType: multi ? .multiPolygon : .polygon,
            fields: resultFields, count: cells.count,
            geometry: { k in
                let i = cells[k]
                var g = Geometry.polygon([window.tessellation.densifiedRing(window.cell(at: i), segments: segments)])
                if clipped?[i] != nil, let tiles { g = try tiles.cut(g) }
                if multi, case .polygon(let r) = g { g = .multiPolygon([r]) }
                return g
            },
            values: { k in
                let i = cells[k], c = window.cell(at: i)
                var v: [FieldValue] = [.integer(Int64(c.col)), .integer(Int64(c.row)), .real(grid.length[i] / 1000),
                                       .real(grid.density(i)), .integer(Int64(grid.routes[i])), .real(grid.area(i) / 1e6)]
                if grid.weighted_ { v.append(.real(grid.weighted[i] / 1000)) }
                return v
            },
            centre: { k in window.tessellation.center(window.cell(at: cells[k])) },
            raster: raster,
            metadata: ["analysis_crs": crs.description])
    }

    /// Writes the grid through `ResultWriter`: a GeoTIFF of density (square grids; 0 where no
    /// route, NoData outside the study area), or vector cells with col, row, length_km,
    /// density, routes, cell_km2 (and weighted_km with a weight). GeoJSON and KML cells are in
    /// WGS84 with edges densified to stay within 1 m of the true cell; other formats keep the
    /// analysis CRS; a CSV has one row per cell with the lon and lat of its centre.
    public func write(to path: String, keepEmpty: Bool = false, options: WriteOptions = WriteOptions()) throws {
        let format = try OutputFormat.resolve(path: path, format: options.format)
        if format.isRaster && raster == nil {
            throw GeoError(.invalidArgument, "a GeoTIFF needs square cells", file: path, hint: "write hexagons to .geojson or .gpkg")
        }
        try ResultWriter.write(try resultLayer(keepEmpty: keepEmpty, densifyForWGS84: format.requiresWGS84), to: path, options: options)
    }
}
