import Foundation

/// How route density is measured.
public enum LineDensityMethod: Hashable, Sendable {
    /// Exact length of route inside each cell, divided by the cell's area (QGIS "Sum line
    /// lengths" on a grid, per km²).
    case length
    /// ArcGIS Spatial Analyst / QGIS "Line density": at each cell centre, the length of route
    /// within `radius` metres, divided by π·radius².
    case kernel(radius: Double)
}

/// Options of `lineDensity`.
public struct LineDensityOptions: Sendable {
    public var tessellation: Tessellation
    public var method: LineDensityMethod = .length
    /// The analysis CRS (projected, metres); nil = Lambert azimuthal equal-area centred on the data.
    public var crs: CRS?
    /// A numeric field multiplying each route's length.
    public var weightField: String?
    /// Measure lengths on the ellipsoid instead of in the analysis CRS.
    public var geodesic = false
    /// Only this area (lon/lat polygons) is analysed; cells are clipped to it.
    public var studyArea: Geometry?
    /// Use polygon outlines as lines.
    public var boundaries = false
    public var maxCells = 10_000_000
    public var workers = processorCount
    public init(tessellation: Tessellation) { self.tessellation = tessellation }
}

/// Per-cell route lengths on a grid window.
public struct DensityGrid: Sendable {
    public let window: GridWindow
    public let crs: CRS
    public let method: LineDensityMethod
    /// Route length per cell, metres (inside the cell, or inside the circle for the kernel method).
    public internal(set) var length: [Double]
    /// Length × weight per cell (equals `length` without a weight).
    public internal(set) var weighted: [Double]
    /// Number of distinct input features touching the cell (or its circle).
    public internal(set) var routes: [Int32]
    /// Cell areas in m² where a study area clips them (nil: every cell is whole).
    public internal(set) var clippedArea: [Int: Double]?
    /// Cells outside the study area (not analysed).
    public internal(set) var excluded: Set<Int> = []
    /// The study area in the analysis CRS, if any.
    public internal(set) var studyArea: Geometry?
    /// The study area cut into tiles (for clipping cells without touching the whole area).
    var studyTiles: AreaTiles?
    /// Length of the network analysed, metres (inside the study area where there is one). It is
    /// the network's length for both methods; `totalLength` sums the cells, which for the kernel
    /// method counts a route once for every circle it passes through.
    public internal(set) var networkLength = 0.0
    public internal(set) var features = 0
    public internal(set) var featuresWithoutGeometry = 0
    public let weighted_: Bool

    /// Area of a cell in m² (clipped to the study area when there is one).
    public func area(_ i: Int) -> Double { clippedArea?[i] ?? window.tessellation.cellArea }

    /// Density in km per km² (weighted where a weight was given).
    public func density(_ i: Int) -> Double {
        switch method {
        case .length:
            let a = area(i)
            return a > 0 ? weighted[i] / a * 1000 : 0
        case .kernel(let r): return weighted[i] / (Double.pi * r * r) * 1000
        }
    }

    /// Cells with some route, in row-major order.
    public var nonEmptyCells: [Int] { length.indices.filter { length[$0] > 0 && !excluded.contains($0) } }
    public var totalLength: Double { length.reduce(0, +) }
}

/// One batch of lines for the workers: coordinates of many lines back to back.
struct LineBatch: Sendable {
    var coords: [XY] = []
    var starts: [Int] = []
    /// The ordinal of each line's feature (for counting distinct routes per cell).
    var feature: [Int32] = []
    /// Each line's feature id, for errors.
    var fid: [Int64] = []
    var weight: [Double] = []
    var count: Int { starts.count }

    /// The line holding the vertex at `i` of `coords`, and the vertex's 1-based number in it.
    func line(ofVertex i: Int) -> (line: Int, vertex: Int) {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= i { lo = mid } else { hi = mid - 1 }
        }
        return (lo, i - starts[lo] + 1)
    }
}

/// What one batch adds to the grid: the cells it touched, in the order it touched them, with its
/// sums. Merged into the grid in batch order (`runPipeline`), so every cell's sum is the same
/// sequence of additions whatever the number of workers.
struct DensityPartial: Sendable {
    var cells: [Int32] = []
    var length: [Double] = []
    var weighted: [Double] = []
    var routes: [Int32] = []
    var lastFeature: [Int32] = []
    var outside = 0.0
    var network = 0.0
}

/// A worker's state, made once on its thread: its transformers (PROJ handles stay on their
/// thread), the prepared study-area tiles and the cell → slot map of the batch in hand.
struct DensityWorker {
    let toAnalysis: Transformer
    let toLonLat: Transformer?
    let prepared: PreparedTiles?
    /// The slot of each grid cell in the current partial result, -1 when untouched.
    private var slot: [Int32]
    var partial = DensityPartial()

    init(cells: Int, sourceCRS: CRS, crs: CRS, geodesic: Bool, studyArea: AreaTiles?) throws {
        toAnalysis = try Transformer(from: sourceCRS, to: crs)
        toLonLat = geodesic ? try Transformer(from: sourceCRS, to: .wgs84) : nil
        prepared = studyArea.map { PreparedTiles($0) }
        slot = [Int32](repeating: -1, count: cells)
    }

    @inline(__always)
    mutating func add(_ i: Int, _ len: Double, weight: Double, feature: Int32) {
        var s = Int(slot[i])
        if s < 0 {
            s = partial.cells.count
            slot[i] = Int32(s)
            partial.cells.append(Int32(i))
            partial.length.append(0); partial.weighted.append(0); partial.routes.append(0); partial.lastFeature.append(-1)
        }
        partial.length[s] += len
        partial.weighted[s] += len * weight
        if partial.lastFeature[s] != feature { partial.lastFeature[s] = feature; partial.routes[s] += 1 }
    }

    /// The batch's partial result; the worker is ready for the next batch.
    mutating func finish() -> DensityPartial {
        for c in partial.cells { slot[Int(c)] = -1 }
        var p = partial
        p.lastFeature = []
        partial = DensityPartial()
        return p
    }
}

/// Computes route density on a grid: streaming the layer once, both cores working.
///
/// The reading thread decodes features into batches of ~64k vertices; workers project each
/// batch with one PROJ call and walk every segment across the cells (exact traversal for
/// squares, clipping for hexagons, chord lengths for the kernel method). Memory is bounded by
/// the grid (a few arrays per worker) plus a few batches, not by the input.
///
/// ```swift
/// let roads = try Dataset.open("shapefiles/roads.shp").layer(named: nil)
/// let grid = try lineDensity(roads, options: LineDensityOptions(tessellation: .square(size: 10_000)))
/// print(grid.nonEmptyCells.count, grid.totalLength / 1000, "km")
/// ```
public func lineDensity(_ layer: Layer, options: LineDensityOptions,
                        progress: (@Sendable (Int) -> Void)? = nil) throws -> DensityGrid {
    let file = layer.dataset.path
    guard let sourceCRS = try layer.crs else {
        throw GeoError(.projection, "the layer has no CRS, so distances cannot be measured", file: file, layer: layer.name,
                       hint: "say what it is with {sSrs}, e.g. {sSrs} EPSG:4326")
    }
    let family = layer.geometryType.dimensionFamily
    if family == 0 || layer.geometryType == .none {
        throw GeoError(.invalidArgument, "route density needs lines, and this layer holds \(layer.geometryType == .none ? "no geometry" : layer.geometryType.rawValue + "s")",
                       file: file, layer: layer.name, hint: "give a line layer (roads, tracks); for points use 'caravan kde' or 'caravan hotspots'")
    }
    if family == 2 && !options.boundaries {
        throw GeoError(.invalidArgument, "route density needs lines, and this layer holds \(layer.geometryType.rawValue)s",
                       file: file, layer: layer.name, hint: "pass {boundaries} to use the polygons' outlines as lines")
    }
    var weightIndex: Int? = nil
    if let w = options.weightField {
        let numeric = layer.schema.fields.filter(\.type.isNumeric).map(\.name)
        guard let i = layer.schema.index(of: w) else {
            throw GeoError(.invalidArgument, "no field '\(w)' to weight by; the numeric fields are: \(numeric.isEmpty ? "(none)" : numeric.joined(separator: ", "))",
                           file: file, layer: layer.name)
        }
        guard layer.schema.fields[i].type.isNumeric else {
            throw GeoError(.invalidArgument, "the weight field '\(w)' is not numeric (\(layer.schema.fields[i].type.rawValue)); the numeric fields are: \(numeric.isEmpty ? "(none)" : numeric.joined(separator: ", "))",
                           file: file, layer: layer.name)
        }
        weightIndex = i
    }
    // Extent and analysis CRS.
    guard let native = try layer.quickExtent() ?? layer.extent() else {
        throw GeoError(.invalidArgument, "the layer is empty", file: file, layer: layer.name)
    }
    let toLonLat = try Transformer(from: sourceCRS, to: .wgs84)
    let lonLatExtent = try outlineExtent(native, toLonLat)
    let crs = options.crs ?? CRS.analysisCRS(for: options.studyArea?.envelope ?? lonLatExtent)
    guard !crs.isGeographic else {
        throw GeoError(.invalidArgument, "\(crs) is geographic (degrees): cells would not have one size",
                       hint: "grid in a projected CRS in metres, e.g. {crs} EPSG:32642, or leave {crs} out for an equal-area CRS centred on the data")
    }
    let toAnalysis = try Transformer(from: .wgs84, to: crs)
    var studyMetric: Geometry? = nil
    var tiles: AreaTiles? = nil
    var extent: Envelope
    if let area = options.studyArea {
        let metric = try toAnalysis.transform(area)
        studyMetric = metric
        tiles = try AreaTiles(metric)
        extent = metric.envelope
    } else {
        extent = try outlineExtent(lonLatExtent, toAnalysis)
    }
    let cellSize = options.tessellation.isSquare ? options.tessellation.cellArea.squareRoot() : 0
    var margin = max(extent.width, extent.height) * 0.005 + cellSize
    if case .kernel(let r) = options.method { margin += r }
    let window = GridWindow(tessellation: options.tessellation, covering: extent.expanded(by: margin))
    try window.check(maxCells: options.maxCells)

    // Read on this thread, compute on the workers.
    let tess = options.tessellation, method = options.method, geodesic = options.geodesic, studyTiles = tiles
    let cells = window.cellCount
    let layerName = layer.name
    let cursor = try options.weightField.map { try layer.features(fields: [$0]) } ?? layer.features(fields: [])
    var features = 0, withoutGeometry = 0
    var length = [Double](repeating: 0, count: cells), weighted = [Double](repeating: 0, count: cells)
    var routes = [Int32](repeating: 0, count: cells)
    var outside = 0.0, networkLength = 0.0
    try runPipeline(
        workers: options.workers,
        make: {
            try DensityWorker(cells: cells, sourceCRS: sourceCRS, crs: crs, geodesic: geodesic, studyArea: studyTiles)
        },
        consume: { (worker: inout DensityWorker, batch: LineBatch) in
            do {
                try accumulate(batch, into: &worker, window: window, tessellation: tess, method: method, geodesic: geodesic, studyArea: studyTiles)
            } catch let e as GeoError {
                // Where it happened: the feature and the vertex (numbered in its line).
                var e = e
                if let v = e.vertex, v >= 1, v <= batch.coords.count {
                    let (line, vertex) = batch.line(ofVertex: v - 1)
                    e.vertex = vertex
                    e.featureID = e.featureID ?? batch.fid[line]
                }
                throw e.with(file: file, layer: layerName)
            }
            return worker.finish()
        },
        merge: { (p: DensityPartial) in
            // In batch order: the same additions, in the same order, whatever the workers.
            for (k, c) in p.cells.enumerated() {
                let i = Int(c)
                length[i] += p.length[k]
                weighted[i] += p.weighted[k]
                routes[i] += p.routes[k]
            }
            outside += p.outside
            networkLength += p.network
        },
        produce: { emit in
            var batch = LineBatch()
            while let f = try cursor.next() {
                features += 1
                guard let g = f.geometry, !g.isEmpty else { withoutGeometry += 1; continue }
                if g.type.dimensionFamily == 0 {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where lines are expected", file: file, layer: layerName, featureID: f.fid,
                                   hint: "keep only lines, e.g. {where} \"OGR_GEOMETRY='LINESTRING'\"")
                }
                if g.type.dimensionFamily == 2 && !options.boundaries {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where lines are expected", file: file, layer: layerName, featureID: f.fid,
                                   hint: "pass {boundaries} to use polygon outlines")
                }
                var w = 1.0
                if let wi = weightIndex {
                    guard let v = f.values[wi].doubleValue, v.isFinite, v >= 0 else {
                        throw GeoError(.invalidArgument, "the weight '\(f.values[wi])' in \(options.weightField!) is not a number ≥ 0",
                                       file: file, layer: layerName, featureID: f.fid, hint: "weights must be non-negative numbers; fix or filter the feature")
                    }
                    w = v
                }
                for line in g.linework where line.count > 1 {
                    batch.starts.append(batch.coords.count)
                    batch.coords.append(contentsOf: line)
                    batch.feature.append(Int32(truncatingIfNeeded: features - 1))
                    batch.fid.append(f.fid)
                    batch.weight.append(w)
                }
                if batch.coords.count >= 65_536 {
                    try emit(batch)
                    batch = LineBatch()
                    progress?(features)
                }
            }
            if batch.count > 0 { try emit(batch) }
        })
    // A feature is in one batch, so route counts simply add.
    var result = DensityGrid(window: window, crs: crs, method: method, length: length, weighted: weighted,
                             routes: routes, clippedArea: nil, features: features,
                             featuresWithoutGeometry: withoutGeometry, weighted_: weightIndex != nil)
    result.networkLength = networkLength
    if outside > 1e-6 {
        throw GeoError(.unsupported, String(format: "%.1f m of route fell outside the computed grid (an extent error)", outside),
                       file: file, layer: layerName, hint: "give a study area with {studyArea}; please report this")
    }
    if let area = studyMetric, let tiles { try clipCells(&result, to: area, tiles: tiles) }
    return result
}


private func accumulate(_ batch: LineBatch, into ctx: inout DensityWorker, window: GridWindow, tessellation: Tessellation,
                        method: LineDensityMethod, geodesic: Bool, studyArea: AreaTiles?) throws {
    var lonlat: [XY] = []
    if let t = ctx.toLonLat { lonlat = batch.coords; try t.transform(&lonlat) }
    var xy = batch.coords
    try ctx.toAnalysis.transform(&xy)
    let prepared = ctx.prepared
    for li in 0..<batch.count {
        let start = batch.starts[li], end = li + 1 < batch.count ? batch.starts[li + 1] : xy.count
        let feature = batch.feature[li], w = batch.weight[li]
        var pieces: [ArraySlice<XY>] = [xy[start..<end]]
        var geoPieces: [ArraySlice<XY>]? = geodesic ? [lonlat[start..<end]] : nil
        if let area = studyArea {
            // Only the tiles of the area near the line are touched (never the whole area).
            let line = Geometry.lineString(Array(xy[start..<end]))
            if let parts = try area.clip(line, prepared: prepared) {
                let clipped = parts.flatMap(\.linework).filter { $0.count > 1 }
                pieces = clipped.map { $0[...] }
                geoPieces = nil // clipped pieces: their lon/lat come from the inverse projection
                if geodesic { geoPieces = try clipped.map { try lonLatOf($0, ctx)[...] } }
            }
        }
        for (pi, piece) in pieces.enumerated() {
            let geo = geoPieces?[pi]
            addLine(piece, geo: geo, feature: feature, weight: w, acc: &ctx, window: window, tessellation: tessellation, method: method)
        }
    }
}

/// Lon/lat of analysis-CRS coordinates (used only for clipped pieces with --geodesic).
private func lonLatOf(_ analysis: [XY], _ ctx: DensityWorker) throws -> [XY] {
    var c = analysis
    try ctx.toAnalysis.transform(&c, direction: .inverse)   // back to the source CRS
    if let t = ctx.toLonLat { try t.transform(&c) }          // and on to lon/lat
    return c
}

@inline(__always)
private func addLine(_ c: ArraySlice<XY>, geo: ArraySlice<XY>?, feature: Int32, weight: Double, acc: inout DensityWorker,
                     window: GridWindow, tessellation: Tessellation, method: LineDensityMethod) {
    guard c.count > 1 else { return }
    let base = c.startIndex, gbase = geo?.startIndex ?? 0
    for k in base..<(c.endIndex - 1) {
        let a = c[k], b = c[k + 1]
        let planar = hypot(b.x - a.x, b.y - a.y)
        guard planar > 0 else { continue }
        var segLength = planar
        if let geo {
            let ga = geo[gbase + (k - base)], gb = geo[gbase + (k - base) + 1]
            segLength = Geodesic.distance(LonLat(ga), LonLat(gb))
        }
        acc.partial.network += segLength
        @inline(__always) func add(_ cell: CellIndex, _ len: Double) {
            guard let i = window.index(cell) else { acc.partial.outside += len; return }
            acc.add(i, len, weight: weight, feature: feature)
        }
        switch method {
        case .length:
            switch tessellation {
            case .square(let s):
                traverseSquare(a, b, size: s) { col, row, f in add(CellIndex(col: col, row: row), f * segLength) }
            case .hexagon(let side):
                tessellation.traverseHexagons(a, b, side: side) { cell, f in add(cell, f * segLength) }
            }
        case .kernel(let r):
            var e = Envelope.empty
            e.expand(a); e.expand(b)
            let (cols, rows) = tessellation.range(covering: e.expanded(by: r))
            let scale = segLength / planar
            for col in cols {
                for row in rows {
                    let cell = CellIndex(col: col, row: row)
                    let len = chordLength(a, b, center: tessellation.center(cell), radius: r)
                    if len > 0 {
                        guard let i = window.index(cell) else { continue }
                        acc.add(i, len * scale, weight: weight, feature: feature)
                    }
                }
            }
        }
    }
}

/// Marks the cells outside a study area and records the clipped areas of the cells it cuts
/// (tile by tile: a cell inside full tiles needs no geometry operation).
private func clipCells(_ grid: inout DensityGrid, to area: Geometry, tiles: AreaTiles) throws {
    var clipped: [Int: Double] = [:]
    var excluded = Set<Int>()
    let whole = grid.window.tessellation.cellArea
    let prepared = PreparedTiles(tiles)
    for i in 0..<grid.window.cellCount {
        let cell = Geometry.polygon([grid.window.tessellation.ring(grid.window.cell(at: i))])
        let a = try tiles.areaInside(cell, prepared: prepared)
        if a <= 0 { excluded.insert(i) } else if a < whole * (1 - 1e-12) { clipped[i] = a }
    }
    grid.clippedArea = clipped
    grid.excluded = excluded
    grid.studyArea = area
    grid.studyTiles = tiles
}
