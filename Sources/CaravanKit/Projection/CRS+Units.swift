internal import CPROJ
import Foundation

/// What kind of coordinates a CRS gives, for the analyses that measure in metres.
public enum CRSKind: String, Sendable {
    /// Longitude and latitude (degrees): cells would not have one size.
    case geographic
    /// X, Y, Z from the earth's centre (EPSG:4978): not a map at all.
    case geocentric
    /// Easting and northing on a map projection.
    case projected
    /// Engineering, vertical or other CRSs caravan does not grid in.
    case other
}

extension CRS {
    /// The kind of the CRS's horizontal part (a compound CRS's first, a bound CRS's source).
    public var kind: CRSKind {
        CRS.withParsed(wkt) { ctx, pj in
            guard let pj else { return .other }
            let horizontal = CRS.horizontal(ctx, pj)
            defer { if horizontal != pj { proj_destroy(horizontal) } }
            switch proj_get_type(horizontal) {
            case PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS: return .geographic
            case PJ_TYPE_GEOCENTRIC_CRS: return .geocentric
            case PJ_TYPE_GEODETIC_CRS:
                // A geodetic CRS that is not geographic has a Cartesian coordinate system.
                return .geocentric
            case PJ_TYPE_PROJECTED_CRS: return .projected
            default: return .other
            }
        }
    }

    /// The unit of each horizontal axis as PROJ reads it: (name, metres per unit).
    public var axisUnits: [(name: String, metres: Double)] {
        CRS.withParsed(wkt) { ctx, pj in
            guard let pj else { return [] }
            let horizontal = CRS.horizontal(ctx, pj)
            defer { if horizontal != pj { proj_destroy(horizontal) } }
            guard let cs = proj_crs_get_coordinate_system(ctx, horizontal) else { return [] }
            defer { proj_destroy(cs) }
            var out: [(String, Double)] = []
            for i in 0 ..< min(2, Int(proj_cs_get_axis_count(ctx, cs))) {
                var factor = 0.0
                var unit: UnsafePointer<CChar>? = nil
                guard proj_cs_get_axis_info(ctx, cs, Int32(i), nil, nil, nil, &factor, &unit, nil, nil) != 0 else { continue }
                out.append((unit.map { String(cString: $0) } ?? "unknown unit", factor))
            }
            return out
        }
    }

    /// The CRS an analysis grids in when the user names this one with `flag` (`--crs`): a
    /// projected CRS in metres as it is; one in feet, US survey feet, kilometres… as the same
    /// projection with its axes in metres (the cells, lengths and areas caravan computes are in
    /// metres: EPSG:2263's feet read as metres made 238,004 km of railway out of 71,566);
    /// geographic, geocentric and other CRSs refused with a one-line error.
    public func forMetricAnalysis(flag: String = "{crs}") throws -> CRS {
        let hint = "use a projected CRS in metres (e.g. \(flag) EPSG:32642, UTM 42N), or leave \(flag) out for an equal-area CRS centred on the data"
        switch kind {
        case .geographic:
            throw GeoError(.invalidArgument, "\(flag) \(self) is geographic (degrees): cells would not have one size", hint: hint)
        case .geocentric:
            throw GeoError(.invalidArgument, "\(flag) \(self) is geocentric (X, Y, Z from the earth's centre), not a map projection", hint: hint)
        case .other:
            throw GeoError(.invalidArgument, "\(flag) \(self) is not a projected CRS", hint: hint)
        case .projected:
            break
        }
        let units = axisUnits
        guard units.count == 2, units.allSatisfy({ $0.metres.isFinite && $0.metres > 0 }) else {
            throw GeoError(.invalidArgument, "\(flag) \(self): PROJ gives no linear unit for its axes", hint: hint)
        }
        guard abs(units[0].metres - units[1].metres) <= 1e-12 * units[0].metres else {
            throw GeoError(.invalidArgument, "\(flag) \(self) has axes in different units (\(units[0].name), \(units[1].name))", hint: hint)
        }
        if abs(units[0].metres - 1) <= 1e-12 { return self }
        return try inMetres(unitName: units[0].name)
    }

    /// The same CRS with its axes in metres (PROJ's proj_crs_alter_cs_linear_unit: the
    /// projection's parameters keep their own units, so false eastings are converted too).
    func inMetres(unitName: String) throws -> CRS {
        let ctx = proj_context_create()
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        guard let pj = proj_create(ctx, wkt) else {
            throw GeoError(.projection, "cannot read \(self) again", library: .proj, operation: "proj_create")
        }
        defer { proj_destroy(pj) }
        guard let metric = proj_crs_alter_cs_linear_unit(ctx, pj, "metre", 1.0, "EPSG", "9001") else {
            throw GeoError(.projection, "cannot express \(self) in metres (its axes are in \(unitName))", library: .proj,
                           operation: "proj_crs_alter_cs_linear_unit", hint: "use a projected CRS in metres")
        }
        defer { proj_destroy(metric) }
        let newName = "\(name) in metres (from \(unitName))"
        guard let renamed = proj_alter_name(ctx, metric, newName) else {
            return try CRS(pj: metric, context: ctx, definition: newName)
        }
        defer { proj_destroy(renamed) }
        return try CRS(pj: renamed, context: ctx, definition: newName)
    }

    /// The CRS's horizontal part when it has a third axis (a geographic or projected 3-D CRS
    /// such as EPSG:4979, or a compound CRS with heights such as EPSG:4326+5773); nil when it is
    /// 2-D already. Caravan's geometries are 2-D, so its outputs declare this CRS (VectorWriter).
    public var twoDimensional: CRS? {
        CRS.withParsed(wkt) { ctx, pj -> CRS? in
            guard let pj else { return nil }
            switch proj_get_type(pj) {
            case PJ_TYPE_COMPOUND_CRS:
                guard let sub = proj_crs_get_sub_crs(ctx, pj, 0) else { return nil }
                defer { proj_destroy(sub) }
                let flat = try? CRS(pj: sub, context: ctx, definition: name)
                return flat.map { $0.twoDimensional ?? $0 }
            case PJ_TYPE_BOUND_CRS:
                guard let src = proj_get_source_crs(ctx, pj) else { return nil }
                defer { proj_destroy(src) }
                guard let inner = try? CRS(pj: src, context: ctx, definition: name) else { return nil }
                return inner.twoDimensional
            case PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_PROJECTED_CRS:
                guard let cs = proj_crs_get_coordinate_system(ctx, pj) else { return nil }
                let axes = proj_cs_get_axis_count(ctx, cs)
                proj_destroy(cs)
                guard axes >= 3, let flat = proj_crs_demote_to_2D(ctx, nil, pj) else { return nil }
                defer { proj_destroy(flat) }
                return try? CRS(pj: flat, context: ctx, definition: name)
            default:
                return nil
            }
        }
    }

    /// Runs `body` on the CRS parsed from its WKT in a context of its own.
    static func withParsed<T>(_ wkt: String, _ body: (OpaquePointer?, OpaquePointer?) -> T) -> T {
        let ctx = proj_context_create()
        defer { proj_context_destroy(ctx) }
        proj_log_level(ctx, PJ_LOG_NONE)
        let pj = proj_create(ctx, wkt)
        defer { if let pj { proj_destroy(pj) } }
        return body(ctx, pj)
    }

    /// A bound CRS's source, a compound CRS's first component, else the CRS itself.
    static func horizontal(_ ctx: OpaquePointer?, _ pj: OpaquePointer) -> OpaquePointer {
        switch proj_get_type(pj) {
        case PJ_TYPE_BOUND_CRS:
            guard let s = proj_get_source_crs(ctx, pj) else { return pj }
            let inner = horizontal(ctx, s)
            if inner != s { proj_destroy(s) }
            return inner
        case PJ_TYPE_COMPOUND_CRS:
            guard let s = proj_crs_get_sub_crs(ctx, pj, 0) else { return pj }
            let inner = horizontal(ctx, s)
            if inner != s { proj_destroy(s) }
            return inner
        default: return pj
        }
    }
}
