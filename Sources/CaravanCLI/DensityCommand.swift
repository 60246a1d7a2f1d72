import ArgumentParser
import CaravanKit
import Foundation

extension DensityMethodName: ExpressibleByArgument {}

struct DensityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density",
        abstract: "Route density on a grid: km of route per km² of each cell.",
        discussion: """
        --method length (default): the exact length of route inside each cell (QGIS
        "Sum line lengths" on a grid) divided by the cell's area. --method kernel
        --radius R: at each cell centre, the length within R divided by πR² (ArcGIS /
        QGIS "Line density").
        Cells are aligned to the CRS origin: square (col, row) covers x in [col·s,
        (col+1)·s), y in [row·s, (row+1)·s) of the analysis CRS (see --crs).
        Output fields: col, row, length_km, density, routes, cell_km2 (+ weighted_km
        with --weight).
        A .tif output holds the density of a square grid: 0 where a cell has no
        route, NoData only outside the study area (so zonal statistics over a
        province average every cell); a .csv has one row per cell with the lon and lat of its centre, for
        spreadsheets.
        Examples:
          caravan density shapefiles/roads.shp --cell 25km -o out/road_density.geojson
          caravan density shapefiles/railways.shp --cell 10km -o out/rail_density.tif
          caravan density shapefiles/roads.shp --grid hex --cell-area 500km2 \\
              --study-area shapefiles/countries.shp --study-where "role = 'focus'" \\
              -o out/hex.gpkg
          caravan density shapefiles/roads.shp --cell 5km --method kernel \\
              --radius 20km -o out/road_kernel.tif
        """
    )

    @Argument(help: "A line layer (roads, tracks, routes).")
    var routes: String

    @Option(help: "The layer, when the source has several.")
    var layer: String?

    @Option(name: .customLong("where"), help: "Use only the routes matching this OGR SQL condition.")
    var whereClause: String?

    @OptionGroup var gridOptions: GridOptions

    @Option(help: "length (exact length per cell) or kernel (length within --radius of each cell centre).")
    var method: DensityMethodName = .length

    @Option(help: "Search radius of the kernel method (m, km, mi).")
    var radius: String?

    @Option(help: "Numeric field multiplying each route's length (e.g. trips, tonnage).")
    var weight: String?

    @Flag(help: "Measure lengths on the WGS84 ellipsoid instead of in the analysis CRS.")
    var geodesic = false

    @Flag(help: "Use the outlines of polygons as lines.")
    var boundaries = false

    @Flag(name: .customLong("keep-empty"), help: "Write cells without routes too.")
    var keepEmpty = false

    @Option(name: .shortAndLong, help: "Output: .geojson, .gpkg, .shp, .csv or .tif (square grids).")
    var output: String

    @Flag(help: "Replace the output if it exists.")
    var overwrite = false

    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    var options: DensityOptions {
        var o = DensityOptions(routes: routes, output: output)
        o.layer = layer; o.where = whereClause
        o.grid = gridOptions.grid == .hex ? .hex : .square
        o.cell = gridOptions.cell; o.cellArea = gridOptions.cellArea; o.crs = gridOptions.crs
        o.studyArea = gridOptions.studyArea; o.studyWhere = gridOptions.studyWhere; o.maxCells = gridOptions.maxCells
        o.method = method; o.radius = radius; o.weight = weight
        o.geodesic = geodesic; o.boundaries = boundaries; o.keepEmpty = keepEmpty
        o.overwrite = overwrite; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        return o
    }

    func validate() throws {
        if method == .kernel && radius == nil { throw ValidationError("--method kernel needs --radius, e.g. --radius 20km") }
        if method == .length && radius != nil { throw ValidationError("--radius is for --method kernel") }
    }

    func run() throws {
        try writing.check(outputs: options.outputPaths, inputs: options.inputPaths)
        let start = Date()
        let progress = AnalysisProgress()
        let result = try routeDensity(options, context: progress.context)
        progress.done()
        try ResultWriter.write(result.layers[0], to: output, options: writing.main(overwrite: overwrite, inputs: options.inputPaths))
        for line in result.summary { Console.line("caravan: " + line) }
        for w in result.warnings { Console.line("caravan: warning: " + w) }
        Console.line(String(format: "caravan: wrote %@ in %.1f s", output, Date().timeIntervalSince(start)))
    }
}

/// Progress messages of a library call on stderr, at most five a second (only on a terminal).
final class AnalysisProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var last = Date.distantPast
    var context: AnalysisContext { AnalysisContext(progress: { [self] in message($0) }) }
    func message(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        guard Date().timeIntervalSince(last) > 0.2 else { return }
        last = Date()
        Console.progress("caravan: \(text)…")
    }
    func done() { Console.endProgress() }
}
