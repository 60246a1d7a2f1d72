import Foundation

/// The options of `caravan crossings`, with the flags' names.
///
/// ```swift
/// var o = CrossingOptions(routes: "shapefiles/roads.shp", borders: "shapefiles/countries.shp")
/// o.posts = "shapefiles/border_posts.shp"
/// o.merge = "2km"
/// let result = try borderCrossings(o)
/// print(result.tables.map(\.text).joined(separator: "\n"))
/// ```
public struct CrossingOptions: AnalysisOptions, Hashable {
    public static let command = "crossings"
    /// The countries whose borders are analysed unless `region` says otherwise: the five
    /// Central Asian states and Afghanistan.
    public static let defaultRegion = ["AF", "KG", "KZ", "TJ", "TM", "UZ"]

    /// Route lines.
    public var routes: String
    /// Country polygons, or border lines with a pair field.
    public var borders: String
    public var output: String?
    /// The routes' layer, when the source has several.
    public var layer: String?
    /// OGR SQL condition on the routes.
    public var `where`: String?
    /// Country polygons giving from/to when `borders` are lines.
    public var countries: String?
    /// The countries' id field.
    public var idField = "iso_a2"
    /// Known border posts (points with name and pair, or iso_a and iso_b).
    public var posts: String?
    /// A crossing farther than this from every known post of its border is unlisted.
    public var unlisted = "10km"
    /// Merge crossings of one border within this distance into one point.
    public var merge: String?
    /// Comma-separated ISO codes: only borders with one of these countries ("all": every
    /// border). nil: `defaultRegion`.
    public var region: String?
    /// Opposite crossings of one border on one line closer than this, with no post, are flagged
    /// as chord artefacts.
    public var chord = "10km"
    /// Do not look for chord artefacts.
    public var noChordCheck = false
    public var overwrite = false
    public var sSrs: String?
    public var restoreShx = false

    public init(routes: String, borders: String, output: String? = nil) {
        self.routes = routes; self.borders = borders; self.output = output
    }

    public var inputPaths: [String] { [routes, borders] + [countries, posts].compactMap { $0 } }
    public var outputPaths: [String] { output.map { [$0] } ?? [] }

    /// The region's country codes, nil for every border.
    public func regionCodes() throws -> Set<String>? {
        guard let r = region else { return Set(Self.defaultRegion) }
        if r.lowercased() == "all" { return nil }
        let codes = r.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).uppercased() }.filter { !$0.isEmpty }
        guard !codes.isEmpty, codes.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isLetter) }) else {
            throw GeoError(.invalidArgument, "the region '\(r)' is not a list of two-letter country codes",
                           hint: "e.g. {region} KZ,KG,TJ,TM,UZ,AF, or {region} all for every border")
        }
        return Set(codes)
    }

    public func validate() throws {
        _ = try Distance.parse(unlisted, option: "{unlisted}")
        _ = try merge.map { try Distance.parse($0, option: "{merge}") }
        _ = try Distance.parse(chord, option: "{chord}")
        _ = try regionCodes()
    }
}

extension BorderPost {
    /// The posts of a point layer: `name` (else the feature id) and the border from `pair`, or
    /// from `iso_a` and `iso_b`. Polygons or lines are refused.
    public static func read(_ path: String) throws -> [BorderPost] {
        let l = try Dataset.open(path).layer(named: nil)
        guard l.geometryType.dimensionFamily == 0 || l.geometryType == .unknown else {
            throw GeoError(.invalidArgument, "border posts must be points, and this layer holds \(l.geometryType == .none ? "no geometry" : l.geometryType.rawValue + "s")",
                           file: path, layer: l.name, hint: "give a point layer such as shapefiles/border_posts.shp")
        }
        guard let crs = try l.crs else {
            throw GeoError(.projection, "the posts have no CRS", file: path, hint: "add a .prj, or convert the posts with a source CRS first")
        }
        let t = try Transformer(from: crs, to: .wgs84)
        let s = l.schema
        let nameIndex = s.index(of: "name"), pairIndex = s.index(of: "pair"), aIndex = s.index(of: "iso_a"), bIndex = s.index(of: "iso_b")
        var out: [BorderPost] = []
        try l.forEach { f in
            guard let g = f.geometry, !g.isEmpty else { return }
            guard g.type.dimensionFamily == 0, let p = g.points.first else {
                throw GeoError(.invalidArgument, "a \(g.type.rawValue) where a border post point is expected", file: path, layer: l.name,
                               featureID: f.fid, hint: "border posts must be points")
            }
            var pair = pairIndex.flatMap { f.values[$0].stringValue }
            if pair == nil, let a = aIndex.flatMap({ f.values[$0].stringValue }), let b = bIndex.flatMap({ f.values[$0].stringValue }) {
                pair = [a, b].sorted().joined(separator: "-")
            }
            out.append(BorderPost(name: nameIndex.flatMap { f.values[$0].stringValue } ?? String(f.fid), pair: pair,
                                  location: LonLat(try t.transform(p))))
        }
        return out
    }
}

/// Every point where a route crosses an international border (`caravan crossings`), by
/// default on the borders of the region (`CrossingOptions.defaultRegion`).
///
/// Returns the crossings layer, a summary, the tables "Crossings by border", "Busiest crossing
/// points" (corridors, then distinct routes, per point of one border; chord artefacts left out) and, with posts,
/// "Busiest unlisted crossings", and figures: `crossings`, `artefacts`, `unlisted`, `posts`,
/// and `border <PAIR>` per border.
public func borderCrossings(_ options: CrossingOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    let openOptions = OpenOptions(sourceCRS: try options.sSrs.map { try CRS($0) }, restoreShx: options.restoreShx)
    let routes = try Dataset.open(options.routes, options: openOptions).layer(named: options.layer)
    if let w = options.where { try routes.setAttributeFilter(w) }
    let borders = try Dataset.open(options.borders).layer(named: nil)
    var p = CrossingParameters()
    p.countryIDField = options.idField
    if borders.geometryType.dimensionFamily == 2 { p.countries = try borders.snapshot() }
    if let c = options.countries { p.countries = try Dataset.open(c).layer(named: nil).snapshot() }
    p.unlistedMeters = try Distance.parse(options.unlisted, option: "{unlisted}").meters
    p.mergeMeters = try options.merge.map { try Distance.parse($0, option: "{merge}").meters }
    p.region = try options.regionCodes()
    p.chordMeters = options.noChordCheck ? nil : try Distance.parse(options.chord, option: "{chord}").meters
    if let path = options.posts {
        p.posts = try BorderPost.read(path)
        let withoutPair = p.posts.filter { $0.pair == nil }.count
        if withoutPair > 0 {
            context.warnings.add("\(withoutPair) of \(p.posts.count) posts say no border (no pair, or iso_a and iso_b): they may label a crossing of any border")
        }
    }
    let xs = try findCrossings(routes: routes, borders: borders, options: p, warnings: context.warnings) { context.progress("\($0) routes read") }
    let names = countryNames(p.countries)
    var out = crossingOutput(xs, parameters: p, options: options, names: names)
    out.warnings = context.warnings.messages
    return out
}

/// Country names by id from the countries layer (its `name` field), for tables.
private func countryNames(_ s: Layer.Snapshot?) -> [String: String] {
    guard let s, let n = s.schema.index(of: "name") else { return [:] }
    let id = s.schema.index(of: "iso_a2")
    var out: [String: String] = [:]
    for f in s.features { if let id, let k = f.values[id].stringValue, let v = f.values[n].stringValue { out[k] = v } }
    return out
}

/// "Kazakhstan–Uzbekistan (KZ-UZ)", or the pair alone without names.
private func borderName(_ pair: String, _ names: [String: String]) -> String {
    let m = pair.split(separator: "-").map(String.init)
    guard m.count == 2, let a = names[m[0]], let b = names[m[1]] else { return pair }
    return "\(a)–\(b)"
}

private func crossingOutput(_ xs: [BorderCrossing], parameters p: CrossingParameters, options: CrossingOptions,
                            names: [String: String]) -> AnalysisOutput {
    let merged = p.mergeMeters != nil, withPosts = options.posts != nil
    let layer = crossingLayer(xs, merged: merged, withPosts: withPosts)
    let real = xs.filter { !$0.artefact }
    let artefacts = xs.count - real.count
    let regionText = p.region.map { "on the borders of \($0.sorted().joined(separator: ", "))" } ?? "on every border"
    var summary = ["\(xs.count) crossings \(regionText)\(options.merge.map { " (merged within \($0))" } ?? "")"]
    if p.chordMeters != nil {
        summary.append("\(artefacts) flagged artefact (two opposite crossings of one border on one straight segment within \(options.chord), no post of the border within 3 km: a chord cutting a river border), left out of the tables")
    }
    let unlisted = real.filter { $0.unlisted == true }.count
    if withPosts {
        summary.append("\(unlisted) crossing\(unlisted == 1 ? "" : "s") more than \(options.unlisted) from any known post of their border (unlisted)")
    }
    // Per border: crossings, distinct routes.
    let byPair = Dictionary(grouping: real, by: \.pair)
    let pairs = byPair.keys.sorted { a, b in
        let ca = byPair[a]!.reduce(0) { $0 + $1.crossings }, cb = byPair[b]!.reduce(0) { $0 + $1.crossings }
        return ca != cb ? ca > cb : a < b
    }
    summary.append("crossings by border: " + pairs.prefix(10).map { "\($0) \(byPair[$0]!.reduce(0) { $0 + $1.crossings })" }.joined(separator: ", "))
    var tables: [ResultTable] = []
    var byBorder: [[String]] = []
    var figures: [String: Double] = ["crossings": Double(xs.count), "artefacts": Double(artefacts), "unlisted": Double(unlisted),
                                     "posts": Double(p.posts.count)]
    for pair in pairs {
        let list = byPair[pair]!
        let n = list.reduce(0) { $0 + $1.crossings }
        let routes = Set(list.flatMap(\.routeIDs)).count
        figures["border \(pair)"] = Double(n)
        var row = [borderName(pair, names), pair, "\(n)", "\(routes)"]
        if withPosts { row.append("\(list.filter { $0.unlisted == true }.count)") }
        byBorder.append(row)
    }
    tables.append(ResultTable(title: "Crossings by border \(regionText)",
                              columns: ["border", "pair", "crossings", "routes"] + (withPosts ? ["unlisted"] : []), rows: byBorder))
    // Points: the merged points, or the crossings of one border within 2 km grouped.
    let points = merged ? real : mergeCrossings(real, withinMeters: 2_000)
    func postText(_ x: BorderCrossing) -> String {
        guard withPosts else { return "" }
        guard let name = x.post, let km = x.postKm else { return "none on this border" }
        return String(format: "%@ (%.1f km)", name, km) + (x.unlisted == true ? " — unlisted" : "")
    }
    func rows(_ list: [BorderCrossing]) -> [[String]] {
        list.sorted { ($0.corridors, $0.routes, $0.crossings, $1.pair) > ($1.corridors, $1.routes, $1.crossings, $0.pair) }
            .prefix(10).enumerated().map { k, x in
            var r = ["\(k + 1)", borderName(x.pair, names), nearestTown(x), "\(x.corridors)", "\(x.routes)", "\(x.crossings)",
                     String(format: "%.4f, %.4f", x.location.lon, x.location.lat)]
            if withPosts { r.append(postText(x)) }
            return r
        }
    }
    let cols = ["rank", "border", "nearest town", "corridors", "routes", "crossings", "lon, lat"] + (withPosts ? ["nearest known post of the border"] : [])
    if !points.isEmpty { tables.append(ResultTable(title: "Busiest crossing points", columns: cols, rows: rows(points))) }
    if withPosts {
        // Posts are attached after merging: label the grouped points again.
        let open = points.filter { x in x.unlisted == true || (x.unlisted == nil && x.post == nil) }
        if !open.isEmpty { tables.append(ResultTable(title: "Busiest unlisted crossings (no known post of the border within \(options.unlisted))", columns: cols, rows: rows(open))) }
    }
    return AnalysisOutput(layers: [layer], summary: summary, tables: tables, figures: figures)
}

/// The nearest populated place of the shipped gazetteer (GeoNames) in one of the border's two
/// countries, within 60 km: "Islam Qala (AF, 9 km)"; "" when none.
private func nearestTown(_ x: BorderCrossing) -> String {
    let members = Set(x.pair.split(separator: "-").map(String.init))
    var best: (Place, Double)? = nil
    for p in Gazetteer.shared.places where p.isFromGeoNames && members.contains(p.country) {
        guard abs(p.location.lat - x.location.lat) < 0.6, abs(p.location.lon - x.location.lon) < 0.9 else { continue }
        let d = Geodesic.distance(p.location, x.location)
        if d <= 60_000, best == nil || d < best!.1 { best = (p, d) }
    }
    guard let (p, d) = best else { return "" }
    return String(format: "%@ (%@, %.0f km)", p.name, p.country, d / 1000)
}

/// The crossings as a result layer of points in WGS84.
func crossingLayer(_ xs: [BorderCrossing], merged: Bool, withPosts: Bool) -> ResultLayer {
    var fields = [
        ResultField("route_id", .string, role: .identifier, meaning: "the route's id (its id field, else its feature id)"),
        ResultField("route_name", .string, role: .name, meaning: "the route's name"),
        ResultField("kind", .string, role: .category, meaning: "the route's kind (road, rail…)"),
        ResultField("pair", .string, role: .category, meaning: "the border: the two countries' codes, sorted"),
        ResultField("from", .string, role: .category, meaning: "country left, in the direction of the route"),
        ResultField("to", .string, role: .category, meaning: "country entered"),
        ResultField("lon", .real, role: .measure, meaning: "longitude", unit: "°", width: 12, precision: 6),
        ResultField("lat", .real, role: .measure, meaning: "latitude", unit: "°", width: 12, precision: 6),
        ResultField("km_along", .real, role: .measure, meaning: "distance along the route from its first vertex", unit: "km", width: 14, precision: 3),
    ]
    if merged {
        fields += [ResultField("crossings", .integer, role: .count, meaning: "crossings merged into this point"),
                   ResultField("routes", .integer, role: .count, meaning: "distinct routes crossing here"),
                   ResultField("corridors", .integer, role: .count, meaning: "corridors crossing here: routes sharing an end vertex (pieces of one road, edges of a yard) count once"),
                   ResultField("route_ids", .string, role: .text, meaning: "the routes' ids (first 50)")]
    }
    if withPosts {
        fields += [ResultField("post", .string, role: .name, meaning: "nearest known post on the same border"),
                   ResultField("post_km", .real, role: .measure, meaning: "distance to that post", unit: "km", width: 12, precision: 3),
                   ResultField("unlisted", .integer, role: .category, meaning: "1: no known post of the border within the unlisted distance")]
    }
    fields.append(ResultField("artefact", .integer, role: .category,
                              meaning: "1: one of two opposite crossings of one border on one line close together with no post (a chord cutting a river border)"))
    @Sendable func s(_ v: String?) -> FieldValue { v.map { .string($0) } ?? .null }
    return ResultLayer(
        name: "crossings", kind: .crossings, title: "Border crossings", crs: .wgs84, geometryType: .point, fields: fields,
        count: xs.count,
        geometry: { .point(xs[$0].location.xy) },
        values: { i in
            let x = xs[i]
            var v: [FieldValue] = [.string(x.routeID), s(x.routeName), s(x.kind), .string(x.pair), s(x.from), s(x.to),
                                   .real((x.location.lon * 1e6).rounded() / 1e6), .real((x.location.lat * 1e6).rounded() / 1e6),
                                   .real((x.kmAlong * 1000).rounded() / 1000)]
            if merged { v += [.integer(Int64(x.crossings)), .integer(Int64(x.routes)), .integer(Int64(x.corridors)), .string(x.routeIDs.prefix(50).joined(separator: ","))] }
            if withPosts { v += [s(x.post), x.postKm.map { .real(($0 * 1000).rounded() / 1000) } ?? .null, x.unlisted.map { .integer($0 ? 1 : 0) } ?? .null] }
            v.append(.integer(x.artefact ? 1 : 0))
            return v
        },
        centre: { xs[$0].location.xy })
}
