import Foundation

/// The one error type of CaravanKit.
///
/// It carries the C library's own message verbatim (GDAL's last error, GEOS's message
/// handler, PROJ's errno string) together with where it happened: the file, layer and
/// feature or row involved. `description` is the one line a person reads.
///
/// ```swift
/// do { _ = try Dataset.open("missing.shp") }
/// catch let e as GeoError { print(e.kind, e.description) }
/// ```
public struct GeoError: Error, LocalizedError, CustomStringConvertible, Sendable, Equatable {
    /// What kind of operation failed.
    public enum Kind: String, Sendable, Equatable {
        case open, read, write, geometry, projection, geocoding, invalidArgument, unsupported
    }
    /// The C library the message comes from, if any.
    public enum Library: String, Sendable, Equatable { case gdal = "GDAL", geos = "GEOS", proj = "PROJ", caravan = "Caravan" }

    public var kind: Kind
    public var library: Library
    /// The library's error number (CPLErrorNum, PROJ errno), 0 when none.
    public var code: Int
    /// The message, verbatim from the C library where it came from one.
    public var message: String
    /// The C function or Caravan operation that failed, e.g. `GEOSIntersection_r`.
    public var operation: String?
    public var file: String?
    public var layer: String?
    public var featureID: Int64?
    /// The row (1-based; a table's data row or a text file's line), never a vertex.
    public var index: Int?
    /// The vertex (1-based, in its line or ring, or in the coordinates given), never a row.
    public var vertex: Int?
    /// What the user can do about it.
    public var hint: String?

    public init(_ kind: Kind, _ message: String, library: Library = .caravan, code: Int = 0,
                operation: String? = nil, file: String? = nil, layer: String? = nil,
                featureID: Int64? = nil, index: Int? = nil, vertex: Int? = nil, hint: String? = nil) {
        self.kind = kind; self.library = library; self.code = code; self.message = message
        self.operation = operation; self.file = file; self.layer = layer
        self.featureID = featureID; self.index = index; self.vertex = vertex; self.hint = hint
    }

    /// One line: `<file>: layer '<l>': feature <fid>: row <n>: vertex <v>: <message>`.
    public var description: String {
        var parts: [String] = []
        if let file { parts.append(file) }
        if let layer { parts.append("layer '\(layer)'") }
        if let featureID { parts.append("feature \(featureID)") }
        if let index { parts.append("row \(index)") }
        if let vertex { parts.append("vertex \(vertex)") }
        parts.append(message.isEmpty ? "\(kind.rawValue) failed" : message)
        return parts.joined(separator: ": ")
    }

    public var errorDescription: String? { description }

    /// The same error with more context filled in (context already present is kept).
    public func with(file: String? = nil, layer: String? = nil, featureID: Int64? = nil,
                     index: Int? = nil, vertex: Int? = nil, hint: String? = nil) -> GeoError {
        var e = self
        if e.file == nil { e.file = file }
        if e.layer == nil { e.layer = layer }
        if e.featureID == nil { e.featureID = featureID }
        if e.index == nil { e.index = index }
        if e.vertex == nil { e.vertex = vertex }
        if e.hint == nil { e.hint = hint }
        return e
    }

    static func invalid(_ message: String, hint: String? = nil) -> GeoError {
        GeoError(.invalidArgument, message, hint: hint)
    }
}

extension Error {
    /// Adds context to a `GeoError`; other errors pass through unchanged.
    func adding(file: String? = nil, layer: String? = nil, featureID: Int64? = nil, index: Int? = nil) -> Error {
        if let g = self as? GeoError { return g.with(file: file, layer: layer, featureID: featureID, index: index) }
        return self
    }
}
