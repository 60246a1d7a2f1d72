import ArgumentParser
import CaravanKit
import Foundation

struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Copy a layer into another format, optionally filtered, trimmed and reprojected.",
        discussion: """
        The output format comes from the extension (.geojson .gpkg .shp .csv .kml) or
        --format.
        GeoJSON is RFC 7946: WGS84 lon/lat, 6 decimals, no 'crs' member — QGIS and
        ArcGIS open it as is.
        The output is written to a temporary file and renamed when complete.
        Examples:
          caravan convert shapefiles/countries.shp out/focus.geojson \\
              --where "role = 'focus'"
          caravan convert shapefiles/roads.shp out/roads_utm.gpkg --t-srs EPSG:32642 \\
              --select kind,length_km
          caravan convert samples/events/seizures.csv out/seizures.gpkg
          caravan convert shapefiles/roads.shp out/layers.gpkg --output-layer roads
          caravan convert shapefiles/railways.shp out/layers.gpkg --output-layer railways --update
          caravan convert samples/events/seizures.csv out/seizures_excel.csv --csv-dialect excel-ru
        GeoJSON and CSV are written by caravan's own encoder on every core; GeoPackage,
        Shapefile, KML, XLSX (.xlsx) and FlatGeobuf (.fgb) through GDAL.
        """
    )

    @Argument(help: "The source: file, folder or PG: connection string.")
    var source: String

    @Argument(help: "The output file.")
    var output: String

    @Option(help: "The layer to convert (needed when the source has several).")
    var layer: String?

    @Option(name: .customLong("where"), help: "Keep features matching this OGR SQL condition, e.g. \"kind = 'road'\".")
    var whereClause: String?

    @Option(help: "Comma-separated fields to keep, in this order.")
    var select: String?

    @Option(name: .customLong("t-srs"), help: "Reproject to this CRS (EPSG:n, ESRI:n, PROJ string, WKT).")
    var targetSRS: String?

    @Option(help: "GDAL driver name of the output (GeoJSON, GPKG, 'ESRI Shapefile', CSV, KML).")
    var format: String?

    @Option(help: "Decimal places of GeoJSON coordinates.")
    var precision = 6

    @Flag(name: .customLong("make-valid"), help: "Repair invalid polygons with GEOS MakeValid (otherwise they are reported).")
    var makeValid = false

    @Flag(help: "Replace the output if it exists.")
    var overwrite = false

    @OptionGroup var input: SourceOptions

    @OptionGroup var writing: OutputOptions

    func validate() throws {
        guard (0...15).contains(precision) else { throw ValidationError("--precision must be between 0 and 15") }
        if let select, select.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }).contains(where: \.isEmpty) || select.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--select needs field names, e.g. --select name,kind (an empty list would drop every attribute)")
        }
    }

    func run() throws {
        try writing.check(outputs: [output], inputs: [source], format: format)
        let ds = try Dataset.open(source, options: try input.openOptions())
        var o = ConvertOptions()
        o.layer = layer
        o.whereClause = whereClause
        o.select = select.map { $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
        o.targetCRS = try targetSRS.map { try CRS($0) }
        o.makeValid = makeValid
        o.write = writing.main(overwrite: overwrite, inputs: [source])
        o.write.coordinatePrecision = precision
        o.write.format = format
        let s = try convert(source: ds, to: output, options: o) { n in Console.progress("caravan: \(n) features written…") }
        Console.endProgress()
        if s.invalid > 0 {
            let what = s.repaired > 0 ? "repaired with MakeValid" : "written as they are; pass --make-valid to repair them"
            Console.line("caravan: warning: \(s.invalid) invalid polygon\(s.invalid == 1 ? "" : "s") \(what):")
            for ex in s.invalidExamples { Console.line("    \(ex)") }
        }
        for w in s.warnings { Console.line("caravan: warning: \(w)") }
        var extra = ""
        if s.withoutGeometry > 0 { extra = " (\(s.withoutGeometry) without geometry)" }
        Console.line("caravan: wrote \(s.features) feature\(s.features == 1 ? "" : "s")\(extra) to \(output)" + (s.outputCRS.map { " in \($0.label)" } ?? ""))
    }
}
