internal import CGEOS
import Foundation

/// Predicates and operations on geometry values, computed by GEOS.
///
/// Each call converts its inputs to GEOS once, in bulk (WKB), on the calling thread's
/// context. For many predicates against one geometry, use `PreparedGeometry`.
extension Geometry {
    private func predicate(_ other: Geometry, _ name: String,
                           _ f: (OpaquePointer, OpaquePointer, OpaquePointer) -> CChar) throws -> Bool {
        try GEOS.withContext { c in
            try c.with([self, other]) { g in
                c.reset()
                let r = f(c.handle, g[0], g[1])
                if r == 2 { throw c.failure(name) }
                return r == 1
            }
        }
    }

    /// GEOSIntersects_r.
    public func intersects(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSIntersects_r") { GEOSIntersects_r($0, $1, $2) } }
    /// GEOSContains_r.
    public func contains(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSContains_r") { GEOSContains_r($0, $1, $2) } }
    /// GEOSWithin_r.
    public func within(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSWithin_r") { GEOSWithin_r($0, $1, $2) } }
    /// GEOSTouches_r.
    public func touches(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSTouches_r") { GEOSTouches_r($0, $1, $2) } }
    /// GEOSCrosses_r.
    public func crosses(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSCrosses_r") { GEOSCrosses_r($0, $1, $2) } }
    /// GEOSDisjoint_r.
    public func disjoint(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSDisjoint_r") { GEOSDisjoint_r($0, $1, $2) } }
    /// GEOSEquals_r (topological equality).
    public func topologicallyEquals(_ other: Geometry) throws -> Bool { try predicate(other, "GEOSEquals_r") { GEOSEquals_r($0, $1, $2) } }

    private func binary(_ other: Geometry, _ name: String,
                        _ f: (OpaquePointer, OpaquePointer, OpaquePointer) -> OpaquePointer?) throws -> Geometry {
        try GEOS.withContext { c in
            try c.with([self, other]) { g in
                c.reset()
                return try c.take(f(c.handle, g[0], g[1]), name)
            }
        }
    }

    private func unary(_ name: String, _ f: (OpaquePointer, OpaquePointer) -> OpaquePointer?) throws -> Geometry {
        try GEOS.withContext { c in
            try c.with([self]) { g in
                c.reset()
                return try c.take(f(c.handle, g[0]), name)
            }
        }
    }

    /// GEOSIntersection_r.
    public func intersection(_ other: Geometry) throws -> Geometry { try binary(other, "GEOSIntersection_r") { GEOSIntersection_r($0, $1, $2) } }
    /// GEOSIntersectionPrec_r: the intersection on a precision grid of `gridSize` (snap-rounded
    /// noding), so that nearly collinear edges overlap instead of crossing at points.
    public func intersection(_ other: Geometry, gridSize: Double) throws -> Geometry {
        try binary(other, "GEOSIntersectionPrec_r") { GEOSIntersectionPrec_r($0, $1, $2, gridSize) }
    }
    /// GEOSDifference_r.
    public func difference(_ other: Geometry) throws -> Geometry { try binary(other, "GEOSDifference_r") { GEOSDifference_r($0, $1, $2) } }
    /// GEOSUnion_r.
    public func union(_ other: Geometry) throws -> Geometry { try binary(other, "GEOSUnion_r") { GEOSUnion_r($0, $1, $2) } }
    /// GEOSUnaryUnion_r: dissolves a collection.
    public func unaryUnion() throws -> Geometry { try unary("GEOSUnaryUnion_r") { GEOSUnaryUnion_r($0, $1) } }
    /// GEOSBoundary_r.
    public func boundary() throws -> Geometry { try unary("GEOSBoundary_r") { GEOSBoundary_r($0, $1) } }
    /// GEOSLineMerge_r: joins line parts that meet end to end.
    public func lineMerged() throws -> Geometry { try unary("GEOSLineMerge_r") { GEOSLineMerge_r($0, $1) } }
    /// GEOSBuffer_r with 8 segments per quadrant.
    public func buffered(by distance: Double) throws -> Geometry { try unary("GEOSBuffer_r") { GEOSBuffer_r($0, $1, distance, 8) } }
    /// GEOSSnap_r: snaps the vertices of `self` to those of `other` within `tolerance`.
    public func snapped(to other: Geometry, tolerance: Double) throws -> Geometry {
        try binary(other, "GEOSSnap_r") { GEOSSnap_r($0, $1, $2, tolerance) }
    }
    /// GEOSClipByRect_r: fast clip to a rectangle (result not guaranteed valid for polygons).
    public func clipped(to r: Envelope) throws -> Geometry {
        try unary("GEOSClipByRect_r") { GEOSClipByRect_r($0, $1, r.minX, r.minY, r.maxX, r.maxY) }
    }
    /// GEOSMakeValidWithParams_r with the STRUCTURE method (keeps areas, drops collapsed parts).
    public func madeValid() throws -> Geometry {
        try GEOS.withContext { c in
            try c.with([self]) { g in
                guard let params = GEOSMakeValidParams_create_r(c.handle) else { throw c.failure("GEOSMakeValidParams_create_r") }
                defer { GEOSMakeValidParams_destroy_r(c.handle, params) }
                GEOSMakeValidParams_setMethod_r(c.handle, params, GEOS_MAKE_VALID_STRUCTURE)
                GEOSMakeValidParams_setKeepCollapsed_r(c.handle, params, 0)
                c.reset()
                return try c.take(GEOSMakeValidWithParams_r(c.handle, g[0], params), "GEOSMakeValidWithParams_r")
            }
        }
    }

    /// GEOSisValid_r.
    public var isValid: Bool {
        get throws {
            try GEOS.withContext { c in
                try c.with([self]) { g in
                    c.reset()
                    let r = GEOSisValid_r(c.handle, g[0])
                    if r == 2 { throw c.failure("GEOSisValid_r") }
                    return r == 1
                }
            }
        }
    }

    /// GEOSisValidReason_r: "Valid Geometry", or e.g. "Self-intersection[69.1 41.2]".
    public var validityReason: String {
        get throws {
            try GEOS.withContext { c in
                try c.with([self]) { g in
                    c.reset()
                    guard let s = GEOSisValidReason_r(c.handle, g[0]) else { throw c.failure("GEOSisValidReason_r") }
                    defer { GEOSFree_r(c.handle, s) }
                    return String(cString: s)
                }
            }
        }
    }

    /// GEOSArea_r: planar area in CRS units squared.
    public var area: Double {
        get throws {
            try GEOS.withContext { c in
                try c.with([self]) { g in
                    var a = 0.0
                    c.reset()
                    if GEOSArea_r(c.handle, g[0], &a) == 0 { throw c.failure("GEOSArea_r") }
                    return a
                }
            }
        }
    }

    /// GEOSDistance_r: planar distance.
    public func distance(to other: Geometry) throws -> Double {
        try GEOS.withContext { c in
            try c.with([self, other]) { g in
                var d = 0.0
                c.reset()
                if GEOSDistance_r(c.handle, g[0], g[1], &d) == 0 { throw c.failure("GEOSDistance_r") }
                return d
            }
        }
    }

    /// GEOSProject_r: distance along a line to the point nearest `point`.
    public func projectDistance(of point: XY) throws -> Double {
        try GEOS.withContext { c in
            try c.with([self, .point(point)]) { g in
                c.reset()
                let d = GEOSProject_r(c.handle, g[0], g[1])
                if d < 0 { throw c.failure("GEOSProject_r") }
                return d
            }
        }
    }
}

extension Geometry {
    /// GEOSGetCentroid_r.
    public func centroid() throws -> XY {
        let c = try GEOS.withContext { c in
            try c.with([self]) { g in
                c.reset()
                return try c.take(GEOSGetCentroid_r(c.handle, g[0]), "GEOSGetCentroid_r")
            }
        }
        guard case .point(let p) = c, !p.x.isNaN else { throw GeoError(.geometry, "the geometry has no centroid (empty)") }
        return p
    }
}
