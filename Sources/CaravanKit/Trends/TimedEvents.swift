internal import CPROJ
import Foundation

/// Events with a time, projected and put in cells: what a space-time cube is built from.
struct TimedEvents {
    var crs: CRS
    var cells: [CellIndex] = []
    var times: [Int] = []
    var weights: [Double]?
    /// Every cell meeting the study area (locations even without events).
    var studyCells: [CellIndex]?
    var read = 0
    var withoutLocation = 0
    var outsidePeriod = 0
    var outsideStudyArea = 0
    var dateColumn: String
    /// Whether the CSV was read straight from its bytes.
    var readDirectly = false
    /// The cube, when the events were streamed into it (a step given and the CSV read from its
    /// bytes); `cells`, `times` and `weights` are empty then.
    var cube: SpaceTimeCube?
}

/// Reads the events of a layer with their dates: checks the date column, refuses unreadable
/// dates (listing them), keeps the events of the period, projects them to the analysis CRS
/// (`CRS.analysisCRS` of their extent or of the study area) and finds their cells.
///
/// With a `step`, a plain CSV is streamed straight into the cube, `batchBytes` of the file at a
/// time, so memory holds the cube and one batch, whatever the number of events: a first pass
/// reads the dates and lon/lat (the extent fixes the CRS, the last date the steps; with a study
/// area a second finds the times of the events inside it), the last projects and bins.
func readTimedEvents(path: String, layerName: String?, sourceCRS: String?, selection: some EventSelection,
                     weightField: String?, tessellation: Tessellation, requestedCRS: CRS?, studyArea: Geometry?,
                     maxCells: Int, warnings: WarningLog, allowFastCSV: Bool = true, step: TimeStep? = nil,
                     batchBytes: Int = 16 << 20, progress: ((String) -> Void)? = nil) throws -> TimedEvents {
    let layer = try Dataset.open(path, options: OpenOptions(sourceCRS: try sourceCRS.map { try CRS($0) })).layer(named: layerName)
    guard let dateColumn = try selection.resolvedDateColumn(in: layer.schema, file: path, required: true) else {
        throw GeoError(.invalidArgument, "no date column", file: path, hint: "name it with {dateColumn}")
    }
    guard let srcCRS = try layer.crs else {
        throw GeoError(.projection, "the events have no CRS", file: path, layer: layer.name, hint: "say what it is with {sSrs}")
    }
    if layer.geometryType != .unknown, layer.geometryType.dimensionFamily != 0 {
        throw GeoError(.invalidArgument, "events must be points, and this layer holds \(layer.geometryType == .none ? "no geometry (no lon/lat columns found)" : layer.geometryType.rawValue + "s")",
                       file: path, layer: layer.name, hint: "geocode a table first with 'caravan geocode', or name its lon/lat columns lon and lat")
    }
    var weightIndex: Int? = nil
    if let w = weightField {
        guard let i = layer.schema.index(of: w), layer.readsAsNumber(i) else {
            let numeric = layer.schema.fields.filter(\.type.isNumeric).map(\.name)
            throw GeoError(.invalidArgument, "'\(w)' is not a numeric field; the numeric fields are: \(numeric.isEmpty ? "(none)" : numeric.joined(separator: ", "))",
                           file: path, layer: layer.name)
        }
        weightIndex = i
    }
    if let w = selection.where { try layer.setAttributeFilter(w) }
    let period = try selection.period()
    let dateIndex = layer.schema.index(of: dateColumn)!
    var fields = [dateColumn]
    if let w = weightField { fields.append(w) }
    var points: [XY] = [], times: [Int] = [], weights: [Double] = []
    var bad: [(Int64, String)] = [], badCount = 0, missingDate: [Int64] = [], missingTotal = 0
    var out = TimedEvents(crs: .wgs84, dateColumn: dateColumn)
    /// One event: its point (nil: none), its date (nil: empty), its weight.
    func take(_ fid: Int64, _ p: XY?, _ parsed: Result<EventDate, DateProblem>?, _ w: Double) {
        guard let p else { out.withoutLocation += 1; return }
        let date: EventDate
        switch parsed {
        case nil: missingTotal += 1; if missingDate.count < 5 { missingDate.append(fid) }; return
        case .failure(let problem)?:
            badCount += 1
            if bad.count < 5 { bad.append((fid, problem.description)) }
            return
        case .success(let d)?: date = d
        }
        if let period, !period.contains(date) { out.outsidePeriod += 1; return }
        points.append(p); times.append(date.dayNumber * 86_400 + date.seconds)
        if weightIndex != nil { weights.append(w) }
    }
    var fast = false
    var extent = Envelope.empty, firstTime = Int.max, lastTime = Int.min, keptCount = 0
    var batches: ((CSVEventRows) throws -> Void) throws -> Bool = { _ in false }
    if allowFastCSV, selection.where == nil, layer.dataset.driverName == "CSV", let pc = layer.pointColumns,
       (path as NSString).pathExtension.lowercased() == "csv", srcCRS.isGeographic {
        let columns = CSVEventColumns(lon: pc.lon, lat: pc.lat, date: dateIndex, weight: weightIndex)
        let names = (layer.schema.fields[pc.lon].name, layer.schema.fields[pc.lat].name)
        let header = layer.schema.names, layerLabel = layer.name, batch = step == nil ? Int.max : batchBytes
        batches = { body in
            try CSVEventReader.forEachBatch(path: path, names: header, columns: columns, period: period, layer: layerLabel, batchBytes: batch,
                                            progress: progress.map { p in { p(String(format: "reading events %.0f %%", 100 * $0)) } }, body)
        }
        var all = CSVEventRows()
        fast = try batches { r in
            for (row, lon, lat) in r.notNumbers {
                warnings.add("\(path): row \(row): '\(lon)', '\(lat)' in \(names.0)/\(names.1) are not numbers; the row has no point")
            }
            for p in r.points { extent.expand(p) }
            for t in r.times { firstTime = min(firstTime, t); lastTime = max(lastTime, t) }
            keptCount += r.points.count
            all.appendCounts(r, rowOffset: 0)
            if step == nil { points += r.points; times += r.times; weights += r.weights }
        }
        if fast {
            out.read = all.rows; out.withoutLocation = all.withoutLocation; out.outsidePeriod = all.outsidePeriod
            badCount = all.badCount; bad = all.bad
            if all.missingCount > 0 { missingDate = all.missing; missingTotal = all.missingCount }
        }
    }
    let streaming = fast && step != nil
    out.readDirectly = fast
    if !fast {
        let cursor = try layer.features(fields: fields)
        while let f = try cursor.next() {
            out.read += 1
            if out.read % 100_000 == 0 { progress?("\(out.read.formatted()) events read") }
            guard let g = f.geometry, let p = g.points.first else { take(f.fid, nil, nil, 0); continue }
            if g.points.count > 1 || g.type.dimensionFamily != 0 {
                throw GeoError(.invalidArgument, "a \(g.type.rawValue) where an event point is expected", file: path, layer: layer.name, featureID: f.fid)
            }
            var w = 1.0
            if let wi = weightIndex {
                guard let x = f.values[wi].doubleValue, x.isFinite else {
                    throw GeoError(.invalidArgument, "the weight '\(f.values[wi])' is not a number", file: path, layer: layer.name, featureID: f.fid,
                                   hint: "fix the value, or leave it out with {where}")
                }
                w = x
            }
            let v = f.values[dateIndex]
            take(f.fid, p, fastISODate(v).map { .success($0) } ?? EventDates.parse(v), w)
        }
        for p in points { extent.expand(p) }
        keptCount = points.count
    }
    if badCount > 0 {
        let list = bad.map { "row \($0.0): \($0.1)" }.joined(separator: "; ")
        throw GeoError(.invalidArgument, "\(badCount) date\(badCount == 1 ? "" : "s") in '\(dateColumn)' cannot be read (\(list)\(badCount > bad.count ? "; …" : ""))",
                       file: path, layer: layer.name, hint: "correct them (yyyy-mm-dd is safest), or leave those rows out with {where}")
    }
    if missingTotal > 0 {
        let rows = missingDate.prefix(5).map { "row \($0)" }.joined(separator: ", ")
        throw GeoError(.invalidArgument, "\(missingTotal) event\(missingTotal == 1 ? " has" : "s have") no date in '\(dateColumn)' (\(rows)\(missingTotal > 5 ? ", …" : ""))",
                       file: path, layer: layer.name, hint: "fill them in, or leave them out with {where} \"\(dateColumn) IS NOT NULL\"")
    }
    if out.withoutLocation > 0 {
        warnings.add("\(out.withoutLocation) of \(out.read) events have no location and were left out")
    }
    guard keptCount > 0 else {
        throw GeoError(.invalidArgument, "there are no events\(period == nil ? "" : " in the period asked for")", file: path, layer: layer.name,
                       hint: period == nil ? nil : "check {from} and {to}")
    }
    // Analysis CRS: of the study area, else of the events' extent.
    var centre = studyArea?.envelope
    if centre == nil {
        centre = srcCRS.isEquivalent(to: .wgs84) ? extent : try outlineExtent(extent, Transformer(from: srcCRS, to: .wgs84))
    }
    let crs = requestedCRS ?? CRS.analysisCRS(for: centre!)
    guard !crs.isGeographic else {
        throw GeoError(.invalidArgument, "\(crs) is geographic (degrees)", hint: "use a projected CRS in metres, or leave {crs} out")
    }
    out.crs = crs
    let projection = try Transformer(from: srcCRS, to: crs)
    var prepared: PreparedGeometry? = nil
    if let studyArea {
        let area = try Transformer(from: .wgs84, to: crs).transform(studyArea)
        let preparedArea = try PreparedGeometry(area)
        prepared = preparedArea
        let window = GridWindow(tessellation: tessellation, covering: area.envelope)
        try window.check(maxCells: maxCells)
        var cells: [CellIndex] = []
        for i in 0..<window.cellCount {
            let c = window.cell(at: i)
            if try preparedArea.intersects(Geometry.polygon([tessellation.ring(c)])) { cells.append(c) }
        }
        out.studyCells = cells
    }
    if streaming, let step {
        try streamIntoCube(&out, batches: batches, projection: projection, studyArea: prepared, step: step, tessellation: tessellation,
                           weighted: weightIndex != nil, weightField: weightField, firstTime: firstTime, lastTime: lastTime,
                           maxCells: maxCells, progress: progress)
        return out
    }
    progress?("projecting \(points.count.formatted()) events")
    try projection.transformInParallel(&points)
    var keep = [Bool](repeating: true, count: points.count)
    if let prepared {
        for (k, p) in points.enumerated() where !prepared.intersects(p) { keep[k] = false; out.outsideStudyArea += 1 }
    }
    // Cells in place of the points; times and weights compacted in place (memory: 32 bytes an event at most).
    var kept = 0
    if out.outsideStudyArea == 0 {
        out.cells = cellsInParallel(points, tessellation)
        kept = points.count
    } else {
        out.cells.reserveCapacity(points.count)
        for k in points.indices where keep[k] {
            out.cells.append(tessellation.cell(containing: points[k]))
            times[kept] = times[k]
            if weightIndex != nil { weights[kept] = weights[k] }
            kept += 1
        }
    }
    points = []
    times.removeLast(times.count - kept)
    if weightIndex != nil { weights.removeLast(weights.count - kept); out.weights = weights }
    out.times = times
    if out.studyCells == nil, let e = envelopeOfCells(out.cells, tessellation) {
        try GridWindow(tessellation: tessellation, covering: e).check(maxCells: maxCells)
    }
    return out
}

/// The passes after the first of a streamed read: with a study area, one finding the times of the
/// events inside it; then one projecting each batch, finding its cells and adding it to the cube.
private func streamIntoCube(_ out: inout TimedEvents, batches: ((CSVEventRows) throws -> Void) throws -> Bool,
                            projection: Transformer, studyArea: PreparedGeometry?, step: TimeStep, tessellation: Tessellation,
                            weighted: Bool, weightField: String?, firstTime: Int, lastTime: Int, maxCells: Int,
                            progress: ((String) -> Void)?) throws {
    var before = 0   // events of the earlier batches, for the numbering of a projection error
    /// A batch's events projected, in their cells, those outside the study area left out.
    func placed(_ r: CSVEventRows) throws -> (cells: [CellIndex], times: [Int], weights: [Double]?, outside: Int) {
        var points = r.points
        try projection.transformInParallel(&points, indexOffset: before)
        before += points.count
        guard let studyArea else { return (cellsInParallel(points, tessellation), r.times, weighted ? r.weights : nil, 0) }
        var cells: [CellIndex] = [], times: [Int] = [], weights: [Double] = []
        for (k, p) in points.enumerated() where studyArea.intersects(p) {
            cells.append(tessellation.cell(containing: p)); times.append(r.times[k])
            if weighted { weights.append(r.weights[k]) }
        }
        return (cells, times, weighted ? weights : nil, points.count - cells.count)
    }
    var first = firstTime, last = lastTime
    if studyArea != nil {
        first = .max; last = .min
        progress?("finding the events inside the study area")
        _ = try batches { r in
            let p = try placed(r)
            for t in p.times { first = min(first, t); last = max(last, t) }
            out.outsideStudyArea += p.outside
        }
        before = 0
        guard first <= last else { return }   // none inside: the caller says so
    }
    var bins = CubeBins(steps: TimeSteps(step: step, first: first, last: last), weighted: weighted, studyCells: out.studyCells)
    progress?("projecting the events into the cube")
    _ = try batches { r in
        let p = try placed(r)
        bins.add(cells: p.cells, times: p.times, weights: p.weights)
    }
    let cube = bins.cube(tessellation: tessellation, crs: out.crs, weightField: weightField, firstTime: first, lastTime: last)
    if out.studyCells == nil, let e = envelopeOfCells(cube.locations, tessellation) {
        try GridWindow(tessellation: tessellation, covering: e).check(maxCells: maxCells)
    }
    out.cube = cube
}

private func envelopeOfCells(_ cells: [CellIndex], _ t: Tessellation) -> Envelope? {
    guard !cells.isEmpty else { return nil }
    var e = Envelope.empty
    for c in cells { e.expand(t.center(c)) }
    return e
}

/// `yyyy-mm-dd` read straight from the bytes (the common case, a million times faster than
/// the general reader matters); anything else returns nil for `EventDates.parse`.
@inline(__always)
func fastISODate(_ v: FieldValue) -> EventDate? {
    guard case .string(let s) = v else { return nil }
    var y = 0, m = 0, d = 0, pos = 0, sep: UInt8 = 0
    for b in s.utf8 {
        switch pos {
        case 4, 7:
            guard b == UInt8(ascii: "-") || b == UInt8(ascii: "/"), sep == 0 || sep == b else { return nil }
            sep = b
        case 0...9:
            guard b >= 48, b <= 57 else { return nil }
            let digit = Int(b) - 48
            if pos < 4 { y = y * 10 + digit } else if pos < 7 { m = m * 10 + digit } else { d = d * 10 + digit }
        default: return nil
        }
        pos += 1
    }
    guard pos == 10, y >= 1, (1...12).contains(m), d >= 1, d <= EventDate.daysIn(month: m, year: y) else { return nil }
    return EventDate(year: y, month: m, day: d)
}

/// The cell of each point, a slice per core.
func cellsInParallel(_ points: [XY], _ tessellation: Tessellation) -> [CellIndex] {
    let n = points.count
    let slices = min(processorCount, max(1, n / 100_000))
    return [CellIndex](unsafeUninitializedCapacity: n) { out, count in
        points.withUnsafeBufferPointer { points in
            nonisolated(unsafe) let dst = out.baseAddress!, p = points
            DispatchQueue.concurrentPerform(iterations: slices) { k in
                for i in (n * k / slices)..<(n * (k + 1) / slices) { (dst + i).initialize(to: tessellation.cell(containing: p[i])) }
            }
        }
        count = n
    }
}
