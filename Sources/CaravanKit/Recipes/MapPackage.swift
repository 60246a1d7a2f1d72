internal import CGDAL
import Foundation

/// One GeoPackage holding every vector layer a run made (a "map package" to send colleagues),
/// each layer named after its file. Written to a temporary file and renamed when complete.
public enum MapPackage {
    static let vectorExtensions: Set<String> = ["geojson", "json", "gpkg", "shp", "fgb", "kml"]

    /// Copies the vector layers of `files` (in order) into `path`; returns the layer names.
    @discardableResult
    public static func write(_ files: [String], to path: String) throws -> [String] {
        GDALRuntime.bootstrap()
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let tmp = dir + "/.caravan-tmp-\(getpid())-package-" + (path as NSString).lastPathComponent
        unlink(tmp)
        var names: [String] = []
        var used = Set<String>()
        for file in files where vectorExtensions.contains((file as NSString).pathExtension.lowercased()) {
            let ds = try Dataset.open(file)
            let stem = ((file as NSString).lastPathComponent as NSString).deletingPathExtension
            for layer in ds.layerNames {
                var name = ds.layerNames.count == 1 ? stem : stem + "_" + layer
                while used.contains(name.lowercased()) { name += "_2" }
                used.insert(name.lowercased())
                var args = ["-f", "GPKG", "-nln", name, "-lco", "SPATIAL_INDEX=YES"]
                if !names.isEmpty { args.append("-update") }
                args.append(layer)
                try translate(file, layer: layer, to: tmp, args: args)
                names.append(name)
            }
        }
        guard !names.isEmpty else { return [] }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw GeoError(.write, "cannot move the map package into place: \(String(cString: strerror(errno)))", file: path)
        }
        return names
    }

    private static func translate(_ source: String, layer: String, to dest: String, args: [String]) throws {
        guard let src = GDALOpenEx(source, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, nil, nil) else {
            throw GeoError(.open, "cannot open the layer for the map package", library: .gdal, file: source)
        }
        defer { GDALClose(src) }
        try withCStringList(args) { list in
            guard let opts = GDALVectorTranslateOptionsNew(list, nil) else {
                throw GeoError(.invalidArgument, "bad map-package options", library: .gdal, file: dest)
            }
            defer { GDALVectorTranslateOptionsFree(opts) }
            var failed: Int32 = 0
            var sources: [GDALDatasetH?] = [src]
            let (out, failure) = withGDALError { sources.withUnsafeMutableBufferPointer { GDALVectorTranslate(dest, nil, 1, $0.baseAddress, opts, &failed) } }
            if let out { GDALClose(out) }
            if out == nil || failed != 0 {
                throw (failure?.error(.write, "GDALVectorTranslate", file: dest) ?? GeoError(.write, "cannot add \(source) to the map package", library: .gdal, file: dest))
            }
        }
    }
}
