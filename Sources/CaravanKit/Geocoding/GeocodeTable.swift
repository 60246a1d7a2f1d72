import Foundation

/// Options of `geocodeTable`.
public struct GeocodeTableOptions: Sendable {
    public var column: String
    public var countryColumn: String?
    public var country: String?
    public var layer: String?
    public var report: String?
    /// The language of `match_name`.
    public var names: NameLanguage = .english
    public var write = WriteOptions()
    public init(column: String) { self.column = column }
}

/// What `geocodeTable` did.
public struct GeocodeSummary: Sendable {
    public var rows = 0, matched = 0, ambiguous = 0, unmatched = 0
    /// Matched rows by precision (point, town, province, country).
    public var byPrecision: [MatchPrecision: Int] = [:]
    /// The share of rows matched (0 for an empty table).
    public var matchedShare: Double { rows > 0 ? Double(matched) / Double(rows) : 0 }
}

/// Geocodes a table, streaming: every input row is written, in order, with all its columns plus
/// match_status, match_name (in `options.names`), match_country, match_score, match_kind and
/// match_precision (point, town, province, country); matched rows get a point.
/// Rows are geocoded in chunks on every core; memory stays bounded by a chunk.
public func geocodeTable(_ input: String, to output: String, geocoder: Geocoder, options: GeocodeTableOptions,
                         progress: ((Int) -> Void)? = nil) throws -> GeocodeSummary {
    let layer = try Dataset.open(input).layer(named: options.layer)
    let schema = layer.schema
    guard let placeIndex = schema.index(of: options.column) else {
        throw GeoError(.invalidArgument, "no column '\(options.column)'; the columns are: \(schema.names.joined(separator: ", "))",
                       file: input, layer: layer.name, hint: "name the place column with --column")
    }
    let countryIndex = try options.countryColumn.map { name -> Int in
        guard let i = schema.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(schema.names.joined(separator: ", "))", file: input, layer: layer.name)
        }
        return i
    }
    if try layer.featureCount() == 0 {
        throw GeoError(.invalidArgument, "the table has no rows", file: input, layer: layer.name, hint: "check the file, and that its first line holds the column names")
    }
    let extraFields = [FieldDefinition("match_status", .string, width: 10), FieldDefinition("match_name", .string, width: 80),
                       FieldDefinition("match_country", .string, width: 2), FieldDefinition("match_score", .real, width: 6, precision: 3),
                       FieldDefinition("match_kind", .string, width: 16), FieldDefinition("match_precision", .string, width: 8)]
    // Input geometry (if any) is replaced by the geocoded point; lon/lat columns of a CSV input stay as columns.
    let fields = schema.fields.map { f -> FieldDefinition in var f = f; if f.type == .list || f.type == .binary { f.type = .string }; return f } + extraFields
    let writer = try VectorWriter(path: output, layerName: layer.name, geometryType: .point, crs: .wgs84, fields: fields, options: options.write)
    var reportWriter: VectorWriter? = nil
    if let report = options.report {
        reportWriter = try VectorWriter(path: report, layerName: "to_fix", geometryType: .none, crs: nil,
                                        fields: [FieldDefinition("row", .integer), FieldDefinition("place", .string), FieldDefinition("status", .string),
                                                 FieldDefinition("reason", .string), FieldDefinition("candidates", .string)],
                                        options: WriteOptions(overwrite: options.write.overwrite, inputs: [input]))
    }
    var summary = GeocodeSummary()
    let cursor = try layer.features()
    var chunk: [Feature] = []
    func flush() throws {
        let queries = chunk.map { f -> (String, String?) in
            (f.values[placeIndex].stringValue ?? "", countryIndex.flatMap { f.values[$0].stringValue } ?? options.country)
        }
        let results = geocoder.geocode(queries)
        for (f, r) in zip(chunk, results) {
            summary.rows += 1
            switch r.status {
            case .matched: summary.matched += 1; if let p = r.precision { summary.byPrecision[p, default: 0] += 1 }
            case .ambiguous: summary.ambiguous += 1
            case .unmatched: summary.unmatched += 1
            }
            let name: FieldValue = r.place.map { .string($0.name(in: options.names)) } ?? (r.kind == .coordinates ? .string("coordinates") : .null)
            let values = f.values + [.string(r.status.rawValue), r.status == .matched ? name : .null,
                                     r.status == .matched ? (r.place.map { .string($0.country) } ?? .null) : .null,
                                     .real(r.status == .matched ? r.score : 0), r.kind.map { .string($0.rawValue) } ?? .null,
                                     r.precision.map { .string($0.rawValue) } ?? .null]
            try writer.write(geometry: r.status == .matched ? r.location.map { .point($0.xy) } : nil, values: values)
            if r.status != .matched, let rw = reportWriter {
                let cands = r.candidates.prefix(3).map { "\($0.place.name) (\($0.place.country)) \(String(format: "%.2f", $0.score))" }.joined(separator: "; ")
                try rw.write(geometry: nil, values: [.integer(Int64(summary.rows)), f.values[placeIndex], .string(r.status.rawValue),
                                                     r.reason.map { .string($0) } ?? .null, cands.isEmpty ? .null : .string(cands)])
            }
        }
        chunk.removeAll(keepingCapacity: true)
        progress?(summary.rows)
    }
    while let f = try cursor.next() {
        chunk.append(f)
        if chunk.count >= 20_000 { try flush() }
    }
    if !chunk.isEmpty { try flush() }
    try writer.commit()
    try reportWriter?.commit()
    return summary
}

/// A corridor made from an ordered list of places.
public struct WaypointRoute: Sendable {
    public var name: String
    public var waypoints: Int
    public var matched: Int
    public var unmatched: [String]
    public var lengthKm: Double
    /// The line along great circles through the matched waypoints (nil with fewer than two).
    public var geometry: Geometry?
}

/// Geocodes waypoints and joins each route's points in order along geodesics (densified every 10 km).
public func buildRoutes(_ path: String, routeColumn: String, orderColumn: String, placeColumn: String,
                        geocoder: Geocoder, countryHint: String? = nil) throws -> [WaypointRoute] {
    let layer = try Dataset.open(path).layer(named: nil)
    let s = layer.schema
    func index(_ name: String) throws -> Int {
        guard let i = s.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(s.names.joined(separator: ", "))", file: path)
        }
        return i
    }
    let ri = try index(routeColumn), oi = try index(orderColumn), pi = try index(placeColumn)
    var order: [String] = []
    var rows: [String: [(Double, Int64, String)]] = [:]
    try layer.forEach { f in
        let route = f.values[ri].stringValue ?? ""
        guard let n = f.values[oi].doubleValue else {
            throw GeoError(.invalidArgument, "the order '\(f.values[oi])' is not a number", file: path, featureID: f.fid)
        }
        if rows[route] == nil { order.append(route) }
        rows[route, default: []].append((n, f.fid, f.values[pi].stringValue ?? ""))
    }
    guard !order.isEmpty else { throw GeoError(.invalidArgument, "the table has no rows", file: path) }
    var out: [WaypointRoute] = []
    for name in order {
        let stops = rows[name]!.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let results = geocoder.geocode(stops.map { ($0.2, countryHint) })
        var pts: [LonLat] = [], missing: [String] = []
        for (stop, r) in zip(stops, results) {
            if r.status == .matched, let l = r.location { pts.append(l) } else { missing.append(stop.2) }
        }
        var line: [XY] = []
        var km = 0.0
        for k in 0..<pts.count {
            if k > 0 {
                km += Geodesic.distance(pts[k - 1], pts[k]) / 1000
                line += Geodesic.densify(from: pts[k - 1], to: pts[k], maxSpacing: 10_000).dropFirst()
            } else { line.append(pts[0].xy) }
            if k > 0 { line.append(pts[k].xy) }
        }
        // densify() includes each segment's start; keep every vertex once.
        var clean: [XY] = []
        for p in line where clean.last != p { clean.append(p) }
        out.append(WaypointRoute(name: name, waypoints: stops.count, matched: pts.count, unmatched: missing, lengthKm: km,
                                 geometry: clean.count >= 2 ? .lineString(clean) : nil))
    }
    return out
}

/// Writes routes with route, waypoints, matched, length_km, gaps, unmatched.
public func writeRoutes(_ routes: [WaypointRoute], to path: String, options: WriteOptions = WriteOptions()) throws {
    let w = try VectorWriter(path: path, layerName: "routes", geometryType: .lineString, crs: .wgs84,
                             fields: [FieldDefinition("route", .string), FieldDefinition("waypoints", .integer), FieldDefinition("matched", .integer),
                                      FieldDefinition("length_km", .real, width: 12, precision: 3), FieldDefinition("gaps", .integer),
                                      FieldDefinition("unmatched", .string)], options: options)
    for r in routes {
        try w.write(geometry: r.geometry, values: [.string(r.name), .integer(Int64(r.waypoints)), .integer(Int64(r.matched)),
                                                   .real((r.lengthKm * 1000).rounded() / 1000), .integer(Int64(r.unmatched.count)),
                                                   r.unmatched.isEmpty ? .null : .string(r.unmatched.joined(separator: "; "))])
    }
    try w.commit()
}
