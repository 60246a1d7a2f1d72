import Foundation

/// The options of `caravan hotspots`: Getis-Ord Gi* of events counted per cell, polygon or point.
public struct HotSpotOptions: AnalysisOptions, GridSelection, EventSelection {
    public static let command = "hotspots"
    /// Event points (a geocoded table, a GeoPackage…).
    public var events: String
    public var layer: String?
    /// The events' CRS, when the source lacks or misstates it (`--s-srs`).
    public var sSrs: String?
    public var restoreShx = false
    // Grid (GridSelection).
    public var grid: CellShape = .square
    public var cell: String?
    public var cellArea: String?
    public var crs: String?
    public var studyArea: String?
    public var studyWhere: String?
    public var maxCells = 10_000_000
    /// Aggregate to these polygons instead of a grid.
    public var polygons: String?
    /// Aggregate to these points (with `radius`) instead of a grid.
    public var at: String?
    public var radius: String?
    /// Field labelling the polygons or points (SOURCE_ID).
    public var idField: String?
    /// Distance band ("75km") or "auto"; nil: ArcGIS's default.
    public var band: String?
    public var knn: Int?
    public var inverseDistance = false
    /// Numeric field summed instead of counting events.
    public var weight: String?
    public var fdr = false
    // Events (EventSelection).
    public var dateColumn: String?
    public var from: String?
    public var to: String?
    public var `where`: String?
    /// The events' country column for the border cross-check with `polygons` (default: found by name).
    public var countryColumn: String?
    /// Trust this country column over the polygons for events near borders.
    public var assignBy: String?
    /// Where the report of events left out or counted in another country goes.
    public var report: String?
    /// Province polygons naming places in tables (default `shapefiles/provinces.shp` when present).
    public var provinces: String?
    public var output: String?
    public var overwrite = false
    /// Rows of the table of strongest hot spots.
    public var top = 10

    public init(events: String) { self.events = events }

    public var inputPaths: [String] { [events] + [polygons, at, studyArea].compactMap { $0 } }
    public var outputPaths: [String] { [output, report].compactMap { $0 } }

    public func validate() throws {
        if polygons != nil && at != nil {
            throw GeoError(.invalidArgument, "give one of {cell}/{cellArea}, {polygons}, {at}", hint: "drop {polygons} or {at}")
        }
        if (polygons != nil || at != nil) && (cell != nil || cellArea != nil) {
            throw GeoError(.invalidArgument, "\(polygons != nil ? "{polygons}" : "{at}") with \(cell != nil ? "{cell}" : "{cellArea}"): the events go to one or the other",
                           hint: "drop \(cell != nil ? "{cell}" : "{cellArea}") to count per \(polygons != nil ? "polygon" : "point"), or drop \(polygons != nil ? "{polygons}" : "{at}")")
        }
        if (polygons != nil || at != nil) && studyArea != nil {
            throw GeoError(.invalidArgument, "{studyArea} bounds a grid", hint: "drop {studyArea}, or use {cell}")
        }
        if at != nil && radius == nil { throw GeoError(.invalidArgument, "{at} needs {radius}", hint: "e.g. {radius} 20km") }
        if knn != nil && band != nil && !inverseDistance { throw GeoError(.invalidArgument, "give {band} or {knn}, not both", hint: "drop one of them") }
        if let k = knn, k < 1 { throw GeoError(.invalidArgument, "{knn} must be at least 1", hint: "e.g. {knn} 8") }
        if assignBy != nil && polygons == nil { throw GeoError(.invalidArgument, "{assignBy} trusts a country column over polygons", hint: "add {polygons} LAYER") }
        try validateGrid()
        if polygons == nil && at == nil, try tessellationRequiringUnits() == nil {
            throw GeoError(.invalidArgument, "no aggregation", hint: "give {cell} 25km (or {cellArea} 500km2), {polygons} LAYER or {at} POINTS {radius} R")
        }
        if let b = band, b.lowercased() != "auto" { _ = try Distance.parse(b, option: "{band}", requiringUnit: true) }
        if let r = radius { _ = try Distance.parse(r, option: "{radius}", requiringUnit: true) }
        _ = try period()
    }
}

/// The seven Gi_Bin classes as ArcGIS Pro draws them (cold 99 % to hot 99 %): the same classes,
/// labels and colours as the map legend and the QGIS style (`LayerStyle.hotSpotClasses`).
public let giBinClasses: [FieldClass] = LayerStyle.hotSpotClasses.reversed().map {
    FieldClass(value: $0.value, label: $0.label, labelRussian: $0.labelRussian, colour: $0.colour)
}

/// One line stating the analysis CRS, for summaries.
func analysisCRSLine(_ crs: CRS) -> String {
    crs.isRegional
        ? "analysis CRS: \(crs.name) (fixed for the region: a cell keeps its col,row from run to run)"
        : "analysis CRS: \(crs.name)"
}

/// Metadata every grid or event product records.
func analysisMetadata(_ crs: CRS, options: some AnalysisOptions) -> [String: String] {
    var m = ["analysis_crs": crs.name, "analysis_crs_wkt": crs.wkt, "command": type(of: options).command]
    if crs.isRegional { m["analysis_crs_proj"] = CRS.regionalDefinition }
    if let d = try? JSONEncoder().encode(options), let s = String(data: d, encoding: .utf8) { m["options"] = s }
    return m
}

/// Polygons promoted to one geometry type for the whole layer.
func promotedPolygons(_ geoms: [Geometry]) -> (GeometryType, [Geometry]) {
    guard geoms.contains(where: { if case .multiPolygon = $0 { true } else { false } }) else { return (.polygon, geoms) }
    return (.multiPolygon, geoms.map { if case .polygon(let r) = $0 { .multiPolygon([r]) } else { $0 } })
}

/// The file name of a path, for messages.
func baseName(_ path: String) -> String { (path as NSString).lastPathComponent }

/// Hot spots of events: Getis-Ord Gi* as ArcGIS Pro's Hot Spot Analysis computes it, per grid
/// cell (zero cells included), polygon or point. Decides the spatial weights (ArcGIS's default
/// band, `auto` as Optimized Hot Spot Analysis, KNN, inverse distance), checks the band
/// against the cells, and returns the layer (`SOURCE_ID`, `col`, `row`, `count`/`sum`,
/// `GiZScore`, `GiPValue`, `NNeighbors`, `Gi_Bin`), the table of strongest hot spots naming
/// places, and a report layer of events left out or counted in another country.
public func hotSpots(_ o: HotSpotOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let log = context.warnings
    // The gazetteer naming places in the table loads while the events are read.
    if o.top > 0 { DispatchQueue.global(qos: .userInitiated).async { _ = Gazetteer.shared } }
    let events = try EventSource.open(o.events, layer: o.layer, sourceCRS: o.sSrs, restoreShx: o.restoreShx)
    var reading = try o.reading(for: events, weight: o.weight)
    let target: AggregationTarget
    var check: BorderCheck? = nil
    var names: [String]? = nil
    if let p = o.polygons {
        let snap = try Dataset.open(p).layer(named: nil).snapshot()
        names = polygonNames(snap)
        target = .polygons(snap, idField: o.idField)
        check = try BorderCheck(polygons: snap, events: events, countryColumn: o.assignBy ?? o.countryColumn)
        if let c = check { reading.keep = [c.eventColumn] }
        reading.details = true
    } else if let a = o.at {
        target = .points(try Dataset.open(a).layer(named: nil).snapshot(), radius: try Distance.parse(o.radius ?? "", option: "{radius}").meters, idField: o.idField)
        reading.details = o.report != nil
    } else {
        guard let t = try o.tessellationRequiringUnits() else { throw GeoError(.invalidArgument, "no aggregation", hint: "give {cell} 25km") }
        target = .grid(t, studyArea: try o.studyAreaGeometry())
        reading.details = o.report != nil || o.studyArea != nil
    }
    let units = try aggregateEvents(events, to: target, crs: try o.requestedCRS(), reading: reading, maxCells: o.maxCells,
                                    assignBy: o.assignBy != nil ? check.map { (0, $0.polygonCountries) } : nil)
    var summary = [analysisCRSLine(units.crs)]
    for w in units.reading.warnings(dateColumn: reading.dateColumn, periodAsked: reading.period != nil) { log.add(w) }
    let unitWord = o.polygons != nil ? "polygons" : o.at != nil ? "points" : "cells"
    if let p = reading.period {
        summary.append("period \(p.from?.iso ?? "start")…\(p.to?.iso ?? "end") by '\(reading.dateColumn ?? "")': \(units.reading.outsidePeriod) events outside it left out")
    }
    if units.eventsOutside > 0 {
        summary.append(outsideLine(units, within: o.polygons != nil ? "polygon" : o.at != nil ? "radius" : "cell of the study area", report: o.report))
    }
    let n = units.values.count
    guard n >= 3 else {
        let e = units.eventsCounted
        throw GeoError(.invalidArgument, "Gi* needs at least 3 features: \(baseName(o.events)) has \(e) event\(e == 1 ? "" : "s") in \(n) \(n == 1 ? String(unitWord.dropLast()) : unitWord)",
                       file: o.events, hint: "use smaller cells, a larger area or more events")
    }
    // Spatial relationships.
    var reason: String? = nil
    let weights: SpatialWeights
    if var k = o.knn {
        if k > n - 1 {
            log.add("{knn} \(k) is more than the \(n - 1) other \(unitWord): using \(n - 1)")
            k = n - 1
        }
        weights = .nearest(k)
    } else if o.band?.lowercased() == "auto" {
        let (d, why, _) = optimizedBand(values: units.values, positions: units.positions)
        weights = o.inverseDistance ? .inverseDistance(power: 1, band: d) : .fixedBand(d)
        reason = why
    } else if let b = o.band {
        let d = try Distance.parse(b, option: "{band}").meters
        weights = o.inverseDistance ? .inverseDistance(power: 1, band: d) : .fixedBand(d)
        if case .grid(let t, _) = target {
            let spacing = t.isSquare ? t.cellArea.squareRoot() : (t.cellArea / (1.5 * 3.0.squareRoot())).squareRoot() * 3.0.squareRoot()
            if d < spacing {
                throw GeoError(.invalidArgument, "the band (\(Distance(meters: d))) is smaller than the distance between neighbouring cells (\(Distance(meters: spacing))): no cell would have a neighbour",
                               hint: "use at least {band} \(Distance(meters: spacing * 3)), or {band} auto")
            }
        }
    } else if o.inverseDistance {
        weights = .inverseDistance(power: 1, band: nil)
    } else {
        let d = (nearestNeighbourDistances(units.positions).max() ?? 0) * 1.0001
        weights = .fixedBand(d)
        reason = "ArcGIS's default: the distance that gives every feature at least one neighbour"
    }
    if case .fixedBand(let d) = weights, let reason { summary.append("distance band \(Distance(meters: d)): \(reason)") }
    let result = try getisOrdGiStar(values: units.values, positions: units.positions, weights: weights, fdr: o.fdr, grid: units.grid)
    for w in result.warnings { log.add(w) }

    let layer = hotSpotLayer(units, result, options: o)
    let hot = result.bin.filter { $0 > 0 }.count, cold = result.bin.filter { $0 < 0 }.count
    summary.append("\(n) \(unitWord), \(units.eventsCounted) events; \(hot) hot and \(cold) cold at 90 % or more\(o.fdr ? " (FDR-corrected)" : "")")
    var figures: [String: Double] = [
        "units": Double(n), "events": Double(units.eventsCounted), "events_read": Double(units.eventsRead),
        "outside": Double(units.eventsOutside), "hot": Double(hot), "cold": Double(cold),
        "hot99": Double(result.bin.filter { $0 == 3 }.count), "cold99": Double(result.bin.filter { $0 == -3 }.count),
        "isolated": Double(result.z.indices.filter { result.neighbours[$0] <= 1 }.count),
        "undated": Double(units.reading.undated), "outside_period": Double(units.reading.outsidePeriod),
    ]
    if case .fixedBand(let d) = weights { figures["band_m"] = d }
    var layers = [layer]
    var tables: [ResultTable] = []
    if let check {
        let r = check.evaluate(units)
        figures["other_country"] = Double(r.mismatched)
        figures["reassigned"] = Double(r.reassigned)
        summary += r.summary(assignBy: o.assignBy, report: o.report)
    }
    if o.report != nil, let rl = eventReportLayer(units, check: check, unitNames: names) { layers.append(rl) }
    if let t = try topTable(units, result, weights: weights, options: o, names: names) { tables.append(t) }
    return AnalysisOutput(layers: layers, summary: summary, tables: tables, figures: figures, warnings: log.messages)
}

/// "62 events fall outside every polygon: row 12 (id 5), row 40 (id 77), … (all in out/report.csv)".
func outsideLine(_ u: AggregatedUnits, within: String, report: String?) -> String {
    let listed = u.outsideRows.prefix(8).map(\.detail.label)
    var s = "\(u.eventsOutside) events fall outside every \(within)"
    if !listed.isEmpty { s += ": " + listed.joined(separator: ", ") + (u.eventsOutside > listed.count ? ", …" : "") }
    s += report.map { " (all listed in \($0))" } ?? (u.eventsOutside > listed.count ? " ({report} FILE lists them all)" : "")
    return s
}

/// The hot spot layer: ArcGIS's fields with their meanings.
func hotSpotLayer(_ u: AggregatedUnits, _ r: HotSpotResult, options o: HotSpotOptions) -> ResultLayer {
    var fields = [ResultField("SOURCE_ID", .string, role: .identifier, meaning: u.cells != nil ? "cell column,row in the analysis CRS" : "feature id")]
    if u.cells != nil {
        fields += [ResultField("col", .integer, role: .gridIndex, meaning: "cell column in the analysis CRS"),
                   ResultField("row", .integer, role: .gridIndex, meaning: "cell row in the analysis CRS")]
    }
    fields += [
        u.valueName == "count"
            ? ResultField("count", .real, role: .count, meaning: "events in the unit", unit: "events", width: 18, precision: 6)
            : ResultField("sum", .real, role: .sum, meaning: "sum of \(o.weight ?? "the weight") in the unit", unit: o.weight, width: 18, precision: 6),
        ResultField("GiZScore", .real, role: .zScore, meaning: "Getis-Ord Gi* z-score (ArcGIS GiZScore)"),
        ResultField("GiPValue", .real, role: .pValue, meaning: "two-sided p-value of the z-score (ArcGIS GiPValue)"),
        ResultField("NNeighbors", .integer, role: .count, meaning: "features in the neighbourhood, the unit itself included"),
        ResultField("Gi_Bin", .integer, role: .confidenceBin, meaning: "confidence bin: ±3, ±2, ±1 = hot/cold at 99/95/90 %\(o.fdr ? ", FDR-corrected" : ""), 0 not significant",
                    classes: giBinClasses),
    ]
    let (type, geoms) = u.cells == nil && o.at != nil ? (GeometryType.point, u.geometries) : promotedPolygons(u.geometries)
    let ids = u.ids, cells = u.cells, values = u.values, positions = u.positions
    let z = r.z, p = r.p, nn = r.neighbours, bin = r.bin
    var meta = analysisMetadata(u.crs, options: o)
    meta["weights"] = "\(r.weights)"
    let what = o.polygons != nil ? "polygons" : o.at != nil ? "points" : "\(o.cell ?? o.cellArea ?? "") cells"
    return ResultLayer(name: "hotspots", kind: .hotSpots, title: "Hot spots of \(baseName(o.events)) (Gi*, \(what))", crs: u.crs,
                       geometryType: type, fields: fields, count: values.count,
                       geometry: { geoms[$0] },
                       values: { i in
                           var v: [FieldValue] = [.string(ids[i])]
                           if let cells { v += [.integer(Int64(cells[i].col)), .integer(Int64(cells[i].row))] }
                           v += [.real(values[i]), z[i].map { .real($0) } ?? .null, p[i].map { .real($0) } ?? .null,
                                 .integer(Int64(nn[i])), .integer(Int64(bin[i]))]
                           return v
                       },
                       centre: { positions[$0] }, metadata: meta)
}

/// The strongest hot spots, naming the nearest town and the province, with the events in
/// the unit and in its neighbourhood.
func topTable(_ u: AggregatedUnits, _ r: HotSpotResult, weights: SpatialWeights, options o: HotSpotOptions, names: [String]? = nil) throws -> ResultTable? {
    guard o.top > 0 else { return nil }
    let order = u.values.indices.filter { r.z[$0] != nil && r.z[$0]! > 0 }.sorted { r.z[$0]! > r.z[$1]! }.prefix(o.top)
    guard !order.isEmpty else { return nil }
    let places = try NearestPlace(provinces: o.provinces)
    let toLonLat = try Transformer(from: u.crs, to: .wgs84)
    let word = u.valueName == "count" ? "events" : (o.weight ?? "sum")
    let around: String?
    switch weights {
    case .fixedBand(let d): around = "\(word) within \(Distance(meters: d))"
    case .nearest(let k): around = "\(word) in it and \(k) nearest"
    case .inverseDistance(_, _): around = nil
    }
    var columns = ["rank", names == nil ? "id" : "polygon", "near", "province", "\(word) in it"]
    if let around { columns.append(around) }
    columns += ["GiZScore", "GiPValue", "Gi_Bin", "lon, lat"]
    func num(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e12 ? String(Int(x)) : String(format: "%.1f", x) }
    var rows: [[String]] = []
    for (k, i) in order.enumerated() {
        let ll = LonLat(try toLonLat.transform(u.positions[i]))
        let found = places.find(ll)
        var row = [String(k + 1), names.map { $0[i] } ?? u.ids[i], found.town.map { t in found.distance >= 5_000 ? "\(t) (\(Int((found.distance / 1000).rounded())) km)" : t } ?? "-",
                   [found.province, found.country].compactMap { $0 }.joined(separator: ", "), num(u.values[i])]
        if around != nil { row.append(num(r.neighbourhoodSum[i])) }
        row += [String(format: "%.3f", r.z[i]!), String(format: "%.5f", r.p[i]!), String(format: "%+d", r.bin[i]),
                String(format: "%.3f, %.3f", ll.lon, ll.lat)]
        rows.append(row)
    }
    return ResultTable(title: "Strongest hot spots", columns: columns, rows: rows)
}
