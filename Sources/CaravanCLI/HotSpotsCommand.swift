import ArgumentParser
import CaravanKit
import Foundation

struct HotSpotsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hotspots",
        abstract: "Hot spots of events: Getis-Ord Gi* as ArcGIS Pro computes it.",
        discussion: """
        Events are counted (or --weight summed) per grid cell (zero cells included, as
        ArcGIS does), per polygon (--polygons), or per point within a radius (--at
        POINTS --radius R, geodesic). Cells are in the fixed regional CRS ("Caravan
        Central Asia Albers"), so a cell keeps its col,row from run to run.
        Gi* uses a fixed distance band (--band; default: the distance giving every
        feature a neighbour), --band auto (as Optimized Hot Spot Analysis chooses it),
        --knn K, or --inverse-distance. Output fields: SOURCE_ID, count or sum,
        GiZScore, GiPValue, Gi_Bin (±3/±2/±1 = 99/95/90% confidence), NNeighbors (the
        focal feature included). The table names the nearest town and province.
        With --polygons and a country column in the events, events lying in another
        country than their row says are counted and listed (--report FILE);
        --assign-by COLUMN counts them in the row's country.
        Examples (after make demo):
          caravan hotspots out/seizures.gpkg --cell 25km --band 100km \\
              --study-area shapefiles/countries.shp --study-where "role = 'focus'" \\
              -o out/hotspots.geojson
          caravan hotspots out/seizures.gpkg --grid hex --cell-area 500km2 --band auto \\
              --fdr --from 2022-01-01 --to 2022-12-31 -o out/hex_hotspots.geojson
          caravan hotspots out/seizures.gpkg --polygons shapefiles/provinces.shp --knn 8 \\
              -o out/provinces_hotspots.geojson
          caravan hotspots out/seizures.gpkg --at shapefiles/border_posts.shp \\
              --radius 20km --band 300km -o out/posts_hotspots.geojson
        """
    )

    @Argument(help: "Event points (a geocoded table; a table with lon/lat columns works too).") var events: String
    @Option(help: "The events' layer, when the source has several.") var layer: String?
    @OptionGroup var gridOptions: GridOptions
    @OptionGroup var selection: EventSelectionOptions
    @Option(help: "Aggregate to the polygons of this layer instead of a grid.") var polygons: String?
    @Option(help: "Aggregate to the points of this layer (with --radius) instead of a grid.") var at: String?
    @Option(help: "Radius around each --at point (geodesic).") var radius: String?
    @Option(name: .customLong("id-field"), help: "Field labelling --polygons or --at features (SOURCE_ID).") var idField: String?
    @Option(help: "Distance band (e.g. 75km), or auto.") var band: String?
    @Option(help: "Use the K nearest neighbours instead of a distance band.") var knn: Int?
    @Flag(name: .customLong("inverse-distance"), help: "Weight neighbours by 1/distance (within --band if given).") var inverseDistance = false
    @Option(help: "Numeric field to sum instead of counting events.") var weight: String?
    @Flag(help: "Correct the bins for multiple testing (false discovery rate), as ArcGIS does.") var fdr = false
    @Option(name: .customLong("country-column"), help: "The events' country column for the border check with --polygons (default: country or match_country).") var countryColumn: String?
    @Option(name: .customLong("assign-by"), help: "Trust this country column over the polygons for events near borders.") var assignBy: String?
    @Option(help: "Write the events left out or lying in another country here (.csv, .geojson).") var report: String?
    @Option(help: "Province polygons naming places in the table (default: shapefiles/provinces.shp when present).") var provinces: String?
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func validate() throws {
        if let k = knn, k < 1 { throw ValidationError("--knn must be at least 1") }
    }

    func run() throws {
        var o = HotSpotOptions(events: events)
        o.layer = layer; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        o.grid = gridOptions.shape; o.cell = gridOptions.cell; o.cellArea = gridOptions.cellArea; o.crs = gridOptions.crs
        o.studyArea = gridOptions.studyArea; o.studyWhere = gridOptions.studyWhere; o.maxCells = gridOptions.maxCells
        o.polygons = polygons; o.at = at; o.radius = radius; o.idField = idField
        o.band = band; o.knn = knn; o.inverseDistance = inverseDistance; o.weight = weight; o.fdr = fdr
        o.dateColumn = selection.dateColumn; o.from = selection.from; o.to = selection.to; o.where = selection.condition
        o.countryColumn = countryColumn; o.assignBy = assignBy; o.report = report; o.provinces = provinces
        o.output = output; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let out = try hotSpots(o)
        try AnalysisPrinter.emit(out, output: output, report: report, overwrite: overwrite, inputs: o.inputPaths, writing: writing)
    }
}
