import Foundation

/// What was written: the path, its format and how many features (or cells) it holds.
public struct WrittenOutput: Sendable, Codable, Hashable {
    public var path: String
    public var driver: String
    public var features: Int
    /// What the writer changed and says so (renamed Shapefile fields, cut text).
    public var warnings: [String]
    public init(path: String, driver: String, features: Int, warnings: [String] = []) {
        self.path = path; self.driver = driver; self.features = features; self.warnings = warnings
    }
}

/// Writes result layers: the one writer of every caravan output.
///
/// A GeoTIFF output takes the layer's raster; a CSV takes one row per feature with the `lon`
/// and `lat` of its point (or its centre); GeoJSON and CSV are written by Caravan's streaming
/// encoders on every core (RFC 7946: WGS84, 6 decimals, counter-clockwise shells); GeoPackage,
/// Shapefile, KML, XLSX and FlatGeobuf go through GDAL.
public enum ResultWriter {
    ///
    /// The C libraries' warnings while writing (GDAL's, e.g. a field name cut for a Shapefile) are
    /// in `WrittenOutput.warnings`, and also passed on to the log that was current when `write`
    /// was called (the CLI's, a recipe step's), as before the writer had its own.
    @discardableResult
    public static func write(_ layer: ResultLayer, to path: String, options: WriteOptions = WriteOptions()) throws -> WrittenOutput {
        let outer = WarningLog.current, log = WarningLog()
        defer { for w in log.messages { outer?.add(w) } }
        var written = try log.collecting { try writeLayer(layer, to: path, options: options) }
        written.warnings = log.messages + written.warnings
        return written
    }

    private static func writeLayer(_ layer: ResultLayer, to path: String, options: WriteOptions) throws -> WrittenOutput {
        let format = try OutputFormat.resolve(path: path, format: options.format)
        if format.isRaster {
            guard let raster = layer.raster else {
                throw GeoError(.invalidArgument, "a GeoTIFF holds a raster of square cells, and this result (\(layer.title)) has none",
                               file: path, hint: "write it to .geojson, .gpkg, .shp or .csv")
            }
            var grid = raster.grid
            if grid.description.isEmpty { grid.description = raster.unit.map { "\(raster.meaning), \($0)" } ?? raster.meaning }
            try grid.write(to: path, overwrite: options.overwrite, inputs: options.inputs)
            return styled(WrittenOutput(path: path, driver: format.driver, features: grid.width * grid.height), layer)
        }
        if layer.isRasterOnly {
            throw GeoError(.invalidArgument, "this result (\(layer.title)) is a raster", file: path, hint: "write it to .tif")
        }
        let asCentres = (format == .csv || format == .xlsx) && layer.geometryType != .point && layer.centre != nil
        let writer = try VectorWriter(path: path, layerName: layer.name, geometryType: asCentres ? .point : layer.geometryType,
                                      crs: layer.crs, fields: layer.fieldDefinitions, options: options)
        let geometry: @Sendable (Int) throws -> Geometry?
        if asCentres, let centre = layer.centre { geometry = { centre($0).map { .point($0) } } } else { geometry = layer.geometry }
        try writer.writeAll(count: layer.count, geometry: geometry, values: layer.values)
        let n = try writer.commit()
        var named = layer
        if let name = options.layerName { named.name = name }   // the style goes with the layer as it is named in the file
        return styled(WrittenOutput(path: path, driver: format.driver, features: n, warnings: writer.warnings), named)
    }

    /// Opens a result written in chunks, for a table too large to hold (a million geocoded
    /// rows): `layer` gives the name, kind, CRS, geometry type and fields (its features are not
    /// read); each `append` writes the next features, encoded on every core as `write` does.
    ///
    /// ```swift
    /// let s = try ResultWriter.stream(template, to: "out/events.csv")
    /// try s.append(count: rows.count, geometry: { _ in nil }, values: { rows[$0] })
    /// let written = try s.finish()
    /// ```
    public static func stream(_ layer: ResultLayer, to path: String, options: WriteOptions = WriteOptions()) throws -> ResultStream {
        try ResultStream(layer, path: path, options: options)
    }

    /// Gives the output its QGIS style (a `.qml` beside it, or the GeoPackage's `layer_styles`),
    /// so it opens in QGIS with caravan's classes and colours. The data are already in place:
    /// a style that cannot be written is a warning, never a failed output; a `.qml` that caravan
    /// did not write (a user's own style) is left as it is.
    static func styled(_ written: WrittenOutput, _ layer: ResultLayer) -> WrittenOutput {
        var w = written
        let qml = (written.path as NSString).deletingPathExtension + ".qml"
        if written.driver != OutputFormat.geoPackage.driver, let existing = try? String(contentsOfFile: qml, encoding: .utf8),
           !existing.contains(QGISStyle.marker) {
            w.warnings.append("\(qml) exists and was not written by caravan: left as it is, so the layer opens with that style")
            return w
        }
        do { try QGISStyle.attach(to: written, layer: layer) }
        catch { w.warnings.append("the QGIS style could not be written: \((error as? GeoError)?.description ?? "\(error)")") }
        return w
    }
}

/// A result layer written chunk by chunk (`ResultWriter.stream`); nothing appears at the path
/// until `finish` succeeds.
public final class ResultStream {
    public let path: String
    private let layer: ResultLayer
    private let writer: VectorWriter
    private let options: WriteOptions
    public private(set) var count = 0

    init(_ layer: ResultLayer, path: String, options: WriteOptions) throws {
        let format = try OutputFormat.resolve(path: path, format: options.format)
        if format.isRaster {
            throw GeoError(.invalidArgument, "a GeoTIFF holds a raster of square cells, and this result (\(layer.title)) is a table",
                           file: path, hint: "write it to .csv, .geojson, .gpkg or .xlsx")
        }
        self.path = path; self.layer = layer; self.options = options
        writer = try VectorWriter(path: path, layerName: layer.name, geometryType: layer.geometryType, crs: layer.crs,
                                  fields: layer.fieldDefinitions, options: options)
    }

    /// Writes the next `n` features (`geometry` and `values` may be called from worker threads).
    public func append(count n: Int, geometry: @escaping @Sendable (Int) throws -> Geometry?,
                       values: @escaping @Sendable (Int) -> [FieldValue]) throws {
        try writer.writeAll(count: n, geometry: geometry, values: values, firstFID: Int64(count))
        count += n
    }

    /// The CSV dialect when the stream's CSV is written by caravan's own encoder (so
    /// `appendEncoded` takes rows); nil for every other format.
    var encodedCSVDialect: CSVDialect? { writer.encodedCSVDialect }

    /// Writes the next `n` rows as CSV lines `encode` makes (on a worker thread, in order with
    /// every other chunk): for a caller that encodes the rows itself, as `geocodeTable` copies a
    /// CSV's fields. Only when `encodedCSVDialect` is not nil.
    func appendEncoded(count n: Int, _ encode: @escaping @Sendable (inout [UInt8]) throws -> Void) throws {
        try writer.writeEncoded(count: n, encode)
        count += n
    }

    /// Completes the file, moves it into place and gives it its QGIS style.
    @discardableResult
    public func finish() throws -> WrittenOutput {
        let n = try writer.commit()
        var w = WrittenOutput(path: path, driver: writer.format.driver, features: n, warnings: writer.warnings)
        let styledFormats: Set<String> = [OutputFormat.geoJSON.driver, OutputFormat.geoPackage.driver, OutputFormat.shapefile.driver, "FlatGeobuf"]
        guard styledFormats.contains(w.driver) else { return w }
        let qml = (path as NSString).deletingPathExtension + ".qml"
        if w.driver != OutputFormat.geoPackage.driver, let existing = try? String(contentsOfFile: qml, encoding: .utf8), !existing.contains(QGISStyle.marker) {
            w.warnings.append("\(qml) exists and was not written by caravan: left as it is, so the layer opens with that style")
            return w
        }
        do { _ = try QGISStyle.attach(toFile: path, layer: w.driver == OutputFormat.geoPackage.driver ? (options.layerName ?? layer.name) : nil) }
        catch { w.warnings.append("the QGIS style could not be written: \((error as? GeoError)?.description ?? "\(error)")") }
        return w
    }
}

@available(*, unavailable)
extension ResultStream: Sendable {}
