internal import CGDAL
import Foundation

/// One layer of a `Dataset`: its schema, CRS, extent, and a stream of features.
///
/// Features are streamed from GDAL one at a time; a layer is never loaded whole.
/// A table without geometry (CSV, XLSX) whose columns name a longitude and a latitude
/// (lon/lng/longitude/x, lat/latitude/y, долгота/широта) yields WGS84 points.
///
/// ```swift
/// let roads = try Dataset.open("shapefiles/roads.shp").layer(named: nil)
/// try roads.forEach { f in print(f.fid, f["kind"], f.geometry?.vertexCount ?? 0) }
/// ```
public final class Layer {
    let handle: UnsafeMutableRawPointer
    /// The dataset this layer belongs to (kept alive by the layer).
    public let dataset: Dataset
    public let name: String
    public let schema: Schema
    /// Longitude and latitude columns, for tables without a geometry column.
    public let pointColumns: (lon: Int, lat: Int)?
    private var cachedCRS: CRS??
    /// The current `WHERE` clause: fields it names must not be ignored when reading.
    private(set) var attributeFilter: String?
    /// GDAL keeps one read position per layer handle: every new cursor (and every new filter)
    /// rewinds it. A cursor remembers the number it started at and refuses to go on once the
    /// position was taken by another (`FeatureCursor.next`), instead of silently restarting.
    var readGeneration = 0

    init(handle: UnsafeMutableRawPointer, dataset: Dataset) {
        self.handle = handle
        self.dataset = dataset
        name = String(cString: OGR_L_GetName(handle))
        let defn = OGR_L_GetLayerDefn(handle)
        var fields: [FieldDefinition] = []
        var recoded = false
        for i in 0..<OGR_FD_GetFieldCount(defn) {
            let fd = OGR_FD_GetFieldDefn(defn, i)
            let fname = TextDecoding.string(OGR_Fld_GetNameRef(fd), wasRecoded: &recoded)
            fields.append(FieldDefinition(fname, Layer.fieldType(OGR_Fld_GetType(fd)),
                                          width: Int(OGR_Fld_GetWidth(fd)), precision: Int(OGR_Fld_GetPrecision(fd))))
        }
        schema = Schema(fields)
        if OGR_FD_GetGeomFieldCount(defn) == 0 {
            pointColumns = Layer.detectPointColumns(schema)
        } else {
            pointColumns = nil
        }
    }

    static func fieldType(_ t: OGRFieldType) -> FieldType {
        switch t {
        case OFTInteger: .integer
        case OFTInteger64: .integer64
        case OFTReal: .real
        case OFTString, OFTWideString: .string
        case OFTDate: .date
        case OFTTime: .time
        case OFTDateTime: .dateTime
        case OFTBinary: .binary
        default: .list
        }
    }

    static let lonNames = ["lon", "lng", "long", "longitude", "x", "lon_dd", "longitude_dd", "долгота", "долг", "lon_wgs84", "point_x"]
    static let latNames = ["lat", "latitude", "y", "lat_dd", "latitude_dd", "широта", "шир", "lat_wgs84", "point_y"]

    static func detectPointColumns(_ schema: Schema) -> (lon: Int, lat: Int)? {
        func find(_ names: [String]) -> Int? {
            for n in names { if let i = schema.index(of: n) { return i } }
            return nil
        }
        guard let lon = find(lonNames), let lat = find(latNames) else { return nil }
        return (lon, lat)
    }

    // MARK: description

    /// The declared geometry type; `.unknown` for mixed layers, `.none` for tables.
    public var geometryType: GeometryType {
        if pointColumns != nil { return .point }
        if OGR_FD_GetGeomFieldCount(OGR_L_GetLayerDefn(handle)) == 0 { return .none }
        return GeometryType(wkbCode: OGR_GT_Flatten(OGR_L_GetGeomType(handle)).rawValue)
    }

    /// The layer's CRS: `OpenOptions.sourceCRS` if given, else the layer's own, else WGS84 for
    /// lon/lat tables; nil when unknown.
    public var crs: CRS? {
        get throws {
            if let c = cachedCRS { return c }
            let c = try readCRS()
            cachedCRS = .some(c)
            return c
        }
    }

    private func readCRS() throws -> CRS? {
        if let s = dataset.options.sourceCRS { return s }
        if pointColumns != nil { return .wgs84 }
        guard let srs = OGR_L_GetSpatialRef(handle) else { return nil }
        var out: UnsafeMutablePointer<CChar>? = nil
        let err = withCStringList(["FORMAT=WKT2_2019"]) { OSRExportToWktEx(srs, &out, constList($0)) }
        defer { VSIFree(out) }
        guard err == 0, let out else {
            throw GeoError(.projection, "cannot read the layer's CRS", library: .gdal, operation: "OSRExportToWktEx",
                           file: dataset.path, layer: name, hint: "give the CRS with {sSrs}")
        }
        do { return try CRS(String(cString: out)) }
        catch let e as GeoError { throw e.with(file: dataset.path, layer: name, hint: "give the CRS with {sSrs}") }
    }

    /// The number of features (counted by GDAL; may scan the source).
    public func featureCount() throws -> Int {
        let (n, failure) = withGDALError { OGR_L_GetFeatureCount(handle, 1) }
        if let failure { throw failure.error(.read, "OGR_L_GetFeatureCount", file: dataset.path, layer: name) }
        return Int(n)
    }

    /// The extent in the layer's CRS, or nil when the layer has no geometry.
    public func extent() throws -> Envelope? {
        if pointColumns != nil {
            var e = Envelope.empty
            try forEach { f in if let g = f.geometry { e.expand(g.envelope) } }
            return e.isEmpty ? nil : e
        }
        guard geometryType != .none else { return nil }
        var env = OGREnvelope()
        let (err, _) = withGDALError { OGR_L_GetExtent(handle, &env, 1) }
        guard err == 0 else { return nil }
        return Envelope(minX: env.MinX, minY: env.MinY, maxX: env.MaxX, maxY: env.MaxY)
    }

    /// The extent only when GDAL knows it without reading every feature; nil otherwise.
    func quickExtent() -> Envelope? {
        guard pointColumns == nil, geometryType != .none else { return nil }
        var env = OGREnvelope()
        let (err, _) = withGDALError { OGR_L_GetExtent(handle, &env, 0) }
        guard err == 0 else { return nil }
        return Envelope(minX: env.MinX, minY: env.MinY, maxX: env.MaxX, maxY: env.MaxY)
    }

    /// The extent in lon/lat (the native extent's outline transformed and bounded).
    public func lonLatExtent() throws -> Envelope? {
        guard let e = try extent() else { return nil }
        guard let crs = try crs, !crs.isGeographic else { return e }
        return try outlineExtent(e, Transformer(from: crs, to: .wgs84))
    }


    // MARK: filters

    /// Restricts reading to features matching an OGR SQL `WHERE` clause (nil clears it).
    public func setAttributeFilter(_ whereClause: String?) throws {
        var (err, failure) = withGDALError { OGR_L_SetAttributeFilter(handle, whereClause) }
        if err == 0, whereClause != nil {
            // Some drivers (GeoPackage, PostGIS) only check the clause when reading: read one feature now.
            let (f, readFailure) = withGDALError { OGR_L_GetNextFeature(handle) }
            if let f { OGR_F_Destroy(f) }
            OGR_L_ResetReading(handle)
            if let readFailure { err = 1; failure = readFailure }
        }
        if err == 0 { attributeFilter = whereClause; readGeneration += 1 }
        if err != 0 {
            throw GeoError(.invalidArgument, "bad {where} clause '\(whereClause ?? "")': \(failure?.message ?? "OGR error \(err)")",
                           library: .gdal, operation: "OGR_L_SetAttributeFilter", file: dataset.path, layer: name,
                           hint: (failure?.message.contains("Type mismatch") ?? false) && dataset.driverName == "CSV"
                               ? "a CSV column is text unless every value is a plain number (2.50 and 0012 stay text): compare as numbers with CAST(name AS float) > 10"
                               : "fields are: \(schema.names.joined(separator: ", "))")
        }
    }

    /// Restricts reading to features whose envelope meets `envelope` (layer CRS; nil clears it).
    public func setSpatialFilter(_ envelope: Envelope?) {
        if let e = envelope { OGR_L_SetSpatialFilterRect(handle, e.minX, e.minY, e.maxX, e.maxY) }
        else { OGR_L_SetSpatialFilter(handle, nil) }
    }

    // MARK: reading

    /// A fresh cursor from the first feature.
    public func features() throws -> FeatureCursor { try FeatureCursor(layer: self) }

    /// Calls `body` with each feature in turn, streaming.
    public func forEach(_ body: (Feature) throws -> Void) throws {
        let c = try features()
        while let f = try c.next() { try body(f) }
    }

    /// Streams geometries only (attributes are not read: faster).
    public func forEachGeometry(_ body: (Int64, Geometry) throws -> Void) throws {
        let c = try FeatureCursor(layer: self, fields: [])
        while let f = try c.next() { if let g = f.geometry { try body(f.fid, g) } }
    }

    /// A cursor that reads only the named fields (others come back `.null`): faster on wide tables.
    public func features(fields: [String]) throws -> FeatureCursor {
        let idx = try fields.map { name -> Int in
            guard let i = schema.index(of: name) else {
                throw GeoError(.invalidArgument, "no field '\(name)'; the fields are: \(schema.names.joined(separator: ", "))",
                               file: dataset.path, layer: self.name)
            }
            return i
        }
        return try FeatureCursor(layer: self, fields: Set(idx))
    }
}

@available(*, unavailable, message: "a Layer belongs to the thread that opened its dataset")
extension Layer: Sendable {}

/// A single pass over a layer's features, with a throwing `next()`.
///
/// A layer has one read position (GDAL's): making a second cursor on the same `Layer`, or
/// changing its attribute filter, ends the first one, whose `next()` then throws rather than
/// silently starting over. Read a layer twice at once by opening its dataset twice.
public final class FeatureCursor {
    let layer: Layer
    private let generation: Int
    private let fields: Set<Int>?
    private let checkLonLat: Bool
    /// False: attributes only, no geometry (lon/lat columns stay mere columns).
    private let geometries: Bool
    private var row: Int64 = 0
    private var recodedWarned = false

    /// `fields`: the field indices to read; nil = all. `geometries: false` reads attributes only.
    init(layer: Layer, fields: Set<Int>? = nil, geometries: Bool = true) throws {
        self.layer = layer
        self.geometries = geometries
        var fields = fields
        if geometries, let c = layer.pointColumns { fields?.formUnion([c.lon, c.lat]) }
        self.fields = fields
        // Lon/lat range is checked per feature only when the layer's extent (cheap from GDAL for
        // most formats) is out of range or unknown: a valid extent proves every feature valid.
        if geometries, (try layer.crs)?.isGeographic ?? false {
            checkLonLat = layer.pointColumns != nil || !(layer.quickExtent().map(FeatureCursor.inLonLatRange) ?? false)
        } else {
            checkLonLat = false
        }
        // GDAL evaluates an attribute filter on ignored fields as NULL: read every field then.
        if let fields, layer.attributeFilter == nil {
            let names = layer.schema.fields.enumerated().filter { !fields.contains($0.offset) }.map(\.element.name)
            withCStringList(names) { list in _ = OGR_L_SetIgnoredFields(layer.handle, mutableConstList(list)) }
        } else {
            _ = OGR_L_SetIgnoredFields(layer.handle, nil)
        }
        OGR_L_ResetReading(layer.handle)
        layer.readGeneration += 1
        generation = layer.readGeneration
    }

    /// The next feature, or nil at the end.
    ///
    /// - Throws: `.read` naming the file, layer and feature when GDAL fails or a lon/lat
    ///   coordinate is out of range.
    public func next() throws -> Feature? {
        guard generation == layer.readGeneration else {
            throw GeoError(.read, "another cursor (or a new filter) took over this layer's reading after \(row) features",
                           operation: "FeatureCursor.next", file: layer.dataset.path, layer: layer.name,
                           hint: "finish one pass before starting the next, or open the dataset twice")
        }
        let (f, failure) = withGDALError { OGR_L_GetNextFeature(layer.handle) }
        guard let f else {
            if let failure {
                throw failure.error(.read, "OGR_L_GetNextFeature", file: layer.dataset.path, layer: layer.name)
                    .with(hint: "the file may be truncated or corrupt; features before this point were read")
            }
            return nil
        }
        defer { OGR_F_Destroy(f) }
        row += 1
        var fid = OGR_F_GetFID(f)
        if fid < 0 { fid = row }
        // A feature GDAL could read only in part (a truncated .shp gives features whose shapes
        // are missing, with an error each): never a silent null geometry.
        if let failure {
            throw failure.error(.read, "OGR_L_GetNextFeature", file: layer.dataset.path, layer: layer.name)
                .with(featureID: fid, hint: "the file may be truncated or corrupt: copy it again from its source (\(row - 1) features before this one were read)")
        }
        var values: [FieldValue] = []
        if fields == nil || !fields!.isEmpty {
            let n = Int32(layer.schema.count)
            values.reserveCapacity(Int(n))
            var recoded = false
            for i in 0..<n {
                values.append(fields == nil || fields!.contains(Int(i)) ? readField(f, i, &recoded) : .null)
            }
            if recoded && !recodedWarned {
                recodedWarned = true
                warn("\(layer.dataset.path): layer '\(layer.name)': text that is not UTF-8 was read as Windows-1251 (Cyrillic); add a .cpg file saying the encoding if that is wrong")
            }
        } else {
            values = Array(repeating: .null, count: layer.schema.count)
        }
        var geometry: Geometry? = nil
        if geometries, let cols = layer.pointColumns {
            geometry = try pointFromColumns(values, cols, fid: fid)
        } else if geometries, let g = OGR_F_GetGeometryRef(f) {
            do { geometry = try OGRGeometryReader.read(g) }
            catch { throw error.adding(file: layer.dataset.path, layer: layer.name, featureID: fid) }
        }
        if checkLonLat, let g = geometry { try checkRange(g, fid: fid) }
        return Feature(fid: fid, geometry: geometry, values: values, schema: layer.schema)
    }

    private func readField(_ f: OGRFeatureH, _ i: Int32, _ recoded: inout Bool) -> FieldValue {
        guard OGR_F_IsFieldSetAndNotNull(f, i) != 0 else { return .null }
        switch layer.schema.fields[Int(i)].type {
        case .integer, .integer64: return .integer(OGR_F_GetFieldAsInteger64(f, i))
        case .real: return .real(OGR_F_GetFieldAsDouble(f, i))
        default:
            guard let s = OGR_F_GetFieldAsString(f, i) else { return .null }
            return .string(TextDecoding.string(s, wasRecoded: &recoded))
        }
    }

    private func pointFromColumns(_ values: [FieldValue], _ cols: (lon: Int, lat: Int), fid: Int64) throws -> Geometry? {
        let lonV = values[cols.lon], latV = values[cols.lat]
        if lonV.isNull && latV.isNull { return nil }
        guard let lon = lonV.doubleValue, let lat = latV.doubleValue else {
            let names = (layer.schema.fields[cols.lon].name, layer.schema.fields[cols.lat].name)
            warn("\(layer.dataset.path): row \(fid): '\(lonV)', '\(latV)' in \(names.0)/\(names.1) are not numbers; the row has no point")
            return nil
        }
        return .point(XY(lon, lat))
    }

    static func inLonLatRange(_ e: Envelope) -> Bool {
        e.isEmpty || !(e.minX < -180.000001 || e.maxX > 360 || e.minY < -90.000001 || e.maxY > 90.000001)
    }

    private func checkRange(_ g: Geometry, fid: Int64) throws {
        let e = g.envelope
        if !FeatureCursor.inLonLatRange(e) {
            let bad = [XY(e.minX, e.minY), XY(e.maxX, e.maxY)].first { abs($0.x) > 180 || abs($0.y) > 90 } ?? XY(e.maxX, e.maxY)
            throw GeoError(.read, "coordinate \(bad) is out of range for longitude/latitude", file: layer.dataset.path,
                           layer: layer.name, featureID: fid,
                           hint: "if the data are projected (metres), say which CRS with {sSrs}, e.g. {sSrs} EPSG:32642; if lat and lon are swapped, swap the columns")
        }
    }
}

@available(*, unavailable)
extension FeatureCursor: Sendable {}
