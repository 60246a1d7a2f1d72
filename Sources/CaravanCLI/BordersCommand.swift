import ArgumentParser
import CaravanKit
import Foundation

struct BordersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "borders",
        abstract: "Derive the shared border lines between neighbouring countries or provinces.",
        discussion: """
        One MultiLineString per pair of neighbours, with fields left, right, pair
        (e.g. KZ-UZ), parts and length_km (geodesic on WGS84). Coastlines and outer
        edges are not borders.
        Small gaps and overlaps between neighbours are closed by snapping within
        --snap.
        Examples:
          caravan borders shapefiles/countries.shp -o out/borders.geojson
          caravan borders shapefiles/provinces.shp -o out/oblast_borders.gpkg \\
              --id-field name --snap 500m
        """
    )

    @Argument(help: "A polygon layer of countries or provinces.")
    var countries: String

    @Option(name: .shortAndLong, help: "The output file (.geojson, .gpkg, .shp, ...).")
    var output: String

    @Option(help: "The layer, when the source has several.")
    var layer: String?

    @Option(name: .customLong("id-field"), help: "The field naming each area.")
    var idField = "iso_a2"

    @Option(help: "Snapping tolerance that closes gaps and overlaps between neighbours (m, km).")
    var snap = "300m"

    @Option(name: .customLong("where"), help: "Use only the areas matching this OGR SQL condition.")
    var whereClause: String?

    @Flag(help: "Replace the output if it exists.")
    var overwrite = false

    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    var options: BorderOptions {
        var o = BorderOptions(countries: countries, output: output)
        o.layer = layer; o.idField = idField; o.snap = snap; o.where = whereClause
        o.overwrite = overwrite; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        return o
    }

    func run() throws {
        try writing.check(outputs: options.outputPaths, inputs: options.inputPaths)
        let result = try sharedBorders(options)
        try ResultWriter.write(result.layers[0], to: output, options: writing.main(overwrite: overwrite, inputs: options.inputPaths))
        for w in result.warnings { Console.line("caravan: warning: " + w) }
        for line in result.summary { Console.line("caravan: \(line), written to \(output)") }
    }
}
