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

/// Which events to read and what to keep of each: the weight, the period (by a date column),
/// and the columns a caller needs per event (country for the border cross-check, a group).
public struct EventReading: Sendable {
    public var weightField: String?
    /// Refuse negative weights (kernel density), naming the row.
    public var refuseNegativeWeights = false
    public var dateColumn: String?
    public var period: DatePeriod?
    /// Keep each event's date (as a day number) for grouping by period.
    public var keepDates = false
    /// Columns whose values (as text) are kept per event.
    public var keep: [String] = []
    /// Keep each event's row (for reports of events left out or reassigned).
    public var details = false
    public init(weightField: String? = nil, dateColumn: String? = nil, period: DatePeriod? = nil, keep: [String] = []) {
        self.weightField = weightField; self.dateColumn = dateColumn; self.period = period; self.keep = keep
    }
    var detailed: Bool { details || keepDates || !keep.isEmpty }
}

/// What is kept of an event beyond its point and weight (when asked for).
public struct EventDetail: Sendable {
    /// The feature id (the 1-based row of a table).
    public var fid: Int64
    /// The value of the event table's `id` column, when it has one.
    public var id: String?
    /// The values of `EventReading.keep`, in order.
    public var kept: [String?]
    /// The event's date as days since 1970-01-01, when read.
    public var day: Int?
    /// "row 17 (id 263)".
    public var label: String { id.map { "row \(fid) (id \($0))" } ?? "row \(fid)" }
}

/// What the reading of events found: rows, rows without a location, rows outside the period
/// and rows whose date could not be read (with the first few).
public struct EventReadReport: Sendable {
    public var read = 0
    public var withoutLocation = 0
    public var outsidePeriod = 0
    public var undated = 0
    /// The first rows with an unreadable or missing date: "row 12 (id 40): '31.02.2023' day 31 does not exist…".
    public var undatedExamples: [String] = []

    /// Warning lines for people (empty when nothing was left out).
    public func warnings(dateColumn: String?, periodAsked: Bool) -> [String] {
        var w: [String] = []
        if withoutLocation > 0 { w.append("\(withoutLocation) of \(read) events have no location and were left out") }
        if undated > 0, let c = dateColumn {
            w.append("\(undated) of \(read) rows have no readable date in '\(c)'\(periodAsked ? " and were left out of the period" : ""): "
                     + undatedExamples.joined(separator: "; ") + (undated > undatedExamples.count ? "; …" : ""))
        }
        return w
    }
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
    /// The events outside every unit, by row (at most 1000 kept; only when the reading kept details).
    public var outsideRows: [PlacedEvent] = []
    /// Events counted (with a location, in the period).
    public var eventsCounted = 0
    public var reading = EventReadReport()
    /// For polygons: each event with the polygon it went to and the polygon its point is in
    /// (only when the reading kept details).
    public var assignments: [PlacedEvent] = []
}

/// An event with where it was counted.
public struct PlacedEvent: Sendable {
    public var detail: EventDetail
    /// The event's point in the analysis CRS.
    public var point: XY
    /// The unit it was counted in (nil: none).
    public var unit: Int?
    /// The polygon its point lies in (nil: none); differs from `unit` when the attribute was trusted.
    public var spatialUnit: Int?
    /// Its weight (1 without a weight field).
    public var weight: Double = 1
}

/// Event points read in projected batches: validates the layer (points, a CRS, a numeric
/// weight), picks the analysis CRS, and streams (points, weights) 65,536 at a time.
/// Shared by event aggregation and kernel density.
///
/// A table without a stored extent (CSV, XLSX) would be read twice — once by GDAL for the
/// extent that decides the analysis CRS, once for the points — so up to `bufferLimit` points
/// (4 M by default) are kept from a single read instead (24 bytes each); bigger tables are read twice.
final class EventStream {
    let layer: Layer
    let crs: CRS
    private let project: Transformer
    private let scanner: EventScanner
    var report: EventReadReport { scanner.report }
    var read: Int { report.read }
    var missing: Int { report.withoutLocation }
    /// The events in the source CRS, when the extent pass kept them.
    private var buffered: (points: [XY], weights: [Double], details: [EventDetail])?

    convenience init(_ events: Layer, crs requested: CRS?, weightField: String?, lonLatExtent: Envelope? = nil, bufferLimit: Int = 4_000_000) throws {
        try self.init(events, crs: requested, reading: EventReading(weightField: weightField), lonLatExtent: lonLatExtent, bufferLimit: bufferLimit)
    }

    /// `lonLatExtent`: the area deciding the analysis CRS; nil = the events' own extent.
    init(_ events: Layer, crs requested: CRS?, reading: EventReading, lonLatExtent: Envelope? = nil, bufferLimit: Int = 4_000_000) throws {
        let file = events.dataset.path
        if events.geometryType == .none {
            throw GeoError(.invalidArgument, "the events have no coordinates (no geometry and no lon/lat columns): geocode it first",
                           file: file, layer: events.name,
                           hint: "caravan geocode \(file) {column} PLACE_COLUMN -o out/events.gpkg, then use out/events.gpkg")
        }
        if events.geometryType != .unknown, events.geometryType.dimensionFamily != 0 {
            throw GeoError(.invalidArgument, "events must be points, and this layer holds \(events.geometryType.rawValue)s",
                           file: file, layer: events.name, hint: "give a layer of event points (a geocoded table)")
        }
        guard let sourceCRS = try events.crs else {
            throw GeoError(.projection, "the events have no CRS", file: file, layer: events.name, hint: "say what it is with {sSrs}")
        }
        func column(_ name: String, numeric: Bool = false) throws -> Int {
            guard let i = events.schema.index(of: name) else {
                throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(events.schema.names.joined(separator: ", "))",
                               file: file, layer: events.name)
            }
            return i
        }
        var weightIndex: Int? = nil
        if let w = reading.weightField {
            guard let i = events.schema.index(of: w), events.readsAsNumber(i) else {
                let numeric = events.schema.fields.filter(\.type.isNumeric).map(\.name)
                throw GeoError(.invalidArgument, "'\(w)' is not a numeric field; the numeric fields are: \(numeric.isEmpty ? "(none)" : numeric.joined(separator: ", "))",
                               file: file, layer: events.name)
            }
            weightIndex = i
        }
        layer = events
        let scanner = EventScanner(layer: events, reading: reading, weightIndex: weightIndex,
                                   dateIndex: try reading.dateColumn.map { try column($0) },
                                   keepIndices: try reading.keep.map { try column($0) }, idIndex: events.schema.index(of: "id"))
        self.scanner = scanner
        // The analysis CRS: the fixed regional one when the events (or the given area) lie in the region.
        var area = lonLatExtent
        if area == nil && requested == nil {
            var extent = reading.period == nil ? events.quickExtent() : nil
            if extent == nil {
                // One read that keeps the points (up to the limit) and measures their extent.
                var pts: [XY] = [], ws: [Double] = [], ds: [EventDetail] = [], e = Envelope.empty, complete = true
                try scanner.scan { p, w, d in
                    e.expand(p)
                    guard pts.count < bufferLimit else { complete = false; return false }
                    pts.append(p); ws.append(w); if let d { ds.append(d) }
                    return true
                }
                if complete {
                    buffered = (pts, ws, ds)
                    extent = e.isEmpty ? nil : e
                } else {
                    scanner.report = EventReadReport()
                    extent = try events.extent()
                }
            }
            guard let e = extent else {
                throw GeoError(.invalidArgument, "there are no events\(reading.period == nil ? "" : " in the period")", file: file, layer: events.name)
            }
            area = try outlineExtent(e, Transformer(from: sourceCRS, to: .wgs84))
        }
        let crs = requested ?? CRS.analysisCRS(for: area!)
        guard !crs.isGeographic else {
            throw GeoError(.invalidArgument, "\(crs) is geographic (degrees)", hint: "use a projected CRS in metres, or leave {crs} out")
        }
        self.crs = crs
        project = try Transformer(from: sourceCRS, to: crs)
    }

    /// Whether the events were kept from the extent pass (read once).
    var isBuffered: Bool { buffered != nil }

    /// Calls `body` with batches of projected points and their weights (1 without a weight field).
    func forEachBatch(_ body: ([XY], [Double]) throws -> Void) throws {
        try forEachDetailedBatch { p, w, _ in try body(p, w) }
    }

    /// Calls `body` with batches of projected points, their weights and details (empty unless
    /// the reading asked for details).
    func forEachDetailedBatch(_ body: ([XY], [Double], [EventDetail]) throws -> Void) throws {
        if let (all, weights, details) = buffered {
            var start = 0
            while start < all.count {
                let end = min(all.count, start + 65_536)
                var pts = Array(all[start..<end])
                try project.transform(&pts)
                try body(pts, Array(weights[start..<end]), details.isEmpty ? [] : Array(details[start..<end]))
                start = end
            }
            return
        }
        var pts: [XY] = [], ws: [Double] = [], ds: [EventDetail] = []
        try scanner.scan { p, w, d in
            pts.append(p); ws.append(w); if let d { ds.append(d) }
            if pts.count >= 65_536 {
                try project.transform(&pts); try body(pts, ws, ds)
                pts.removeAll(keepingCapacity: true); ws.removeAll(keepingCapacity: true); ds.removeAll(keepingCapacity: true)
            }
            return true
        }
        if !pts.isEmpty { try project.transform(&pts); try body(pts, ws, ds) }
    }
}

/// One pass over the event rows: location, weight, date and period, kept columns.
final class EventScanner {
    let layer: Layer
    let reading: EventReading
    let weightIndex: Int?
    let dateIndex: Int?
    let keepIndices: [Int]
    let idIndex: Int?
    var report = EventReadReport()

    init(layer: Layer, reading: EventReading, weightIndex: Int?, dateIndex: Int?, keepIndices: [Int], idIndex: Int?) {
        self.layer = layer; self.reading = reading; self.weightIndex = weightIndex
        self.dateIndex = dateIndex; self.keepIndices = keepIndices; self.idIndex = idIndex
    }

    /// Reads the events, checking each: `body` gets each point (source CRS), its weight and its
    /// detail (when asked for), and returns false to stop.
    func scan(_ body: (XY, Double, EventDetail?) throws -> Bool) throws {
        let file = layer.dataset.path
        let names = ([weightIndex, dateIndex, idIndex].compactMap { $0 } + keepIndices).map { layer.schema.fields[$0].name }
        let cursor = try layer.features(fields: Array(Set(names)))
        while let f = try cursor.next() {
            report.read += 1
            guard let g = f.geometry else { report.withoutLocation += 1; continue }
            let ps = g.points
            guard !ps.isEmpty else {
                if g.type.dimensionFamily != 0 {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where an event point is expected", file: file, layer: layer.name, featureID: f.fid)
                }
                report.withoutLocation += 1; continue
            }
            var w = 1.0
            if let wi = weightIndex {
                guard let v = f.values[wi].doubleValue, v.isFinite else {
                    throw GeoError(.invalidArgument, "the weight '\(f.values[wi])' in row \(f.fid) is not a number", file: file, layer: layer.name, featureID: f.fid,
                                   hint: "fill in or remove that row's \(layer.schema.fields[wi].name)")
                }
                if reading.refuseNegativeWeights && v < 0 {
                    throw GeoError(.invalidArgument, "the weight \(layer.schema.fields[wi].name) = \(v) in row \(f.fid) is negative: a density cannot be negative",
                                   file: file, layer: layer.name, featureID: f.fid, hint: "correct that row, or select rows with {where} \"\(layer.schema.fields[wi].name) >= 0\"")
                }
                w = v
            }
            var day: Int? = nil
            if let di = dateIndex {
                switch EventDates.parse(f.values[di]) {
                case .success(let d)?: day = d.dayNumber
                case .failure(let problem)?:
                    report.undated += 1
                    if report.undatedExamples.count < 5 { report.undatedExamples.append("row \(f.fid): \(problem)") }
                case nil:
                    report.undated += 1
                    if report.undatedExamples.count < 5 { report.undatedExamples.append("row \(f.fid): empty") }
                }
                if let period = reading.period {
                    guard let day else { continue }
                    guard period.contains(EventDate(dayNumber: day)) else { report.outsidePeriod += 1; continue }
                }
            }
            let detail = reading.detailed
                ? EventDetail(fid: f.fid, id: idIndex.flatMap { f.values[$0].stringValue }, kept: keepIndices.map { f.values[$0].stringValue }, day: day)
                : nil
            for p in ps where !(try body(p, w, detail)) { return }
        }
    }
}

/// Counts events per unit, streaming the events once (bounded memory: the units plus a batch).
public func aggregateEvents(_ events: Layer, to target: AggregationTarget, crs requested: CRS? = nil,
                            weightField: String? = nil, maxCells: Int = 10_000_000) throws -> AggregatedUnits {
    try aggregateEvents(events, to: target, crs: requested, reading: EventReading(weightField: weightField), maxCells: maxCells)
}

/// Counts events per unit with a full reading (period, kept columns).
///
/// For polygons, `assignBy` (an index into `reading.keep` and the polygons' country of each
/// polygon) trusts the attribute: an event whose point falls in another country's polygon, or
/// in none, goes to the nearest polygon of the country the row names.
public func aggregateEvents(_ events: Layer, to target: AggregationTarget, crs requested: CRS? = nil,
                            reading: EventReading, maxCells: Int = 10_000_000,
                            assignBy: (keepIndex: Int, polygonCountries: [String?])? = nil) throws -> AggregatedUnits {
    let file = events.dataset.path
    var studyExtent: Envelope? = nil
    if case .grid(_, let area?) = target { studyExtent = area.envelope }
    let events = try EventStream(events, crs: requested, reading: reading, lonLatExtent: studyExtent)
    let crs = events.crs
    let valueName = reading.weightField == nil ? "count" : "sum"
    var outsideRows: [PlacedEvent] = []
    var counted = 0
    func finish(_ u: inout AggregatedUnits, outside: Int) {
        u.eventsRead = events.read; u.eventsWithoutGeometry = events.missing; u.eventsOutside = outside
        u.outsideRows = outsideRows; u.eventsCounted = counted; u.reading = events.report
    }
    switch target {
    case .grid(let tess, let studyArea):
        var sums: [CellIndex: Double] = [:]
        var outside = 0
        let area = try studyArea.map { try Transformer(from: .wgs84, to: crs).transform($0) }
        let prepared = try area.map { try PreparedGeometry($0) }
        var extent = area?.envelope ?? .empty
        try events.forEachDetailedBatch { pts, ws, ds in
            for (k, (p, w)) in zip(pts, ws).enumerated() {
                if let prepared, !prepared.intersects(p) {
                    outside += 1
                    if k < ds.count, outsideRows.count < 1000 { outsideRows.append(PlacedEvent(detail: ds[k], point: p)) }
                    continue
                }
                sums[tess.cell(containing: p), default: 0] += w
                counted += 1
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
        finish(&u, outside: outside)
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
        let index = try SpatialIndex()
        for (i, g) in geoms.enumerated() { try index.insert(g.envelope, item: i) }
        let prepared = try geoms.map { try PreparedGeometry($0) }
        var values = [Double](repeating: 0, count: geoms.count)
        var outside = 0
        var assignments: [PlacedEvent] = []
        let keepAssignments = reading.detailed
        func nearest(ofCountry code: String, to p: XY) throws -> Int? {
            guard let countries = assignBy?.polygonCountries else { return nil }
            var best: (Int, Double)? = nil
            for (i, c) in countries.enumerated() where c?.caseInsensitiveCompare(code) == .orderedSame {
                let d = try geoms[i].distance(to: .point(p))
                if best == nil || d < best!.1 { best = (i, d) }
            }
            return best?.0
        }
        try events.forEachDetailedBatch { pts, ws, ds in
            for (k, (p, w)) in zip(pts, ws).enumerated() {
                let spatial = try index.query(Envelope(minX: p.x, minY: p.y, maxX: p.x, maxY: p.y)).sorted().first { prepared[$0].intersects(p) }
                var hit = spatial
                if let (ki, countries) = assignBy, k < ds.count, let code = ds[k].kept[ki], !code.isEmpty {
                    let here = hit.flatMap { countries[$0] }
                    if here?.caseInsensitiveCompare(code) != .orderedSame, let other = try nearest(ofCountry: code, to: p) { hit = other }
                }
                if let h = hit {
                    values[h] += w
                    counted += 1
                    if keepAssignments, k < ds.count { assignments.append(PlacedEvent(detail: ds[k], point: p, unit: h, spatialUnit: spatial, weight: w)) }
                } else {
                    outside += 1
                    if k < ds.count {
                        if outsideRows.count < 1000 { outsideRows.append(PlacedEvent(detail: ds[k], point: p)) }
                        if keepAssignments { assignments.append(PlacedEvent(detail: ds[k], point: p, weight: w)) }
                    }
                }
            }
        }
        var u = AggregatedUnits(crs: crs, positions: try geoms.map { try $0.centroid() }, values: values, geometries: geoms, ids: ids,
                                cells: nil, grid: nil, valueName: valueName)
        finish(&u, outside: outside)
        u.assignments = assignments
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
        guard !positions.isEmpty else { throw GeoError(.invalidArgument, "the {at} layer has no points", file: snap.path) }
        let search = NeighbourSearch(positions, bucket: radius)
        let back = try Transformer(from: crs, to: .wgs84)
        var values = [Double](repeating: 0, count: positions.count)
        var outside = 0
        try events.forEachDetailedBatch { pts, ws, ds in
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
                if hit { counted += 1 } else {
                    outside += 1
                    if k < ds.count, outsideRows.count < 1000 { outsideRows.append(PlacedEvent(detail: ds[k], point: p)) }
                }
            }
        }
        var u = AggregatedUnits(crs: crs, positions: positions, values: values, geometries: positions.map { .point($0) }, ids: ids,
                                cells: nil, grid: nil, valueName: valueName)
        finish(&u, outside: outside)
        return u
    }
}
