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
        GiPValue, Gi_Bin.
        Examples:
          caravan emerging out/seizures.gpkg --cell 25km --step 3months --band 100km \\
              -o out/seizures_emerging.gpkg
          caravan emerging out/seizures_cube.nc --band 100km -o out/emerging.geojson \\
              --bins out/emerging_bins.gpkg
        """
    )

    @Argument(help: "Event points with a date column, or a cube (.nc) made by 'caravan cube'.") var events: String
    @Option(help: "The events' layer, when the source has several.") var layer: String?
    @OptionGroup var gridOptions: GridOptions
    @OptionGroup var time: TimeOptions
    @Option(help: "Neighbourhood distance, e.g. 75km (ArcGIS's Neighborhood Distance).") var band: String
    @Option(name: .customLong("time-window"), help: "Previous time steps in the neighbourhood (ArcGIS's Neighborhood Time Step).") var timeWindow = 1
    @Option(name: .shortAndLong, help: "Output: one polygon per location with its pattern.") var output: String
    @Option(help: "Also write every bin's Gi* here (points at the cell centres).") var bins: String?
    @Flag(help: "Replace the outputs if they exist.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = EmergingOptions(events: events, cell: gridOptions.cell, step: time.step, band: band, output: output)
        o.layer = layer; o.sSrs = input.sourceSRS
        o.grid = gridOptions.cellShape; o.cellArea = gridOptions.cellArea; o.crs = gridOptions.crs
        o.studyArea = gridOptions.studyArea; o.studyWhere = gridOptions.studyWhere; o.maxCells = gridOptions.maxCells
        o.dateColumn = time.dateColumn; o.from = time.from; o.to = time.to; o.where = time.condition; o.weight = time.weight
        o.timeWindow = timeWindow; o.bins = bins; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let result = try emergingHotSpots(o)
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        let written = try ResultWriter.write(result.layers[0], to: output, options: writing.main(overwrite: overwrite, inputs: o.inputPaths))
        if let bins { try ResultWriter.write(result.layers[1], to: bins, options: writing.other(bins, overwrite: overwrite, inputs: o.inputPaths)) }
        for s in result.summary { Console.line("caravan: \(s)") }
        Console.line("caravan: \(written.features) locations written to \(output)\(bins.map { ", every bin to \($0)" } ?? "")")
        for t in result.tables where !t.rows.isEmpty { print(t.text) }
    }
}
