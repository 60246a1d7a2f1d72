import ArgumentParser
import CaravanKit
import Foundation

struct ExtractCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "extract",
        abstract: "Turn news pages and field reports (English, Russian) into dated, geocoded events.",
        discussion: """
        Reads plain text, Markdown, HTML (tags stripped, entities decoded) and PDF
        (with poppler's pdftotext); a folder of them, or one file of many items
        (split at headings, datelines or separators such as "Rate this item").
        One row per sentence with a date and a place: date_start, date_end (ISO),
        date_text and place_text as written, the geocoder's answer (match_status,
        match_name, match_country, lon/lat, match_score, match_precision), kind
        (seizure, meeting, training, assessment mission, visit, operation,
        arrest, other), drug with amount and unit (kg; liquids in l), agency,
        the sentence as evidence with its document, item and character offsets,
        and a confidence. A seizure of several drugs ("38 kg of heroin and 112 kg
        of hashish") gives one row per drug amount. A date written without a year
        takes the nearest earlier year of the document; a relative one
        ("yesterday", "on Monday", "вчера", "the next day") is read against the
        report's dateline ("Dushanbe, 17 November 2023") or the date told before.
        An institution named without a city ("CARICC", "the DCA training center
        …") is placed at its city from a shipped table (extend it with --extra
        name,city,country CSV). Sentences with a date but no place, a place but no
        date, a relative date with no dateline or only a country go to --report
        for a person, never into the events. Events are written as they are found
        (a folder of 10,000 reports streams through both cores).
        Examples:
          caravan extract samples/reports/caricc-news-2022.txt \\
              -o out/caricc-events.csv --report out/caricc-review.csv
          caravan extract samples/reports/caricc-news-2022.txt \\
              -o out/caricc-events.gpkg --compare samples/events/caricc-2022.csv
          caravan extract samples/reports/ru -o out/ru-events.gpkg --lang ru
        """
    )

    @Argument(help: "Report files or folders.") var reports: [String] = []
    @Option(name: .shortAndLong, help: "The events table or layer (.csv, .gpkg, .geojson, …).") var output: String
    @Option(help: "The reports' language: auto (by script), en, ru (ru also names places in Russian).") var lang: ExtractLanguage = .auto
    @Option(help: "Write the sentences a person should look at here (CSV).") var report: String?
    @Option(help: "Extra institutions → city (CSV: name, city, country); may repeat.") var extra: [String] = []
    @Option(help: "Compare the events with a hand-made table (date_start, date_end, place, country, kind) and print what matches and what differs.") var compare: String?
    @Flag(help: "Replace outputs that exist.") var overwrite = false

    func validate() throws {
        if reports.isEmpty { throw ValidationError("name one or more report files or folders") }
    }

    func run() throws {
        var o = ExtractOptions(reports: reports, output: output)
        (o.lang, o.report, o.extra, o.compare, o.overwrite) = (lang, report, extra, compare, overwrite)
        let start = Date()
        try SafeOutput.checkDistinct(outputs: o.outputPaths, inputs: o.inputPaths)
        let result = try extractEvents(o)
        Console.line(String(format: "caravan: %@ in %.2f s; written to %@", result.summary[0], Date().timeIntervalSince(start), output))
        for line in result.summary.dropFirst() { Console.line("caravan: \(line)") }
        for t in result.tables where !t.rows.isEmpty { print(t.text) }
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        if let report, result.figures["review", default: 0] > 0 { Console.line("caravan: the sentences to check are in \(report)") }
    }
}

extension ExtractLanguage: ExpressibleByArgument {}
