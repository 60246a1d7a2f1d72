import Foundation

/// An output format: a GDAL driver and what Caravan does for it.
public struct OutputFormat: Hashable, Sendable {
    /// The GDAL driver's short name.
    public let driver: String

    public static let geoJSON = OutputFormat(driver: "GeoJSON")
    public static let geoPackage = OutputFormat(driver: "GPKG")
    public static let shapefile = OutputFormat(driver: "ESRI Shapefile")
    public static let csv = OutputFormat(driver: "CSV")
    public static let kml = OutputFormat(driver: "KML")
    public static let geoTIFF = OutputFormat(driver: "GTiff")
    public static let xlsx = OutputFormat(driver: "XLSX")
    public static let flatGeobuf = OutputFormat(driver: "FlatGeobuf")

    public init(driver: String) { self.driver = driver }

    static let byExtension: [String: String] = [
        "geojson": "GeoJSON", "json": "GeoJSON", "gpkg": "GPKG", "shp": "ESRI Shapefile", "csv": "CSV",
        "kml": "KML", "tif": "GTiff", "tiff": "GTiff", "fgb": "FlatGeobuf", "gml": "GML", "sqlite": "SQLite",
        "xlsx": "XLSX",
    ]

    /// The format for a path, from `--format` (a GDAL driver name, or a short alias) or the extension.
    public static func resolve(path: String, format: String?) throws -> OutputFormat {
        if let format {
            let aliases = ["geojson": "GeoJSON", "gpkg": "GPKG", "geopackage": "GPKG", "shp": "ESRI Shapefile",
                           "shapefile": "ESRI Shapefile", "csv": "CSV", "kml": "KML", "gtiff": "GTiff", "geotiff": "GTiff",
                           "xlsx": "XLSX", "excel": "XLSX", "fgb": "FlatGeobuf", "flatgeobuf": "FlatGeobuf"]
            return OutputFormat(driver: aliases[format.lowercased()] ?? format)
        }
        let ext = (path as NSString).pathExtension.lowercased()
        guard let d = byExtension[ext] else {
            throw GeoError(.invalidArgument, "cannot tell the output format from the extension '.\(ext)'", file: path,
                           hint: "use .geojson, .gpkg, .shp, .csv, .kml, .xlsx, .fgb or .tif, or say {format} GPKG")
        }
        return OutputFormat(driver: d)
    }

    /// Formats whose coordinates must be WGS84 longitude/latitude.
    var requiresWGS84: Bool { driver == "GeoJSON" || driver == "KML" }
    var isRaster: Bool { driver == "GTiff" }
    /// Written by Caravan's own streaming encoders rather than GDAL.
    var isEncoded: Bool { driver == "GeoJSON" || driver == "CSV" }
    /// Drivers that keep their dataset in memory and write no file.
    var isInMemory: Bool { ["memory", "mem", "vrt", "ogr_vrt"].contains(driver.lowercased()) }
}
