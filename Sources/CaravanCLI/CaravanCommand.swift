import ArgumentParser
import CaravanKit
import Foundation

/// The `caravan` command: subcommands live here; each one parses, validates, calls
/// CaravanKit and prints.
public struct CaravanCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "caravan",
        abstract: "Geospatial analysis for border-security and counter-narcotics analysts.",
        discussion: """
        Reads anything GDAL reads (Shapefile, GeoPackage, GeoJSON, KML, CSV, XLSX,
        PG:...).
        Examples:
          caravan info shapefiles/countries.shp
          caravan convert shapefiles/countries.shp out/countries.geojson \\
              --where "role = 'focus'"
        """,
        version: "0.1.0",
        subcommands: [
            InfoCommand.self,
            ConvertCommand.self,
            BordersCommand.self,
            GeocodeCommand.self,
            RoutesCommand.self,
            DensityCommand.self,
            CrossingsCommand.self,
            HotSpotsCommand.self,
            KDECommand.self,
            GazetteerCommand.self,
            RenderCommand.self,
            CubeCommand.self,
            EmergingCommand.self,
            RunCommand.self,
            BulletinCommand.self,
            CountCommand.self,
            NetworkCommand.self,
            FlowsCommand.self,
            ExtractCommand.self,
        ]
    )

    public init() {}

    /// Runs the command line: GeoErrors become one line on stderr and exit 1; usage errors exit 64.
    public static func runMain(_ arguments: [String]? = nil) -> Never {
        // The command's own log: the warnings no library call returned with its result
        // (e.g. GDAL's while writing, or opening a layer in the CLI), printed at the end.
        _ = Console.log.begin()
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Console.flushWarnings()
            Foundation.exit(0)
        } catch let e as GeoError {
            Console.flushWarnings()
            Console.error(e)
            Foundation.exit(1)
        } catch {
            Console.flushWarnings()
            exit(withError: error)
        }
    }
}

/// Printing to people: errors and warnings on stderr, one line each.
enum Console {

    /// How the library's option keys (`{sSrs}`) are shown: as this CLI's flags (`--s-srs`), or,
    /// while a recipe's step runs, as the recipe's keys (`s-srs:`), which is how its author names them.
    nonisolated(unsafe) static var optionName: (String) -> String = OptionKeys.flag

    /// A library message with its option keys shown (`optionName`).
    static func text(_ s: String) -> String { OptionKeys.render(s, optionName) }

    /// One line on stderr; the library's option keys are shown by `optionName`.
    static func line(_ s: String) { raw(text(s)) }

    /// One line on stderr, as given.
    static func raw(_ s: String) {
        FileHandle.standardError.write(Data((s + "\n").utf8))
    }

    /// One line on stdout (a summary line of the library's), its option keys shown by `optionName`.
    static func out(_ s: String) { print(text(s)) }

    /// The error's message and hint with their option keys shown; its file and layer as given.
    static func error(_ e: GeoError) {
        var shown = e
        shown.message = text(e.message)
        raw("caravan: error: \(shown.description)")
        if let hint = e.hint { line("  hint: \(hint)") }
    }

    /// The warnings of the command that no library call returned with its result.
    static let log = WarningLog()

    static func flushWarnings() {
        for w in log.messages { line("caravan: warning: \(w)") }
    }

    /// Whether stderr is a terminal (progress lines are only drawn there).
    static var isInteractive: Bool { isatty(2) != 0 }

    static func progress(_ message: String) {
        guard isInteractive else { return }
        FileHandle.standardError.write("\r\(message)\u{1B}[K".data(using: .utf8)!)
    }

    static func endProgress() {
        guard isInteractive else { return }
        FileHandle.standardError.write("\r\u{1B}[K".data(using: .utf8)!)
    }
}

/// Options shared by commands that read one source.
struct SourceOptions: ParsableArguments {
    @Option(name: .customLong("s-srs"), help: "The source CRS, when the source lacks or misstates it (EPSG:n, ESRI:n, PROJ string, WKT).")
    var sourceSRS: String?

    @Flag(name: .customLong("restore-shx"), help: "Rebuild a missing Shapefile .shx index (written beside the .shp).")
    var restoreShx = false

    func openOptions() throws -> OpenOptions {
        OpenOptions(sourceCRS: try sourceSRS.map { try CRS($0) }, restoreShx: restoreShx)
    }
}

extension CRS {
    /// "EPSG:4326 (WGS 84)", or the name when there is no identifier.
    var label: String { description }
}
