import ArgumentParser
import CaravanKit
import Foundation

struct BulletinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bulletin",
        abstract: "The weekly bulletin: one self-contained HTML page (and PDF) from a run's outputs.",
        discussion: """
        Counts the geocoded events of the period (--until, --days) and of the
        period before, by country (match_country) and by province (point in
        polygon); names the strongest hot spots (95 %+) by the nearest town;
        lists the busiest and the unlisted crossings and the rows that could
        not be geocoded; embeds every --map picture. --pdf prints the page with
        headless Chromium.
        Examples:
          caravan bulletin out/seizures.gpkg --until 2023-12-31 --days 7 \\
              --provinces shapefiles/provinces.shp \\
              --countries shapefiles/countries.shp \\
              --hotspots out/seizure_hotspots.geojson \\
              --crossings out/road_crossings.geojson -o out/bulletin.html
        """
    )

    @Argument(help: "The geocoded events (output of caravan geocode).") var events: String
    @Option(help: "The last day of the period (YYYY-MM-DD).") var until: String
    @Option(help: "The period's length in days.") var days = 7
    @Option(name: .customLong("date-field"), help: "The events' date field.") var dateField = "date"
    @Option(help: "A numeric field to sum beside the counts (e.g. amount_kg).") var weight: String?
    @Option(help: "Provinces to count events in.") var provinces: String?
    @Option(name: .customLong("province-field"), help: "The field naming the provinces.") var provinceField = "name"
    @Option(name: .customLong("province-country-field"), help: "The field giving a province's country.") var provinceCountryField = "iso_a2"
    @Option(help: "Country polygons for the overview map.") var countries: String?
    @Option(help: "A hot-spot layer (caravan hotspots).") var hotspots: String?
    @Option(help: "A crossings layer (caravan crossings); may repeat.") var crossings: [String] = []
    @Option(help: "A picture (PNG, JPEG, SVG) to embed, e.g. a map; may repeat.") var map: [String] = []
    @Option(help: "The page's title.") var title = "Weekly seizure bulletin"
    @Option(name: .shortAndLong, help: "The HTML page to write.") var output: String
    @Option(help: "Also print the page to this PDF (headless Chromium).") var pdf: String?
    @Flag(help: "Replace outputs that exist.") var overwrite = false

    func run() throws {
        var o = BulletinOptions(events: events, until: until, output: output)
        o.days = days; o.dateField = dateField; o.weight = weight; o.provinces = provinces
        o.provinceField = provinceField; o.provinceCountryField = provinceCountryField; o.countries = countries
        o.hotspots = hotspots; o.crossings = crossings; o.map = map; o.title = title; o.pdf = pdf; o.overwrite = overwrite
        let d = try makeBulletin(o)
        let html = BulletinPage.html(d, generated: ISO8601DateFormatter().string(from: Date()), caravanVersion: CaravanCommand.configuration.version)
        try writeBulletin(html, to: output, overwrite: overwrite, inputs: o.inputPaths)
        Console.line("caravan: bulletin \(d.from) to \(d.until): \(d.eventsNow) seizures (\(d.eventsBefore) the period before), \(d.byCountry.count) countries, \(d.hotPlaces.count) hot-spot places, \(d.unmatchedNow.count) rows not geocoded; written to \(output)")
        if let pdf, PagePrinter.browser() == nil {
            Console.line("caravan: warning: no Chromium to print \(pdf) with (apt-get install chromium); the HTML page is complete")
        } else if let pdf {
            if FileManager.default.fileExists(atPath: pdf) && !overwrite {
                throw GeoError(.write, "the output already exists", file: pdf, hint: "pass --overwrite to replace it")
            }
            try PagePrinter.printPDF(html: output, to: pdf)
            Console.line("caravan: printed to \(pdf)")
        }
    }
}
