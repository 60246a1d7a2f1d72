internal import CGDAL
import Foundation

/// Options for writing a vector layer.
public struct WriteOptions: Sendable {
    /// Replace an existing output.
    public var overwrite = false
    /// Paths that must not be overwritten (the inputs).
    public var inputs: [String] = []
    /// Decimal places of GeoJSON coordinates (RFC 7946: 6 ≈ 10 cm).
    public var coordinatePrecision = 6
    /// `--format`: a GDAL driver name; nil = from the extension.
    public var format: String?
    /// Extra GDAL layer creation options (`NAME=VALUE`), as ogr2ogr's `-lco`.
    public var layerCreationOptions: [String] = []
    public init(overwrite: Bool = false, inputs: [String] = [], coordinatePrecision: Int = 6, format: String? = nil) {
        self.overwrite = overwrite; self.inputs = inputs; self.coordinatePrecision = coordinatePrecision; self.format = format
    }
}

/// Writes one vector layer safely (temporary file, renamed when `commit()` succeeds).
///
/// GeoJSON is RFC 7946: WGS84 lon/lat (reprojected here if needed), right-hand winding,
/// 6 decimals, no `crs` member, every property on every feature. CSV of points gets `lon`
/// and `lat` columns; other CSV geometries are WKT. KML is WGS84.
///
/// ```swift
/// let w = try VectorWriter(path: "out.geojson", layerName: "posts", geometryType: .point,
///                          crs: .wgs84, fields: [FieldDefinition("name", .string)])
/// try w.write(geometry: .point(XY(69.2, 41.3)), values: [.string("Tashkent")])
/// try w.commit()
/// ```
public final class VectorWriter {
    public let path: String
    public let format: OutputFormat
    public let fields: [FieldDefinition]
    /// The CRS of the geometries handed to `write`.
    public let inputCRS: CRS?
    /// The CRS written.
    public let outputCRS: CRS?
    private let output: SafeOutput
    private var dataset: UnsafeMutableRawPointer?
    private var layer: UnsafeMutableRawPointer?
    private let transformer: Transformer?
    private let pointColumns: Bool
    private let transactions: Bool
    private var inTransaction = false
    private var defn: OGRFeatureDefnH?
    private var wkb: [UInt8] = []
    public private(set) var count = 0

    public init(path: String, layerName: String? = nil, geometryType: GeometryType, crs: CRS?,
                fields: [FieldDefinition], options: WriteOptions = WriteOptions()) throws {
        GDALRuntime.bootstrap()
        self.path = path
        self.fields = fields
        format = try OutputFormat.resolve(path: path, format: options.format)
        guard !format.isRaster else {
            throw GeoError(.invalidArgument, "a GeoTIFF holds a raster, not features", file: path,
                           hint: "write vector results to .geojson, .gpkg, .shp or .csv")
        }
        guard let driver = GDALGetDriverByName(format.driver), GDALGetMetadataItem(driver, "DCAP_VECTOR", nil) != nil else {
            throw GeoError(.invalidArgument, "unknown output format '\(format.driver)'", file: path,
                           hint: "use a GDAL vector driver name such as GeoJSON, GPKG, 'ESRI Shapefile', CSV, KML")
        }
        if format == .shapefile, geometryType == .unknown || geometryType == .geometryCollection {
            throw GeoError(.write, "a Shapefile holds one geometry type, and this layer mixes several", file: path,
                           hint: "write GeoPackage (.gpkg) or GeoJSON, or keep one type, e.g. --where \"OGR_GEOMETRY='POINT'\"")
        }
        // Points in a CSV become lon and lat columns, unless the fields already carry them.
        pointColumns = format == .csv && geometryType == .point
            && !fields.contains { $0.name.lowercased() == "lon" } && !fields.contains { $0.name.lowercased() == "lat" }
        inputCRS = crs
        if (format.requiresWGS84 || pointColumns), let crs, !crs.isEquivalent(to: .wgs84) {
            outputCRS = .wgs84
            transformer = try Transformer(from: crs, to: .wgs84)
        } else {
            outputCRS = crs
            transformer = nil
        }
        output = try SafeOutput(target: path, overwrite: options.overwrite, inputs: options.inputs)
        transactions = format == .geoPackage || format.driver == "SQLite"

        var layerOptions: [String] = []
        switch format.driver {
        case "GeoJSON": layerOptions = ["RFC7946=YES", "COORDINATE_PRECISION=\(options.coordinatePrecision)", "SIGNIFICANT_FIGURES=15", "WRITE_NAME=NO"]
        case "ESRI Shapefile": layerOptions = ["ENCODING=UTF-8"]
        case "CSV": layerOptions = (geometryType == .none || pointColumns ? [] : ["GEOMETRY=AS_WKT"]) + ["STRING_QUOTING=IF_NEEDED"]
        default: break
        }
        layerOptions = options.layerCreationOptions + layerOptions  // the first of a name wins in GDAL
        let (ds, failure) = withGDALError { GDALCreate(driver, output.temporaryPath, 0, 0, 0, GDT_Unknown, nil) }
        guard let ds else {
            throw (failure?.error(.write, "GDALCreate", file: path) ?? GeoError(.write, "cannot create the output", file: path))
        }
        dataset = ds
        let srs = try outputCRS.map { try VectorWriter.spatialReference($0) }
        defer { if let srs { OSRRelease(srs) } }
        let name = layerName ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        let gtype = pointColumns ? wkbNone : OGRwkbGeometryType(rawValue: geometryType == .unknown ? 0 : geometryType.wkbCode)
        let (l, lfail) = withGDALError {
            withCStringList(layerOptions) { GDALDatasetCreateLayer(ds, name, srs, gtype, $0) }
        }
        guard let l else {
            throw (lfail?.error(.write, "GDALDatasetCreateLayer", file: path) ?? GeoError(.write, "cannot create layer '\(name)'", file: path))
        }
        layer = l
        var allFields = fields
        if pointColumns { allFields += [FieldDefinition("lon", .real), FieldDefinition("lat", .real)] }
        for f in allFields {
            let fd = OGR_Fld_Create(f.name, VectorWriter.ogrType(f.type))
            defer { OGR_Fld_Destroy(fd) }
            if f.width > 0 { OGR_Fld_SetWidth(fd, Int32(f.width)) }
            if f.precision > 0 { OGR_Fld_SetPrecision(fd, Int32(f.precision)) }
            let (err, ffail) = withGDALError { OGR_L_CreateField(l, fd, 1) }
            if err != 0 {
                throw GeoError(.write, "cannot create field '\(f.name)': \(ffail?.message ?? "")", library: .gdal,
                               operation: "OGR_L_CreateField", file: path)
            }
        }
        defn = OGR_L_GetLayerDefn(l)
    }

    deinit {
        if let dataset { GDALClose(dataset) }
        output.abandon()
    }

    static func spatialReference(_ crs: CRS) throws -> OGRSpatialReferenceH {
        let srs = OSRNewSpatialReference(nil)!
        let input = crs.identifier ?? crs.wkt
        var err = OSRSetFromUserInput(srs, input)
        if err != 0 { err = OSRSetFromUserInput(srs, crs.wkt) }
        if err != 0 {
            OSRRelease(srs)
            throw GeoError(.projection, "GDAL cannot use the CRS \(crs)", library: .gdal, operation: "OSRSetFromUserInput")
        }
        OSRSetAxisMappingStrategy(srs, OAMS_TRADITIONAL_GIS_ORDER)
        return srs
    }

    static func ogrType(_ t: FieldType) -> OGRFieldType {
        switch t {
        case .integer: OFTInteger
        case .integer64: OFTInteger64
        case .real: OFTReal
        case .date: OFTDate
        case .time: OFTTime
        case .dateTime: OFTDateTime
        case .string, .binary, .list: OFTString
        }
    }

    /// Writes a feature: `values` in the order of `fields`; geometry in `inputCRS`.
    public func write(geometry: Geometry?, values: [FieldValue]) throws {
        guard let layer, let defn else { throw GeoError(.write, "the writer is closed", file: path) }
        precondition(values.count == fields.count, "VectorWriter.write: \(values.count) values for \(fields.count) fields")
        if transactions && !inTransaction { _ = GDALDatasetStartTransaction(dataset, 0); inTransaction = true }
        let f = OGR_F_Create(defn)!
        defer { OGR_F_Destroy(f) }
        for (i, v) in values.enumerated() { set(f, Int32(i), v) }
        if var g = geometry, !g.isEmpty || !pointColumns {
            if let transformer {
                do { g = try transformer.transform(g) }
                catch { throw error.adding(file: path, index: count + 1) }
            }
            if pointColumns {
                if case .point(let p) = g {
                    OGR_F_SetFieldDouble(f, Int32(fields.count), p.x)
                    OGR_F_SetFieldDouble(f, Int32(fields.count + 1), p.y)
                }
            } else {
                wkb.removeAll(keepingCapacity: true)
                WKB.encode(g, into: &wkb)
                var og: OGRGeometryH? = nil
                let err = wkb.withUnsafeBytes { OGR_G_CreateFromWkbEx($0.baseAddress, nil, &og, $0.count) }
                guard err == 0, let og else {
                    throw GeoError(.write, "cannot build the geometry of feature \(count + 1)", library: .gdal,
                                   operation: "OGR_G_CreateFromWkbEx", file: path)
                }
                OGR_F_SetGeometryDirectly(f, og)
            }
        }
        let (err, failure) = withGDALError { OGR_L_CreateFeature(layer, f) }
        if err != 0 {
            throw GeoError(.write, failure?.message ?? "cannot write feature \(count + 1)", library: .gdal,
                           operation: "OGR_L_CreateFeature", file: path, index: count + 1)
        }
        count += 1
        if transactions && count % 50_000 == 0 { try commitTransaction() }
    }

    /// Writes a feature read elsewhere (values must follow `fields`).
    public func write(_ feature: Feature) throws { try write(geometry: feature.geometry, values: feature.values) }

    private func set(_ f: OGRFeatureH, _ i: Int32, _ v: FieldValue) {
        switch v {
        case .null: OGR_F_SetFieldNull(f, i)
        case .integer(let n): OGR_F_SetFieldInteger64(f, i, n)
        case .real(let d): if d.isFinite { OGR_F_SetFieldDouble(f, i, d) } else { OGR_F_SetFieldNull(f, i) }
        case .string(let s): OGR_F_SetFieldString(f, i, s)
        }
    }

    private func commitTransaction() throws {
        let (err, failure) = withGDALError { GDALDatasetCommitTransaction(dataset) }
        inTransaction = false
        if err != 0 {
            throw failure?.error(.write, "GDALDatasetCommitTransaction", file: path)
                ?? GeoError(.write, "cannot commit the features written so far", library: .gdal, operation: "GDALDatasetCommitTransaction", file: path)
        }
    }

    /// Finishes the file and moves it into place. Returns the number of features written.
    @discardableResult
    public func commit() throws -> Int {
        guard let ds = dataset else { return count }
        if inTransaction { try commitTransaction() }
        let (_, failure) = withGDALError { GDALClose(ds) }
        dataset = nil
        layer = nil
        if let failure { throw failure.error(.write, "GDALClose", file: path) }
        try output.commit()
        return count
    }
}

@available(*, unavailable)
extension VectorWriter: Sendable {}
