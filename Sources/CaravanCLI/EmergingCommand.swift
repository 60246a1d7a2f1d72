import ArgumentParser
import CaravanKit
import Foundation

struct EmergingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emerging",
        abstract: "Emerging hot spots: how hot spots change over time (ArcGIS's Emerging Hot Spot Analysis).",
        discussion: """
        Builds the space-time cube (or reads one made by 'caravan cube'), computes Gi*
        for every bin with neighbours within --band in the same step and the
        --time-window previous steps, corrects for multiple testing (FDR), tests each
        location's z-scores for a trend (Mann-Kendall) and names its pattern: New,
        Consecutive, Intensifying, Persistent, Diminishing, Sporadic, Oscillating,
        Historical hot or cold spot, or No Pattern Detected.
        Output fields: LOCATION, CATEGORY, PATTERN, TREND_Z, TREND_P, TREND_BIN,
        NUM_HOT, NUM_COLD, col, row, count; --bins writes every bin's GiZScore,
        GiPValue, Gi_Bin. A .nc output (-o or --bins) is the cube with those
        variables beside its counts (CF: GiZScore, GiPValue, Gi_Bin per time step,
        CATEGORY, TREND_Z, TREND_P, NUM_HOT, NUM_COLD per cell), as ArcGIS adds them.
        --by year also writes the yearly hot spots beside the output, OUTPUT_by_year.gpkg
        (one polygon per location and year; Gi_Bin = the highest confidence reached
        in the year's steps, NUM_HOT/NUM_COLD how often) and OUTPUT_by_year.png
        (one panel per year, one legend); redraw it with 'caravan render OUTPUT_by_year.gpkg --by year'.
        Examples:
          caravan emerging out/seizures.gpkg --cell 25km --step 3months --band 100km \\
              -o out/seizures_emerging.gpkg
          caravan emerging out/seizures.gpkg --cell 25km --step 1month --band 100km \\
              -o out/seizures_emerging.gpkg --by year --overwrite
          caravan emerging out/seizures_cube.nc --band 100km -o out/emerging.geojson \\
              --bins out/emerging_bins.nc
        """
    )

    @Argument(help: "Event points with a date column, or a cube (.nc) made by 'caravan cube'.") var events: String
    @Option(help: "The events' layer, when the source has several.") var layer: String?
    @OptionGroup var gridOptions: GridOptions
    @OptionGroup var time: TimeOptions
    @Option(help: "Neighbourhood distance, e.g. 75km (ArcGIS's Neighborhood Distance).") var band: String
    @Option(name: .customLong("time-window"), help: "Previous time steps in the neighbourhood (ArcGIS's Neighborhood Time Step).") var timeWindow = 1
    @Option(name: .shortAndLong, help: "Output: one polygon per location with its pattern.") var output: String
    @Option(help: "Also write every bin's Gi* here (points at the cell centres; .nc: the cube with Gi* beside it).") var bins: String?
    @Option(help: "year: also the yearly hot spots, OUTPUT_by_year.gpkg, and a map of one panel per year, OUTPUT_by_year.png.") var by: String?
    @Flag(help: "Replace the outputs if they exist.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = EmergingOptions(events: events, cell: gridOptions.cell, step: time.step, band: band, output: output)
        o.layer = layer; o.sSrs = input.sourceSRS
        o.grid = gridOptions.cellShape; o.cellArea = gridOptions.cellArea; o.crs = gridOptions.crs
        o.studyArea = gridOptions.studyArea; o.studyWhere = gridOptions.studyWhere; o.maxCells = gridOptions.maxCells
        o.dateColumn = time.dateColumn; o.from = time.from; o.to = time.to; o.where = time.condition; o.weight = time.weight
        o.timeWindow = timeWindow; o.bins = bins; o.by = by; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let progress = AnalysisProgress()
        let analysis = try emergingAnalysis(o, context: progress.context)
        progress.done()
        let result = analysis.output
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        let options = writing.main(overwrite: overwrite, inputs: o.inputPaths)
        let written = try writeEmerging(analysis, layer: "emerging", to: output, options: options)
        if let bins { try writeEmerging(analysis, layer: "bins", to: bins, options: writing.other(bins, overwrite: overwrite, inputs: o.inputPaths)) }
        for s in result.summary { Console.line("caravan: \(s)") }
        Console.line("caravan: \(written.features) locations written to \(output)\(bins.map { ", every bin to \($0)" } ?? "")")
        if by != nil, let years = result.layers.first(where: { $0.name == "years" }) {
            let stem = ((output as NSString).deletingPathExtension as String) + "_by_year"
            let table = try ResultWriter.write(years, to: stem + ".gpkg", options: writing.other(stem + ".gpkg", overwrite: overwrite, inputs: o.inputPaths))
            var r = RenderOptions(layers: [], output: stem + ".png")
            r.title = "Hot spots by year"
            r.subtitle = "space-time Gi*, steps of \(analysis.cube.steps.step); each cell at the highest confidence it reached in the year"
            r.by = "year"; r.overwrite = overwrite; r.extent = analysis.extent
            let map = try renderMap(r, results: [years])
            for w in map.warnings { Console.line("caravan: warning: \(w)") }
            Console.line("caravan: yearly hot spots written to \(table.path) and drawn in \(stem).png (one panel per year)")
        }
        for t in result.tables where !t.rows.isEmpty { print(t.text) }
    }
}
