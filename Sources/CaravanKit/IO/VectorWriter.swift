internal import CGDAL
import Foundation

/// Options for writing a vector layer.
public struct WriteOptions: Sendable {
    /// Replace an existing output (or, with `update`, an existing layer of that name).
    public var overwrite = false
    /// Paths that must not be overwritten (the inputs).
    public var inputs: [String] = []
    /// Decimal places of GeoJSON coordinates (RFC 7946: 6 ≈ 10 cm).
    public var coordinatePrecision = 6
    /// `--format`: a GDAL driver name; nil = from the extension.
    public var format: String?
    /// Extra GDAL layer creation options (`NAME=VALUE`), as ogr2ogr's `-lco`.
    public var layerCreationOptions: [String] = []
    /// `--layer NAME`: the layer's name inside the output (GeoPackage); nil = the writer's own.
    public var layerName: String?
    /// `--update`: add the layer to an existing GeoPackage instead of creating a new file,
    /// as `ogr2ogr -update` does (the file is still rewritten safely: a copy, then a rename).
    public var update = false
    /// `--csv-dialect`: `standard` (`,`, decimal point) or `excel-ru` (BOM, `;`, decimal comma).
    public var csvDialect: CSVDialect = .standard
    /// Threads that encode GeoJSON and CSV; nil = every core. The bytes are the same whatever it is.
    public var workers: Int?
    public init(overwrite: Bool = false, inputs: [String] = [], coordinatePrecision: Int = 6, format: String? = nil,
                layerName: String? = nil, update: Bool = false, csvDialect: CSVDialect = .standard) {
        self.overwrite = overwrite; self.inputs = inputs; self.coordinatePrecision = coordinatePrecision; self.format = format
        self.layerName = layerName; self.update = update; self.csvDialect = csvDialect
    }
}

/// Writes one vector layer safely (temporary file, renamed when `commit()` succeeds).
///
/// GeoJSON is RFC 7946: WGS84 lon/lat (reprojected here if needed), right-hand winding,
/// 6 decimals, no `crs` member, every property on every feature. CSV of points gets `lon`
/// and `lat` columns; other CSV geometries are WKT. KML is WGS84. GeoJSON and CSV are written
/// by Caravan's own streaming encoders (`FeatureEncoder`), chunks encoded on every core and
/// written in order; the other formats go through GDAL.
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
    /// The declared geometry type (multi when single and multi parts are promoted).
    public let geometryType: GeometryType
    /// What the writer had to change and says so: renamed Shapefile fields, cut text.
    public private(set) var warnings: [String] = []
    private let output: SafeOutput
    private var dataset: UnsafeMutableRawPointer?
    private var layer: UnsafeMutableRawPointer?
    private let transformer: Transformer?
    private let pointColumns: Bool
    private let wktColumn: Bool
    private let transactions: Bool
    private var inTransaction = false
    private var defn: OGRFeatureDefnH?
    private var wkb: [UInt8] = []
    private var longText = 0
    public private(set) var count = 0
    // The streaming encoders (GeoJSON, CSV).
    private var encoder: OrderedEncoder?
    private var encodedFile: OutputFile?
    private var spec: EncoderSpec?
    private var pending: [EncodedItem] = []
    private var pendingVertices = 0
    private var submittedCount = 0

    public init(path: String, layerName: String? = nil, geometryType: GeometryType, crs: CRS?,
                fields: [FieldDefinition], options: WriteOptions = WriteOptions()) throws {
        self.path = path
        self.fields = fields
        format = try OutputFormat.resolve(path: path, format: options.format)
        guard !format.isRaster else {
            throw GeoError(.invalidArgument, "a GeoTIFF holds a raster, not features", file: path,
                           hint: "write vector results to .geojson, .gpkg, .shp or .csv")
        }
        // CSV and GeoJSON are written by caravan's own encoder: GDAL is not needed (nor loaded) for them.
        let encoded = format.isEncoded && options.layerCreationOptions.isEmpty
        if !encoded {
            GDALRuntime.bootstrap()
            guard let driver = GDALGetDriverByName(format.driver), GDALGetMetadataItem(driver, "DCAP_VECTOR", nil) != nil else {
                throw GeoError(.invalidArgument, "unknown output format '\(format.driver)'", file: path,
                               hint: "use a GDAL vector driver name such as GeoJSON, GPKG, 'ESRI Shapefile', CSV, KML")
            }
            guard !format.isInMemory, GDALGetMetadataItem(driver, "DCAP_CREATE", nil) != nil else {
                throw GeoError(.invalidArgument, "the format '\(format.driver)' does not write a file", file: path,
                               hint: "use GeoJSON, GPKG, 'ESRI Shapefile', CSV, KML, XLSX or FlatGeobuf")
            }
        }
        if format == .shapefile, geometryType == .unknown || geometryType == .geometryCollection {
            throw GeoError(.write, "a Shapefile holds one geometry type, and this layer mixes several", file: path,
                           hint: "write GeoPackage (.gpkg) or GeoJSON, or keep one type, e.g. {where} \"OGR_GEOMETRY='POINT'\"")
        }
        if options.update && format != .geoPackage && format.driver != "SQLite" {
            throw GeoError(.invalidArgument, "only a GeoPackage takes another layer ({update})", file: path,
                           hint: "write to a .gpkg, or drop {update}")
        }
        self.geometryType = geometryType
        let tableFormat = format == .csv || format == .xlsx
        // Points in a table become lon and lat columns, unless the fields already carry them.
        pointColumns = tableFormat && geometryType == .point
            && !fields.contains { $0.name.lowercased() == "lon" } && !fields.contains { $0.name.lowercased() == "lat" }
        // A workbook has no geometry: other geometries go into a WKT column.
        wktColumn = format == .xlsx && !pointColumns && geometryType != .none
        inputCRS = crs
        // Geometries are 2-D: a 3-D CRS (heights) is declared as its horizontal part (CRS+Units.swift).
        let flatCRS = format.requiresWGS84 || pointColumns ? nil : crs?.twoDimensional
        if (format.requiresWGS84 || pointColumns), let crs, !crs.isEquivalent(to: .wgs84) {
            outputCRS = .wgs84
            transformer = encoded ? nil : try Transformer(from: crs, to: .wgs84)
        } else {
            outputCRS = format.requiresWGS84 || pointColumns ? .wgs84 : (flatCRS ?? crs)
            transformer = nil
        }
        output = try SafeOutput(target: path, overwrite: options.overwrite || options.update, inputs: options.inputs,
                                keepExisting: options.update)
        transactions = format == .geoPackage || format.driver == "SQLite"
        if let flatCRS, let crs {
            warnings.append("the CRS \(crs) is 3-D; the geometries are 2-D, so the output declares its horizontal part, \(flatCRS)")
        }
        let name = options.layerName ?? layerName ?? ((path as NSString).lastPathComponent as NSString).deletingPathExtension

        if encoded {
            let csvGeometry: EncoderSpec.CSVGeometry = format != .csv ? .none
                : pointColumns ? .lonLat : geometryType == .none ? .none : .wkt
            let reproject = (format.requiresWGS84 || pointColumns) ? crs.flatMap { $0.isEquivalent(to: .wgs84) ? nil : $0 } : nil
            let spec = EncoderSpec(kind: format == .geoJSON ? .geoJSON : .csv, fields: fields, geometryType: geometryType,
                                   reprojectFrom: reproject, precision: options.coordinatePrecision, csvGeometry: csvGeometry,
                                   dialect: options.csvDialect, path: path, layer: name)
            // A transformer that cannot be built fails here, before any work.
            if let reproject { _ = try Transformer(from: reproject, to: .wgs84) }
            let file = try OutputFile(path: output.temporaryPath, displayPath: path)
            try file.write(spec.header())
            self.spec = spec
            encodedFile = file
            encoder = OrderedEncoder(spec: spec, file: file, workers: options.workers ?? processorCount)
            return
        }

        var layerOptions: [String] = []
        switch format.driver {
        case "GeoJSON": layerOptions = ["RFC7946=YES", "COORDINATE_PRECISION=\(options.coordinatePrecision)", "SIGNIFICANT_FIGURES=15", "WRITE_NAME=NO"]
        case "ESRI Shapefile": layerOptions = ["ENCODING=UTF-8"]
        case "CSV": layerOptions = (geometryType == .none || pointColumns ? [] : ["GEOMETRY=AS_WKT"]) + ["STRING_QUOTING=IF_NEEDED"]
            + (options.csvDialect == .excelRU ? ["SEPARATOR=SEMICOLON", "WRITE_BOM=YES"] : [])
        default: break
        }
        layerOptions = options.layerCreationOptions + layerOptions  // the first of a name wins in GDAL
        // The GeoPackage is a private temporary file until it is complete: no need for SQLite to
        // wait for the disk after each transaction.
        if transactions { CPLSetThreadLocalConfigOption("OGR_SQLITE_SYNCHRONOUS", "OFF") }
        let ds: UnsafeMutableRawPointer
        if options.update && FileManager.default.fileExists(atPath: path) {
            // Add to a copy of the existing GeoPackage; the copy replaces it when complete.
            do { try FileManager.default.copyItem(atPath: path, toPath: output.temporaryPath) }
            catch { throw GeoError(.write, "cannot copy the GeoPackage to add a layer: \(error.localizedDescription)", file: path) }
            let h = try GDALCall("GDALOpenEx", .open, file: path).pointer {
                GDALOpenEx(output.temporaryPath, UInt32(GDAL_OF_VECTOR | GDAL_OF_UPDATE | GDAL_OF_VERBOSE_ERROR), nil, nil, nil)
            }
            ds = h
            for i in 0..<GDALDatasetGetLayerCount(h) {
                guard let l = GDALDatasetGetLayer(h, i), String(cString: OGR_L_GetName(l)).lowercased() == name.lowercased() else { continue }
                guard options.overwrite else {
                    GDALClose(h)
                    throw GeoError(.write, "the GeoPackage already has a layer '\(name)'", file: path,
                                   hint: "choose another {layer} name, or pass {overwrite} to replace that layer")
                }
                do { try GDALCall("GDALDatasetDeleteLayer", .write, file: path, layer: name).ogrErr { GDALDatasetDeleteLayer(h, i) } }
                catch { GDALClose(h); throw error }
                break
            }
        } else {
            ds = try GDALCall("GDALCreate", .write, file: path).pointer {
                GDALCreate(GDALGetDriverByName(format.driver), output.temporaryPath, 0, 0, 0, GDT_Unknown, nil)
            }
        }
        dataset = ds
        let srs = try outputCRS.map { try VectorWriter.spatialReference($0) }
        defer { if let srs { OSRRelease(srs) } }
        let gtype = pointColumns || wktColumn ? wkbNone : OGRwkbGeometryType(rawValue: geometryType == .unknown ? 0 : geometryType.wkbCode)
        let l = try GDALCall("GDALDatasetCreateLayer", .write, file: path, layer: name).pointer {
            withCStringList(layerOptions) { GDALDatasetCreateLayer(ds, name, srs, gtype, $0) }
        }
        layer = l
        var allFields = fields
        if format == .shapefile {
            let (renamed, notes) = VectorWriter.shapefileFieldNames(fields.map(\.name))
            for i in allFields.indices { allFields[i].name = renamed[i] }
            warnings += notes
        }
        if wktColumn { allFields.insert(FieldDefinition("WKT", .string), at: 0) }
        if pointColumns { allFields += [FieldDefinition("lon", .real), FieldDefinition("lat", .real)] }
        for f in allFields {
            let fd = try GDALCall("OGR_Fld_Create", .write, file: path, layer: name).pointer { OGR_Fld_Create(f.name, VectorWriter.ogrType(f.type)) }
            defer { OGR_Fld_Destroy(fd) }
            if f.width > 0 { OGR_Fld_SetWidth(fd, Int32(f.width)) }
            if f.precision > 0 { OGR_Fld_SetPrecision(fd, Int32(f.precision)) }
            do { try GDALCall("OGR_L_CreateField", .write, file: path, layer: name).ogrErr { OGR_L_CreateField(l, fd, 1) } }
            catch var e as GeoError { e.message = "cannot create field '\(f.name)': " + e.message; throw e }
        }
        defn = try GDALCall("OGR_L_GetLayerDefn", .write, file: path, layer: name).pointer { OGR_L_GetLayerDefn(l) }
    }

    /// Refuses a finished file that does not end as its format must (cut off by a full disk).
    /// GDAL drivers whose write errors reach us (a full disk fails the feature or the close).
    static let checkedDrivers: Set<String> = ["GPKG", "SQLite", "ESRI Shapefile", "FlatGeobuf", "KML"]

    /// Opens the finished file again and counts its features.
    static func checkReadsBack(_ file: String, features expected: Int, displayPath: String) throws {
        let incomplete = GeoError(.write, "the output is incomplete (the disk is full or a file-size limit was reached)", file: displayPath,
                                  hint: "free some space and run again; nothing was written at the output")
        // Reading may leave files of its own (GML's .gfs) in the temporary folder: they go.
        let dir = (file as NSString).deletingLastPathComponent
        let made = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        defer {
            for f in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where !made.contains(f) { unlink(dir + "/" + f) }
        }
        // A workbook's first row is its header even when every value is text (GDAL guesses otherwise).
        // (The driver reads its sheets when first asked, so the option stays set until the close.)
        for option in ["OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"] { CPLSetThreadLocalConfigOption(option, "FORCE") }
        defer { for option in ["OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"] { CPLSetThreadLocalConfigOption(option, nil) } }
        let (h, _) = withGDALError { GDALOpenEx(file, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) }
        guard let h else { throw incomplete }
        defer { GDALClose(h) }
        var total = 0
        for i in 0 ..< GDALDatasetGetLayerCount(h) {
            guard let l = GDALDatasetGetLayer(h, i) else { throw incomplete }
            let (n, failure) = withGDALError { OGR_L_GetFeatureCount(l, 1) }
            if failure != nil || n < 0 { throw incomplete }
            total += Int(n)
        }
        guard total == expected else {
            var e = incomplete
            e.message = "the output is incomplete: \(total) of \(expected) features read back (the disk is full or a file-size limit was reached?)"
            throw e
        }
    }

    static func checkEnds(_ file: String, with marker: String, displayPath: String) throws {
        guard let h = FileHandle(forReadingAtPath: file) else { throw GeoError(.write, "the output was not written", file: displayPath) }
        defer { try? h.close() }
        let size = (try? h.seekToEnd()) ?? 0
        try? h.seek(toOffset: size > 64 ? size - 64 : 0)
        let tail = String(decoding: h.readDataToEndOfFile(), as: UTF8.self)
        guard tail.contains(marker) else {
            throw GeoError(.write, "the output is incomplete (the disk is full or a file-size limit was reached)", file: displayPath,
                           hint: "free some space and run again; nothing was written at the output")
        }
    }

    /// Shapefile (dBASE) field names hold 10 bytes: names that would be cut get a unique
    /// 10-byte name, and each renaming is said ("GiZScoreFixed → GiZScoreFi").
    static func shapefileFieldNames(_ names: [String]) -> ([String], [String]) {
        var used = Set<String>()
        var out: [String] = []
        var notes: [String] = []
        func cut(_ s: String, _ bytes: Int) -> String {
            var r = ""
            for ch in s { if r.utf8.count + String(ch).utf8.count > bytes { break }; r.append(ch) }
            return r
        }
        for n in names where n.utf8.count <= 10 { used.insert(n.lowercased()) }
        for n in names {
            if n.utf8.count <= 10 { out.append(n); continue }
            var candidate = cut(n, 10)
            var k = 1
            while used.contains(candidate.lowercased()) {
                let suffix = "_\(k)"
                candidate = cut(n, 10 - suffix.utf8.count) + suffix
                k += 1
            }
            used.insert(candidate.lowercased())
            out.append(candidate)
            notes.append("field '\(n)' is '\(candidate)' in the Shapefile (its names hold 10 bytes)")
        }
        return (out, notes)
    }

    deinit {
        encoder?.stop()
        if let dataset { GDALClose(dataset) }
        output.abandon()
    }

    static func spatialReference(_ crs: CRS) throws -> OGRSpatialReferenceH {
        guard let srs = OSRNewSpatialReference(nil) else {
            throw GeoError(.projection, "GDAL cannot make a spatial reference", library: .gdal, operation: "OSRNewSpatialReference")
        }
        let input = crs.identifier ?? crs.wkt
        var err = OSRSetFromUserInput(srs, input)
        if err != 0 { err = OSRSetFromUserInput(srs, crs.wkt) }
        if err != 0 {
            OSRRelease(srs)
            throw GeoError(.projection, "GDAL cannot use the CRS \(crs)", library: .gdal, operation: "OSRSetFromUserInput")
        }
        // Carry the authority code where one exists (a WKT without an ID may still be EPSG:n).
        if OSRGetAuthorityCode(srs, nil) == nil { _ = withGDALError { OSRAutoIdentifyEPSG(srs) } }
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
    /// `featureID` names the feature in errors (default: its 1-based position).
    public func write(geometry: Geometry?, values: [FieldValue], featureID: Int64? = nil) throws {
        guard values.count == fields.count else {
            throw GeoError(.write, "\(values.count) values for \(fields.count) fields", file: path, featureID: featureID ?? Int64(count + 1))
        }
        if encoder != nil {
            pending.append(EncodedItem(geometry: geometry, values: values, fid: featureID ?? Int64(count + 1)))
            count += 1
            if let geometry { geometry.forEachSequence { pendingVertices += $0.count } }
            if pending.count >= 4096 || pendingVertices >= 131_072 { try submitPending() }
            return
        }
        try writeThroughGDAL(geometry: geometry, values: values, fid: featureID ?? Int64(count + 1))
    }

    /// Writes a feature read elsewhere (values must follow `fields`).
    public func write(_ feature: Feature) throws {
        try write(geometry: feature.geometry, values: feature.values, featureID: feature.fid)
    }

    private func submitPending() throws {
        guard let encoder, !pending.isEmpty else { return }
        let items = pending
        let first = submittedCount
        submittedCount += items.count
        pending.removeAll(keepingCapacity: true)
        pendingVertices = 0
        do { try encoder.submit { enc, out in try enc.encode(items, firstIndex: first, into: &out) } }
        catch { encoder.stop(); self.encoder = nil; throw error }
    }

    /// Writes features `0..<n` produced on demand, encoding them on every core when the format
    /// allows (`geometry` and `values` are called from worker threads).
    /// `firstFID`: the features already written before these (their ids in errors follow on).
    func writeAll(count n: Int, geometry: @escaping @Sendable (Int) throws -> Geometry?,
                  values: @escaping @Sendable (Int) -> [FieldValue], firstFID: Int64 = 0) throws {
        guard let encoder else {
            for i in 0..<n { try write(geometry: try geometry(i), values: values(i), featureID: firstFID + Int64(i + 1)) }
            return
        }
        try submitPending()
        let fieldCount = fields.count
        let chunk = 2048
        var start = 0
        while start < n {
            let range = start..<min(n, start + chunk)
            let first = submittedCount
            let file = path
            do {
                try encoder.submit { enc, out in
                    var items: [EncodedItem] = []
                    items.reserveCapacity(range.count)
                    for i in range {
                        let v = values(i)
                        guard v.count == fieldCount else {
                            throw GeoError(.write, "\(v.count) values for \(fieldCount) fields", file: file, featureID: firstFID + Int64(i + 1))
                        }
                        items.append(EncodedItem(geometry: try geometry(i), values: v, fid: firstFID + Int64(i + 1)))
                    }
                    try enc.encode(items, firstIndex: first, into: &out)
                }
            } catch { encoder.stop(); self.encoder = nil; throw error }
            submittedCount += range.count
            count += range.count
            start = range.upperBound
        }
    }

    /// The CSV dialect when this writer encodes CSV itself (`writeEncoded` takes rows); nil otherwise.
    var encodedCSVDialect: CSVDialect? { encoder != nil && spec?.kind == .csv ? spec?.dialect : nil }

    /// Writes `n` rows already encoded as this writer's CSV lines (`encodedCSVDialect`), in order
    /// with the features written before and after; `encode` runs on a worker thread.
    func writeEncoded(count n: Int, _ encode: @escaping @Sendable (inout [UInt8]) throws -> Void) throws {
        guard let encoder, spec?.kind == .csv else {
            throw GeoError(.write, "rows encoded ahead can only go to a CSV written by caravan", file: path)
        }
        try submitPending()
        do { try encoder.submit { _, out in try encode(&out) } }
        catch { encoder.stop(); self.encoder = nil; throw error }
        submittedCount += n
        count += n
    }

    private func writeThroughGDAL(geometry: Geometry?, values: [FieldValue], fid: Int64) throws {
        guard let layer, let defn else { throw GeoError(.write, "the writer is closed", file: path) }
        if transactions && !inTransaction {
            try GDALCall("GDALDatasetStartTransaction", .write, file: path).ogrErr { GDALDatasetStartTransaction(dataset, 0) }
            inTransaction = true
        }
        guard let f = OGR_F_Create(defn) else { throw GeoError(.write, "cannot make a feature", library: .gdal, operation: "OGR_F_Create", file: path) }
        defer { OGR_F_Destroy(f) }
        let offset: Int32 = wktColumn ? 1 : 0
        for (i, v) in values.enumerated() {
            if format == .shapefile, case .string(let s) = v, s.utf8.count > 254 { longText += 1 }
            set(f, Int32(i) + offset, v)
        }
        if var g = geometry, !g.isEmpty {
            var bad: XY?
            g.forEachSequence { for p in $0 where bad == nil && (!p.x.isFinite || !p.y.isFinite) { bad = p } }
            if let bad {
                throw GeoError(.geometry, "a vertex is (\(bad.x), \(bad.y)): a coordinate that is not a finite number", file: path,
                               featureID: fid, hint: "fix or drop this feature in the input; it was not written")
            }
            if case .point(let p) = g, !p.y.isFinite { throw GeoError(.geometry, "the point has no latitude", file: path, featureID: fid) }
            switch (geometryType, g) {
            case (.multiPolygon, .polygon(let r)): g = .multiPolygon([r])
            case (.multiLineString, .lineString(let c)): g = .multiLineString([c])
            case (.multiPoint, .point(let p)): g = .multiPoint([p])
            default: break
            }
            if let transformer {
                do { g = try transformer.transform(g) }
                catch { throw error.adding(file: path, featureID: fid) }
                // In lon/lat, lines and polygons over 180° are cut there (RFC 7946 §3.1.9; Antimeridian.swift).
                do { g = try Antimeridian.cut(g) } catch { throw error.adding(file: path, featureID: fid) }
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
                    throw GeoError(.write, "cannot build the geometry", library: .gdal, operation: "OGR_G_CreateFromWkbEx", file: path, featureID: fid)
                }
                if wktColumn {
                    var text: UnsafeMutablePointer<CChar>? = nil
                    if OGR_G_ExportToWkt(og, &text) == 0, let text { OGR_F_SetFieldString(f, 0, text); VSIFree(text) }
                    OGR_G_DestroyGeometry(og)
                } else {
                    OGR_F_SetGeometryDirectly(f, og)
                }
            }
        }
        // A Shapefile's driver warns once per layer with the whole cut value; the writer counts them instead.
        let quiet = format == .shapefile
        if quiet { CPLPushErrorHandler(CPLQuietErrorHandler) }
        defer { if quiet { CPLPopErrorHandler() } }
        try GDALCall("OGR_L_CreateFeature", .write, file: path, featureID: fid).ogrErr { OGR_L_CreateFeature(layer, f) }
        count += 1
        if transactions && count % 250_000 == 0 { try commitTransaction() }
    }

    private func set(_ f: OGRFeatureH, _ i: Int32, _ v: FieldValue) {
        switch v {
        case .null: OGR_F_SetFieldNull(f, i)
        case .integer(let n): OGR_F_SetFieldInteger64(f, i, n)
        case .real(let d): if d.isFinite { OGR_F_SetFieldDouble(f, i, d) } else { OGR_F_SetFieldNull(f, i) }
        case .string(let s): OGR_F_SetFieldString(f, i, s)
        }
    }

    private func commitTransaction() throws {
        inTransaction = false
        try GDALCall("GDALDatasetCommitTransaction", .write, file: path).ogrErr { GDALDatasetCommitTransaction(dataset) }
    }

    /// Finishes the file and moves it into place. Returns the number of features written.
    @discardableResult
    public func commit() throws -> Int {
        if let encoder, let encodedFile, let spec {
            try submitPending()
            do {
                try encoder.finish()
                try encodedFile.write(spec.footer())
                try encodedFile.close()
            } catch { self.encoder = nil; throw error }
            self.encoder = nil
            self.encodedFile = nil
            try output.commit()
            return count
        }
        guard let ds = dataset else { return count }
        if inTransaction { try commitTransaction() }
        dataset = nil
        layer = nil
        try GDALCall("GDALClose", .write, file: path).status { GDALClose(ds) }
        // GDAL's KML writer does not check its writes: a full disk leaves a cut-off file.
        if format == .kml { try VectorWriter.checkEnds(output.temporaryPath, with: "</kml>", displayPath: path) }
        // Other drivers that do not check their writes either (GML, XLSX, ODS…: a file-size limit
        // left a cut-off file and "wrote 36220 features"): the finished file must read back whole.
        if !VectorWriter.checkedDrivers.contains(format.driver) { try VectorWriter.checkReadsBack(output.temporaryPath, features: count, displayPath: path) }
        if longText > 0 {
            warnings.append("\(longText) text value\(longText == 1 ? " was" : "s were") longer than 254 bytes and cut to 254 (a Shapefile's limit); write .gpkg to keep them whole")
        }
        try output.commit()
        return count
    }
}

@available(*, unavailable)
extension VectorWriter: Sendable {}
