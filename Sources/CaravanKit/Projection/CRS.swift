internal import CPROJ
import Foundation

/// A coordinate reference system, as a value.
///
/// Made from anything PROJ understands: `EPSG:n`, `ESRI:n`, a PROJ string (`+proj=... +type=crs`
/// is added when missing) or WKT. Holds its WKT (WKT2:2019), so it can cross threads and be
/// written into any output.
///
/// ```swift
/// let utm = try CRS("EPSG:32642")
/// utm.name          // "WGS 84 / UTM zone 42N"
/// utm.isGeographic  // false
/// ```
public struct CRS: Hashable, Sendable, CustomStringConvertible {
    /// WKT2:2019 of the CRS.
    public let wkt: String
    public let name: String
    /// "EPSG:4326", "ESRI:102025", or nil when the CRS has no known identifier.
    public let identifier: String?
    public let isGeographic: Bool
    /// The linear unit's size in metres (1 for metre CRSs); nil for geographic CRSs.
    public let metresPerUnit: Double?

    /// WGS 84 in longitude, latitude order (OGC:CRS84 axis order; EPSG:4326 datum): PROJ's own
    /// description of EPSG:4326 (PROJ 9.1, WKT2:2019), written out so that naming WGS 84 needs no
    /// PROJ (a CSV written with its lon/lat columns loads neither PROJ nor its database).
    /// `CRSTests` checks that it equals `CRS("EPSG:4326")` as this PROJ makes it.
    public static let wgs84 = CRS(wkt: wgs84WKT, name: "WGS 84", identifier: "EPSG:4326", isGeographic: true, metresPerUnit: nil)

    private static let wgs84WKT = """
        GEOGCRS["WGS 84",
            ENSEMBLE["World Geodetic System 1984 ensemble",
                MEMBER["World Geodetic System 1984 (Transit)"],
                MEMBER["World Geodetic System 1984 (G730)"],
                MEMBER["World Geodetic System 1984 (G873)"],
                MEMBER["World Geodetic System 1984 (G1150)"],
                MEMBER["World Geodetic System 1984 (G1674)"],
                MEMBER["World Geodetic System 1984 (G1762)"],
                MEMBER["World Geodetic System 1984 (G2139)"],
                ELLIPSOID["WGS 84",6378137,298.257223563,
                    LENGTHUNIT["metre",1]],
                ENSEMBLEACCURACY[2.0]],
            PRIMEM["Greenwich",0,
                ANGLEUNIT["degree",0.0174532925199433]],
            CS[ellipsoidal,2],
                AXIS["geodetic latitude (Lat)",north,
                    ORDER[1],
                    ANGLEUNIT["degree",0.0174532925199433]],
                AXIS["geodetic longitude (Lon)",east,
                    ORDER[2],
                    ANGLEUNIT["degree",0.0174532925199433]],
            USAGE[
                SCOPE["Horizontal component of 3D system."],
                AREA["World."],
                BBOX[-90,-180,90,180]],
            ID["EPSG",4326]]
        """

    public init(_ definition: String) throws { try self.init(definition, name: nil) }

    private init(wkt: String, name: String, identifier: String?, isGeographic: Bool, metresPerUnit: Double?) {
        self.wkt = wkt; self.name = name; self.identifier = identifier
        self.isGeographic = isGeographic; self.metresPerUnit = metresPerUnit
    }

    /// CRSs already made, by definition and name, and equivalences already decided: PROJ's
    /// database is searched once per process for each (`proj_identify` alone takes milliseconds).
    private struct Cache {
        var made: [String: CRS] = [:]
        var equivalent: [CRSPairKey: Bool] = [:]
    }
    private struct CRSPairKey: Hashable { let a: String; let b: String }
    private static let cache = Locked(Cache())

    /// A CRS from a definition, renamed (PROJ's proj_alter_name), e.g. for Caravan's own CRSs.
    public init(_ definition: String, name newName: String?) throws {
        let key = (newName ?? "") + "\u{0}" + definition
        if let known = CRS.cache.withLock({ $0.made[key] }) { self = known; return }
        try self.init(making: definition, name: newName)
        let made = self
        CRS.cache.withLock { $0.made[key] = made }
    }

    private init(making definition: String, name newName: String?) throws {
        var def = definition.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !def.isEmpty else { throw GeoError.invalid("empty CRS definition", hint: "use e.g. EPSG:4326, ESRI:102025 or a PROJ string") }
        if def.hasPrefix("+"), !def.contains("+type=crs") { def += " +type=crs" }
        if def.lowercased().hasPrefix("epsg:") || def.lowercased().hasPrefix("esri:") { def = def.uppercased() }
        let context = try PROJContext.current()
        let ctx = context.handle
        guard let pj = proj_create(ctx, def) else {
            let msg = context.lastErrorMessage
            throw GeoError(.projection, "cannot understand CRS '\(definition)': \(msg)", library: .proj,
                           code: Int(proj_context_errno(ctx)), operation: "proj_create",
                           hint: "use e.g. EPSG:4326, EPSG:32642, ESRI:102025 or '+proj=laea +lat_0=42 +lon_0=66 +datum=WGS84'")
        }
        defer { proj_destroy(pj) }
        if let newName, let renamed = proj_alter_name(ctx, pj, newName) {
            defer { proj_destroy(renamed) }
            try self.init(pj: renamed, context: ctx, definition: definition)
        } else {
            try self.init(pj: pj, context: ctx, definition: definition)
        }
    }

    init(pj: OpaquePointer, context ctx: OpaquePointer?, definition: String) throws {
        let type = proj_get_type(pj)
        let crsTypes: [PJ_TYPE] = [PJ_TYPE_GEOGRAPHIC_2D_CRS, PJ_TYPE_GEOGRAPHIC_3D_CRS, PJ_TYPE_GEODETIC_CRS,
                                   PJ_TYPE_GEOCENTRIC_CRS, PJ_TYPE_PROJECTED_CRS, PJ_TYPE_COMPOUND_CRS,
                                   PJ_TYPE_BOUND_CRS, PJ_TYPE_OTHER_CRS, PJ_TYPE_ENGINEERING_CRS]
        guard crsTypes.contains(type) else {
            throw GeoError(.projection, "'\(definition)' is not a coordinate reference system", library: .proj, operation: "proj_create")
        }
        var horizontal = pj
        var owned: OpaquePointer? = nil
        if type == PJ_TYPE_BOUND_CRS || type == PJ_TYPE_COMPOUND_CRS {
            let sub = type == PJ_TYPE_BOUND_CRS ? proj_get_source_crs(ctx, pj) : proj_crs_get_sub_crs(ctx, pj, 0)
            if let sub { horizontal = sub; owned = sub }
        }
        defer { if let owned { proj_destroy(owned) } }
        let htype = proj_get_type(horizontal)
        isGeographic = htype == PJ_TYPE_GEOGRAPHIC_2D_CRS || htype == PJ_TYPE_GEOGRAPHIC_3D_CRS
        guard let w = proj_as_wkt(ctx, pj, PJ_WKT2_2019, nil) else {
            throw GeoError(.projection, "cannot export CRS '\(definition)' as WKT", library: .proj, operation: "proj_as_wkt")
        }
        wkt = String(cString: w)
        name = proj_get_name(pj).map { String(cString: $0) } ?? "unnamed"
        if let auth = proj_get_id_auth_name(pj, 0), let code = proj_get_id_code(pj, 0) {
            identifier = "\(String(cString: auth)):\(String(cString: code))"
        } else {
            identifier = CRS.identify(pj, ctx)
        }
        if isGeographic {
            metresPerUnit = nil
        } else if let cs = proj_crs_get_coordinate_system(ctx, horizontal) {
            defer { proj_destroy(cs) }
            var factor = 1.0
            proj_cs_get_axis_info(ctx, cs, 0, nil, nil, nil, &factor, nil, nil, nil)
            metresPerUnit = factor
        } else {
            metresPerUnit = 1
        }
    }

    /// proj_identify: the best authority match at 90% confidence or more.
    private static func identify(_ pj: OpaquePointer, _ ctx: OpaquePointer?) -> String? {
        var confidence: UnsafeMutablePointer<Int32>? = nil
        guard let list = proj_identify(ctx, pj, nil, nil, &confidence) else { return nil }
        defer { proj_list_destroy(list); proj_int_list_destroy(confidence) }
        guard proj_list_get_count(list) > 0, let confidence, confidence[0] >= 90,
              let best = proj_list_get(ctx, list, 0) else { return nil }
        defer { proj_destroy(best) }
        guard let auth = proj_get_id_auth_name(best, 0), let code = proj_get_id_code(best, 0) else { return nil }
        return "\(String(cString: auth)):\(String(cString: code))"
    }

    /// EPSG code, where the CRS is an EPSG one.
    public var epsg: Int? {
        guard let id = identifier, id.hasPrefix("EPSG:") else { return nil }
        return Int(id.dropFirst(5))
    }

    public var description: String { identifier.map { "\($0) (\(name))" } ?? name }

    public static func == (a: CRS, b: CRS) -> Bool { a.wkt == b.wkt }

    /// Whether two CRSs describe the same system, whatever their WKT spelling or names
    /// (proj_is_equivalent_to, ignoring the axis order of geographic CRSs).
    public func isEquivalent(to other: CRS) -> Bool {
        if wkt == other.wkt { return true }
        let key = CRSPairKey(a: wkt, b: other.wkt)
        if let known = CRS.cache.withLock({ $0.equivalent[key] }) { return known }
        guard let ctx = try? PROJContext.current().handle,
              let a = proj_create(ctx, wkt), let b = proj_create(ctx, other.wkt) else { return false }
        defer { proj_destroy(a); proj_destroy(b) }
        let same = proj_is_equivalent_to_with_ctx(ctx, a, b, PJ_COMP_EQUIVALENT_EXCEPT_AXIS_ORDER_GEOGCRS) != 0
        CRS.cache.withLock { $0.equivalent[key] = same }
        return same
    }
    public func hash(into h: inout Hasher) { h.combine(wkt) }

    /// A Lambert azimuthal equal-area CRS centred on a lon/lat point: areas are exact,
    /// distances within ±0.3% up to 1,000 km from the centre. The analysis CRS of data outside
    /// the region. Its name is ASCII ("Caravan LAEA 43.2175N 67.6765E": QGIS shows a degree
    /// sign of a CRS name as a replacement character).
    public static func lambertEqualArea(center: LonLat) -> CRS {
        let lat = (center.lat * 1e4).rounded() / 1e4, lon = (center.lon * 1e4).rounded() / 1e4
        let ns = lat >= 0 ? "N" : "S", ew = lon >= 0 ? "E" : "W"
        let def = "+proj=laea +lat_0=\(lat) +lon_0=\(lon) +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs"
        return (try? CRS(def, name: "Caravan LAEA \(abs(lat))\(ns) \(abs(lon))\(ew)")) ?? .wgs84
    }

    /// The PROJ definition of the regional analysis CRS: Albers equal-area with standard
    /// parallels at 1/6 and 5/6 of the region's latitude span (29-57N), centred at 43N 67E.
    public static let regionalDefinition = "+proj=aea +lat_0=43 +lon_0=67 +lat_1=33.7 +lat_2=52.3 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs"

    /// The name of the regional analysis CRS.
    public static let regionalName = "Caravan Central Asia Albers"

    /// The region the fixed analysis CRS serves, in lon/lat: the shipped country layer
    /// (Central Asia, Afghanistan and their neighbours), 44-90E, 29-57N.
    public static let region = Envelope(minX: 44, minY: 29, maxX: 90, maxY: 57)

    /// The fixed regional analysis CRS (Albers equal-area, "Caravan Central Asia Albers"): the
    /// same cell has the same column and row in every run, whatever the data.
    public static let centralAsiaAlbers: CRS = (try? CRS(regionalDefinition, name: regionalName)) ?? .wgs84

    /// Whether data with this lon/lat extent belong to the region: within 5 degrees of it (the
    /// shipped roads reach 42.5-92.9E, 28.3-58.1N; the Albers's scale error there stays near 2 %).
    public static func isInRegion(_ lonLatExtent: Envelope) -> Bool {
        let r = region.expanded(by: 5)
        return !lonLatExtent.isEmpty && lonLatExtent.minX >= r.minX && lonLatExtent.maxX <= r.maxX
            && lonLatExtent.minY >= r.minY && lonLatExtent.maxY <= r.maxY
    }

    /// The automatic analysis CRS for data with this lon/lat extent: the fixed regional Albers
    /// (`centralAsiaAlbers`) when the data lie in the region, so grids are stable from run to
    /// run; otherwise Lambert azimuthal equal-area centred on the extent.
    public static func analysisCRS(for lonLatExtent: Envelope) -> CRS {
        isInRegion(lonLatExtent) ? centralAsiaAlbers : lambertEqualArea(center: LonLat(lonLatExtent.center))
    }

    /// Whether this is the fixed regional analysis CRS.
    public var isRegional: Bool { name == CRS.regionalName }
}
