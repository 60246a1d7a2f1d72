import ArgumentParser
import CaravanKit
import Foundation

/// The date and step flags shared by `cube` and `emerging`.
struct TimeOptions: ParsableArguments {
    @Option(help: "Time step: 1month, 3months, 2weeks, 30days, 1year. Steps end at the last event (ArcGIS's END_TIME).")
    var step = "1month"
    @Option(name: .customLong("date-column"), help: "The events' date column (default: a column named date, event_date, дата…).")
    var dateColumn: String?
    @Option(help: "First day included (yyyy-mm-dd).") var from: String?
    @Option(help: "Last day included (yyyy-mm-dd).") var to: String?
    @Option(name: .customLong("where"), help: "OGR SQL condition on the events, e.g. \"drug = 'heroin'\".") var condition: String?
    @Option(help: "Numeric field to sum instead of counting events.") var weight: String?
}

extension GridOptions {
    var cellShape: CellShape { grid == .hex ? .hex : .square }
}

struct CubeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cube",
        abstract: "A space-time cube of events: counts per cell and time step (ArcGIS's Create Space Time Cube).",
        discussion: """
        Locations are the cells holding at least one event (or every cell of
        --study-area); steps end at the last event and include their end, so an event
        on a boundary belongs to the step that ends there. Empty bins are zeros.
        .nc writes netCDF (CF: time, y, x in the analysis CRS; xarray, Panoply and QGIS
        open it); any other format a long table, one row per bin.
        Examples:
          caravan cube out/seizures.gpkg --cell 25km --step 3months -o out/seizures_cube.nc
          caravan cube out/seizures.gpkg --cell 25km --step 1month --weight amount_kg \\
              -o out/seizures_cube.gpkg
        """
    )

    @Argument(help: "Event points with a date column (a table with lon/lat columns works too).") var events: String
    @Option(help: "The events' layer, when the source has several.") var layer: String?
    @OptionGroup var gridOptions: GridOptions
    @OptionGroup var time: TimeOptions
    @Option(name: .shortAndLong, help: "Output: .nc (netCDF) or .gpkg/.csv/... (one row per bin).") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = CubeOptions(events: events, cell: gridOptions.cell, step: time.step, output: output)
        o.layer = layer; o.sSrs = input.sourceSRS
        o.grid = gridOptions.cellShape; o.cellArea = gridOptions.cellArea; o.crs = gridOptions.crs
        o.studyArea = gridOptions.studyArea; o.studyWhere = gridOptions.studyWhere; o.maxCells = gridOptions.maxCells
        o.dateColumn = time.dateColumn; o.from = time.from; o.to = time.to; o.where = time.condition; o.weight = time.weight
        o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let progress = AnalysisProgress()
        let result = try createSpaceTimeCube(o, context: progress.context)
        progress.done()
        for w in result.output.warnings { Console.line("caravan: warning: \(w)") }
        let written = try writeCube(result, to: output, options: writing.main(overwrite: overwrite, inputs: o.inputPaths))
        for s in result.output.summary { Console.line("caravan: \(s)") }
        Console.line("caravan: \(written.features) bins written to \(output)")
        for t in result.output.tables where !t.rows.isEmpty { print(t.text) }
    }
}
