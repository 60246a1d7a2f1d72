import ArgumentParser
import CaravanKit
import Foundation

struct CrossingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossings",
        abstract: "Every point where a route crosses an international border.",
        discussion: """
        BORDERS is a country polygon layer (from/to countries in the direction of
        travel come from the polygons) or a border-line layer as 'caravan borders'
        writes it (each crossing gets the line's pair; --countries fills from/to). A
        route touching or running along a border is not a crossing; crossing back and
        forth gives each crossing.
        By default only the borders of the region count: those of Kazakhstan,
        Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan and Afghanistan (--region
        lists others, --region all keeps every border).
        Fields: route_id, route_name, kind, pair, from, to, lon, lat, km_along,
        artefact; with --posts also post, post_km and unlisted (the nearest post
        on the same border; unlisted: none within --unlisted); with --merge,
        crossings and routes counted per merged point (crossings of different
        borders are never merged).
        Two opposite crossings of one border on one straight segment of a line,
        less than --chord apart, with no post of that border within 3 km, are flagged
        artefact = 1: the chords of a generalised road cutting a river border (the
        Panj). They stay in the output, are counted, and are left out of the tables.
        The busiest points count distinct routes (input lines), not crossings.
        Examples:
          caravan crossings shapefiles/roads.shp shapefiles/countries.shp \\
              -o out/crossings.geojson
          caravan crossings shapefiles/roads.shp shapefiles/borders.shp \\
              --countries shapefiles/countries.shp \\
              --posts shapefiles/border_posts.shp -o out/x.geojson
          caravan crossings shapefiles/railways.shp shapefiles/countries.shp \\
              --merge 2km --posts shapefiles/border_posts.shp -o out/merged.gpkg
          caravan crossings shapefiles/roads.shp shapefiles/countries.shp \\
              --region all -o out/all_crossings.geojson
        """
    )

    @Argument(help: "Route lines.") var routes: String
    @Argument(help: "Country polygons, or border lines with a pair field.") var borders: String
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(help: "The routes' layer, when the source has several.") var layer: String?
    @Option(name: .customLong("where"), help: "Use only the routes matching this OGR SQL condition.") var whereClause: String?
    @Option(help: "Country polygons giving from/to when BORDERS are lines.") var countries: String?
    @Option(name: .customLong("id-field"), help: "The countries' id field.") var idField = "iso_a2"
    @Option(help: "Known border posts (points with name and pair, or iso_a and iso_b) to label crossings with.") var posts: String?
    @Option(help: "A crossing farther than this from every known post of its border is flagged unlisted.") var unlisted = "10km"
    @Option(help: "Merge crossings of one border within this distance into one point (e.g. 2km).") var merge: String?
    @Option(help: "Only borders with one of these countries (comma-separated ISO codes), or all (default: AF,KG,KZ,TJ,TM,UZ).") var region: String?
    @Option(help: "Opposite crossings of one border on one line closer than this, with no post near, are flagged artefact.") var chord = "10km"
    @Flag(name: .customLong("no-chord-check"), help: "Do not flag chord artefacts.") var noChordCheck = false
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    var options: CrossingOptions {
        var o = CrossingOptions(routes: routes, borders: borders, output: output)
        o.layer = layer; o.where = whereClause; o.countries = countries; o.idField = idField; o.posts = posts
        o.unlisted = unlisted; o.merge = merge; o.region = region; o.chord = chord; o.noChordCheck = noChordCheck
        o.overwrite = overwrite; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        return o
    }

    func run() throws {
        try writing.check(outputs: options.outputPaths, inputs: options.inputPaths)
        let start = Date()
        let progress = AnalysisProgress()
        let result = try borderCrossings(options, context: progress.context)
        progress.done()
        let written = try ResultWriter.write(result.layers[0], to: output, options: writing.main(overwrite: overwrite, inputs: options.inputPaths))
        for line in result.summary { Console.line("caravan: " + line) }
        for w in result.warnings { Console.line("caravan: warning: " + w) }
        for t in result.tables { print(t.text) }
        Console.line(String(format: "caravan: wrote %d crossings to %@ in %.1f s", written.features, output, Date().timeIntervalSince(start)))
    }
}
