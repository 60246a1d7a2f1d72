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
    /// A plain CSV into a CSV goes on the bytes (`CSVFile.geocodeRows`); false takes the general
    /// path, which writes the same bytes (for the tests that compare them).
    var byteCopy = true
    /// Rows read, geocoded and written at a time, and about how many answers are kept (small in tests).
    var chunkRows = 65_536
    var cacheLimit = 100_000
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

/// The rows of the table being geocoded: a plain CSV read in bulk (`CSVFile`, rows parsed on
/// any thread), or any layer GDAL reads (attributes only: lon/lat columns of the input are
/// mere columns here, never checked or turned into points).
private enum GeocodeSource {
    case csv(CSVFile)
    case layer(Layer, FeatureCursor)

    static func open(_ input: String, layer name: String?) throws -> GeocodeSource {
        if let t = try CSVFile.open(input), name == nil || name == ((input as NSString).lastPathComponent as NSString).deletingPathExtension {
            return .csv(t)
        }
        let layer = try Dataset.open(input).layer(named: name)
        return .layer(layer, try FeatureCursor(layer: layer, geometries: false))
    }

    var schema: Schema {
        switch self { case .csv(let t): t.schema; case .layer(let l, _): l.schema }
    }
    var name: String {
        switch self {
        case .csv(let t): ((t.path as NSString).lastPathComponent as NSString).deletingPathExtension
        case .layer(let l, _): l.name
        }
    }
    var layerName: String? { if case .layer(let l, _) = self { l.name } else { nil } }
    func count() throws -> Int {
        switch self { case .csv(let t): t.count; case .layer(let l, _): try l.featureCount() }
    }

    /// The next rows' values, up to `n` (fewer at the end; empty when done).
    func next(_ n: Int, from start: Int) throws -> [[FieldValue]] {
        switch self {
        case .csv(let t):
            let m = min(n, t.count - start)
            guard m > 0 else { return [] }
            // Rows parsed on every core, in order.
            nonisolated(unsafe) let out = UnsafeMutableBufferPointer<[FieldValue]>.allocate(capacity: m)
            out.initialize(repeating: [])
            defer { _ = out.deinitialize(); out.deallocate() }
            let chunk = max(256, m / (processorCount * 4))
            DispatchQueue.concurrentPerform(iterations: (m + chunk - 1) / chunk) { c in
                for i in (c * chunk)..<min(m, (c + 1) * chunk) { out[i] = t.values(start + i) }
            }
            return Array(out)
        case .layer(_, let cursor):
            var rows: [[FieldValue]] = []
            rows.reserveCapacity(n)
            while rows.count < n, let f = try cursor.next() { rows.append(f.values) }
            return rows
        }
    }
}

/// One row's question to the geocoder.
struct GeocodeQuery: Hashable, Sendable {
    var text: String
    var hint: String?
}

/// What one answer writes: the match columns (and the point's, when the output holds it in
/// columns), the point, and for the report why and the best candidates. A class: a table's rows
/// share the answers of their place texts.
final class GeocodeAnswer: Sendable {
    let status: MatchStatus
    let precision: MatchPrecision?
    let location: LonLat?
    /// match_status, match_name, match_country, match_score, match_kind, match_precision[, match_lon, match_lat].
    let columns: [FieldValue]
    let reason: FieldValue
    let candidates: FieldValue

    init(_ r: GeocodeResult, names: NameLanguage, pointColumns: Bool) {
        let matched = r.status == .matched
        status = r.status
        precision = r.precision
        location = matched ? r.location : nil
        let name: FieldValue = r.place.map { .string($0.name(in: names)) } ?? (r.kind == .coordinates ? .string("coordinates") : .null)
        var c: [FieldValue] = [.string(r.status.rawValue), matched ? name : .null, matched ? (r.place.map { .string($0.country) } ?? .null) : .null,
                               .real(matched ? r.score : 0), r.kind.map { .string($0.rawValue) } ?? .null, r.precision.map { .string($0.rawValue) } ?? .null]
        if pointColumns { c += [location.map { .real($0.lon) } ?? .null, location.map { .real($0.lat) } ?? .null] }
        columns = c
        reason = r.reason.map { .string($0) } ?? .null
        // (Only the report of rows to fix lists candidates: none are written for a matched row.)
        let cands = matched ? "" : r.candidates.prefix(3).map { "\($0.place.name) (\($0.place.country)) \(String(format: "%.2f", $0.score))" }.joined(separator: "; ")
        candidates = cands.isEmpty ? .null : .string(cands)
    }
}

/// The answers of a table's geocoding, each distinct place text (with its country hint) asked of
/// the geocoder once: a table names the same towns again and again, and the geocoder gives one
/// text and hint one answer. At most about `limit` answers are kept (then it starts afresh).
struct GeocodeCache {
    let geocoder: Geocoder
    let names: NameLanguage
    let pointColumns: Bool
    var known: [GeocodeQuery: GeocodeAnswer] = [:]
    var limit = 100_000

    /// The answers, in order; the new texts geocoded on every core.
    mutating func geocode(_ queries: [GeocodeQuery]) -> [GeocodeAnswer] {
        if known.count > limit { known.removeAll(keepingCapacity: true) }
        // One lookup for a known text; the new ones are numbered, geocoded together, then filled in.
        // Each row's slot: its answer in `hits`, or -1 - i for the i-th new text.
        var slots: [Int] = [], hits: [GeocodeAnswer] = []
        slots.reserveCapacity(queries.count)
        var fresh: [GeocodeQuery] = [], freshIndex: [GeocodeQuery: Int] = [:]
        for q in queries {
            if let a = known[q] { slots.append(hits.count); hits.append(a); continue }
            if let i = freshIndex[q] { slots.append(-1 - i); continue }
            freshIndex[q] = fresh.count
            slots.append(-1 - fresh.count)
            fresh.append(q)
        }
        let made = geocoder.geocode(fresh.map { ($0.text, $0.hint) }).map { GeocodeAnswer($0, names: names, pointColumns: pointColumns) }
        for (q, a) in zip(fresh, made) { known[q] = a }
        return slots.map { $0 >= 0 ? hits[$0] : made[-1 - $0] }
    }
}

/// The columns `geocodeTable` adds (a table already holding them was geocoded before).
let geocodeColumns = ["match_status", "match_name", "match_country", "match_score", "match_kind", "match_precision"]

/// Geocodes a table, streaming: every input row is written, in order, with all its columns as
/// they were (values as written: "0012" stays "0012") plus match_status, match_name (in
/// `options.names`), match_country, match_score, match_kind and match_precision (point, town,
/// province, country); matched rows get a point. A CSV or XLSX output holds the point as `lon`
/// and `lat` columns, or as `match_lon` and `match_lat` when the input already has a `lon` or
/// `lat` column (which is kept as it was). Rows are geocoded and written in chunks on every
/// core; memory stays bounded by a chunk. A plain CSV input is read in bulk (`CSVFile`).
public func geocodeTable(_ input: String, to output: String, geocoder: Geocoder, options: GeocodeTableOptions,
                         progress: ((Int) -> Void)? = nil) throws -> GeocodeSummary {
    try geocodeTable(input, to: output, makeGeocoder: { geocoder }, options: options, progress: progress)
}

/// `geocodeTable` with the geocoder made once the table is open and checked (its gazetteer may
/// still be loading on another core meanwhile: `geocode(_:context:)`).
func geocodeTable(_ input: String, to output: String, makeGeocoder: () throws -> Geocoder, options: GeocodeTableOptions,
                  progress: ((Int) -> Void)? = nil) throws -> GeocodeSummary {
    // (The geocoder's fuzzy index is built a first letter at a time, when a row needs it.)
    let source = try GeocodeSource.open(input, layer: options.layer)
    let schema = source.schema
    let layerName = source.layerName
    guard let placeIndex = schema.index(of: options.column) else {
        throw GeoError(.invalidArgument, "no column '\(options.column)'; the columns are: \(schema.names.joined(separator: ", "))",
                       file: input, layer: layerName, hint: "name the place column with {column}")
    }
    let countryIndex = try options.countryColumn.map { name -> Int in
        guard let i = schema.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(schema.names.joined(separator: ", "))", file: input, layer: layerName)
        }
        return i
    }
    let present = geocodeColumns.filter { schema.index(of: $0) != nil }
    if !present.isEmpty {
        let keep = schema.names.filter { n in !geocodeColumns.contains(n.lowercased()) && !["lon", "lat", "match_lon", "match_lat"].contains(n.lowercased()) }
        throw GeoError(.invalidArgument, "the table was geocoded already: it has the column\(present.count == 1 ? "" : "s") \(present.joined(separator: ", "))",
                       file: input, layer: layerName,
                       hint: "geocode the original table, or drop the match columns first: caravan convert \(input) plain.csv {select} \(keep.joined(separator: ","))")
    }
    if try source.count() == 0 {
        throw GeoError(.invalidArgument, "the table has no rows", file: input, layer: layerName, hint: "check the file, and that its first line holds the column names")
    }
    let format = try OutputFormat.resolve(path: output, format: options.write.format)
    // A table output holds the point in columns: lon/lat, unless the input has its own (kept as they are).
    let ownLonLat = (format == .csv || format == .xlsx) && schema.names.contains { ["lon", "lat"].contains($0.lowercased()) }
    var extraFields = [FieldDefinition("match_status", .string, width: 10), FieldDefinition("match_name", .string, width: 80),
                       FieldDefinition("match_country", .string, width: 2), FieldDefinition("match_score", .real, width: 6, precision: 3),
                       FieldDefinition("match_kind", .string, width: 16), FieldDefinition("match_precision", .string, width: 8)]
    if ownLonLat { extraFields += [FieldDefinition("match_lon", .real), FieldDefinition("match_lat", .real)] }
    // Input geometry (if any) is replaced by the geocoded point.
    let fields = schema.fields.map { f -> FieldDefinition in var f = f; if f.type == .list || f.type == .binary { f.type = .string }; return f } + extraFields
    let template = ResultLayer(name: source.name, kind: .events, crs: .wgs84, geometryType: ownLonLat ? .none : .point,
                               fields: fields.map { ResultField($0) }, geometries: [], rows: [])
    let stream = try ResultWriter.stream(template, to: output, options: options.write)
    var reportStream: ResultStream? = nil
    if let report = options.report {
        let reportLayer = ResultLayer(name: "to_fix", kind: .generic, crs: .wgs84, geometryType: .none,
                                      fields: [ResultField(FieldDefinition("row", .integer)), ResultField(FieldDefinition("place", .string)),
                                               ResultField(FieldDefinition("status", .string)), ResultField(FieldDefinition("reason", .string)),
                                               ResultField(FieldDefinition("candidates", .string))], geometries: [], rows: [])
        var o = WriteOptions(overwrite: options.write.overwrite, inputs: options.write.inputs)
        o.csvDialect = options.write.csvDialect
        o.update = options.write.update && (try? OutputFormat.resolve(path: report, format: nil)) == .geoPackage
        reportStream = try ResultWriter.stream(reportLayer, to: report, options: o)
    }
    var summary = GeocodeSummary()
    // Counts the rows' answers and sends the ones not matched to the report.
    func tally(_ results: [GeocodeAnswer], place: (Int) -> FieldValue) throws {
        var reportRows: [[FieldValue]] = []
        var byPrecision: (point: Int, town: Int, province: Int, country: Int) = (0, 0, 0, 0)   // no dictionary lookup per row
        defer {
            for (p, n) in [(MatchPrecision.point, byPrecision.point), (.town, byPrecision.town), (.province, byPrecision.province),
                           (.country, byPrecision.country)] where n > 0 { summary.byPrecision[p, default: 0] += n }
        }
        for (k, r) in results.enumerated() {
            switch r.status {
            case .matched:
                summary.matched += 1
                switch r.precision {
                case .point: byPrecision.point += 1
                case .town: byPrecision.town += 1
                case .province: byPrecision.province += 1
                case .country: byPrecision.country += 1
                case nil: break
                }
            case .ambiguous: summary.ambiguous += 1
            case .unmatched: summary.unmatched += 1
            }
            if r.status != .matched, reportStream != nil {
                reportRows.append([.integer(Int64(summary.rows + k + 1)), place(k), .string(r.status.rawValue), r.reason, r.candidates])
            }
        }
        if let rs = reportStream, !reportRows.isEmpty {
            let rr = reportRows
            try rs.append(count: rr.count, geometry: { _ in nil }, values: { rr[$0] })
        }
        summary.rows += results.count
        progress?(summary.rows)
    }
    let chunkRows = max(1, options.chunkRows)
    // A plain CSV into a CSV: on the bytes (GeocodeCSV.swift), with the same output.
    if options.byteCopy, case .csv(let table) = source, stream.encodedCSVDialect == .standard,
       table.types[placeIndex] == .string, countryIndex.map({ table.types[$0] == .string }) ?? true {
        var cache: CSVGeocodeCache? = nil
        while summary.rows < table.count {
            let n = min(chunkRows, table.count - summary.rows)
            let rows = table.readRows(summary.rows, count: n, place: placeIndex, country: countryIndex, country: options.country)
            // (The first rows are read before the geocoder is asked for: its gazetteer may still be loading.)
            if cache == nil {
                cache = CSVGeocodeCache(geocoder: try makeGeocoder(), names: options.names, ownLonLat: ownLonLat)
                cache?.limit = options.cacheLimit
            }
            let (results, places) = try table.geocodeRows(rows, cache: &cache!, stream: stream)
            try tally(results) { places[$0] }
        }
        try stream.finish()
        try reportStream?.finish()
        return summary
    }
    var answers = GeocodeCache(geocoder: try makeGeocoder(), names: options.names, pointColumns: ownLonLat)
    answers.limit = options.cacheLimit
    while true {
        let rows = try source.next(chunkRows, from: summary.rows)
        if rows.isEmpty { break }
        let queries = rows.map { v -> GeocodeQuery in
            GeocodeQuery(text: v[placeIndex].stringValue ?? "", hint: countryIndex.flatMap { v[$0].stringValue } ?? options.country)
        }
        let results = answers.geocode(queries)
        let width = fields.count
        try stream.append(count: rows.count, geometry: { i in
            let r = results[i]
            return !ownLonLat && r.status == .matched ? r.location.map { .point($0.xy) } : nil
        }, values: { i in
            var v: [FieldValue] = []
            v.reserveCapacity(width)
            v += rows[i]
            v += results[i].columns
            return v
        })
        try tally(results) { rows[$0][placeIndex] }
    }
    try stream.finish()
    try reportStream?.finish()
    return summary
}
