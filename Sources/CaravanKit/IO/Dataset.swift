internal import CGDAL
import Foundation

/// How to open a vector source.
public struct OpenOptions: Sendable {
    /// Overrides the layers' CRS (for a Shapefile without `.prj`, a CSV in projected metres...).
    public var sourceCRS: CRS?
    /// Explicit GDAL driver names to try, e.g. ["CSV"]; empty = any.
    public var drivers: [String] = []
    /// Let GDAL rebuild a missing Shapefile `.shx` (it writes the file beside the `.shp`).
    public var restoreShx = false
    public init(sourceCRS: CRS? = nil, drivers: [String] = [], restoreShx: Bool = false) {
        self.sourceCRS = sourceCRS; self.drivers = drivers; self.restoreShx = restoreShx
    }
}

/// An open vector source: a file, a folder, or a `PG:` connection string (GDAL dataset).
///
/// Not `Sendable`: a dataset and its layers belong to the thread that opened them.
/// Open one per worker.
///
/// ```swift
/// let ds = try Dataset.open("shapefiles/countries.shp")
/// for layer in ds.layers { print(layer.name, try layer.featureCount()) }
/// ```
public final class Dataset {
    let handle: UnsafeMutableRawPointer
    /// The path or connection string as given.
    public private(set) var path: String
    public let options: OpenOptions
    /// The GDAL driver's short name ("ESRI Shapefile", "GPKG", "CSV"...).
    public let driverName: String

    private init(handle: UnsafeMutableRawPointer, path: String, options: OpenOptions) {
        self.handle = handle
        self.path = path
        self.options = options
        driverName = GDALGetDatasetDriver(handle).map { String(cString: GDALGetDriverShortName($0)) } ?? "unknown"
        if driverName == "ESRI Shapefile" { checkShapefileSidecars() }
    }

    /// A temporary folder holding what GDAL actually reads (`CSVTable.prepareForGDAL`), removed on close.
    private var temporaryFolder: String?

    deinit {
        GDALClose(handle)
        if let temporaryFolder { try? FileManager.default.removeItem(atPath: temporaryFolder) }
    }

    /// Whether `path` names a database or virtual source rather than a local file.
    static func isConnectionString(_ path: String) -> Bool {
        path.hasPrefix("PG:") || path.hasPrefix("/vsi") || path.hasPrefix("MySQL:") || path.hasPrefix("WFS:")
    }

    /// Opens a vector source read-only.
    ///
    /// - Throws: `GeoError` of kind `.open` naming the file, with GDAL's message and a hint.
    public static func open(_ path: String, options: OpenOptions = OpenOptions()) throws -> Dataset {
        GDALRuntime.bootstrap()
        let isFile = !isConnectionString(path)
        if isFile {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
                throw GeoError(.open, "no such file or directory", file: path, hint: "check the path; run 'ls' on its folder")
            }
            if !isDir.boolValue {
                let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
                if size == 0 { throw GeoError(.open, "the file is empty (0 bytes)", file: path, hint: "was the download or copy interrupted?") }
                try checkShapefileParts(path, restoreShx: options.restoreShx)
            }
        }
        var openOptions: [String] = []
        let ext = (path as NSString).pathExtension.lowercased()
        // CSV: every value as written ("0012" stays "0012", dates stay text): no type sniffing; a
        // `.csvt` made for GDAL types only the columns whose every value a number writes back exactly.
        var openPath = path
        let csv = ext == "csv" || ext == "tsv" || options.drivers.contains("CSV")
        if csv {
            openOptions += ["AUTODETECT_TYPE=NO", "EMPTY_STRING_AS_NULL=YES", "KEEP_GEOM_COLUMNS=NO",
                            "GEOM_POSSIBLE_NAMES=wkt,WKT,geom,geometry,the_geom,wkt_geom,geometry_wkt"]
            if isFile, let prepared = try CSVTable.prepareForGDAL(path) { openPath = prepared }
        }
        let preparedFolder = openPath == path ? nil : (openPath as NSString).deletingLastPathComponent
        let flags = UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR)
        // `--restore-shx` rebuilds a missing index only: an existing .shx is never rewritten, and an
        // index GDAL wrote for a Shapefile it then could not open is removed again.
        let shxPath = (path as NSString).deletingPathExtension + ".shx"
        let restoring = options.restoreShx && isFile && ext == "shp" && !FileManager.default.fileExists(atPath: shxPath)
            && !FileManager.default.fileExists(atPath: (path as NSString).deletingPathExtension + ".SHX")
        CPLSetThreadLocalConfigOption("SHAPE_RESTORE_SHX", restoring ? "YES" : nil)
        // A Shapefile that declares no encoding (no .cpg, no DBF language id) would be read as
        // ISO-8859-1 and Cyrillic mangled: take its bytes raw and decide UTF-8 or CP1251 ourselves.
        let rawText = isFile && ext == "shp" && !shapefileDeclaresEncoding(path)
        CPLSetThreadLocalConfigOption("SHAPE_ENCODING", rawText ? "" : nil)
        defer {
            CPLSetThreadLocalConfigOption("SHAPE_RESTORE_SHX", nil)
            CPLSetThreadLocalConfigOption("SHAPE_ENCODING", nil)
        }
        let (h, failure) = withGDALError {
            withCStringList(options.drivers) { drivers in
                withCStringList(openOptions) { oo in
                    GDALOpenEx(openPath, flags, options.drivers.isEmpty ? nil : constList(drivers), constList(oo), nil)
                }
            }
        }
        if h == nil, let preparedFolder { try? FileManager.default.removeItem(atPath: preparedFolder) }
        if h == nil, restoring { try? FileManager.default.removeItem(atPath: shxPath) }
        guard let h else {
            var msg = failure?.message ?? "cannot open"
            var hint: String? = "Caravan reads what GDAL reads: Shapefile, GeoPackage, GeoJSON, KML, CSV, XLSX, PG:..."
            if msg.contains("not recognized as a supported file format") || msg.contains("not recognized as being in a supported file format") {
                msg = "not a vector format GDAL recognises"
            }
            if let f = failure, f.message.contains("SHAPE_RESTORE_SHX") {
                msg = "the Shapefile's .shx index is missing"
                hint = "copy the .shx that came with it, or rebuild it: caravan convert {restoreShx} ..."
            }
            if let preparedFolder { msg = msg.replacingOccurrences(of: openPath, with: path).replacingOccurrences(of: preparedFolder, with: "") }
            throw GeoError(.open, msg, library: .gdal, code: failure?.code ?? 0, operation: "GDALOpenEx", file: path, hint: hint)
        }
        let d = Dataset(handle: h, path: path, options: options)
        d.temporaryFolder = preparedFolder
        return d
    }

    /// A Shapefile is several files; check the ones GDAL cannot do without, before it tries.
    private static func checkShapefileParts(_ path: String, restoreShx: Bool) throws {
        guard (path as NSString).pathExtension.lowercased() == "shp" else { return }
        let base = (path as NSString).deletingPathExtension
        func exists(_ ext: String) -> Bool {
            FileManager.default.fileExists(atPath: base + "." + ext) || FileManager.default.fileExists(atPath: base + "." + ext.uppercased())
        }
        if !exists("shx") && !restoreShx {
            throw GeoError(.open, "the Shapefile's .shx index file is missing", file: path,
                           hint: "copy all the parts together (.shp .shx .dbf .prj .cpg), or rebuild the index with 'caravan convert {restoreShx}'")
        }
        if !exists("dbf") {
            throw GeoError(.open, "the Shapefile's .dbf attribute table is missing, so every attribute would be lost", file: path,
                           hint: "copy all the parts together (.shp .shx .dbf .prj .cpg)")
        }
    }

    /// Whether a Shapefile says its encoding: a `.cpg` file or a language id in the `.dbf` header.
    static func shapefileDeclaresEncoding(_ path: String) -> Bool {
        let base = (path as NSString).deletingPathExtension
        let fm = FileManager.default
        if fm.fileExists(atPath: base + ".cpg") || fm.fileExists(atPath: base + ".CPG") { return true }
        for dbf in [base + ".dbf", base + ".DBF"] {
            guard let h = FileHandle(forReadingAtPath: dbf) else { continue }
            defer { try? h.close() }
            let header = (try? h.read(upToCount: 32)) ?? Data()
            return header.count >= 30 && header[29] != 0
        }
        return false
    }

    private func checkShapefileSidecars() {
        guard (path as NSString).pathExtension.lowercased() == "shp" else { return }
        let base = (path as NSString).deletingPathExtension
        let fm = FileManager.default
        if !fm.fileExists(atPath: base + ".prj") && !fm.fileExists(atPath: base + ".PRJ") && options.sourceCRS == nil {
            warn("\(path): no .prj file, so the CRS is unknown; give it with {sSrs} (e.g. {sSrs} EPSG:4326)")
        }
    }

    /// The number of layers.
    public var layerCount: Int { Int(GDALDatasetGetLayerCount(handle)) }

    /// All layers, in the source's order.
    public var layers: [Layer] { (0..<layerCount).compactMap { try? layer(at: $0) } }

    public func layer(at index: Int) throws -> Layer {
        guard index >= 0, index < layerCount, let l = GDALDatasetGetLayer(handle, Int32(index)) else {
            throw GeoError(.open, "there is no layer \(index)", file: path)
        }
        return Layer(handle: l, dataset: self)
    }

    /// The layer of that name, or the only layer when `name` is nil.
    ///
    /// - Throws: `.open` listing the layers when the name is unknown or several layers exist.
    /// A GeoPackage's `layer_styles` table (QGIS's styles, which caravan writes too) holds no data
    /// and does not count when the only layer is taken.
    public func layer(named name: String?) throws -> Layer {
        guard let name else {
            let data = layerNames.enumerated().filter { $0.element != "layer_styles" }.map(\.offset)
            if data.count == 1 { return try layer(at: data[0]) }
            if layerCount == 0 { throw GeoError(.open, "the source has no layers", file: path) }
            let names = layerNames.filter { $0 != "layer_styles" }
            throw GeoError(.open, "the source has \(names.count) layers; name one: \(names.joined(separator: ", "))", file: path,
                           hint: "pass {layer} NAME")
        }
        if let l = GDALDatasetGetLayerByName(handle, name) { return Layer(handle: l, dataset: self) }
        throw GeoError(.open, "no layer '\(name)'; the layers are: \(layerNames.joined(separator: ", "))", file: path)
    }

    public var layerNames: [String] {
        (0..<layerCount).compactMap { GDALDatasetGetLayer(handle, Int32($0)).map { String(cString: OGR_L_GetName($0)) } }
    }
}

extension Layer {
    /// Whether field `i` reads as a number where an analysis asks for one (a weight): a numeric
    /// field, or a text column (a CSV's column of numbers written in several forms, "2.50" and
    /// "4", is text, kept as written, and so is the table geocoded from it), parsed when used:
    /// a value that is no number is an error naming its row and column.
    func readsAsNumber(_ i: Int) -> Bool {
        schema.fields[i].type.isNumeric || schema.fields[i].type == .string
    }
}

@available(*, unavailable, message: "a Dataset belongs to the thread that opened it; open one per worker")
extension Dataset: Sendable {}
