import ArgumentParser
import CaravanKit
import Foundation

struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Describe a vector source: layers, geometry, count, CRS, extent, fields.",
        discussion: """
        What `ogrinfo -so` tells, for a person, or as JSON for scripts.
        Examples:
          caravan info shapefiles/roads.shp
          caravan info data.gpkg roads --json
          caravan info events.csv --check
        """
    )

    @Argument(help: "File, folder or PG: connection string.")
    var source: String

    @Argument(help: "Only this layer.")
    var layer: String?

    @Flag(help: "Print JSON instead of text.")
    var json = false

    @Flag(help: "Also check every geometry's validity (GEOS) and report the invalid ones.")
    var check = false

    @OptionGroup var input: SourceOptions

    func run() throws {
        let ds = try Dataset.open(source, options: try input.openOptions())
        let layers = try layer.map { [try ds.layer(named: $0)] } ?? ds.layers
        let infos = try layers.map { try LayerInfo.describe($0, check: check) }
        if json {
            let doc: [String: Any] = ["source": source, "driver": ds.driverName, "layers": infos.map(\.json)]
            let data = try JSONSerialization.data(withJSONObject: doc, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("\(source)  (\(ds.driverName), \(layers.count) layer\(layers.count == 1 ? "" : "s"))")
            for info in infos { print(info.text(optionName: Console.optionName)) }
        }
    }
}
