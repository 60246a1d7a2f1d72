import ArgumentParser
import CaravanKit
import Foundation

enum DensityMethodName: String, ExpressibleByArgument, CaseIterable { case length, kernel }

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
        (col+1)·s), y in [row·s, (row+1)·s) of the analysis CRS, by default a Lambert
        azimuthal equal-area CRS centred on the data.
        Output fields: col, row, length_km, density, routes, cell_km2 (+ weighted_km
        with --weight).
        A .tif output holds the density of a square grid (NoData where there is no
        route); a .csv has one row per cell with the lon and lat of its centre, for
        spreadsheets.
        Examples:
          caravan density shapefiles/roads.shp --cell 25km -o out/road_density.geojson
          caravan density shapefiles/railways.shp --cell 10km -o out/rail_density.tif
          caravan density shapefiles/roads.shp --grid hex --cell-area 500km2 \\
              --study-area shapefiles/countries.shp --study-where "role = 'focus'" \\
              -o out/hex.gpkg
          caravan density routes.gpkg --cell 5km --method kernel --radius 20km \\
              --weight trips -o out/kernel.tif
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

    func validate() throws {
        if method == .kernel && radius == nil { throw ValidationError("--method kernel needs --radius, e.g. --radius 20km") }
        if method == .length && radius != nil { throw ValidationError("--radius is for --method kernel") }
    }

    func run() throws {
        guard let tessellation = try gridOptions.tessellation() else {
            throw GeoError(.invalidArgument, "no cell size", hint: "give --cell (e.g. --cell 10km) or --cell-area (e.g. --cell-area 500km2)")
        }
        var o = LineDensityOptions(tessellation: tessellation)
        o.crs = try gridOptions.analysisCRS()
        o.weightField = weight
        o.geodesic = geodesic
        o.boundaries = boundaries
        o.maxCells = gridOptions.maxCells
        o.studyArea = try gridOptions.studyAreaGeometry()
        if method == .kernel { o.method = .kernel(radius: try Distance.parse(radius!, option: "--radius").meters) }
        let ds = try Dataset.open(routes, options: try input.openOptions())
        let l = try ds.layer(named: layer)
        if let w = whereClause { try l.setAttributeFilter(w) }
        let progress = ProgressLine("routes read")
        let start = Date()
        let grid = try lineDensity(l, options: o) { progress.update($0) }
        progress.done()
        try grid.write(to: output, keepEmpty: keepEmpty, options: WriteOptions(overwrite: overwrite, inputs: [routes]))
        let cells = grid.nonEmptyCells
        let maxDensity = cells.map { grid.density($0) }.max() ?? 0
        Console.line(String(format: "caravan: %d routes, %.0f km, in %d of %d cells (%@ grid in %@); highest density %.3f km/km²; %.1f s",
                            grid.features, grid.totalLength / 1000, cells.count, grid.window.cellCount,
                            tessellation.label, grid.crs.label, maxDensity, Date().timeIntervalSince(start)))
        if grid.featuresWithoutGeometry > 0 {
            Console.line("caravan: warning: \(grid.featuresWithoutGeometry) features without geometry were skipped")
        }
        Console.line("caravan: wrote \(output)")
    }
}

extension Tessellation {
    var label: String {
        switch self {
        case .square(let s): return "\(Distance(meters: s)) square"
        case .hexagon: return String(format: "%.1f km² hexagon", cellArea / 1e6)
        }
    }
}
