import ArgumentParser
import CaravanKit
import Foundation

struct KDECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kde",
        abstract: "Kernel density of events (ArcGIS's quartic kernel), per km².",
        discussion: """
        D(x) = (1/r²) Σ (3/π) · weight · (1 − (d/r)²)² over the events within r of
        each cell centre, per km² (events per km²; with --weight amount_kg, kg per
        km²). Without --radius, ArcGIS's default (the spatial Silverman rule) is used
        and stated. Negative weights are refused.
        A .tif holds the surface: 0 where no event is within r, NoData only outside
        the --study-area; vector outputs hold the cells with a density above 0, with
        density and expected (density × cell area).
        Examples (after make demo):
          caravan kde out/seizures.gpkg --radius 30km --cell 5km -o out/kde.tif
          caravan kde out/seizures.gpkg --cell 5km --weight amount_kg \\
              --study-area shapefiles/countries.shp --study-where "role = 'focus'" \\
              -o out/kde_kg.tif
        """
    )
    @Argument(help: "Event points.") var events: String
    @Option(help: "The events' layer.") var layer: String?
    @Option(help: "Search radius (default: ArcGIS's rule).") var radius: String?
    @Option(help: "Cell size with units, e.g. 5km (default: a 250th of the shorter side of the extent).") var cell: String?
    @Option(help: "Numeric field weighting each event (ArcGIS's population field).") var weight: String?
    @Option(help: "Analysis CRS, projected in metres (default: the fixed regional Albers).") var crs: String?
    @Option(name: .customLong("study-area"), help: "Polygon layer: the grid covers it; cells outside are NoData.") var studyArea: String?
    @Option(name: .customLong("study-where"), help: "OGR SQL condition selecting polygons of the study area.") var studyWhere: String?
    @OptionGroup var selection: EventSelectionOptions
    @Flag(help: "Extend the extent by the radius (ArcGIS uses the events' extent).") var padded = false
    @Option(name: .customLong("max-cells"), help: "Refuse grids with more cells than this.") var maxCells = 10_000_000
    @Option(name: .shortAndLong, help: "Output: .tif, .geojson, .gpkg, .csv.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = KDEOptions(events: events)
        o.layer = layer; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        o.radius = radius; o.cell = cell; o.weight = weight; o.crs = crs; o.padded = padded; o.maxCells = maxCells
        o.studyArea = studyArea; o.studyWhere = studyWhere
        o.dateColumn = selection.dateColumn; o.from = selection.from; o.to = selection.to; o.where = selection.condition
        o.output = output; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let out = try kernelDensity(o)
        try AnalysisPrinter.emit(out, output: output, report: nil, overwrite: overwrite, inputs: o.inputPaths, writing: writing)
    }
}
