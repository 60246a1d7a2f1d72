import Foundation

/// The options of `caravan kde`: ArcGIS's quartic Kernel Density of events, per km².
public struct KDEOptions: AnalysisOptions, GridSelection, EventSelection {
    public static let command = "kde"
    public var events: String
    public var layer: String?
    public var sSrs: String?
    public var restoreShx = false
    /// Search radius ("30km"); nil: ArcGIS's default (the spatial Silverman rule).
    public var radius: String?
    /// Numeric column weighting each event (ArcGIS's population field); negative weights are refused.
    public var weight: String?
    /// Extend the extent by the radius (ArcGIS uses the events' extent).
    public var padded = false
    // Grid (GridSelection): square cells only.
    public var grid: CellShape = .square
    /// Cell size ("5km"); nil: the shorter side of the extent / 250 (ArcGIS's default).
    public var cell: String?
    public var cellArea: String?
    public var crs: String?
    public var studyArea: String?
    public var studyWhere: String?
    public var maxCells = 10_000_000
    // Events (EventSelection).
    public var dateColumn: String?
    public var from: String?
    public var to: String?
    public var `where`: String?
    public var output: String?
    public var overwrite = false

    public init(events: String) { self.events = events }
    public var inputPaths: [String] { [events] + [studyArea].compactMap { $0 } }
    public var outputPaths: [String] { [output].compactMap { $0 } }

    public func validate() throws {
        if grid != .square { throw GeoError(.invalidArgument, "kernel density is computed on square cells", hint: "drop {grid} hex") }
        try validateGrid()
        _ = try tessellationRequiringUnits()
        if let r = radius { _ = try Distance.parse(r, option: "{radius}", requiringUnit: true) }
        _ = try period()
    }

    /// "kg per km²" for `amount_kg`, "events per km²" without a weight.
    public var unit: String {
        guard let w = weight else { return "events per km²" }
        return "\(unitOf(w) ?? w) per km²"
    }
}

/// Kernel density of events (ArcGIS's quartic kernel, per km²): the surface as a raster (0
/// where no event is within the radius; NoData only outside the study area) and as cells with
/// `col`, `row`, `density` and `expected` (density × cell area), cells with a density > 0.
public func kernelDensity(_ o: KDEOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let log = context.warnings
    let events = try EventSource.open(o.events, layer: o.layer, sourceCRS: o.sSrs, restoreShx: o.restoreShx)
    var reading = try o.reading(for: events, weight: o.weight)
    reading.refuseNegativeWeights = true
    let cell = try o.tessellationRequiringUnits().map { $0.cellArea.squareRoot() }
    let s = try kernelDensity(events, cell: cell, radius: try o.radius.map { try Distance.parse($0, option: "{radius}").meters },
                              crs: try o.requestedCRS(), reading: reading, studyArea: try o.studyAreaGeometry(),
                              padded: o.padded, maxCells: o.maxCells)
    for w in s.reading.warnings(dateColumn: reading.dateColumn, periodAsked: reading.period != nil) { log.add(w) }
    let size = s.window.tessellation.cellArea.squareRoot()
    var summary = [analysisCRSLine(s.crs)]
    if cell == nil { summary.append("cell size \(Distance(meters: size)) (ArcGIS's default: the shorter side of the extent / 250)") }
    if s.radiusIsDefault { summary.append("search radius \(Distance(meters: s.radius)) (ArcGIS's default, the spatial Silverman rule)") }
    else { summary.append("search radius \(Distance(meters: s.radius))") }
    let peak = s.values.max() ?? 0
    summary.append(String(format: "%d events, %@ cells, highest density %.4f %@", s.points, Distance(meters: size).description, peak, o.unit))
    let window = s.window, values = s.values, crs = s.crs
    var raster = RasterGrid(width: window.width, height: window.height, originX: Double(window.cols.lowerBound) * size,
                            originY: Double(window.rows.lowerBound) * size, cellSize: size, crs: crs,
                            values: values.indices.map { s.outside?[$0] == true ? -9999 : Float(values[$0]) })
    raster.description = "kernel density, \(o.unit)"
    let keep = values.indices.filter { values[$0] > 0 && s.outside?[$0] != true }
    let segments = (try? edgeSegments(window: window, crs: crs)) ?? 1
    let expectedUnit = o.weight.map { unitOf($0) ?? $0 } ?? "events"
    let fields = [ResultField("col", .integer, role: .gridIndex, meaning: "cell column in the analysis CRS"),
                  ResultField("row", .integer, role: .gridIndex, meaning: "cell row in the analysis CRS"),
                  ResultField("density", .real, role: .measure, meaning: "kernel density", unit: o.unit, width: 18, precision: 8),
                  ResultField("expected", .real, role: .measure, meaning: "density × cell area", unit: expectedUnit, width: 18, precision: 8)]
    var meta = analysisMetadata(crs, options: o)
    meta["unit"] = o.unit
    meta["radius_m"] = String(s.radius)
    let layer = ResultLayer(name: "kde", kind: .kernelDensity, title: "Kernel density of \(baseName(o.events)) (\(o.unit))", crs: crs,
                            geometryType: .polygon, fields: fields, count: keep.count,
                            geometry: { k in .polygon([window.tessellation.densifiedRing(window.cell(at: keep[k]), segments: segments)]) },
                            values: { k in
                                let c = window.cell(at: keep[k])
                                return [.integer(Int64(c.col)), .integer(Int64(c.row)), .real(values[keep[k]]), .real(values[keep[k]] * size * size / 1e6)]
                            },
                            centre: { k in window.tessellation.center(window.cell(at: keep[k])) },
                            raster: ResultRaster(grid: raster, meaning: "kernel density", unit: o.unit), metadata: meta)
    let figures: [String: Double] = ["events": Double(s.points), "radius_m": s.radius, "cell_m": size, "peak": peak,
                                     "undated": Double(s.reading.undated), "outside_period": Double(s.reading.outsidePeriod)]
    return AnalysisOutput(layers: [layer], summary: summary, figures: figures, warnings: log.messages)
}
