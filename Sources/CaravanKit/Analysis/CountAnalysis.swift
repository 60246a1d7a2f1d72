import Foundation

/// The options of `caravan count`: events counted (and a weight summed) per polygon, as QGIS's
/// Count points in polygon and ArcGIS's Summarize Within do, optionally per category and period.
public struct CountOptions: AnalysisOptions, EventSelection {
    public static let command = "count"
    public var events: String
    public var layer: String?
    public var sSrs: String?
    public var restoreShx = false
    /// The polygons counted in (e.g. `shapefiles/provinces.shp`).
    public var polygons: String
    /// A column of the events whose values are counted apart (e.g. `drug`).
    public var by: String?
    /// Count per day, month, quarter or year of the date column.
    public var period: String?
    /// A numeric column summed per polygon (e.g. `amount_kg`).
    public var weight: String?
    public var dateColumn: String?
    public var from: String?
    public var to: String?
    public var `where`: String?
    /// The events' country column for the border cross-check (default: found by name).
    public var countryColumn: String?
    /// Trust this country column over the polygons for events near borders.
    public var assignBy: String?
    /// Where the list of events outside every polygon or in another country goes.
    public var report: String?
    public var output: String?
    public var overwrite = false
    /// Rows of the table printed.
    public var top = 20

    public init(events: String, polygons: String) { self.events = events; self.polygons = polygons }

    public var inputPaths: [String] { [events, polygons] }
    public var outputPaths: [String] { [output, report].compactMap { $0 } }

    public static let periods = ["day", "month", "quarter", "year"]

    public func validate() throws {
        if let p = period, !Self.periods.contains(p.lowercased()) {
            throw GeoError(.invalidArgument, "{period} \(p) is not a period", hint: "use one of: \(Self.periods.joined(separator: ", "))")
        }
        _ = try (self as EventSelection).period()
    }

    /// "2023-03" for a month, "2023-Q1", "2023", "2023-03-12".
    func periodKey(_ day: Int?) -> String? {
        guard let p = period?.lowercased(), let day else { return nil }
        let d = EventDate(dayNumber: day)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        switch p {
        case "day": return "\(d.year)-\(two(d.month))-\(two(d.day))"
        case "quarter": return "\(d.year)-Q\((d.month - 1) / 3 + 1)"
        case "year": return "\(d.year)"
        default: return "\(d.year)-\(two(d.month))"
        }
    }
}

/// The border cross-check: the country a polygon puts an event in against the country its row
/// names (a `country` or `match_country` column).
public struct BorderCheck: Sendable {
    /// The events' column naming their country.
    public let eventColumn: String
    /// The polygons' country, as ISO alpha-2 where the layer has it, in the order units are made.
    public let polygonCountries: [String?]
    /// Any way a polygon names its country (code, name), lower-cased, to its canonical form.
    private let aliases: [String: String]
    public static let eventColumnNames = ["country", "match_country", "iso_a2", "country_code", "страна"]

    /// nil when the polygons carry no country or the events no country column (and none was asked for).
    public init?(polygons snap: Layer.Snapshot, events: Layer, countryColumn: String?) throws {
        let col: String
        if let c = countryColumn {
            guard let i = events.schema.index(of: c) else {
                throw GeoError(.invalidArgument, "no column '\(c)'; the columns are: \(events.schema.names.joined(separator: ", "))",
                               file: events.dataset.path, hint: "name the events' country column")
            }
            col = events.schema.fields[i].name
        } else {
            guard let i = Self.eventColumnNames.lazy.compactMap({ events.schema.index(of: $0) }).first else { return nil }
            col = events.schema.fields[i].name
        }
        let s = snap.schema
        let codeIndex = ["iso_a2", "iso_a3", "adm0_a3", "country_code", "country"].lazy.compactMap { s.index(of: $0) }.first
        guard let codeIndex else {
            if countryColumn != nil {
                throw GeoError(.invalidArgument, "the polygons have no country field (iso_a2, iso_a3, adm0_a3 or country) to compare '\(col)' with",
                               file: snap.path)
            }
            return nil
        }
        var aliasIndices = ["iso_a2", "iso_a3", "adm0_a3", "country", "admin", "sovereignt"].compactMap { s.index(of: $0) }
        if s.index(of: "country") == nil && s.index(of: "admin") == nil, let n = s.index(of: "name") { aliasIndices.append(n) }
        var aliases: [String: String] = [:], countries: [String?] = []
        for f in snap.features {
            guard let g = f.geometry, g.type.dimensionFamily == 2 else { continue }
            let code = f.values[codeIndex].stringValue
            countries.append(code)
            if let code { for a in aliasIndices { if let v = f.values[a].stringValue { aliases[v.lowercased()] = code } } }
        }
        eventColumn = col; polygonCountries = countries; self.aliases = aliases
    }

    /// The canonical country of a row's value ("Kazakhstan", "kz", "KAZ" → "KZ").
    public func canonical(_ value: String?) -> String? {
        guard let v = value?.trimmingCharacters(in: .whitespaces), !v.isEmpty else { return nil }
        return aliases[v.lowercased()] ?? v.uppercased()
    }

    /// What the check found on an aggregation (made with this column kept first).
    public struct Outcome: Sendable {
        /// Events whose point lies in another country's polygon than the row names.
        public var mismatched = 0
        /// Events outside every polygon whose row names a country.
        public var outsideWithCountry = 0
        /// Events counted in another polygon than the one their point is in (with --assign-by).
        public var reassigned = 0
        /// "TJ in AF" → count, by row country and polygon country.
        public var pairs: [String: Int] = [:]
        public var column: String

        public func summary(assignBy: String?, report: String?) -> [String] {
            guard mismatched > 0 || outsideWithCountry > 0 else {
                return ["border check: every event lies in the country its '\(column)' names"]
            }
            let top = pairs.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(6)
                .map { "\($0.value) \($0.key)" }.joined(separator: ", ")
            var s = "border check: \(mismatched) events lie in another country's polygon than their '\(column)' says (\(top))"
            if let a = assignBy {
                s += "; {assignBy} \(a): \(reassigned) counted in the country their row names (its nearest polygon)"
            } else {
                s += "; counted where they lie ({assignBy} \(column) counts them in the row's country)"
            }
            if let report { s += "; listed in \(report)" }
            return [s]
        }
    }

    public func evaluate(_ u: AggregatedUnits) -> Outcome {
        var o = Outcome(column: eventColumn)
        for a in u.assignments {
            guard let row = canonical(a.detail.kept.first ?? nil) else { continue }
            if a.unit != a.spatialUnit { o.reassigned += 1 }
            guard let s = a.spatialUnit else { o.outsideWithCountry += 1; continue }
            let here = polygonCountries[s]
            if here?.caseInsensitiveCompare(row) != .orderedSame {
                o.mismatched += 1
                o.pairs["\(row) in \(here ?? "?")", default: 0] += 1
            }
        }
        return o
    }

    /// Whether an event's row names another country than the polygon its point lies in.
    func isMismatch(_ a: PlacedEvent) -> Bool {
        guard let row = canonical(a.detail.kept.first ?? nil), let s = a.spatialUnit else { return false }
        return polygonCountries[s]?.caseInsensitiveCompare(row) != .orderedSame
    }
}

/// The report of events left out (outside every unit) or lying in another country than their
/// row says, one point per event with its row, id and what happened to it.
func eventReportLayer(_ u: AggregatedUnits, check: BorderCheck?, unitNames: [String]? = nil) -> ResultLayer? {
    var list: [(PlacedEvent, String)] = []
    if let check {
        for a in u.assignments {
            if a.unit == nil { list.append((a, "outside every polygon")) }
            else if a.spatialUnit == nil { list.append((a, "outside every polygon; counted in the row's country")) }
            else if check.isMismatch(a) { list.append((a, a.unit == a.spatialUnit ? "in another country than the row says" : "counted in the row's country")) }
        }
    } else {
        list = u.outsideRows.map { ($0, "outside every unit") }
    }
    guard !list.isEmpty, let toLL = try? Transformer(from: u.crs, to: .wgs84) else { return nil }
    let names = unitNames ?? u.ids
    let fields = [ResultField("row", .integer, role: .identifier, meaning: "row (feature id) of the event in its table"),
                  ResultField("id", .string, role: .identifier, meaning: "the event's id column"),
                  ResultField("status", .string, role: .category, meaning: "what happened to the event"),
                  ResultField("country_row", .string, role: .category, meaning: "the country the row names"),
                  ResultField("country_polygon", .string, role: .category, meaning: "the country of the polygon the point lies in"),
                  ResultField("counted_in", .string, role: .name, meaning: "the unit it was counted in")]
    var geoms: [Geometry?] = [], rows: [[FieldValue]] = []
    for (a, status) in list {
        // Back from the analysis CRS: 44.22335000000004 is 44.22335 (a nanodegree is 0.1 mm).
        let back = (try? toLL.transform(a.point)) ?? a.point
        let ll = XY((back.x * 1e9).rounded() / 1e9, (back.y * 1e9).rounded() / 1e9)
        let rowCountry = check?.canonical(a.detail.kept.first ?? nil)
        let polyCountry = a.spatialUnit.flatMap { check?.polygonCountries[$0] }
        geoms.append(.point(ll))
        rows.append([.integer(a.detail.fid), a.detail.id.map { .string($0) } ?? .null, .string(status),
                     rowCountry.map { .string($0) } ?? .null, polyCountry.map { .string($0) } ?? .null,
                     a.unit.map { .string(names[$0]) } ?? .null])
    }
    return ResultLayer(name: "report", kind: .events, title: "Events left out or in another country", crs: .wgs84,
                       geometryType: .point, fields: fields, geometries: geoms, rows: rows)
}

/// Events counted and summed per polygon (QGIS Count points in polygon, ArcGIS Summarize
/// Within): every polygon with its own fields and a unique name, the count, the sum of the
/// weight, per `by` value and period when asked; the border cross-check when the events carry
/// a country column; tables per polygon and per country.
public func countEvents(_ o: CountOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let log = context.warnings
    let events = try EventSource.open(o.events, layer: o.layer, sourceCRS: o.sSrs, restoreShx: o.restoreShx)
    var reading = try o.reading(for: events, weight: o.weight, needDates: o.period != nil)
    let polygonLayer = try Dataset.open(o.polygons).layer(named: nil)
    let snap = try polygonLayer.snapshot()
    let check = try BorderCheck(polygons: snap, events: events, countryColumn: o.assignBy ?? o.countryColumn)
    reading.keep = [check?.eventColumn, o.by].compactMap { $0 }
    reading.details = true
    let byIndex = o.by.map { _ in check == nil ? 0 : 1 }
    let units = try aggregateEvents(events, to: .polygons(snap, idField: nil), reading: reading,
                                    assignBy: o.assignBy != nil ? check.map { (0, $0.polygonCountries) } : nil)
    for w in units.reading.warnings(dateColumn: reading.dateColumn, periodAsked: reading.period != nil) { log.add(w) }
    // The polygons as they came, with unique names.
    let polys = snap.features.filter { $0.geometry.map { $0.type.dimensionFamily == 2 } ?? false }
    let s = snap.schema
    let countryIndex = ["iso_a2", "iso_a3", "adm0_a3", "country"].lazy.compactMap { s.index(of: $0) }.first
    let names = polygonNames(snap)
    // Counts per (polygon, group, period).
    struct Key: Hashable { var unit: Int; var group: String?; var period: String? }
    var count: [Key: Int] = [:], sum: [Key: Double] = [:], other: [Key: Int] = [:]
    for a in units.assignments {
        guard let u = a.unit else { continue }
        let k = Key(unit: u, group: byIndex.map { a.detail.kept[$0] ?? "(none)" }, period: o.periodKey(a.detail.day) ?? (o.period != nil ? "(no date)" : nil))
        count[k, default: 0] += 1
        sum[k, default: 0] += a.weight
        if let check, check.isMismatch(a) { other[k, default: 0] += 1 }
    }
    var keys = count.keys.sorted { ($0.unit, $0.group ?? "", $0.period ?? "") < ($1.unit, $1.group ?? "", $1.period ?? "") }
    let grouped = o.by != nil || o.period != nil
    for u in polys.indices where !keys.contains(where: { $0.unit == u }) { keys.append(Key(unit: u, group: nil, period: nil)) }
    if !grouped { keys = polys.indices.map { Key(unit: $0, group: nil, period: nil) } }
    keys.sort { ($0.unit, $0.group ?? "", $0.period ?? "") < ($1.unit, $1.group ?? "", $1.period ?? "") }
    // The layer: the polygon's fields, its unique name, the group and period, count, sum, other country.
    var fields = s.fields.map { ResultField($0, role: .text, meaning: "from \(baseName(o.polygons))") }
    fields.append(ResultField("unit_name", .string, role: .name, meaning: "the polygon's name, made unique"))
    if let by = o.by { fields.append(ResultField(by, .string, role: .category, meaning: "the events' \(by)")) }
    if o.period != nil { fields.append(ResultField("period", .string, role: .date, meaning: "the \(o.period!.lowercased()) of '\(reading.dateColumn ?? "date")'")) }
    fields.append(ResultField("count", .integer, role: .count, meaning: "events in the polygon", unit: "events"))
    let sumName = o.weight.map { "sum_\($0)" }
    if let w = o.weight, let sumName { fields.append(ResultField(sumName, .real, role: .sum, meaning: "sum of \(w) in the polygon", unit: unitOf(w), width: 18, precision: 6)) }
    if check != nil { fields.append(ResultField("other_country", .integer, role: .count, meaning: "events whose row names another country than the polygon's")) }
    let (type, geoms) = promotedPolygons(polys.compactMap(\.geometry))
    var rows: [[FieldValue]] = [], rowGeoms: [Geometry?] = []
    for k in keys {
        var v = polys[k.unit].values
        v.append(.string(names[k.unit]))
        if o.by != nil { v.append(k.group.map { .string($0) } ?? .null) }
        if o.period != nil { v.append(k.period.map { .string($0) } ?? .null) }
        v.append(.integer(Int64(count[k] ?? 0)))
        if o.weight != nil { v.append(.real(sum[k] ?? 0)) }
        if check != nil { v.append(.integer(Int64(other[k] ?? 0))) }
        rows.append(v); rowGeoms.append(geoms[k.unit])
    }
    var meta = analysisMetadata(units.crs, options: o)
    meta["polygons"] = o.polygons
    let layer = ResultLayer(name: "counts", kind: .counts, title: "Events of \(baseName(o.events)) per polygon of \(baseName(o.polygons))",
                            crs: snap.crs, geometryType: type, fields: fields, geometries: rowGeoms, rows: rows, metadata: meta)
    // Tables.
    let unitLabel = unitOf(o.weight ?? "")
    func num(_ x: Double) -> String { String(format: x >= 100 ? "%.0f" : "%.1f", x) }
    var columns = ["polygon", "country"]
    if let by = o.by { columns.append(by) }
    if o.period != nil { columns.append("period") }
    columns.append("events")
    if let w = o.weight { columns.append(unitLabel.map { "\(w) (\($0))" } ?? w) }
    if check != nil { columns.append(o.assignBy == nil ? "row says another country" : "point in another country") }
    let ranked = keys.filter { (count[$0] ?? 0) > 0 }.sorted { (count[$0] ?? 0, $1.unit) > (count[$1] ?? 0, $0.unit) }
    var tableRows: [[String]] = []
    for k in ranked.prefix(o.top) {
        var r = [names[k.unit], countryIndex.flatMap { polys[k.unit].values[$0].stringValue } ?? ""]
        if o.by != nil { r.append(k.group ?? "") }
        if o.period != nil { r.append(k.period ?? "") }
        r.append(String(count[k] ?? 0))
        if o.weight != nil { r.append(num(sum[k] ?? 0)) }
        if check != nil { r.append(String(other[k] ?? 0)) }
        tableRows.append(r)
    }
    var tables = [ResultTable(title: "Events per polygon\(ranked.count > o.top ? " (top \(o.top) of \(ranked.count))" : "")", columns: columns, rows: tableRows)]
    // Per country.
    var figures: [String: Double] = ["events": Double(units.eventsCounted), "events_read": Double(units.eventsRead),
                                     "outside": Double(units.eventsOutside), "polygons": Double(polys.count),
                                     "undated": Double(units.reading.undated), "outside_period": Double(units.reading.outsidePeriod)]
    if let countryIndex {
        var perCountry: [String: (Int, Double)] = [:]
        for a in units.assignments {
            guard let u = a.unit else { continue }
            let c = polys[u].values[countryIndex].stringValue ?? "?"
            perCountry[c, default: (0, 0)].0 += 1
            perCountry[c, default: (0, 0)].1 += a.weight
        }
        let list = perCountry.sorted { $0.value.0 != $1.value.0 ? $0.value.0 > $1.value.0 : $0.key < $1.key }
        for (c, v) in list { figures["events_\(c)"] = Double(v.0) }
        var cols = ["country", "events"]
        if let w = o.weight { cols.append(unitLabel.map { "\(w) (\($0))" } ?? w) }
        tables.append(ResultTable(title: "Events per country", columns: cols,
                                  rows: list.map { c, v in [c, String(v.0)] + (o.weight != nil ? [num(v.1)] : []) }))
    }
    var summary = [analysisCRSLine(units.crs),
                   "\(units.eventsCounted) events in \(polys.count) polygons of \(baseName(o.polygons))"
                   + (o.weight.map { w in ", \(num(units.assignments.filter { $0.unit != nil }.reduce(0) { $0 + $1.weight })) \(unitLabel ?? w) in all" } ?? "")]
    if let p = reading.period {
        summary.append("period \(p.from?.iso ?? "start")…\(p.to?.iso ?? "end") by '\(reading.dateColumn ?? "")': \(units.reading.outsidePeriod) events outside it left out")
    }
    if units.eventsOutside > 0 { summary.append(outsideLine(units, within: "polygon", report: o.report)) }
    if let check {
        let r = check.evaluate(units)
        figures["other_country"] = Double(r.mismatched); figures["reassigned"] = Double(r.reassigned)
        summary += r.summary(assignBy: o.assignBy, report: o.report)
    }
    var layers = [layer]
    if o.report != nil, let rl = eventReportLayer(units, check: check, unitNames: names) { layers.append(rl) }
    return AnalysisOutput(layers: layers, summary: summary, tables: tables, figures: figures, warnings: log.messages)
}

/// The unit a weight column's name states: `amount_kg` → "kg".
func unitOf(_ column: String) -> String? {
    let c = column.lowercased()
    for (suffix, unit) in [("_kg", "kg"), ("_g", "g"), ("_t", "t"), ("_l", "l"), ("_usd", "USD"), ("kg", "kg")] where c.hasSuffix(suffix) { return unit }
    return nil
}

/// Unique names of a polygon layer's polygons (those aggregation uses, in its order): the
/// `name` field (or the first text field), made unique with the country, kind or other name.
func polygonNames(_ snap: Layer.Snapshot) -> [String] {
    let s = snap.schema
    let polys = snap.features.filter { $0.geometry.map { $0.type.dimensionFamily == 2 } ?? false }
    let nameIndex = s.index(of: "name") ?? s.fields.firstIndex { $0.type == .string }
    let countryIndex = ["iso_a2", "iso_a3", "adm0_a3", "country"].lazy.compactMap { s.index(of: $0) }.first
    let altIndex = s.index(of: "gn_name") ?? s.index(of: "name_local")
    return UniqueNames.make(polys.map { f in
        UniqueNames.Row(name: nameIndex.flatMap { f.values[$0].stringValue } ?? "#\(f.fid)",
                        country: countryIndex.flatMap { f.values[$0].stringValue },
                        alternate: altIndex.flatMap { f.values[$0].stringValue } ?? "")
    })
}
