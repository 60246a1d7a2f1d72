internal import CGDAL
internal import CGEOS
internal import CPROJ
import Foundation

/// `manifest.json`, written beside a recipe's outputs after every step: how each layer was made.
public struct Manifest: Codable, Sendable {
    public struct File: Codable, Sendable, Hashable {
        /// Relative to the output folder (outputs) or to the recipe's root (inputs) when inside them.
        public var path: String
        public var sha256: String
        public var bytes: Int
        /// Seconds since 1970 of the last modification (a file whose size and time are unchanged is not re-read).
        public var modified: Double
        /// Features of each vector output (every layer summed), when GDAL opens it as vector data.
        public var features: Int?
    }
    public struct Step: Codable, Sendable {
        public var name: String
        public var command: String
        public var line: Int
        /// `ran` (this run), `up to date` (skipped: nothing it depends on changed), `failed`, `not run`.
        public var status: String
        public var reason: String?
        /// SHA-256 of caravan's version, the command, its arguments and its inputs' checksums.
        public var key: String?
        public var options: [String: [String]]
        public var arguments: [String]
        public var inputs: [File]
        public var outputs: [File]
        public var warnings: [String]
        public var error: String?
        /// When the outputs were made (UTC, ISO 8601) and how long it took.
        public var started: String?
        public var seconds: Double?
    }
    public var recipe: String
    public var recipeFile: String
    public var recipeSHA256: String
    public var params: [String: String]
    public var caravan: String
    public var gdal: String
    public var geos: String
    public var proj: String
    public var started: String
    public var finished: String?
    public var seconds: Double?
    /// `complete`, `failed` (at `failedStep`), or `running`.
    public var status: String
    public var failedStep: String?
    public var steps: [Step]
    /// The GeoPackage holding every vector layer of the run (the recipe's `map-package:`), and its layers.
    public var mapPackage: File?
    public var mapPackageLayers: [String]?

    public static func read(_ path: String) -> Manifest? {
        guard let d = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(Manifest.self, from: d)
    }

    /// Written whole to a temporary file and renamed: a reader never sees half a manifest.
    public func write(to path: String) throws {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try e.encode(self)
        let tmp = path + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: tmp, contents: data + Data("\n".utf8)) else {
            throw GeoError(.write, "cannot write the manifest", file: path)
        }
        if rename(tmp, path) != 0 {
            unlink(tmp)
            throw GeoError(.write, "cannot write the manifest: \(String(cString: strerror(errno)))", file: path)
        }
    }
}

/// The versions of the libraries behind caravan, for manifests.
public enum LibraryVersions {
    public static var gdal: String { String(cString: GDALVersionInfo("RELEASE_NAME")) }
    public static var geos: String { String(cString: GEOSversion()) }
    public static var proj: String { String(cString: proj_info().version) }
}

/// ISO 8601 UTC with seconds.
func isoNow() -> String {
    let f = ISO8601DateFormatter()
    f.formatOptions = [.withInternetDateTime]
    return f.string(from: Date())
}
