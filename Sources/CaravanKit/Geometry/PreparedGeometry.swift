internal import CGEOS
import Foundation

/// A geometry prepared for many fast predicate tests (GEOSPrepare_r).
///
/// Holds GEOS handles of the thread that made it: use it on that thread only (it is not
/// `Sendable`). Parallel workers each prepare their own.
///
/// ```swift
/// let kz = try PreparedGeometry(countryPolygon)
/// try kz.contains(.point(XY(76.9, 43.2)))   // true
/// ```
public final class PreparedGeometry {
    private let context: GEOSContext
    private let base: OpaquePointer
    private let prepared: OpaquePointer
    /// The geometry this was prepared from.
    public let geometry: Geometry
    /// A reusable point, so point tests allocate nothing (GEOS 3.11 has no XY predicates).
    private let probe: OpaquePointer
    private let probeSeq: OpaquePointer

    public init(_ geometry: Geometry) throws {
        let c = try GEOSContext.current()
        context = c
        self.geometry = geometry
        base = try c.make(geometry)
        c.reset()
        guard let p = GEOSPrepare_r(c.handle, base) else {
            c.destroy(base)
            throw c.failure("GEOSPrepare_r")
        }
        guard let seq = GEOSCoordSeq_create_r(c.handle, 1, 2) else {
            GEOSPreparedGeom_destroy_r(c.handle, p); c.destroy(base)
            throw c.failure("GEOSCoordSeq_create_r")
        }
        guard let point = GEOSGeom_createPoint_r(c.handle, seq), let pointSeq = GEOSGeom_getCoordSeq_r(c.handle, point) else {
            GEOSPreparedGeom_destroy_r(c.handle, p); c.destroy(base)
            throw c.failure("GEOSGeom_createPoint_r")
        }
        prepared = p
        probe = point
        probeSeq = pointSeq
    }

    deinit {
        GEOSPreparedGeom_destroy_r(context.handle, prepared) // prepared first: it points at base
        GEOSGeom_destroy_r(context.handle, base)
        GEOSGeom_destroy_r(context.handle, probe)
    }

    private func test(_ other: Geometry, _ name: String,
                      _ f: (OpaquePointer, OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        let c = context
        return try c.with([other]) { g in
            c.reset()
            let r = f(c.handle, prepared, g[0])
            if r == 2 { throw c.failure(name) }
            return r == 1
        }
    }

    /// GEOSPreparedContains_r.
    public func contains(_ other: Geometry) throws -> Bool { try test(other, "GEOSPreparedContains_r") { GEOSPreparedContains_r($0, $1, $2) } }
    /// GEOSPreparedIntersects_r.
    public func intersects(_ other: Geometry) throws -> Bool { try test(other, "GEOSPreparedIntersects_r") { GEOSPreparedIntersects_r($0, $1, $2) } }
    /// GEOSPreparedCovers_r.
    public func covers(_ other: Geometry) throws -> Bool { try test(other, "GEOSPreparedCovers_r") { GEOSPreparedCovers_r($0, $1, $2) } }

    /// Whether the point lies inside or on the boundary (GEOSPreparedIntersects_r on a reused point).
    public func intersects(_ p: XY) -> Bool {
        let c = context
        GEOSCoordSeq_setXY_r(c.handle, probeSeq, 0, p.x, p.y)
        return GEOSPreparedIntersects_r(c.handle, prepared, probe) == 1
    }

    /// Whether the point lies strictly inside (GEOSPreparedContains_r on a reused point).
    public func contains(_ p: XY) -> Bool {
        let c = context
        GEOSCoordSeq_setXY_r(c.handle, probeSeq, 0, p.x, p.y)
        return GEOSPreparedContains_r(c.handle, prepared, probe) == 1
    }
}

@available(*, unavailable, message: "a prepared geometry holds GEOS handles of the thread that made it")
extension PreparedGeometry: Sendable {}
