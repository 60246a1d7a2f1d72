import ArgumentParser
import CaravanKit
import Foundation

struct NetworkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract: "Checks of a routing network (road or rail lines).",
        subcommands: [NetworkInfoCommand.self]
    )
}

struct NetworkInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Nodes, edges, connected components, dangling ends, duplicate and zero-length lines.",
        discussion: """
        The network caravan routes and caravan flows build: nodes are line endpoints
        (endpoints within 1 m are one node), each line an edge both ways costing its
        geodesic length on WGS84. Reports the components and their sizes (a route
        between two components has no path), dangling ends, node pairs joined by more
        than one line (the shorter is routed on), closed loops (never routed on) and
        zero-length lines. With -o, writes the nodes to check (dangling ends, nodes of
        the smaller components) as points.
        Examples:
          caravan network info shapefiles/roads.shp
          caravan network info shapefiles/roads.shp shapefiles/railways.shp \\
              -o out/network_checks.geojson
        """
    )
    @Argument(help: "Line layers making one network.") var network: [String]
    @Option(name: .shortAndLong, help: "Write the nodes to check (points) here.") var output: String?
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = NetworkInfoOptions(network: network, output: output)
        o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let result = try networkInfo(o)
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        for s in result.summary { Console.out(s) }
        for t in result.tables { print(t.text) }
        if let out = output, let layer = result.layers.first {
            let w = try ResultWriter.write(layer, to: out, options: writing.main(overwrite: overwrite, inputs: network))
            Console.line("caravan: \(w.features) nodes to check written to \(out)")
        }
    }
}
