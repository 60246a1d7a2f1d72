import Foundation

/// One place where a route crosses an international border.
public struct BorderCrossing: Sendable {
    public var routeFID: Int64
    public var routeID: String
    public var routeName: String?
    public var kind: String?
    /// The border's pair, e.g. "KZ-UZ".
    public var pair: String
    /// Countries in the direction of travel (known with a country layer).
    public var from: String?
    public var to: String?
    public var location: LonLat
    /// Distance along the route from its first vertex (geodesic for lon/lat routes).
    public var kmAlong: Double
    /// The nearest known border post and its distance, when posts were given.
    public var post: String?
    public var postKm: Double?
    public var unlisted: Bool?
    /// One of a pair of opposite crossings of the same border on one line, close together and
    /// far from any post: a straight chord of the line cutting a river border, not a crossing.
    public var artefact = false
    /// Which part of the route and which segment of it (from its vertex `segment` to the next)
    /// the crossing lies on: two crossings on one segment are a chord.
    var part = 0, segment = 0
    /// With merging: how many crossings and distinct routes the point stands for.
    public var crossings = 1
    public var routes = 1
    /// With merging: how many corridors the routes form. Routes that share an end vertex (the
    /// pieces of one road split at junctions, the short edges of a station yard) are one corridor.
    public var corridors = 1
    /// The end vertices of the route's parts, in the routes' CRS (to tell corridors apart).
    var ends: [XY] = []
    public var routeIDs: [String] = []
}

/// A known border post: its name, the border it is on and where.
public struct BorderPost: Sendable, Hashable {
    public var name: String
    /// The border pair ("KZ-UZ", codes sorted); nil when the posts layer does not say, and then
    /// the post may label a crossing of any border.
    public var pair: String?
    public var location: LonLat
    public init(name: String, pair: String?, location: LonLat) { self.name = name; self.pair = pair; self.location = location }
}

/// The parameters of `findCrossings` (the library's form of `CrossingOptions`, files read).
public struct CrossingParameters: Sendable {
    /// Country polygons (with `countryIDField`); border lines are then derived from them, and
    /// `from`/`to` come from the polygons on either side.
    public var countries: Layer.Snapshot?
    public var countryIDField = "iso_a2"
    /// Known border posts. A crossing is labelled with the nearest post on the same border.
    public var posts: [BorderPost] = []
    /// A crossing farther than this from every known post of its border is `unlisted`.
    public var unlistedMeters = 10_000.0
    /// Merge crossings of one border within this distance into one point (nil: no merging).
    public var mergeMeters: Double?
    /// Only borders with one of these countries (ISO codes; nil: every border).
    public var region: Set<String>?
    /// Two opposite crossings of one border on one straight segment of a line closer than this
    /// along the line, with no post of that border within `chordPostMeters`, are flagged
    /// `artefact` (nil: no check).
    public var chordMeters: Double? = 10_000
    /// A post this close to one of the two crossings makes them real (posts lie on the network's
    /// crossings, so a crossing at a post is within a km or two of it; a post 5 km away at the end
    /// of a bridge does not make a road along the river cross it).
    public var chordPostMeters = 3_000.0
    public var workers = processorCount
    public init() {}
}

/// How to read a route's attributes.
struct RouteFields {
    var id: Int?
    var name: Int?
    var kind: Int?
    init(_ schema: Schema) {
        id = schema.index(of: "id") ?? schema.index(of: "route_id") ?? schema.index(of: "edge_id")
        name = schema.index(of: "name") ?? schema.index(of: "route_name") ?? schema.index(of: "route")
        kind = schema.index(of: "kind") ?? schema.index(of: "type")
    }
    var names: [Int] { [id, name, kind].compactMap { $0 } }
}

/// A batch of routes for the crossing workers.
struct RouteBatch: Sendable {
    var coords: [XY] = []
    var starts: [Int] = []
    /// Per line: the route's ordinal and which part of the route it is, and the length of the route's earlier parts.
    var route: [Int] = []
    var part: [Int] = []
    var offsetKm: [Double] = []
}

/// A raw crossing found by a worker, before countries and posts are attached.
struct RawCrossing: Sendable {
    var route: Int
    var line: Int
    var point: XY
    var before: XY
    var after: XY
    var kmAlong: Double
    var part = 0
    var segment = 0
}

/// Finds every point where a route crosses a border line.
///
/// Works in the routes' own CRS (where their segments are straight). Border segments are
/// bucketed on a uniform grid; each route segment is tested exactly (orientation predicates)
/// against the border segments of the buckets it meets. A proper intersection is a crossing.
/// A route that meets the border at a vertex or runs along it for a while crosses only if it
/// leaves on the other side from where it came (a touch is not a crossing); the crossing is
/// placed where it leaves the border. Streams the routes; both cores work.
///
/// ```swift
/// let roads = try Dataset.open("shapefiles/roads.shp").layer(named: nil)
/// let borders = try Dataset.open("shapefiles/borders.shp").layer(named: nil)
/// let xs = try findCrossings(routes: roads, borders: borders, options: CrossingParameters())
/// ```
public func findCrossings(routes: Layer, borders: Layer, options: CrossingParameters, warnings: WarningLog = WarningLog(),
                          progress: (@Sendable (Int) -> Void)? = nil) throws -> [BorderCrossing] {
    let file = routes.dataset.path
    guard let routeCRS = try routes.crs else {
        throw GeoError(.projection, "the routes have no CRS", file: file, layer: routes.name, hint: "say what it is with {sSrs}")
    }
    guard routes.geometryType.dimensionFamily == 1 || routes.geometryType == .unknown else {
        throw GeoError(.invalidArgument, "crossings need route lines, and this layer holds \(routes.geometryType == .none ? "no geometry" : routes.geometryType.rawValue + "s")",
                       file: file, layer: routes.name)
    }
    // Border lines by pair, in the routes' CRS.
    var (pairs, lines) = try borderLines(borders, options: options, routeCRS: routeCRS, warnings: warnings)
    guard !lines.isEmpty else {
        throw GeoError(.invalidArgument, "no border lines", file: borders.dataset.path, layer: borders.name)
    }
    if let region = options.region {
        let keep = pairs.indices.filter { !Set(pairs[$0].split(separator: "-").map(String.init)).isDisjoint(with: region) }
        guard !keep.isEmpty else {
            throw GeoError(.invalidArgument, "no border of \(region.sorted().joined(separator: ", ")) among the \(Set(pairs).count) borders",
                           file: borders.dataset.path, layer: borders.name, hint: "name the countries with {region}, or {region} all")
        }
        pairs = keep.map { pairs[$0] }
        lines = keep.map { lines[$0] }
    }
    var ext = Envelope.empty
    for l in lines { for p in l { for q in p { ext.expand(q) } } }
    let bucket = max(ext.width, ext.height) / 256
    let index = SegmentIndex(lines: lines, bucket: bucket > 0 ? bucket : 1)
    let geographic = routeCRS.isGeographic
    let metresPerUnit = routeCRS.metresPerUnit ?? 1
    let fields = RouteFields(routes.schema)
    let cursor = try routes.features(fields: fields.names.map { routes.schema.fields[$0].name })
    var routeInfo: [(fid: Int64, id: String, name: String?, kind: String?)] = []
    var routeEnds: [[XY]] = []
    var raw: [RawCrossing] = []
    // A worker's state, made once: the stamps that keep a border segment from being tested
    // twice for one route part.
    struct Scanner { var stamp: [Int32]; var mark: Int32 = 0 }
    try runPipeline(
        workers: options.workers,
        make: { Scanner(stamp: [Int32](repeating: -1, count: index.segments.count)) },
        consume: { (scanner: inout Scanner, batch: RouteBatch) -> [RawCrossing] in
            var found: [RawCrossing] = []
            for li in 0..<batch.starts.count {
                let start = batch.starts[li], end = li + 1 < batch.starts.count ? batch.starts[li + 1] : batch.coords.count
                scanRoute(batch.coords[start..<end], route: batch.route[li], part: batch.part[li], offsetKm: batch.offsetKm[li], index: index,
                          stamp: &scanner.stamp, mark: &scanner.mark, geographic: geographic,
                          metresPerUnit: metresPerUnit, into: &found)
            }
            return found
        },
        merge: { raw += $0 },
        produce: { emit in
            var batch = RouteBatch()
            while let f = try cursor.next() {
                let ordinal = routeInfo.count
                routeInfo.append((f.fid, fields.id.flatMap { f.values[$0].stringValue } ?? String(f.fid),
                                  fields.name.flatMap { f.values[$0].stringValue }, fields.kind.flatMap { f.values[$0].stringValue }))
                routeEnds.append([])
                guard let g = f.geometry else { continue }
                if g.type.dimensionFamily != 1 {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where a route line is expected", file: file, layer: routes.name, featureID: f.fid)
                }
                var offset = 0.0
                let parts = g.linework.filter { $0.count > 1 }
                routeEnds[ordinal] = parts.flatMap { [$0[0], $0[$0.count - 1]] }
                for (k, part) in parts.enumerated() {
                    batch.starts.append(batch.coords.count)
                    batch.coords.append(contentsOf: part)
                    batch.route.append(ordinal)
                    batch.part.append(k)
                    batch.offsetKm.append(offset)
                    // Only a later part needs the length of the earlier ones (on the reading thread).
                    if k + 1 < parts.count { offset += lineLengthKm(part, geographic: geographic, metresPerUnit: metresPerUnit) }
                }
                if batch.coords.count >= 65_536 { try emit(batch); batch = RouteBatch(); progress?(routeInfo.count) }
            }
            if !batch.starts.isEmpty { try emit(batch) }
        })
    raw.sort { ($0.route, $0.kmAlong) < ($1.route, $1.kmAlong) }
    // Countries on either side, in the direction of travel.
    let labeller = try options.countries.map { try CountryLabeller($0, idField: options.countryIDField, crs: routeCRS) }
    let toLonLat = try Transformer(from: routeCRS, to: .wgs84)
    var out: [BorderCrossing] = []
    for r in raw {
        let info = routeInfo[r.route]
        var c = BorderCrossing(routeFID: info.fid, routeID: info.id, routeName: info.name, kind: info.kind, pair: pairs[r.line],
                               from: nil, to: nil, location: LonLat(try toLonLat.transform(r.point)), kmAlong: r.kmAlong)
        c.routeIDs = [info.id]
        c.ends = routeEnds[r.route]
        c.part = r.part
        c.segment = r.segment
        if let labeller {
            c.from = labeller.country(at: r.before)
            c.to = labeller.country(at: r.after)
            let members = pairs[r.line].split(separator: "-").map(String.init)
            if members.count == 2 {
                if c.from == nil, let t = c.to { c.from = members.first { $0 != t } }
                if c.to == nil, let f = c.from { c.to = members.first { $0 != f } }
            }
        }
        out.append(c)
    }
    // Posts of the same border only (a post on another border is no label, however near).
    func nearestPost(_ x: BorderCrossing) -> (name: String, meters: Double)? {
        var best: (String, Double)? = nil
        for p in options.posts where p.pair == nil || p.pair == x.pair {
            let d = Geodesic.distance(x.location, p.location)
            if best == nil || d < best!.1 { best = (p.name, d) }
        }
        return best
    }
    if let chord = options.chordMeters { flagChords(&out, within: chord, postWithin: options.chordPostMeters, nearestPost: nearestPost) }
    if let m = options.mergeMeters { out = mergeCrossings(out, withinMeters: m) }
    if !options.posts.isEmpty {
        for i in out.indices {
            let best = nearestPost(out[i])
            out[i].post = best?.name
            out[i].postKm = best.map { $0.meters / 1000 }
            out[i].unlisted = (best?.meters ?? .infinity) > options.unlistedMeters
        }
    }
    return out
}

/// Flags chords: two consecutive crossings of one line (sorted by route and distance along it)
/// on the same border and the same straight segment (the line has no vertex on the other side:
/// its straight chord between two vertices cuts the border, as the ~8 km chords of a
/// generalised road along the Panj do), in opposite directions, less than `within` apart, with
/// no post of that border within `postWithin` of either. Crossing one border line twice in a
/// row returns a route to the side it came from, so without country polygons consecutive
/// crossings of one pair are opposite too. An excursion with a vertex on the other side is
/// kept: the road's own data put it there (a Fergana valley road through a neighbour).
func flagChords(_ xs: inout [BorderCrossing], within: Double, postWithin: Double,
                nearestPost: (BorderCrossing) -> (name: String, meters: Double)?) {
    guard xs.count > 1 else { return }
    for i in 1..<xs.count {
        let a = xs[i - 1], b = xs[i]
        guard a.routeFID == b.routeFID, a.pair == b.pair, a.part == b.part, a.segment == b.segment,
              (b.kmAlong - a.kmAlong) * 1000 < within else { continue }
        if let f = a.from, let t = a.to, let f2 = b.from, let t2 = b.to, !(f == t2 && t == f2) { continue }
        let nearPost = [a, b].contains { (nearestPost($0)?.meters ?? .infinity) <= postWithin }
        if nearPost { continue }
        xs[i - 1].artefact = true
        xs[i].artefact = true
    }
}

/// Length of a route part in km (geodesic, fast form, for lon/lat).
private func lineLengthKm(_ part: [XY], geographic: Bool, metresPerUnit: Double) -> Double {
    guard part.count > 1 else { return 0 }
    var s = 0.0
    for k in 1..<part.count { s += geographic ? Geodesic.shortDistance(part[k - 1], part[k]) : hypot(part[k].x - part[k - 1].x, part[k].y - part[k - 1].y) * metresPerUnit }
    return s / 1000
}

/// Finds the crossings of one route part.
private func scanRoute(_ c: ArraySlice<XY>, route: Int, part: Int, offsetKm: Double, index: SegmentIndex, stamp: inout [Int32],
                       mark: inout Int32, geographic: Bool, metresPerUnit: Double, into found: inout [RawCrossing]) {
    let base = c.startIndex
    let n = c.count
    // km along: extended lazily, only as far as the crossings found so far.
    var cumulative: [Double] = [0]
    func kmAt(_ k: Int, _ t: Double) -> Double {
        while cumulative.count <= k {
            let j = cumulative.count
            let a = c[base + j - 1], b = c[base + j]
            cumulative.append(cumulative[j - 1] + (geographic ? Geodesic.shortDistance(a, b) : hypot(b.x - a.x, b.y - a.y) * metresPerUnit) / 1000)
        }
        // From the segment's start to the crossing point: geodesic for lon/lat routes.
        let a = c[base + k], b = c[base + k + 1]
        let p = XY(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
        let partial = geographic ? Geodesic.shortDistance(a, p) / 1000 : hypot(p.x - a.x, p.y - a.y) * metresPerUnit / 1000
        return offsetKm + cumulative[k] + partial
    }
    // Which vertices lie exactly on a border line (and on which).
    var onBorder: [Int32]? = nil
    for k in 0..<(n - 1) {
        let a = c[base + k], b = c[base + k + 1]
        // A border segment sits in several buckets: test it once per route segment.
        if mark == Int32.max { for i in stamp.indices { stamp[i] = -1 }; mark = 0 }
        mark += 1
        let mark = mark
        index.candidates(a, b) { si in
            if stamp[si] == mark { return }
            stamp[si] = mark
            let s = index.segments[si]
            if let (t, _) = properIntersection(a, b, s.a, s.b) {
                let p = XY(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y))
                let eps = min(1e-4, t / 2, (1 - t) / 2)
                found.append(RawCrossing(route: route, line: Int(s.line), point: p,
                                         before: XY(a.x + (t - eps) * (b.x - a.x), a.y + (t - eps) * (b.y - a.y)),
                                         after: XY(a.x + (t + eps) * (b.x - a.x), a.y + (t + eps) * (b.y - a.y)),
                                         kmAlong: kmAt(k, t), part: part, segment: k))
            }
            for (vi, v) in [(k, a), (k + 1, b)] where onSegment(v, s.a, s.b) {
                if onBorder == nil { onBorder = [Int32](repeating: -1, count: n) }
                onBorder![vi] = s.line
            }
        }
    }
    guard let on = onBorder else { return }
    // Runs of vertices on the border: a crossing only if the route leaves on the other side.
    var i = 0
    while i < n {
        guard on[i] >= 0 else { i += 1; continue }
        var j = i
        while j + 1 < n && on[j + 1] >= 0 { j += 1 }
        if i > 0 && j < n - 1 {
            let line = Int(on[j])
            let prev = c[base + i - 1], first = c[base + i], last = c[base + j], next = c[base + j + 1]
            let before = XY(first.x + (prev.x - first.x) * 1e-4, first.y + (prev.y - first.y) * 1e-4)
            let after = XY(last.x + (next.x - last.x) * 1e-4, last.y + (next.y - last.y) * 1e-4)
            // Sides relative to the border segments under the first and last on-border vertices.
            if let s1 = nearestSegment(first, line: line, index: index), let s2 = nearestSegment(last, line: line, index: index) {
                let side1 = orient(s1.a, s1.b, before), side2 = orient(s2.a, s2.b, after)
                if side1 != 0 && side2 != 0 && (side1 > 0) != (side2 > 0) {
                    found.append(RawCrossing(route: route, line: line, point: last, before: before, after: after, kmAlong: kmAt(j, 0),
                                             part: part, segment: j))
                }
            }
        }
        i = j + 1
    }
}

/// The border segment of `line` that a vertex lies on.
private func nearestSegment(_ p: XY, line: Int, index: SegmentIndex) -> SegmentIndex.Segment? {
    var found: SegmentIndex.Segment? = nil
    index.candidates(p, p) { si in
        let s = index.segments[si]
        if found == nil, Int(s.line) == line, onSegment(p, s.a, s.b) { found = s }
    }
    return found
}

/// Merges crossings of the same border closer than `withinMeters` (single linkage) into one
/// point each; crossings of different borders (at a tripoint) and artefacts stay apart.
func mergeCrossings(_ xs: [BorderCrossing], withinMeters m: Double) -> [BorderCrossing] {
    guard !xs.isEmpty else { return xs }
    var parent = Array(xs.indices)
    func find(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
    // Bucket by ~m in degrees of latitude (conservative in longitude below 60°N).
    let cellDeg = m / 111_000 * 2.1
    var buckets: [Int64: [Int]] = [:]
    for (i, x) in xs.enumerated() {
        let key = SegmentIndex.key(Int(floor(x.location.lon / cellDeg)), Int(floor(x.location.lat / cellDeg)))
        buckets[key, default: []].append(i)
    }
    for (i, x) in xs.enumerated() {
        let cx = Int(floor(x.location.lon / cellDeg)), cy = Int(floor(x.location.lat / cellDeg))
        for dx in -1...1 { for dy in -1...1 {
            for j in buckets[SegmentIndex.key(cx + dx, cy + dy)] ?? [] where j > i && xs[j].pair == x.pair && xs[j].artefact == x.artefact {
                if Geodesic.distance(x.location, xs[j].location) <= m { parent[find(j)] = find(i) }
            }
        } }
    }
    var groups: [Int: [Int]] = [:]
    for i in xs.indices { groups[find(i), default: []].append(i) }
    return groups.keys.sorted().map { root in
        let members = groups[root]!.map { xs[$0] }
        var c = members[0]
        c.location = LonLat(lon: members.map(\.location.lon).reduce(0, +) / Double(members.count),
                            lat: members.map(\.location.lat).reduce(0, +) / Double(members.count))
        c.crossings = members.count
        let ids = Array(Set(members.map(\.routeID))).sorted()
        c.routes = ids.count
        c.corridors = corridorCount(members)
        c.routeIDs = ids
        // Every member is on the same border; the first one's direction stands for the group.
        return c
    }
}

/// The number of corridors among crossings: routes joined when they share an end vertex.
func corridorCount(_ members: [BorderCrossing]) -> Int {
    var byRoute: [Int64: [XY]] = [:]
    for m in members { byRoute[m.routeFID] = m.ends }
    let routes = byRoute.keys.sorted()
    var parent = Array(routes.indices)
    func find(_ i: Int) -> Int { var i = i; while parent[i] != i { parent[i] = parent[parent[i]]; i = parent[i] }; return i }
    var owner: [XY: Int] = [:]
    for (i, r) in routes.enumerated() {
        for e in byRoute[r] ?? [] {
            if let j = owner[e] { parent[find(i)] = find(j) } else { owner[e] = i }
        }
    }
    return Set(routes.indices.map(find)).count
}

/// Point-in-country lookups with prepared polygons (main thread only).
final class CountryLabeller {
    private let countries: [(id: String, prepared: PreparedGeometry, envelope: Envelope)]
    init(_ snapshot: Layer.Snapshot, idField: String, crs: CRS) throws {
        guard let idIndex = snapshot.schema.index(of: idField) else {
            throw GeoError(.invalidArgument, "the countries have no field '\(idField)'; the fields are: \(snapshot.schema.names.joined(separator: ", "))",
                           file: snapshot.path, hint: "name the id field with {idField}, or derive border lines with 'caravan borders'")
        }
        let t = try Transformer(from: snapshot.crs, to: crs)
        var list: [(String, PreparedGeometry, Envelope)] = []
        for f in snapshot.features {
            guard let g = f.geometry, let id = f.values[idIndex].stringValue else { continue }
            let m = try t.transform(g)
            list.append((id, try PreparedGeometry(m), m.envelope))
        }
        countries = list
    }
    func country(at p: XY) -> String? {
        for c in countries where c.envelope.contains(p) && c.prepared.intersects(p) { return c.id }
        return nil
    }
}

/// Border lines by pair, in the routes' CRS: from a line layer with a `pair` field (or left/right),
/// or derived from country polygons.
private func borderLines(_ borders: Layer, options: CrossingParameters, routeCRS: CRS, warnings: WarningLog) throws -> ([String], [[[XY]]]) {
    var pairs: [String] = [], lines: [[[XY]]] = []
    let family = borders.geometryType.dimensionFamily
    if family == 2 {
        var o = BorderParameters(); o.idField = options.countryIDField
        let t = try Transformer(from: .wgs84, to: routeCRS)
        for b in try deriveBorders(borders, options: o, warnings: warnings) {
            pairs.append(b.pair)
            lines.append(try t.transform(b.geometry).linework)
        }
        return (pairs, lines)
    }
    guard family == 1 else {
        throw GeoError(.invalidArgument, "borders must be country polygons or border lines, not \(borders.geometryType.rawValue)s",
                       file: borders.dataset.path, layer: borders.name)
    }
    let schema = borders.schema
    let pairIndex = schema.index(of: "pair")
    let leftIndex = schema.index(of: "left") ?? schema.index(of: "left_iso") ?? schema.index(of: "adm0_a3_l")
    let rightIndex = schema.index(of: "right") ?? schema.index(of: "right_iso") ?? schema.index(of: "adm0_a3_r")
    guard pairIndex != nil || (leftIndex != nil && rightIndex != nil) else {
        throw GeoError(.invalidArgument, "the border lines have no country fields (pair, or left and right); the fields are: \(schema.names.joined(separator: ", "))",
                       file: borders.dataset.path, layer: borders.name,
                       hint: "make border lines from country polygons with 'caravan borders', or pass the country polygons instead")
    }
    guard let crs = try borders.crs else {
        throw GeoError(.projection, "the border lines have no CRS", file: borders.dataset.path, hint: "say what it is with {sSrs}")
    }
    let t = try Transformer(from: crs, to: routeCRS)
    try borders.forEach { f in
        guard let g = f.geometry else { return }
        let pair = pairIndex.flatMap { f.values[$0].stringValue }
            ?? [leftIndex, rightIndex].compactMap { $0.flatMap { f.values[$0].stringValue } }.sorted().joined(separator: "-")
        pairs.append(pair)
        lines.append(try t.transform(g).linework)
    }
    return (pairs, lines)
}

extension Layer {
    /// A layer's features held in memory (small layers only: countries, posts), with its CRS.
    public struct Snapshot: Sendable {
        public var path: String
        public var schema: Schema
        public var crs: CRS
        public var features: [Feature]
    }

    /// Reads a small layer whole. Throws when it has no CRS.
    public func snapshot() throws -> Snapshot {
        guard let crs = try crs else {
            throw GeoError(.projection, "the layer has no CRS", file: dataset.path, layer: name, hint: "say what it is with {sSrs}")
        }
        var fs: [Feature] = []
        try forEach { fs.append($0) }
        return Snapshot(path: dataset.path, schema: schema, crs: crs, features: fs)
    }
}
