import Foundation

// The geodesic corridors of `caravan routes` without --network (moved here from Geocoding/GeocodeTable.swift).

/// A corridor made from an ordered list of places.
public struct WaypointRoute: Sendable {
    public var name: String
    public var waypoints: Int
    public var matched: Int
    public var unmatched: [String]
    public var lengthKm: Double
    /// The line along great circles through the matched waypoints (nil with fewer than two).
    public var geometry: Geometry?
}

/// Geocodes waypoints and joins each route's points in order along geodesics (densified every 10 km).
public func buildRoutes(_ path: String, routeColumn: String, orderColumn: String, placeColumn: String,
                        geocoder: Geocoder, countryHint: String? = nil) throws -> [WaypointRoute] {
    let layer = try Dataset.open(path).layer(named: nil)
    let s = layer.schema
    func index(_ name: String) throws -> Int {
        guard let i = s.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(s.names.joined(separator: ", "))", file: path)
        }
        return i
    }
    let ri = try index(routeColumn), oi = try index(orderColumn), pi = try index(placeColumn)
    var order: [String] = []
    var rows: [String: [(Double, Int64, String)]] = [:]
    try layer.forEach { f in
        let route = f.values[ri].stringValue ?? ""
        guard let n = f.values[oi].doubleValue else {
            throw GeoError(.invalidArgument, "the order '\(f.values[oi])' is not a number", file: path, featureID: f.fid)
        }
        if rows[route] == nil { order.append(route) }
        rows[route, default: []].append((n, f.fid, f.values[pi].stringValue ?? ""))
    }
    guard !order.isEmpty else { throw GeoError(.invalidArgument, "the table has no rows", file: path) }
    var out: [WaypointRoute] = []
    for name in order {
        let stops = rows[name]!.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        let results = geocoder.geocode(stops.map { ($0.2, countryHint) })
        var pts: [LonLat] = [], missing: [String] = []
        for (stop, r) in zip(stops, results) {
            if r.status == .matched, let l = r.location { pts.append(l) } else { missing.append(stop.2) }
        }
        var line: [XY] = []
        var km = 0.0
        for k in 0..<pts.count {
            if k > 0 {
                km += Geodesic.distance(pts[k - 1], pts[k]) / 1000
                line += Geodesic.densify(from: pts[k - 1], to: pts[k], maxSpacing: 10_000).dropFirst()
            } else { line.append(pts[0].xy) }
            if k > 0 { line.append(pts[k].xy) }
        }
        // densify() includes each segment's start; keep every vertex once.
        var clean: [XY] = []
        for p in line where clean.last != p { clean.append(p) }
        out.append(WaypointRoute(name: name, waypoints: stops.count, matched: pts.count, unmatched: missing, lengthKm: km,
                                 geometry: clean.count >= 2 ? .lineString(clean) : nil))
    }
    return out
}

/// Writes routes with route, waypoints, matched, length_km, gaps, unmatched.
public func writeRoutes(_ routes: [WaypointRoute], to path: String, options: WriteOptions = WriteOptions()) throws {
    let w = try VectorWriter(path: path, layerName: "routes", geometryType: .lineString, crs: .wgs84,
                             fields: [FieldDefinition("route", .string), FieldDefinition("waypoints", .integer), FieldDefinition("matched", .integer),
                                      FieldDefinition("length_km", .real, width: 12, precision: 3), FieldDefinition("gaps", .integer),
                                      FieldDefinition("unmatched", .string)], options: options)
    for r in routes {
        try w.write(geometry: r.geometry, values: [.string(r.name), .integer(Int64(r.waypoints)), .integer(Int64(r.matched)),
                                                   .real((r.lengthKm * 1000).rounded() / 1000), .integer(Int64(r.unmatched.count)),
                                                   r.unmatched.isEmpty ? .null : .string(r.unmatched.joined(separator: "; "))])
    }
    try w.commit()
}
