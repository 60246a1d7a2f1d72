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
    static let fieldDefinitions = [
        FieldDefinition("col", .integer), FieldDefinition("row", .integer),
        FieldDefinition("length_km", .real, width: 16, precision: 6), FieldDefinition("density", .real, width: 16, precision: 6),
        FieldDefinition("routes", .integer), FieldDefinition("cell_km2", .real, width: 16, precision: 6),
    ]

    /// Writes the grid: a GeoTIFF of density (square grids; NoData where there is no route), or
    /// vector cells with col, row, length_km, density, routes, cell_km2 (and weighted_km with a
    /// weight). GeoJSON and KML cells are in WGS84 with edges densified to stay within 1 m of the
    /// true cell; other formats keep the analysis CRS.
    public func write(to path: String, keepEmpty: Bool = false, options: WriteOptions = WriteOptions()) throws {
        let format = try OutputFormat.resolve(path: path, format: options.format)
        if format.isRaster {
            guard case .square(let s) = window.tessellation else {
                throw GeoError(.invalidArgument, "a GeoTIFF needs square cells", file: path, hint: "write hexagons to .geojson or .gpkg")
            }
            var values = [Float](repeating: -9999, count: window.cellCount)
            for i in 0..<window.cellCount where (length[i] > 0 || keepEmpty) && !excluded.contains(i) { values[i] = Float(density(i)) }
            var r = RasterGrid(width: window.width, height: window.height, originX: Double(window.cols.lowerBound) * s,
                               originY: Double(window.rows.lowerBound) * s, cellSize: s, crs: crs, values: values)
            r.description = "route density, km per km²"
            try r.write(to: path, overwrite: options.overwrite, inputs: options.inputs)
            return
        }
        var fields = DensityGrid.fieldDefinitions
        if weighted_ { fields.append(FieldDefinition("weighted_km", .real, width: 16, precision: 6)) }
        // A CSV is for spreadsheets: one row per cell with its centre's lon and lat, no polygons.
        let asCentres = format == .csv
        let writer = try VectorWriter(path: path, layerName: "density", geometryType: asCentres ? .point : studyArea == nil ? .polygon : .unknown, crs: crs, fields: fields, options: options)
        let segments = format.requiresWGS84 ? try edgeSegments(window: window, crs: crs) : 1
        let cells = keepEmpty ? Array(0..<window.cellCount).filter { !excluded.contains($0) } : nonEmptyCells
        for i in cells {
            let c = window.cell(at: i)
            var geometry = Geometry.polygon([window.tessellation.densifiedRing(c, segments: segments)])
            if asCentres { geometry = .point(window.tessellation.center(c)) }
            else if clippedArea?[i] != nil, let studyArea { geometry = try geometry.intersection(studyArea) }
            var values: [FieldValue] = [.integer(Int64(c.col)), .integer(Int64(c.row)), .real(length[i] / 1000),
                                        .real(density(i)), .integer(Int64(routes[i])), .real(self.area(i) / 1e6)]
            if weighted_ { values.append(.real(weighted[i] / 1000)) }
            try writer.write(geometry: geometry, values: values)
        }
        try writer.commit()
    }
}
