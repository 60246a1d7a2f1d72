import Foundation

/// Where events are counted.
public enum AggregationTarget: Sendable {
    /// Cells of an aligned grid covering the events (or the study area), empty cells included.
    case grid(Tessellation, studyArea: Geometry?)
    /// Polygons of a layer (e.g. provinces); `idField` labels them.
    case polygons(Layer.Snapshot, idField: String?)
    /// Points of a layer (e.g. border crossings): events within `radius` metres (geodesic).
    case points(Layer.Snapshot, radius: Double, idField: String?)
}

/// Events counted (or their weights summed) per unit, ready for Gi*.
public struct AggregatedUnits: Sendable {
    public var crs: CRS
    /// Unit locations for distances (cell centres, polygon centroids, points), analysis CRS.
    public var positions: [XY]
    public var values: [Double]
    /// Unit shapes for output, analysis CRS.
    public var geometries: [Geometry]
    /// Unit labels: "col,row" for cells, the id field (or FID) for polygons and points.
    public var ids: [String]
    public var cells: [CellIndex]?
    /// For square grids: the window and which of its cells are units (row-major), for the fast path.
    public var grid: (window: GridWindow, present: [Bool])?
    /// "count" or "sum".
    public var valueName: String
    public var eventsRead = 0
    public var eventsWithoutGeometry = 0
    public var eventsOutside = 0
}

/// Event points read in projected batches: validates the layer (points, a CRS, a numeric
/// weight), picks the analysis CRS, and streams (points, weights) 65,536 at a time.
/// Shared by event aggregation and kernel density.
///
/// A table without a stored extent (CSV, XLSX) would be read twice — once by GDAL for the
/// extent that centres the analysis CRS, once for the points — so up to `bufferLimit` points
/// (4 M by default) are kept from a single read instead (24 bytes each); bigger tables are read twice.
final class EventStream {
    let layer: Layer
    let crs: CRS
    private let project: Transformer
    private let weightField: String?
    private let weightIndex: Int?
    private(set) var read = 0
    private(set) var missing = 0
    /// The events in the source CRS, when the extent pass kept them.
    private var buffered: (points: [XY], weights: [Double])?

    /// `lonLatExtent`: the area to centre the analysis CRS on; nil = the events' own extent.
    init(_ events: Layer, crs requested: CRS?, weightField: String?, lonLatExtent: Envelope? = nil, bufferLimit: Int = 4_000_000) throws {
        let file = events.dataset.path
        guard let sourceCRS = try events.crs else {
            throw GeoError(.projection, "the events have no CRS", file: file, layer: events.name, hint: "say what it is with --s-srs")
        }
        if events.geometryType != .unknown, events.geometryType.dimensionFamily != 0 {
            throw GeoError(.invalidArgument, "events must be points, and this layer holds \(events.geometryType == .none ? "no geometry (no lon/lat columns found)" : events.geometryType.rawValue + "s")",
                           file: file, layer: events.name, hint: "geocode a table first with 'caravan geocode', or name its lon/lat columns lon and lat")
        }
        var weightIndex: Int? = nil
        if let w = weightField {
            guard let i = events.schema.index(of: w), events.schema.fields[i].type.isNumeric else {
                let numeric = events.schema.fields.filter(\.type.isNumeric).map(\.name)
                throw GeoError(.invalidArgument, "'\(w)' is not a numeric field; the numeric fields are: \(numeric.isEmpty ? "(none)" : numeric.joined(separator: ", "))",
                               file: file, layer: events.name)
            }
            weightIndex = i
        }
        layer = events
        self.weightField = weightField
        self.weightIndex = weightIndex
        // Analysis CRS centred on the events (or the given area).
        var centre = lonLatExtent
        if centre == nil {
            var extent = events.quickExtent()
            if extent == nil {
                // One read that keeps the points (up to the limit) and measures their extent.
                var pts: [XY] = [], ws: [Double] = [], e = Envelope.empty, complete = true
                try Self.scan(events, weightField: weightField, weightIndex: weightIndex, read: &read, missing: &missing) { p, w in
                    e.expand(p)
                    guard pts.count < bufferLimit else { complete = false; return false }
                    pts.append(p); ws.append(w)
                    return true
                }
                if complete {
                    buffered = (pts, ws)
                    extent = e.isEmpty ? nil : e
                } else {
                    read = 0; missing = 0
                    extent = try events.extent()
                }
            }
            guard let e = extent else {
                throw GeoError(.invalidArgument, "there are no events", file: file, layer: events.name)
            }
            centre = try outlineExtent(e, Transformer(from: sourceCRS, to: .wgs84))
        }
        let crs = requested ?? CRS.analysisCRS(for: centre!)
        guard !crs.isGeographic else {
            throw GeoError(.invalidArgument, "\(crs) is geographic (degrees)", hint: "use a projected CRS in metres, or leave --crs out")
        }
        self.crs = crs
        project = try Transformer(from: sourceCRS, to: crs)
    }

    /// Reads the events, checking each: `body` gets each point (source CRS) and its weight, and
    /// returns false to stop.
    private static func scan(_ layer: Layer, weightField: String?, weightIndex: Int?, read: inout Int, missing: inout Int,
                             _ body: (XY, Double) throws -> Bool) throws {
        let file = layer.dataset.path
        let cursor = try weightField.map { try layer.features(fields: [$0]) } ?? layer.features(fields: [])
        while let f = try cursor.next() {
            read += 1
            guard let g = f.geometry else { missing += 1; continue }
            let ps = g.points
            guard !ps.isEmpty else {
                if g.type.dimensionFamily != 0 {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where an event point is expected", file: file, layer: layer.name, featureID: f.fid)
                }
                missing += 1; continue
            }
            var w = 1.0
            if let wi = weightIndex {
                guard let v = f.values[wi].doubleValue, v.isFinite else {
                    throw GeoError(.invalidArgument, "the weight '\(f.values[wi])' is not a number", file: file, layer: layer.name, featureID: f.fid)
                }
                w = v
            }
            for p in ps where !(try body(p, w)) { return }
        }
    }

    /// Whether the events were kept from the extent pass (read once).
    var isBuffered: Bool { buffered != nil }

    /// Calls `body` with batches of projected points and their weights (1 without a weight field).
    func forEachBatch(_ body: ([XY], [Double]) throws -> Void) throws {
        if let (all, weights) = buffered {
            var start = 0
            while start < all.count {
                let end = min(all.count, start + 65_536)
                var pts = Array(all[start..<end])
                try project.transform(&pts)
                try body(pts, Array(weights[start..<end]))
                start = end
            }
            return
        }
        var pts: [XY] = [], ws: [Double] = []
        try Self.scan(layer, weightField: weightField, weightIndex: weightIndex, read: &read, missing: &missing) { p, w in
            pts.append(p); ws.append(w)
            if pts.count >= 65_536 {
                try project.transform(&pts); try body(pts, ws)
                pts.removeAll(keepingCapacity: true); ws.removeAll(keepingCapacity: true)
            }
            return true
        }
        if !pts.isEmpty { try project.transform(&pts); try body(pts, ws) }
    }
}

/// Counts events per unit, streaming the events once (bounded memory: the units plus a batch).
public func aggregateEvents(_ events: Layer, to target: AggregationTarget, crs requested: CRS? = nil,
                            weightField: String? = nil, maxCells: Int = 10_000_000) throws -> AggregatedUnits {
    let file = events.dataset.path
    var studyExtent: Envelope? = nil
    if case .grid(_, let area?) = target { studyExtent = area.envelope }
    let events = try EventStream(events, crs: requested, weightField: weightField, lonLatExtent: studyExtent)
    let crs = events.crs
    func stream(_ body: ([XY], [Double]) throws -> Void) throws { try events.forEachBatch(body) }
    let valueName = weightField == nil ? "count" : "sum"
    switch target {
    case .grid(let tess, let studyArea):
        var sums: [CellIndex: Double] = [:]
        var outside = 0
        let area = try studyArea.map { try Transformer(from: .wgs84, to: crs).transform($0) }
        let prepared = try area.map { try PreparedGeometry($0) }
        var extent = area?.envelope ?? .empty
        try stream { pts, ws in
            for (p, w) in zip(pts, ws) {
                if let prepared, !prepared.intersects(p) { outside += 1; continue }
                sums[tess.cell(containing: p), default: 0] += w
                if area == nil { extent.expand(p) }
            }
        }
        guard !extent.isEmpty else { throw GeoError(.invalidArgument, "there are no events\(area == nil ? "" : " inside the study area")", file: file, layer: events.layer.name) }
        let window = GridWindow(tessellation: tess, covering: extent)
        try window.check(maxCells: maxCells)
        var present = [Bool](repeating: true, count: window.cellCount)
        var positions: [XY] = [], values: [Double] = [], geoms: [Geometry] = [], ids: [String] = [], cells: [CellIndex] = []
        for i in 0..<window.cellCount {
            let c = window.cell(at: i)
            var g = Geometry.polygon([tess.ring(c)])
            if let prepared, let area {
                if !(try prepared.intersects(g)) { present[i] = false; continue }
                if !(try prepared.contains(g)) { g = try g.intersection(area) }
            }
            positions.append(tess.center(c)); values.append(sums[c] ?? 0); geoms.append(g)
            ids.append("\(c.col),\(c.row)"); cells.append(c)
        }
        var u = AggregatedUnits(crs: crs, positions: positions, values: values, geometries: geoms, ids: ids, cells: cells,
                                grid: tess.isSquare ? (window, present) : nil, valueName: valueName)
        u.eventsRead = events.read; u.eventsWithoutGeometry = events.missing; u.eventsOutside = outside
        return u
    case .polygons(let snap, let idField):
        let t = try Transformer(from: snap.crs, to: crs)
        let idIndex = try idField.map { name -> Int in
            guard let i = snap.schema.index(of: name) else {
                throw GeoError(.invalidArgument, "no field '\(name)'; the fields are: \(snap.schema.names.joined(separator: ", "))", file: snap.path)
            }
            return i
        }
        var geoms: [Geometry] = [], ids: [String] = []
        for f in snap.features {
            guard let g = f.geometry, g.type.dimensionFamily == 2 else { continue }
            geoms.append(try t.transform(g))
            ids.append(idIndex.flatMap { f.values[$0].stringValue } ?? String(f.fid))
        }
        guard !geoms.isEmpty else { throw GeoError(.invalidArgument, "the aggregation layer has no polygons", file: snap.path) }
        let index = SpatialIndex()
        for (i, g) in geoms.enumerated() { try index.insert(g.envelope, item: i) }
        let prepared = try geoms.map { try PreparedGeometry($0) }
        var values = [Double](repeating: 0, count: geoms.count)
        var outside = 0
        try stream { pts, ws in
            for (p, w) in zip(pts, ws) {
                let hit = index.query(Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)).sorted().first { prepared[$0].intersects(p) }
                if let h = hit { values[h] += w } else { outside += 1 }
            }
        }
        var u = AggregatedUnits(crs: crs, positions: try geoms.map { try $0.centroid() }, values: values, geometries: geoms, ids: ids,
                                cells: nil, grid: nil, valueName: valueName)
        u.eventsRead = events.read; u.eventsWithoutGeometry = events.missing; u.eventsOutside = outside
        return u
    case .points(let snap, let radius, let idField):
        let toTarget = try Transformer(from: snap.crs, to: crs)
        let toLL = try Transformer(from: snap.crs, to: .wgs84)
        let idIndex = idField.flatMap { snap.schema.index(of: $0) } ?? snap.schema.index(of: "name")
        var positions: [XY] = [], lonlat: [LonLat] = [], ids: [String] = []
        for f in snap.features {
            guard let p = f.geometry?.points.first else { continue }
            positions.append(try toTarget.transform(p)); lonlat.append(LonLat(try toLL.transform(p)))
            ids.append(idIndex.flatMap { f.values[$0].stringValue } ?? String(f.fid))
        }
        guard !positions.isEmpty else { throw GeoError(.invalidArgument, "the --at layer has no points", file: snap.path) }
        let search = NeighbourSearch(positions, bucket: radius)
        let back = try Transformer(from: crs, to: .wgs84)
        var values = [Double](repeating: 0, count: positions.count)
        var outside = 0
        try stream { pts, ws in
            var ll = pts
            try back.transform(&ll)
            for (k, p) in pts.enumerated() {
                var hit = false
                let cx = Int(floor(p.x / radius)), cy = Int(floor(p.y / radius))
                for dx in -2...2 { for dy in -2...2 {
                    for j in search.buckets[SegmentIndex.key(cx + dx, cy + dy)] ?? [] {
                        if Geodesic.distance(LonLat(ll[k]), lonlat[Int(j)]) <= radius { values[Int(j)] += ws[k]; hit = true }
                    }
                } }
                if !hit { outside += 1 }
            }
        }
        var u = AggregatedUnits(crs: crs, positions: positions, values: values, geometries: positions.map { .point($0) }, ids: ids,
                                cells: nil, grid: nil, valueName: valueName)
        u.eventsRead = events.read; u.eventsWithoutGeometry = events.missing; u.eventsOutside = outside
        return u
    }
}
