internal import CGEOS
import Foundation

/// One GEOS context per thread (GEOS's `_r` API), created lazily and finished when the
/// thread ends (`ThreadLocal`). Used only inside synchronous closures, so a context never
/// changes threads. GEOS notices go to the thread's current `WarningLog`, errors to `lastError`.
final class GEOSContext {
    let handle: OpaquePointer
    /// The last message of GEOS's error handler for this context.
    fileprivate(set) var lastError: String?
    private let reader: OpaquePointer
    private let writer: OpaquePointer

    private init() throws {
        guard let h = GEOS_init_r() else {
            throw GeoError(.geometry, "cannot start GEOS (out of memory)", library: .geos, operation: "GEOS_init_r")
        }
        guard let r = GEOSWKBReader_create_r(h), let w = GEOSWKBWriter_create_r(h) else {
            GEOS_finish_r(h)
            throw GeoError(.geometry, "cannot make GEOS's WKB reader and writer (out of memory)", library: .geos, operation: "GEOSWKBReader_create_r")
        }
        handle = h
        reader = r
        writer = w
        GEOSWKBWriter_setByteOrder_r(h, writer, 1)
        GEOSWKBWriter_setOutputDimension_r(h, writer, 2)
        let me = Unmanaged.passUnretained(self).toOpaque()
        GEOSContext_setErrorMessageHandler_r(h, { msg, data in
            guard let data, let msg else { return }
            Unmanaged<GEOSContext>.fromOpaque(data).takeUnretainedValue().lastError = String(cString: msg)
        }, me)
        // The context is this thread's, so the thread's current log is the log of the call.
        GEOSContext_setNoticeMessageHandler_r(h, { msg, _ in
            if let msg { warn("GEOS: " + String(cString: msg)) }
        }, nil)
    }

    deinit {
        GEOSWKBReader_destroy_r(handle, reader)
        GEOSWKBWriter_destroy_r(handle, writer)
        GEOS_finish_r(handle)
    }

    // MARK: per-thread storage

    private static let perThread = ThreadLocal<GEOSContext>()

    /// The calling thread's context, made on the thread's first use.
    static func current() throws -> GEOSContext { try perThread.get { try GEOSContext() } }

    // MARK: errors

    /// Clears the last message; call before each GEOS call whose failure you check.
    @inline(__always) func reset() { lastError = nil }

    func failure(_ operation: String) -> GeoError {
        GeoError(.geometry, lastError ?? "\(operation) failed", library: .geos, operation: operation)
    }

    // MARK: conversion (bulk, through WKB)

    /// An owned GEOS geometry made from a Swift value. Destroy with `destroy`.
    func make(_ g: Geometry) throws -> OpaquePointer {
        let bytes = g.wkb
        reset()
        let p = bytes.withUnsafeBufferPointer { GEOSWKBReader_read_r(handle, reader, $0.baseAddress, $0.count) }
        guard let p else { throw failure("GEOSWKBReader_read_r") }
        return p
    }

    /// A Swift value from a GEOS geometry (not consumed).
    func value(_ p: OpaquePointer) throws -> Geometry {
        var size = 0
        reset()
        guard let buf = GEOSWKBWriter_write_r(handle, writer, p, &size) else { throw failure("GEOSWKBWriter_write_r") }
        defer { GEOSFree_r(handle, buf) }
        return try WKB.decode(UnsafeRawBufferPointer(start: buf, count: size))
    }

    /// A Swift value from an owned GEOS geometry, which is destroyed.
    func take(_ p: OpaquePointer?, _ operation: String) throws -> Geometry {
        guard let p else { throw failure(operation) }
        defer { GEOSGeom_destroy_r(handle, p) }
        return try value(p)
    }

    func destroy(_ p: OpaquePointer) { GEOSGeom_destroy_r(handle, p) }

    /// Runs `body` with temporary GEOS copies of `geoms`, destroyed afterwards.
    func with<T>(_ geoms: [Geometry], _ body: ([OpaquePointer]) throws -> T) throws -> T {
        var made: [OpaquePointer] = []
        defer { for p in made { GEOSGeom_destroy_r(handle, p) } }
        for g in geoms { made.append(try make(g)) }
        return try body(made)
    }
}

/// Entry point to GEOS for the rest of the library.
enum GEOS {
    /// Runs `body` with the calling thread's GEOS context. `body` must not suspend.
    @inline(__always)
    static func withContext<T>(_ body: (GEOSContext) throws -> T) throws -> T {
        try body(try GEOSContext.current())
    }

    /// GEOS's version string, e.g. "3.11.1-CAPI-1.17.1".
    static var version: String { String(cString: GEOSversion()) }
}

@available(*, unavailable, message: "a GEOS context belongs to its thread")
extension GEOSContext: Sendable {}
