import Foundation

/// The options of `caravan geocode` on a table: the same names as its flags (`--country-column`
/// is `countryColumn`, `--min-matched` is `minMatched`).
public struct GeocodeOptions: AnalysisOptions {
    public static let command = "geocode"
    /// The table to geocode (anything GDAL reads: CSV, XLSX, GeoPackage…).
    public var input: String
    /// The column holding the place text.
    public var column: String
    /// A column holding each row's country (ISO code or name) as a hint.
    public var countryColumn: String?
    /// One country hint for every row.
    public var country: String?
    /// Extra gazetteers, ahead of the shipped one.
    public var extra: [String] = []
    public var output: String
    /// Where the unmatched and ambiguous rows go, with their candidates.
    public var report: String?
    public var layer: String?
    /// The language of `match_name`: en (GeoNames' name), ru, local.
    public var names: NameLanguage = .english
    /// The quality gate for batch use: fewer matched rows than this share (0…1) fails the step.
    public var minMatched: Double?
    public var overwrite = false
    /// The layer's name in a GeoPackage output (default: the input's layer name).
    public var outputLayer: String?
    /// Add the layer to an existing GeoPackage.
    public var update = false
    /// CSV outputs: standard or excel-ru.
    public var csvDialect: CSVDialect = .standard

    public init(input: String, column: String, output: String) {
        self.input = input; self.column = column; self.output = output
    }

    public func validate() throws {
        if column.isEmpty { throw GeoError(.invalidArgument, "no place column named", file: input, hint: "name the column holding the places") }
        if countryColumn != nil && country != nil {
            throw GeoError(.invalidArgument, "a country column and one country for every row were both given", hint: "give one of them")
        }
        if let m = minMatched, !(0...1).contains(m) {
            throw GeoError(.invalidArgument, "the minimum share of matched rows is \(m); it is a fraction from 0 to 1", hint: "e.g. 0.95 for 95 %")
        }
    }

    public var inputPaths: [String] { [input] + extra }
    public var outputPaths: [String] { [output] + (report.map { [$0] } ?? []) }

    /// Whether a geocoded table passes the `minMatched` gate.
    public func passes(_ summary: GeocodeSummary) -> Bool { minMatched.map { summary.matchedShare >= $0 } ?? true }
}

/// Geocodes a table (the library entry point of `caravan geocode`): every row written, in order,
/// with its match columns; the summary names the counts by status and precision. The output is
/// streamed to `options.output` (a million rows never sit in memory), so `layers` is empty and
/// `written` says what went where. `figures`: rows, matched, ambiguous, unmatched, matchedShare,
/// one per precision (point, town, province, country), and `passed` (1 or 0) for the `minMatched` gate.
public func geocode(_ options: GeocodeOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    try SafeOutput.checkDistinct(outputs: options.outputPaths, inputs: options.inputPaths)
    // The shipped gazetteer loads on another core while the table is opened and read through
    // (its warnings, if any, go to this call's log).
    // (Waited for on a group, which sleeps: a second thread in the lazy initialiser spins.)
    let log = context.warnings, loaded = DispatchGroup()
    DispatchQueue.global().async(group: loaded) { log.collecting { _ = Gazetteer.shared } }
    var o = GeocodeTableOptions(column: options.column)
    o.countryColumn = options.countryColumn
    o.country = options.country
    o.layer = options.layer
    o.report = options.report
    o.names = options.names
    o.write = WriteOptions(overwrite: options.overwrite, inputs: options.inputPaths, layerName: options.outputLayer,
                           update: options.update, csvDialect: options.csvDialect)
    let s = try geocodeTable(options.input, to: options.output, makeGeocoder: { loaded.wait(); return try Geocoder(extraGazetteers: options.extra) }, options: o) { context.progress("\($0) rows geocoded") }
    var figures: [String: Double] = ["rows": Double(s.rows), "matched": Double(s.matched), "ambiguous": Double(s.ambiguous),
                                     "unmatched": Double(s.unmatched), "matchedShare": s.matchedShare,
                                     "passed": options.passes(s) ? 1 : 0]
    for p in [MatchPrecision.point, .town, .province, .country] { figures[p.rawValue] = Double(s.byPrecision[p] ?? 0) }
    let precision = [MatchPrecision.town, .province, .point, .country].compactMap { p in s.byPrecision[p].map { "\($0) \(p.rawValue)" } }
    var summary = [String(format: "%d rows: %d matched, %d ambiguous, %d unmatched (%.1f%% matched%@)", s.rows, s.matched, s.ambiguous,
                          s.unmatched, 100 * s.matchedShare, precision.isEmpty ? "" : "; " + precision.joined(separator: ", "))]
    if let m = options.minMatched, !options.passes(s) {
        summary.append(String(format: "fewer rows matched (%.1f%%) than the minimum asked for (%.1f%%)", 100 * s.matchedShare, 100 * m))
    }
    var written = [WrittenOutput(path: options.output, driver: (try? OutputFormat.resolve(path: options.output, format: nil).driver) ?? "", features: s.rows)]
    if let r = options.report, s.ambiguous + s.unmatched > 0 { written.append(WrittenOutput(path: r, driver: "CSV", features: s.ambiguous + s.unmatched)) }
    return AnalysisOutput(summary: summary, figures: figures, warnings: context.warnings.messages, written: written)
}
