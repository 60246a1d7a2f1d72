import ArgumentParser
import CaravanKit
import Foundation

struct FlowsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flows",
        abstract: "Load of origin–destination flows on a road network, and what happens when a crossing closes.",
        discussion: """
        OD is a table with an origin and a destination column (place names, or "lat,
        lon") and an optional weight (kg, cases; default: a 'weight' column, else 1 per
        row). Every flow follows its shortest path on the network. Writes OUTPUT: every
        network line with routes (flows using it), weight (their summed weight) and
        share_pct — a layer to map as graduated lines; OUTPUT_crossings: the flows
        through each border crossing (with --countries); OUTPUT_flows.csv: one row per
        flow with its status, length_km, crossings in order. A place the geocoder does
        not match, or one farther than --max-snap from the network, is kept with the
        geocoder's answer in the status and reported; nothing is dropped.
        --closed "Termez–Hairatan" (a border post name, by name or alias; or a file of
        closed points, lines, post names or line ids; may repeat) routes the same flows
        with those crossings closed: each flow's detour (detour_km, detour_pct), the
        crossings that take the displaced flows, and the flows with no remaining path.
        Examples:
          caravan flows samples/routes/flows.csv \\
              --network shapefiles/roads.shp \\
              --countries shapefiles/countries.shp \\
              --max-snap 10km -o out/flow_load.gpkg
          caravan flows samples/routes/flows.csv \\
              --network shapefiles/roads.shp \\
              --countries shapefiles/countries.shp --max-snap 10km \\
              --closed "Termez–Hairatan" -o out/flow_load_closed.gpkg
        """
    )
    @Argument(help: "The origin–destination table.") var od: String
    @Option(help: "A line layer to route along; may repeat to join them.") var network: [String] = []
    @Option(name: .shortAndLong, help: "Output: the load on every network line.") var output: String
    @Option(name: .customLong("crossings-output"), help: "Where the flows through each crossing go (default: OUTPUT_crossings).") var crossingsOutput: String?
    @Option(name: .customLong("flows-output"), help: "Where the per-flow table goes (default: OUTPUT_flows.csv).") var flowsOutput: String?
    @Option(name: .customLong("origin-column"), help: "Column with the origin place.") var originColumn = "origin"
    @Option(name: .customLong("destination-column"), help: "Column with the destination place.") var destinationColumn = "destination"
    @Option(name: .customLong("weight-column"), help: "Column with the weight (default: 'weight' if present, else 1 per flow).") var weightColumn: String?
    @Option(help: "A border post name to close (or a file of closed points, lines, post names or line ids); may repeat.") var closed: [String] = []
    @Option(help: "Country hint for every place.") var country: String?
    @Option(help: "Extra gazetteer; may repeat.") var extra: [String] = []
    @Option(name: .customLong("max-snap"), help: "A place farther than this from the network is not routed (reported).") var maxSnap = "5km"
    @Option(help: "Join places to the nearest node, or to the nearest point on a line: node or line.") var snap: SnapMode = .node
    @Option(help: "Edge cost: length or time.") var cost: NetworkCost = .length
    @Option(help: "Speed override for --cost time, CLASS=KM/H; may repeat.") var speed: [String] = []
    @Option(name: .customLong("class-field"), help: "The road class field for --cost time.") var classField: String?
    @Option(help: "Country polygons: the border crossings of the flows (needed for --closed by name).") var countries: String?
    @Option(help: "Known border posts (default: the shipped posts).") var posts: String?
    @Flag(help: "Replace the outputs if they exist.") var overwrite = false
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = FlowOptions(od: od, network: network, output: output)
        o.crossingsOutput = crossingsOutput; o.flowsOutput = flowsOutput
        o.originColumn = originColumn; o.destinationColumn = destinationColumn; o.weightColumn = weightColumn
        o.closed = closed; o.country = country; o.extra = extra; o.maxSnap = maxSnap; o.snap = snap; o.cost = cost
        o.speed = speed; o.classField = classField; o.countries = countries; o.posts = posts; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let result = try networkFlows(o, context: AnalysisContext(progress: { Console.progress("caravan: \($0)…") }))
        Console.endProgress()
        for w in result.warnings.prefix(30) { Console.line("caravan: warning: \(w)") }
        if result.warnings.count > 30 { Console.line("caravan: … and \(result.warnings.count - 30) more warnings (see the flows table's status)") }
        for s in result.summary { Console.out(s) }
        for t in result.tables { print(t.text) }
        let paths = [output, o.resolvedCrossingsOutput, o.resolvedFlowsOutput]
        for (layer, path) in zip(result.layers, paths) {
            if layer.name == "crossing_flows" && countries == nil { continue }
            let options = path == output ? writing.main(overwrite: overwrite, inputs: o.inputPaths) : writing.other(path, overwrite: overwrite, inputs: o.inputPaths)
            let w = try ResultWriter.write(layer, to: path, options: options)
            Console.line("caravan: \(layer.name): \(w.features) features written to \(path)")
        }
    }
}
