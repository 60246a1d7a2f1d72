import Foundation

/// A known border post: its name, other names it goes by, and where it is.
struct RoutePost: Sendable, Hashable {
    public var name: String
    public var aliases: [String]
    public var location: LonLat
    /// The border the post is on ("AF-UZ"), when the layer says.
    public var pair: String? = nil

    /// Reads posts (points with a `name` field; `name_a`, `name_b` and `|`-separated `aliases`
    /// are other names). Without a path: the posts shipped with Caravan.
    public static func read(_ path: String? = nil) throws -> [RoutePost] {
        guard let file = path ?? Bundle.module.path(forResource: "border_posts", ofType: "geojson") else {
            throw GeoError(.open, "the shipped border posts are missing", hint: "name a posts layer with {posts}")
        }
        let l = try Dataset.open(file).layer(named: nil)
        guard let crs = try l.crs else { throw GeoError(.projection, "the posts have no CRS", file: file, hint: "add a .prj, or convert them to EPSG:4326") }
        let t = try Transformer(from: crs, to: .wgs84)
        let s = l.schema
        let ni = s.index(of: "name"), ai = s.index(of: "name_a"), bi = s.index(of: "name_b"), al = s.index(of: "aliases"), pi = s.index(of: "pair")
        var out: [RoutePost] = []
        try l.forEach { f in
            guard let p = f.geometry?.points.first else { return }
            let name = ni.flatMap { f.values[$0].stringValue } ?? String(f.fid)
            var aliases: [String] = [ai, bi].compactMap { $0.flatMap { f.values[$0].stringValue } }.filter { !$0.isEmpty }
            if let a = al.flatMap({ f.values[$0].stringValue }) {
                aliases += a.split(separator: "|").map { s in
                    var s = s.trimmingCharacters(in: .whitespaces)
                    if s.hasPrefix("a:") || s.hasPrefix("b:") { s = String(s.dropFirst(2)) }
                    return s
                }.filter { !$0.isEmpty }
            }
            let pair = pi.flatMap { f.values[$0].stringValue }.flatMap { $0.isEmpty ? nil : $0 }
            out.append(RoutePost(name: name, aliases: aliases, location: LonLat(try t.transform(p)), pair: pair))
        }
        return out
    }

    /// A name folded for matching: lower case, dashes and spaces alike.
    static func fold(_ s: String) -> String {
        let lowered = s.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
        var out = ""
        var lastSpace = false
        for ch in lowered {
            if ch.isLetter || ch.isNumber { out.append(ch); lastSpace = false }
            else if !lastSpace && !out.isEmpty { out.append(" "); lastSpace = true }
        }
        return out.trimmingCharacters(in: .whitespaces)
    }

    /// The post named `name` (by its name, a side's name or an alias), or the closest spellings.
    static func find(_ name: String, in posts: [RoutePost]) -> (RoutePost?, [String]) {
        let q = fold(name)
        // The name without its parenthesis ("Termez–Hairatan" for "Termez–Hairatan (Friendship Bridge)") counts too.
        func short(_ n: String) -> String { fold(n.split(separator: "(").first.map(String.init) ?? n) }
        if let p = posts.first(where: { fold($0.name) == q }) ?? posts.first(where: { short($0.name) == q })
            ?? posts.first(where: { $0.aliases.contains { fold($0) == q || short($0) == q } }) {
            return (p, [])
        }
        let ranked = posts.map { p -> (String, Int) in
            (p.name, ([p.name] + p.aliases).map { postEditDistance(fold($0), q) }.min() ?? .max)
        }.sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        return (nil, ranked.prefix(3).map(\.0))
    }
}

/// Levenshtein distance (for naming the nearest match of a misspelt post).
private func postEditDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a), b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
    for i in 1...a.count {
        cur[0] = i
        for j in 1...b.count { cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)) }
        swap(&prev, &cur)
    }
    return prev[b.count]
}

/// A place where a network line crosses an international border.
public struct NetworkCrossing: Sendable, Hashable {
    public var line: Int32
    /// Metres from the line's first vertex.
    public var along: Double
    /// e.g. "AF-UZ".
    public var pair: String
    /// Countries in the line's own direction.
    public var from: String?
    public var to: String?
    public var location: LonLat
    /// The nearest known post within `unlisted` distance (nil: unlisted).
    public var post: String?
    /// The nearest known post however far, and its distance.
    public var nearestPost: String?
    public var postKm: Double?

    /// The post, or "unlisted AF-UZ crossing at 37.2301, 67.1234".
    public var label: String {
        post ?? String(format: "unlisted %@ crossing at %.4f, %.4f", pair, location.lat, location.lon)
    }
}

/// The border crossings of every line of a network, found once with `findCrossings` on the
/// network's own layers (so a route's crossings are those of the lines it follows).
public struct NetworkCrossings: Sendable {
    public var crossings: [NetworkCrossing]
    /// Per line: indices into `crossings`, ordered along the line.
    var byLine: [Int32: [Int]]
    var posts: [RoutePost]

    public static let none = NetworkCrossings(crossings: [], byLine: [:], posts: [])

    /// Finds the crossings of the network's lines. `countries`: country polygons (iso_a2).
    static func find(_ net: RoadNetwork, countries: String, posts: [RoutePost], unlistedMeters: Double = 10_000) throws -> NetworkCrossings {
        let countryLayer = try Dataset.open(countries).layer(named: nil)
        var o = CrossingParameters()
        if countryLayer.geometryType.dimensionFamily == 2 { o.countries = try countryLayer.snapshot() }
        o.posts = posts.map { BorderPost(name: $0.name, pair: $0.pair, location: $0.location) }
        o.unlistedMeters = unlistedMeters
        // Lines by (source, fid), with pieces of split lines.
        var byFeature: [Int64: [Int32]] = [:]
        for (i, l) in net.lines.enumerated() { byFeature[Int64(l.source) << 48 ^ l.fid, default: []].append(Int32(i)) }
        var found: [NetworkCrossing] = []
        for (si, path) in net.sources.enumerated() where path != "memory" {
            let layer = try Dataset.open(path).layer(named: nil)
            for x in try findCrossings(routes: layer, borders: countryLayer, options: o) {
                guard let cands = byFeature[Int64(si) << 48 ^ x.routeFID] else { continue }
                // The line (or piece) the crossing lies on, and how far along it.
                var best: (Int32, Double, Double)? = nil
                for li in cands {
                    let (d, along) = net.project(x.location.xy, onLine: Int(li))
                    if best == nil || d < best!.1 { best = (li, d, along) }
                }
                guard let (li, _, along) = best else { continue }
                let unlisted = x.unlisted ?? true
                found.append(NetworkCrossing(line: li, along: along, pair: x.pair, from: x.from, to: x.to, location: x.location,
                                             post: unlisted ? nil : x.post, nearestPost: x.post, postKm: x.postKm))
            }
        }
        var byLine: [Int32: [Int]] = [:]
        for (i, c) in found.enumerated() { byLine[c.line, default: []].append(i) }
        for k in byLine.keys { byLine[k]!.sort { found[$0].along < found[$1].along } }
        return NetworkCrossings(crossings: found, byLine: byLine, posts: posts)
    }

    /// The crossings a path passes, in travel order, with from/to in the direction of travel.
    public func along(_ path: NetworkPath) -> [NetworkCrossing] {
        guard !byLine.isEmpty else { return [] }
        var out: [NetworkCrossing] = []
        for (li, rev) in zip(path.lines, path.reversed) {
            guard let list = byLine[li] else { continue }
            for i in (rev ? list.reversed() : list) {
                var c = crossings[i]
                if rev { swap(&c.from, &c.to) }
                out.append(c)
            }
        }
        return out
    }

    /// Whether any crossing lies on this line.
    func has(_ line: Int32) -> Bool { byLine[line] != nil }
}

extension RoadNetwork {
    /// Distance (local metres) from p to line `i`, and how far along the line (geodesic metres) its nearest point lies.
    func project(_ p: XY, onLine i: Int) -> (Double, Double) {
        let v = vertices(of: i)
        var best = (Double.infinity, 0.0)
        var run = 0.0
        var k = v.startIndex
        if v.count == 1 { return (localMetres(p, v[k]), 0) }
        while k + 1 < v.endIndex {
            let (t, q) = closestPoint(p, v[k], v[k + 1])
            let d = localMetres(p, q)
            let seg = Geodesic.distance(LonLat(v[k]), LonLat(v[k + 1]))
            if d < best.0 { best = (d, run + t * seg) }
            run += seg
            k += 1
        }
        return best
    }
}
