import Foundation

/// Options of `routeAlongNetwork` (`caravan routes WAYPOINTS --network ROADS`).
public struct RouteOptions: AnalysisOptions {
    public static let command = "routes"
    /// The waypoint table: route, order and place columns (or points: a CSV's lon/lat, a point layer).
    public var waypoints: String
    /// Line layers making one network (roads, railways).
    public var network: [String]
    public var output: String
    public var routeColumn = "route"
    public var orderColumn = "order"
    public var placeColumn = "place"
    /// Country hint for every waypoint.
    public var country: String?
    /// Extra gazetteers.
    public var extra: [String] = []
    /// One feature per leg instead of one per route.
    public var legs = false
    /// A waypoint farther than this from the network is a gap (e.g. "5km").
    public var maxSnap = "5km"
    public var snap: SnapMode = .node
    public var cost: NetworkCost = .length
    /// Speed overrides for `--cost time`, e.g. ["road=70"].
    public var speed: [String] = []
    /// The road class field for `--cost time` (default: kind, class, fclass, highway or type).
    public var classField: String?
    public var search: PathSearch = .astar
    /// Country polygons: with them, the border crossings each route passes.
    public var countries: String?
    /// Known border posts naming the crossings (default: the posts shipped with Caravan).
    public var posts: String?
    public var overwrite = false

    public init(waypoints: String, network: [String], output: String) {
        self.waypoints = waypoints; self.network = network; self.output = output
    }

    public func validate() throws {
        if network.isEmpty { throw GeoError(.invalidArgument, "no network given", hint: "name a line layer with {network}, e.g. {network} shapefiles/roads.shp") }
        _ = try Distance.parse(maxSnap, option: "{maxSnap}")
        _ = try SpeedTable.parse(speed)
        if !speed.isEmpty && cost != .time { throw GeoError(.invalidArgument, "{speed} is only used with {cost} time", hint: "add {cost} time, or drop {speed}") }
    }
    public var inputPaths: [String] { [waypoints] + network + extra + [countries, posts].compactMap { $0 } }
    public var outputPaths: [String] { [output] }
    var maxSnapMetres: Double { (try? Distance.parse(maxSnap, option: "{maxSnap}").meters) ?? 5000 }
}

/// One waypoint as read and joined to the network.
struct Waypoint {
    var text: String
    var point: XY?
    /// Why it has no point (the geocoder's answer).
    var problem: String?
    var snap: Snap?
}

/// Geocodes or reads the waypoints of each route, in order.
func readWaypoints(_ o: RouteOptions, geocoder: () throws -> Geocoder) throws -> [(String, [Waypoint])] {
    let layer = try Dataset.open(o.waypoints).layer(named: nil)
    let s = layer.schema
    func index(_ name: String, _ flag: String) throws -> Int {
        guard let i = s.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(s.names.joined(separator: ", "))", file: o.waypoints, hint: "name it with \(flag)")
        }
        return i
    }
    let ri = try index(o.routeColumn, "{routeColumn}"), oi = try index(o.orderColumn, "{orderColumn}")
    let pi = s.index(of: o.placeColumn)
    let toLonLat = try (try layer.crs).map { try Transformer(from: $0, to: .wgs84) }
    var names: [String] = []
    var rows: [String: [(Double, Int64, String, XY?)]] = [:]
    try layer.forEach { f in
        let route = f.values[ri].stringValue ?? ""
        guard let n = f.values[oi].doubleValue else {
            throw GeoError(.invalidArgument, "the order '\(f.values[oi])' is not a number", file: o.waypoints, featureID: f.fid)
        }
        var pt: XY? = nil
        if case .point(let p)? = f.geometry { pt = try toLonLat?.transform(p) ?? p }
        let text = pi.flatMap { f.values[$0].stringValue } ?? pt.map { String(format: "%.5f, %.5f", $0.y, $0.x) } ?? ""
        if pt == nil && pi == nil {
            throw GeoError(.invalidArgument, "no column '\(o.placeColumn)' and no point; the columns are: \(s.names.joined(separator: ", "))",
                           file: o.waypoints, hint: "name the place column with {placeColumn}")
        }
        if rows[route] == nil { names.append(route) }
        rows[route, default: []].append((n, f.fid, text, pt))
    }
    guard !names.isEmpty else { throw GeoError(.invalidArgument, "the table has no rows", file: o.waypoints) }
    // Geocode every distinct text once.
    var queries: [String] = []
    var seen: Set<String> = []
    for r in rows.values { for w in r where w.3 == nil && seen.insert(w.2).inserted { queries.append(w.2) } }
    let answers = queries.isEmpty ? [:] : Dictionary(uniqueKeysWithValues: zip(queries, try geocoder().geocode(queries.map { ($0, o.country) })))
    return names.map { name in
        let stops = rows[name]!.sorted { ($0.0, $0.1) < ($1.0, $1.1) }
        return (name, stops.map { st in
            if let p = st.3 { return Waypoint(text: st.2, point: p) }
            let r = answers[st.2]!
            if r.status == .matched, let l = r.location { return Waypoint(text: st.2, point: l.xy) }
            return Waypoint(text: st.2, point: nil, problem: geocoderAnswer(r))
        })
    }
}

/// The geocoder's answer for a place it did not match, for a person.
func geocoderAnswer(_ r: GeocodeResult) -> String {
    let cands = r.candidates.prefix(3).map { "\($0.place.name) (\($0.place.country))" }.joined(separator: ", ")
    let what = r.status == .ambiguous ? "ambiguous" : "not found"
    return [what, r.reason, cands.isEmpty ? nil : "candidates: \(cands)"].compactMap { $0 }.joined(separator: "; ")
}

/// Joins points to the network: the nearest node, or (line mode) the nearest point on a line,
/// splitting it. A point farther than `maxMetres` gets a snap with node −1 (a gap) and its distance.
func snapPoints(_ pts: [XY], on net: RoadNetwork, mode: SnapMode, maxMetres: Double) -> (RoadNetwork, [Snap?]) {
    switch mode {
    case .node:
        let s = net.snapToNodes(pts).map { s -> Snap? in
            guard var s else { return nil }
            if s.metres > maxMetres { s.node = -1 }
            return s
        }
        return (net, s)
    case .line:
        let lp = net.nearestLinePoints(pts)
        let near = lp.compactMap { $0 }.filter { $0.metres <= maxMetres }
        let (split, ids) = net.splitting(at: near)
        var k = 0
        let s = lp.map { p -> Snap? in
            guard let p else { return nil }
            if p.metres > maxMetres { return Snap(node: -1, location: p.location, metres: p.metres) }
            defer { k += 1 }
            return Snap(node: ids[k], location: p.location, metres: p.metres)
        }
        return (split, s)
    }
}

func km(_ metres: Double, _ digits: Int = 1) -> String { String(format: "%.\(digits)f", metres / 1000) }

/// Routes along a network: each leg between consecutive waypoints is the shortest path on it.
/// Waypoints not found, too far from the network, and legs with no path are gaps (reported in
/// the `gaps` field and the summary); the route goes on from the next waypoint that joins.
public func routeAlongNetwork(_ o: RouteOptions, geocoder: Geocoder? = nil, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let speeds = try SpeedTable.parse(o.speed)
    // The gazetteer is loaded only when a waypoint needs geocoding.
    let routes = try readWaypoints(o) {
        if let geocoder { return geocoder }
        var g = Gazetteer.shared
        for e in o.extra { g = try g.adding(extraFrom: e) }
        return Geocoder(gazetteer: g)
    }
    context.progress("building the network")
    let base = try RoadNetwork.read(o.network, cost: o.cost, speeds: speeds, classField: o.classField, warnings: context.warnings)
    // Snap every located waypoint at once (line mode splits the lines once).
    var flat: [XY] = []
    for (_, ws) in routes { for w in ws { if let p = w.point { flat.append(p) } } }
    let maxM = o.maxSnapMetres
    let (net, snaps) = snapPoints(flat, on: base, mode: o.snap, maxMetres: maxM)
    var k = 0
    var located = routes
    for r in located.indices { for w in located[r].1.indices where located[r].1[w].point != nil { located[r].1[w].snap = snaps[k]; k += 1 } }
    let xs: NetworkCrossings
    if let c = o.countries {
        context.progress("finding the network's border crossings")
        xs = try NetworkCrossings.find(net, countries: c, posts: try RoutePost.read(o.posts))
    } else { xs = .none }
    // Legs between consecutive waypoints that joined the network.
    struct Leg { var route: Int; var from: Int; var to: Int }
    var legs: [Leg] = []
    for (ri, r) in located.enumerated() {
        var prev: Int? = nil
        for (wi, w) in r.1.enumerated() where (w.snap?.node ?? -1) >= 0 {
            if let p = prev { legs.append(Leg(route: ri, from: p, to: wi)) }
            prev = wi
        }
    }
    context.progress("routing \(legs.count) legs")
    let paths = net.shortestPaths(legs.map { (located[$0.route].1[$0.from].snap!.node, located[$0.route].1[$0.to].snap!.node) }, using: o.search)
    // Assemble per route.
    var routeRows: [[FieldValue]] = [], routeGeoms: [Geometry?] = []
    var legRows: [[FieldValue]] = [], legGeoms: [Geometry?] = []
    var summary: [String] = []
    var totalGaps = 0, totalKm = 0.0, totalCrossings = 0, unlisted = 0
    let withCrossings = o.countries != nil
    func crossingText(_ cs: [NetworkCrossing]) -> String {
        cs.map { c in "\(c.from ?? "?")→\(c.to ?? "?") \(c.label)" }.joined(separator: "; ")
    }
    for (ri, r) in located.enumerated() {
        var gaps: [String] = []
        for w in r.1 {
            if let p = w.problem { gaps.append("\(w.text): \(p)") }
            else if let s = w.snap, s.node < 0 { gaps.append("\(w.text): \(km(s.metres)) km from the network (max \(km(maxM)) km)") }
            else if w.snap == nil { gaps.append("\(w.text): no network to join") }
        }
        var parts: [[XY]] = []
        var metres = 0.0, cost = 0.0
        var crossings: [NetworkCrossing] = []
        var lastTo: Int? = nil
        for (li, leg) in legs.enumerated() where leg.route == ri {
            let a = r.1[leg.from], b = r.1[leg.to]
            guard let p = paths[li] else {
                gaps.append("\(a.text) → \(b.text): no path on the network (different components)")
                legRows.append([.string(r.0), .integer(Int64(legRows.count + 1)), .string(a.text), .string(b.text), .null, .null,
                                .real(round3(a.snap!.metres / 1000)), .real(round3(b.snap!.metres / 1000)), .string("no path"), .null])
                legGeoms.append(nil)
                lastTo = nil
                continue
            }
            let line = net.geometry(of: p)
            if lastTo == leg.from, !parts.isEmpty { parts[parts.count - 1] += line.drop { $0 == parts[parts.count - 1].last } }
            else { parts.append(line) }
            lastTo = leg.to
            metres += p.metres; cost += p.cost
            let cs = xs.along(p)
            crossings += cs
            legRows.append([.string(r.0), .integer(Int64(legRows.count + 1)), .string(a.text), .string(b.text), .real(round3(p.metres / 1000)),
                            o.cost == .time ? .real(round3(p.cost / 3600)) : .null,
                            .real(round3(a.snap!.metres / 1000)), .real(round3(b.snap!.metres / 1000)), .string("ok"),
                            withCrossings ? .string(crossingText(cs)) : .null])
            legGeoms.append(line.count >= 2 ? .lineString(line) : nil)
        }
        let found = r.1.filter { ($0.snap?.node ?? -1) >= 0 }.count
        let snapped = r.1.compactMap { w in w.snap.map { "\(w.text) \(km($0.metres, 2)) km" } }.joined(separator: "; ")
        routeRows.append([.string(r.0), .integer(Int64(r.1.count)), .integer(Int64(found)), .real(round3(metres / 1000)),
                          o.cost == .time ? .real(round3(cost / 3600)) : .null,
                          .integer(Int64(gaps.count)), gaps.isEmpty ? .null : .string(gaps.joined(separator: "; ")),
                          withCrossings ? .integer(Int64(crossings.count)) : .null, withCrossings ? .string(crossingText(crossings)) : .null,
                          snapped.isEmpty ? .null : .string(snapped)])
        let nonEmpty = parts.filter { $0.count >= 2 }
        routeGeoms.append(nonEmpty.isEmpty ? nil : .multiLineString(nonEmpty))
        totalGaps += gaps.count; totalKm += metres; totalCrossings += crossings.count
        unlisted += crossings.filter { $0.post == nil }.count
        var line = "\(r.0): \(found) of \(r.1.count) waypoints on the network, \(Int(metres / 1000)) km along it"
        if o.cost == .time { line += String(format: " (%.1f h)", cost / 3600) }
        if withCrossings { line += crossings.isEmpty ? "; no border crossing" : "; crosses \(crossingText(crossings))" }
        if !gaps.isEmpty { line += "; gaps: " + gaps.joined(separator: "; ") }
        summary.append(line)
    }
    let timeField = ResultField("time_h", .real, role: .measure, meaning: "travel time at the speed table's speeds", unit: "h", width: 12, precision: 3)
    let routeLayer = ResultLayer(
        name: "routes", kind: .corridors, title: "Corridors along the network", crs: .wgs84, geometryType: .multiLineString,
        fields: [ResultField("route", .string, role: .name, meaning: "route name"),
                 ResultField("waypoints", .integer, role: .count, meaning: "waypoints listed"),
                 ResultField("waypoints_found", .integer, role: .count, meaning: "waypoints found and joined to the network"),
                 ResultField("length_km", .real, role: .measure, meaning: "geodesic length along the network", unit: "km", width: 12, precision: 3),
                 timeField,
                 ResultField("gap_count", .integer, role: .count, meaning: "gaps: waypoints not found or too far, legs with no path"),
                 ResultField("gaps", .string, role: .text, meaning: "what each gap is"),
                 ResultField("crossing_count", .integer, role: .count, meaning: "border crossings passed"),
                 ResultField("crossings", .string, role: .text, meaning: "border crossings in order: from→to and the post (or unlisted)"),
                 ResultField("snapped", .string, role: .text, meaning: "how far each waypoint was from where it joined the network")],
        geometries: routeGeoms, rows: routeRows, metadata: ["cost": o.cost.rawValue, "snap": o.snap.rawValue, "max_snap": o.maxSnap])
    let legLayer = ResultLayer(
        name: "legs", kind: .corridors, title: "Legs of corridors along the network", crs: .wgs84, geometryType: .lineString,
        fields: [ResultField("route", .string, role: .name, meaning: "route name"),
                 ResultField("leg", .integer, role: .identifier, meaning: "leg number"),
                 ResultField("from", .string, role: .name, meaning: "waypoint the leg starts at"),
                 ResultField("to", .string, role: .name, meaning: "waypoint the leg ends at"),
                 ResultField("length_km", .real, role: .measure, meaning: "geodesic length along the network", unit: "km", width: 12, precision: 3),
                 timeField,
                 ResultField("from_snap_km", .real, role: .measure, meaning: "distance from the start waypoint to the network", unit: "km", width: 12, precision: 3),
                 ResultField("to_snap_km", .real, role: .measure, meaning: "distance from the end waypoint to the network", unit: "km", width: 12, precision: 3),
                 ResultField("status", .string, role: .category, meaning: "ok, or no path"),
                 ResultField("crossings", .string, role: .text, meaning: "border crossings in order")],
        geometries: legGeoms, rows: legRows)
    if !withCrossings { summary.append("crossings not computed: give the country polygons with {countries} (e.g. shapefiles/countries.shp)") }
    let figures: [String: Double] = ["routes": Double(located.count), "legs": Double(legs.count), "legsRouted": Double(paths.compactMap { $0 }.count),
                                     "gaps": Double(totalGaps), "km": totalKm / 1000, "crossings": Double(totalCrossings), "unlisted": Double(unlisted),
                                     "nodes": Double(net.nodeCount)]
    return AnalysisOutput(layers: o.legs ? [legLayer] : [routeLayer], summary: summary, figures: figures, warnings: context.warnings.messages)
}

func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
