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

// MARK: One checker per C return convention (as rasterio's `_err.pyx` does)

/// Where a GDAL call failed, for the error it becomes.
struct GDALCall {
    var operation: String
    var kind: GeoError.Kind
    var file: String?
    var layer: String?
    var featureID: Int64?

    init(_ operation: String, _ kind: GeoError.Kind, file: String? = nil, layer: String? = nil, featureID: Int64? = nil) {
        self.operation = operation; self.kind = kind; self.file = file; self.layer = layer; self.featureID = featureID
    }

    /// GDAL's own message (its thread-local last error) when it left one, else `fallback`.
    func error(_ failure: GDALFailure?, _ fallback: String, code: Int = 0) -> GeoError {
        GeoError(kind, failure?.message ?? fallback, library: .gdal, code: failure?.code ?? code, operation: operation,
                 file: file, layer: layer, featureID: featureID)
    }

    /// A call returning a handle: NULL is a failure.
    func pointer<T>(_ body: () -> T?) throws -> T {
        let (r, failure) = withGDALError(body)
        guard let r else { throw error(failure, "\(operation) failed") }
        return r
    }

    /// A call returning `CPLErr`: anything but `CE_None` (a warning aside) is a failure.
    func cplErr(_ body: () -> CPLErr) throws {
        let (r, failure) = withGDALError(body)
        if r != CE_None && r != CE_Warning { throw error(failure, "\(operation) failed (CPLErr \(r.rawValue))", code: Int(r.rawValue)) }
    }

    /// A call returning nothing (`GDALClose`): a failure in GDAL's error state throws.
    func status(_ body: () -> Void) throws {
        let (_, failure) = withGDALError(body)
        if let failure { throw error(failure, "\(operation) failed") }
    }

    /// A call returning `OGRErr`: anything but `OGRERR_NONE` is a failure, named by OGR's code.
    func ogrErr(_ body: () -> OGRErr) throws {
        let (r, failure) = withGDALError(body)
        if r != OGRERR_NONE { throw error(failure, "\(operation) failed (\(ogrErrName(r)))", code: Int(r)) }
    }
}

/// OGR's error codes by name (ogr_core.h).
func ogrErrName(_ e: OGRErr) -> String {
    switch e {
    case 1: return "OGRERR_NOT_ENOUGH_DATA"
    case 2: return "OGRERR_NOT_ENOUGH_MEMORY"
    case 3: return "OGRERR_UNSUPPORTED_GEOMETRY_TYPE"
    case 4: return "OGRERR_UNSUPPORTED_OPERATION"
    case 5: return "OGRERR_CORRUPT_DATA"
    case 6: return "OGRERR_FAILURE"
    case 7: return "OGRERR_UNSUPPORTED_SRS"
    case 8: return "OGRERR_INVALID_HANDLE"
    case 9: return "OGRERR_NON_EXISTING_FEATURE"
    default: return "OGRErr \(e)"
    }
}
