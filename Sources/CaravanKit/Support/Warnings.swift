import Foundation

/// Where the warnings of the running call go: the `WarningLog` an entry point (or the CLI, or a
/// recipe step) installed on this thread for the duration of the call. GDAL's error handler and
/// GEOS's notice handler, which run on the thread of the C call that raised them, land here, as
/// do caravan's own warnings below the entry points (a Shapefile without `.prj`, text read as
/// Windows-1251). The pipeline installs the caller's log on its worker threads.
///
/// There is no process-wide buffer: a warning raised where no call installed a log (e.g. on a
/// thread GDAL made for itself) is dropped.
///
/// ```swift
/// let log = WarningLog()
/// let layer = try log.collecting { try Dataset.open("shapefiles/noprj.shp").layer(named: nil) }
/// log.messages   // ["shapefiles/noprj.shp: no .prj file, so the CRS is unknown; …"]
/// ```
private let currentLog = ThreadLocal<WarningLog>()

extension WarningLog {
    /// The log of the call running on this thread, if one was installed.
    public static var current: WarningLog? { currentLog.value }

    /// Makes this log the calling thread's current one until the scope's `end()` (call it with
    /// `defer`, on the same thread): `let scope = context.warnings.begin(); defer { scope.end() }`.
    public func begin() -> WarningScope {
        let previous = currentLog.value
        currentLog.value = self
        return WarningScope(previous: previous)
    }

    /// Runs `body` with this log as the thread's current one.
    public func collecting<T>(_ body: () throws -> T) rethrows -> T {
        let scope = begin()
        defer { scope.end() }
        return try body()
    }
}

/// A log made current by `WarningLog.begin()`; `end()` restores the log that was current before.
public struct WarningScope {
    fileprivate let previous: WarningLog?
    public func end() { currentLog.value = previous }
}

/// Records a warning in the calling thread's current log (see `WarningLog.current`).
func warn(_ message: String) {
    WarningLog.current?.add(message)
}
