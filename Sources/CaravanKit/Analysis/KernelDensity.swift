import Foundation

/// ArcGIS's default search radius for Kernel Density (the spatial variant of Silverman's rule):
/// r = 0.9 · min(SD, √(1/ln 2) · Dm) · n^(−0.2), with SD the (weighted) standard distance from
/// the mean centre, Dm the (weighted) median distance to it, n the count or total weight.
public func silvermanRadius(points: [XY], weights: [Double]) -> Double {
    let total = weights.reduce(0, +)
    guard total > 0, points.count > 1 else { return 0 }
    var cx = 0.0, cy = 0.0
    for (p, w) in zip(points, weights) { cx += p.x * w; cy += p.y * w }
    cx /= total; cy /= total
    let d = points.map { hypot($0.x - cx, $0.y - cy) }
    let sd = (zip(d, weights).reduce(0) { $0 + $1.1 * $1.0 * $1.0 } / total).squareRoot()
    // Weighted median distance.
    let order = d.indices.sorted { d[$0] < d[$1] }
    var acc = 0.0, median = d[order.last!]
    for i in order { acc += weights[i]; if acc >= total / 2 { median = d[i]; break } }
    return 0.9 * min(sd, (1 / log(2.0)).squareRoot() * median) * pow(total, -0.2)
}

/// A kernel density surface: values per km² on an aligned square grid.
public struct KernelDensitySurface: Sendable {
    public var window: GridWindow
    public var crs: CRS
    public var radius: Double
    /// Density per km² per cell, row-major; 0 where no point is within the radius.
    public var values: [Double]
    public var points = 0
    public var pointsWithoutGeometry = 0
    public var radiusIsDefault = false
    /// Cells outside the study area (NoData in a GeoTIFF); nil: every cell is analysed.
    public var outside: [Bool]? = nil
    /// What reading the events found (rows without location, undated, outside the period).
    public var reading = EventReadReport()
}

/// ArcGIS's quartic Kernel Density of points (Silverman 1986, eq. 4.5):
/// D(x) = (1/r²) Σ_{dᵢ<r} (3/π) · popᵢ · (1 − (dᵢ/r)²)², per km² here (each kernel integrates to popᵢ).
/// Cells are aligned to the CRS origin and cover the points' extent (ArcGIS's default extent,
/// not padded by r unless `padded`).
public func kernelDensity(_ events: Layer, cell requestedCell: Double?, radius: Double?, crs requested: CRS? = nil,
                          weightField: String? = nil, padded: Bool = false, maxCells: Int = 10_000_000) throws -> KernelDensitySurface {
    try kernelDensity(events, cell: requestedCell, radius: radius, crs: requested, reading: EventReading(weightField: weightField),
                      padded: padded, maxCells: maxCells)
}

/// Kernel density with a full event reading (period, negative weights refused) and an
/// optional study area (lon/lat): the grid covers it, and cells whose centre lies outside it
/// are marked in `outside`.
func kernelDensity(_ events: Layer, cell requestedCell: Double?, radius: Double?, crs requested: CRS?, reading: EventReading,
                   studyArea: Geometry? = nil, padded: Bool = false, maxCells: Int = 10_000_000) throws -> KernelDensitySurface {
    // The events are read once into memory as projected points (a kernel needs them all at
    // each cell; a million points is 16 MB).
    let stream = try EventStream(events, crs: requested, reading: reading, lonLatExtent: studyArea?.envelope)
    var pts: [XY] = [], ws: [Double] = []
    try stream.forEachBatch { p, w in pts += p; ws += w }
    guard !pts.isEmpty else { throw GeoError(.invalidArgument, "there are no event points\(reading.period == nil ? "" : " in the period")", file: events.dataset.path, layer: events.name) }
    let area = try studyArea.map { try Transformer(from: .wgs84, to: stream.crs).transform($0) }
    var e = Envelope.empty
    for p in pts { e.expand(p) }
    // ArcGIS's default cell: the shorter side of the extent / 250.
    let cell = requestedCell ?? max(min(e.width, e.height) / 250, 1)
    var r = radius ?? silvermanRadius(points: pts, weights: ws)
    let isDefault = radius == nil
    if r <= 0 { r = cell }
    if let area { e = area.envelope } else if padded { e = e.expanded(by: r) }
    let window = GridWindow(tessellation: .square(size: cell), covering: e)
    try window.check(maxCells: maxCells)
    var values = [Double](repeating: 0, count: window.cellCount)
    let k = 3 / Double.pi / (r * r) * 1e6   // per km²
    let tess = Tessellation.square(size: cell)
    for (p, w) in zip(pts, ws) {
        let (cols, rows) = tess.range(covering: Envelope(minX: p.x - r, minY: p.y - r, maxX: p.x + r, maxY: p.y + r))
        for row in rows {
            for col in cols {
                let c = CellIndex(col: col, row: row)
                guard let i = window.index(c) else { continue }
                let q = tess.center(c)
                let u2 = ((q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)) / (r * r)
                if u2 < 1 { values[i] += k * w * (1 - u2) * (1 - u2) }
            }
        }
    }
    var s = KernelDensitySurface(window: window, crs: stream.crs, radius: r, values: values)
    s.points = pts.count; s.pointsWithoutGeometry = stream.missing; s.radiusIsDefault = isDefault
    s.reading = stream.report
    if let area {
        let prepared = try PreparedGeometry(area)
        s.outside = (0..<window.cellCount).map { !prepared.intersects(tess.center(window.cell(at: $0))) }
    }
    return s
}
