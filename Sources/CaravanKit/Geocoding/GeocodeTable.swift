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
    // The events open styled in QGIS, as every other output does (a user's own .qml is kept).
    let qml = (output as NSString).deletingPathExtension + ".qml"
    let styled = ["geojson", "json", "gpkg", "shp", "fgb"].contains((output as NSString).pathExtension.lowercased())
    if styled, (try? String(contentsOfFile: qml, encoding: .utf8)).map({ $0.contains(QGISStyle.marker) }) ?? true {
        do { try QGISStyle.attach(toFile: output) }
        catch { warn("\(output): the QGIS style could not be written: \((error as? GeoError)?.description ?? "\(error)")") }
    }
    return summary
}
