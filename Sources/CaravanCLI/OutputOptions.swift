import ArgumentParser
import CaravanKit
import Foundation

extension CSVDialect: ExpressibleByArgument {}

/// The output flags of every command that writes a layer, mapped to `WriteOptions`:
/// `--output-layer NAME` and `--update` put several layers into one GeoPackage (as
/// `ogr2ogr -nln NAME -update`), `--csv-dialect excel-ru` writes CSV for a Russian-locale Excel.
struct OutputOptions: ParsableArguments {
    @Option(name: .customLong("output-layer"), help: "The layer's name in the output GeoPackage (as ogr2ogr's -nln; default: the result's own name).")
    var outputLayer: String?

    @Flag(help: "Add the layer to an existing GeoPackage (as ogr2ogr -update); with --overwrite, replace a layer of that name.")
    var update = false

    @Option(name: .customLong("csv-dialect"), help: "CSV output: standard (',' and '.', the default) or excel-ru (UTF-8 BOM, ';', decimal commas).")
    var csvDialect: CSVDialect = .standard

    /// The write options of the main output: `--output-layer` names its layer.
    func main(overwrite: Bool, inputs: [String]) -> WriteOptions {
        WriteOptions(overwrite: overwrite, inputs: inputs, layerName: outputLayer, update: update, csvDialect: csvDialect)
    }

    /// The write options of another output of the same run (a report, the bins): the layer keeps
    /// its own name; `--update` adds it to a GeoPackage that exists, and is ignored for other formats.
    func other(_ path: String, overwrite: Bool, inputs: [String]) -> WriteOptions {
        WriteOptions(overwrite: overwrite, inputs: inputs, update: update && Self.isGeoPackage(path), csvDialect: csvDialect)
    }

    static func isGeoPackage(_ path: String) -> Bool { (try? OutputFormat.resolve(path: path, format: nil)) == .geoPackage }

    /// Before any work: the outputs differ from each other and from every input, and `--update`
    /// goes with a GeoPackage.
    func check(outputs: [String?], inputs: [String], format: String? = nil) throws {
        let outputs = outputs.compactMap { $0 }
        try SafeOutput.checkDistinct(outputs: outputs, inputs: inputs)
        let driver = (outputs.first).flatMap { try? OutputFormat.resolve(path: $0, format: format).driver }
        if update, let main = outputs.first, driver != OutputFormat.geoPackage.driver, driver != "SQLite" {
            throw GeoError(.invalidArgument, "only a GeoPackage takes another layer (--update)", file: main, hint: "write to a .gpkg, or drop --update")
        }
    }
}
