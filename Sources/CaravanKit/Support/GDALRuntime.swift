internal import CGDAL
import Foundation

/// GDAL's process-wide set-up: driver registration and an error handler that keeps C
/// messages away from stderr (warnings go to the `WarningLog` of the call running on the thread
/// that raised them; failures are read back by the `check…` helpers from GDAL's thread-local
/// last-error state).
enum GDALRuntime {
    private static let once: Void = {
        // Curves are linearised on read: GEOS 3.11 has none.
        OGRSetNonLinearGeometriesEnabledFlag(0)
        CPLSetConfigOption("OGR_XLSX_FIELD_TYPES", "AUTO")
        CPLSetConfigOption("SHAPE_ENCODING", nil)
        CPLSetErrorHandler(caravanCPLErrorHandler)
        GDALAllRegister()
    }()

    /// Registers drivers and the error handler. Idempotent, cheap after the first call.
    static func bootstrap() { _ = once }
}

/// Thread-safe and calls no GDAL function: GDAL may invoke it from its own threads. GDAL calls
/// it on the thread of the failing call, so a warning lands in that thread's current
/// `WarningLog` (the call that triggered it); on a thread GDAL made for itself there is none and
/// the warning is dropped. The last error stays readable through `CPLGetLastErrorMsg`.
private func caravanCPLErrorHandler(_ level: CPLErr, _ code: CPLErrorNum, _ message: UnsafePointer<CChar>?) {
    guard level == CE_Warning, let message else { return }
    warn("GDAL: " + String(cString: message))
}

/// Runs a GDAL call with its error state reset before and read after.
/// Returns the result and the failure message, if GDAL reported one.
@inline(__always)
func withGDALError<T>(_ body: () -> T) -> (T, GDALFailure?) {
    CPLErrorReset()
    let r = body()
    let type = CPLGetLastErrorType()
    if type == CE_Failure || type == CE_Fatal {
        let msg = String(cString: CPLGetLastErrorMsg())
        let no = Int(CPLGetLastErrorNo())
        CPLErrorReset()
        return (r, GDALFailure(code: no, message: msg))
    }
    return (r, nil)
}

struct GDALFailure {
    var code: Int
    var message: String
    func error(_ kind: GeoError.Kind, _ operation: String, file: String? = nil, layer: String? = nil) -> GeoError {
        GeoError(kind, message, library: .gdal, code: code, operation: operation, file: file, layer: layer)
    }
}

/// Builds a GDAL string list (`char**`) and frees it after `body`.
func withCStringList<T>(_ items: [String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws -> T) rethrows -> T {
    var list: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = nil
    for item in items { list = CSLAddString(list, item) }
    defer { CSLDestroy(list) }
    return try body(list)
}

/// A `char**` list as GDAL's `CSLConstList` (`const char* const*`).
func constList(_ l: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafePointer<UnsafePointer<CChar>?>? {
    l.map { UnsafeRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
}

/// A `char**` list as `const char**`.
func mutableConstList(_ l: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> UnsafeMutablePointer<UnsafePointer<CChar>?>? {
    l.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: UnsafePointer<CChar>?.self) }
}

/// Builds a GDAL `NAME=VALUE` list and frees it after `body`.
func withCOptions<T>(_ options: [String: String], _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws -> T) rethrows -> T {
    try withCStringList(options.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }, body)
}
