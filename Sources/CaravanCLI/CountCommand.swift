import ArgumentParser
import CaravanKit
import Foundation

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count",
        abstract: "Count events and sum a weight per polygon (QGIS Count points in polygon, ArcGIS Summarize Within).",
        discussion: """
        Every polygon keeps its own fields and gets a unique name (unit_name:
        "Tashkent (UZ, city)", "Tashkent region"), the count of events in it, the
        sum of --weight (sum_amount_kg), per --by value and --period (day, month,
        quarter, year) when asked. When the events carry a country column (country,
        match_country), events whose point lies in another country's polygon than
        their row says are counted (other_country) and listed with --report;
        --assign-by COLUMN counts them in the country their row names.
        Examples (after make demo):
          caravan count out/seizures.gpkg --polygons shapefiles/provinces.shp \\
              --weight amount_kg -o out/seizures_per_province.geojson
          caravan count out/seizures.gpkg --polygons shapefiles/countries.shp \\
              --assign-by country --report out/border_check.csv -o out/per_country.csv
          caravan count out/seizures.gpkg --polygons shapefiles/provinces.shp \\
              --by drug --period month --from 2023-01-01 -o out/province_months.csv
        """
    )
    @Argument(help: "Event points (a geocoded table).") var events: String
    @Option(help: "The events' layer.") var layer: String?
    @Option(help: "Polygons to count in, e.g. shapefiles/provinces.shp.") var polygons: String
    @Option(help: "Count the values of this column apart, e.g. drug.") var by: String?
    @Option(help: "Count per day, month, quarter or year of the date column.") var period: String?
    @Option(help: "Numeric column to sum, e.g. amount_kg.") var weight: String?
    @OptionGroup var selection: EventSelectionOptions
    @Option(name: .customLong("country-column"), help: "The events' country column for the border check (default: country or match_country).") var countryColumn: String?
    @Option(name: .customLong("assign-by"), help: "Trust this country column over the polygons for events near borders.") var assignBy: String?
    @Option(help: "Write the events left out or lying in another country here (.csv, .geojson).") var report: String?
    @Option(name: .shortAndLong, help: "Output file (.geojson, .gpkg, .shp, .csv).") var output: String?
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions
    @OptionGroup var writing: OutputOptions

    func run() throws {
        var o = CountOptions(events: events, polygons: polygons)
        o.layer = layer; o.sSrs = input.sourceSRS; o.restoreShx = input.restoreShx
        o.by = by; o.period = period; o.weight = weight
        o.dateColumn = selection.dateColumn; o.from = selection.from; o.to = selection.to; o.where = selection.condition
        o.countryColumn = countryColumn; o.assignBy = assignBy; o.report = report; o.output = output; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let out = try countEvents(o)
        try AnalysisPrinter.emit(out, output: output, report: report, overwrite: overwrite, inputs: o.inputPaths, writing: writing)
    }
}
