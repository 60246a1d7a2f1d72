import Foundation

/// The options of `caravan borders`, with the flags' names.
///
/// ```swift
/// let result = try sharedBorders(BorderOptions(countries: "shapefiles/countries.shp"))
/// try ResultWriter.write(result.layers[0], to: "out/borders.geojson")
/// ```
public struct BorderOptions: AnalysisOptions, Hashable {
    public static let command = "borders"
    /// A polygon layer of countries or provinces.
    public var countries: String
    public var output: String?
    /// The layer, when the source has several.
    public var layer: String?
    /// The field naming each area.
    public var idField = "iso_a2"
    /// Snapping tolerance that closes gaps and overlaps between neighbours, with units.
    public var snap = "300m"
    /// OGR SQL condition on the areas.
    public var `where`: String?
    public var overwrite = false
    public var sSrs: String?
    public var restoreShx = false

    public init(countries: String, output: String? = nil) { self.countries = countries; self.output = output }

    public var inputPaths: [String] { [countries] }
    public var outputPaths: [String] { output.map { [$0] } ?? [] }

    public func validate() throws { _ = try Distance.parse(snap, option: "{snap}") }
}

/// The shared border line of each pair of neighbouring areas (`caravan borders`): one
/// MultiLineString layer; figures `borders` and `km`.
public func sharedBorders(_ options: BorderOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    let openOptions = OpenOptions(sourceCRS: try options.sSrs.map { try CRS($0) }, restoreShx: options.restoreShx)
    let l = try Dataset.open(options.countries, options: openOptions).layer(named: options.layer)
    if let w = options.where { try l.setAttributeFilter(w) }
    var p = BorderParameters()
    p.idField = options.idField
    p.snapToleranceMeters = try Distance.parse(options.snap, option: "{snap}").meters
    let borders = try deriveBorders(l, options: p, warnings: context.warnings)
    let total = borders.reduce(0) { $0 + $1.lengthKm }
    let summary = [String(format: "%d borders, %.0f km in all (snapping tolerance %@)", borders.count, total,
                          Distance(meters: p.snapToleranceMeters).description)]
    return AnalysisOutput(layers: [SharedBorder.resultLayer(borders, idField: options.idField)], summary: summary,
                          figures: ["borders": Double(borders.count), "km": total], warnings: context.warnings.messages)
}
