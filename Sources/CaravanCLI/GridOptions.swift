import ArgumentParser
import CaravanKit
import Foundation

enum GridShape: String, ExpressibleByArgument, CaseIterable {
    case square, hex
}

/// The grid flags shared by `density`, `hotspots` and `kde`.
struct GridOptions: ParsableArguments {
    @Option(help: "Cell shape: square or hex.")
    var grid: GridShape = .square

    @Option(help: "Cell size with units (m, km, mi): the side of a square; for hexagons the distance between neighbouring centres (flat-to-flat width, ArcGIS's hexagon cell size).")
    var cell: String?

    @Option(name: .customLong("cell-area"), help: "Cell area instead of --cell (km2, m2, ha), e.g. 500km2.")
    var cellArea: String?

    @Option(help: "Analysis CRS, projected in metres (default: the fixed regional Albers equal-area, \"Caravan Central Asia Albers\"; data outside the region: Lambert azimuthal equal-area centred on them).")
    var crs: String?

    @Option(name: .customLong("study-area"), help: "Polygon layer bounding the analysis; cells are clipped to it.")
    var studyArea: String?

    @Option(name: .customLong("study-where"), help: "OGR SQL condition selecting polygons of the study area, e.g. \"role = 'focus'\".")
    var studyWhere: String?

    @Option(name: .customLong("max-cells"), help: "Refuse grids with more cells than this.")
    var maxCells = 10_000_000

    /// The tessellation, or nil when neither --cell nor --cell-area was given.
    func tessellation() throws -> Tessellation? {
        if cell != nil && cellArea != nil { throw ValidationError("give --cell or --cell-area, not both") }
        if let a = cellArea {
            let m2 = try AreaSize.parse(a, option: "--cell-area").squareMeters
            return grid == .square ? .square(size: m2.squareRoot()) : .hexagon(area: m2)
        }
        guard let c = cell else { return nil }
        let d = try Distance.parse(c, option: "--cell", requiringUnit: true).meters
        return grid == .square ? .square(size: d) : .hexagon(side: d / 3.0.squareRoot())
    }

    func analysisCRS() throws -> CRS? { try crs.map { try CRS($0) } }

    /// The union of the study-area polygons, in lon/lat (the library's `StudyArea.load`).
    func studyAreaGeometry() throws -> Geometry? {
        guard let path = studyArea else { return nil }
        return try StudyArea.load(path, where: studyWhere)
    }
}

extension GridOptions {
    var shape: CellShape { grid == .hex ? .hex : .square }
}

/// The event-selection flags shared by `hotspots`, `kde` and `count` (EventSelection).
struct EventSelectionOptions: ParsableArguments {
    @Option(name: .customLong("date-column"), help: "The events' date column (found by name when obvious: date, event_date, дата…).")
    var dateColumn: String?

    @Option(help: "First day included, e.g. 2023-01-01 (also 01.01.2023).")
    var from: String?

    @Option(help: "Last day included, e.g. 2023-12-31.")
    var to: String?

    @Option(name: .customLong("where"), help: "OGR SQL condition on the events, e.g. \"drug = 'heroin'\".")
    var condition: String?
}

/// Prints what an analysis returned and writes its layers: the main layer to `output`, the
/// report layer (if any) to `report`.
enum AnalysisPrinter {
    static func emit(_ out: AnalysisOutput, output: String?, report: String?, overwrite: Bool, inputs: [String],
                     writing: OutputOptions = OutputOptions()) throws {
        for w in out.warnings { Console.line("caravan: warning: \(w)") }
        for s in out.summary { Console.line("caravan: \(s)") }
        if let output, let main = out.layers.first {
            let w = try ResultWriter.write(main, to: output, options: writing.main(overwrite: overwrite, inputs: inputs))
            Console.line("caravan: \(w.features) \(main.raster != nil && w.driver == "GTiff" ? "cells" : "features") written to \(output)")
        }
        if let report {
            if let r = out.layers.first(where: { $0.name == "report" }) {
                let w = try ResultWriter.write(r, to: report, options: writing.other(report, overwrite: overwrite, inputs: inputs))
                Console.line("caravan: \(w.features) events listed in \(report)")
            } else {
                Console.line("caravan: nothing to report: no event left out or in another country (\(report) not written)")
            }
        }
        for t in out.tables { print(t.text) }
    }
}

/// Progress on stderr for long runs (only when stderr is a terminal).
final class ProgressLine: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    let what: String
    init(_ what: String) { self.what = what }
    func update(_ n: Int) {
        lock.lock(); defer { lock.unlock() }
        guard Date().timeIntervalSince(last) > 0.2 else { return }
        last = Date()
        Console.progress("caravan: \(n) \(what)…")
    }
    func done() { Console.endProgress() }
}
