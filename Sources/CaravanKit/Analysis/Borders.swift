import Foundation

/// One shared boundary between two neighbouring areas.
public struct SharedBorder: Sendable {
    /// The two ids, in a stable (sorted) order.
    public var left: String
    public var right: String
    /// Lon/lat lines (a MultiLineString).
    public var geometry: Geometry
    public var parts: Int
    /// Geodesic length on WGS84.
    public var lengthKm: Double
    /// "KZ-UZ".
    public var pair: String { "\(left)-\(right)" }
}

/// The parameters of `deriveBorders` (the library's form of `BorderOptions`).
public struct BorderParameters: Sendable {
    /// Field holding each area's id (e.g. `iso_a2`).
    public var idField = "iso_a2"
    /// Gaps and overlaps between neighbours up to this size are closed by snapping.
    public var snapToleranceMeters = 300.0
    /// Pieces shorter than this are dropped (slivers at tripoints left by snapping).
    public var minimumPartMeters = 1.0
    public init() {}
}

/// Derives the shared boundary lines between every pair of neighbouring polygons.
///
/// Works in an equidistant cylindrical CRS centred on the layer (affine in lon/lat, so the
/// source's straight edges stay straight) with the snapping tolerance in metres: for each pair whose envelopes come within the tolerance, the
/// second polygon is snapped to the first (GEOSSnap_r) and the shared linework is
/// boundary(A) ∩ boundary(B′) (GEOSIntersection_r), line-merged. Coastlines and outer
/// edges belong to one area only and are never borders.
///
/// ```swift
/// let layer = try Dataset.open("shapefiles/countries.shp").layer(named: nil)
/// for b in try deriveBorders(layer) { print(b.pair, b.lengthKm) }
/// ```
public func deriveBorders(_ layer: Layer, options: BorderParameters = BorderParameters(),
                          warnings: WarningLog = WarningLog()) throws -> [SharedBorder] {
    guard let idIndex = layer.schema.index(of: options.idField) else {
        throw GeoError(.invalidArgument, "no field '\(options.idField)'; the fields are: \(layer.schema.names.joined(separator: ", "))",
                       file: layer.dataset.path, layer: layer.name, hint: "name the id field with {idField}")
    }
    guard layer.geometryType.dimensionFamily == 2 || layer.geometryType == .unknown else {
        throw GeoError(.invalidArgument, "borders are derived from polygons, and this layer holds \(layer.geometryType.rawValue)s",
                       file: layer.dataset.path, layer: layer.name)
    }
    guard let crs = try layer.crs else {
        throw GeoError(.projection, "the layer has no CRS", file: layer.dataset.path, layer: layer.name, hint: "give it with {sSrs}")
    }
    // Group polygons by id.
    var byID: [String: [[[XY]]]] = [:]
    var order: [String] = []
    try layer.forEach { f in
        guard let g = f.geometry else { return }
        guard let id = f.values[idIndex].stringValue, !id.isEmpty else {
            warnings.add("\(layer.dataset.path): feature \(f.fid) has no \(options.idField); it is left out of the borders")
            return
        }
        var polys: [[[XY]]] = []
        switch g {
        case .polygon(let r): polys = [r]
        case .multiPolygon(let p): polys = p
        default: return
        }
        if byID[id] == nil { order.append(id) }
        byID[id, default: []] += polys
    }
    guard byID.count >= 2 else { return [] }
    // Project to metres around the data.
    var lonLat = Envelope.empty
    let toLonLat = crs.isGeographic ? nil : try Transformer(from: crs, to: .wgs84)
    var areas: [(id: String, geometry: Geometry, envelope: Envelope)] = []
    var raw: [(String, Geometry)] = []
    for id in order.sorted() {
        var g = Geometry.multiPolygon(byID[id]!)
        if let toLonLat { g = try toLonLat.transform(g) }
        lonLat.expand(g.envelope)
        raw.append((id, g))
    }
    // Equidistant cylindrical (x = R·λ·cos φ₀, y = R·φ): affine in lon/lat, so an edge that is
    // straight in the source stays straight and a neighbour's extra vertices along it stay on
    // it (a curved projection moves them off the chord and the shared edge vanishes); metres are
    // true north–south and at φ₀ east–west, enough for a snapping tolerance.
    let metric = try CRS(String(format: "+proj=eqc +lat_ts=%.6f +lon_0=%.6f +datum=WGS84 +units=m +type=crs",
                                (lonLat.minY + lonLat.maxY) / 2, (lonLat.minX + lonLat.maxX) / 2),
                         name: "Caravan border matching (equidistant cylindrical)")
    let project = try Transformer(from: .wgs84, to: metric)
    for (id, g) in raw {
        var m = try project.transform(g)
        if !(try m.isValid) { m = try m.madeValid() }
        areas.append((id, m, m.envelope))
    }
    let tol = options.snapToleranceMeters
    let boundaries = try areas.map { try $0.geometry.boundary() }
    var out: [SharedBorder] = []
    for i in 0..<areas.count {
        for j in (i + 1)..<areas.count where areas[i].envelope.expanded(by: tol).intersects(areas[j].envelope) {
            // Only the boundary pieces near both areas matter: clip both to where their envelopes
            // meet (lines clip exactly), so a long coast or a far side is never snapped or noded.
            let ei = areas[i].envelope.expanded(by: 2 * tol), ej = areas[j].envelope.expanded(by: 2 * tol)
            let region = Envelope(minX: max(ei.minX, ej.minX), minY: max(ei.minY, ej.minY),
                                  maxX: min(ei.maxX, ej.maxX), maxY: min(ei.maxY, ej.maxY))
            let a = try boundaries[i].clipped(to: region), b = try boundaries[j].clipped(to: region)
            guard !a.isEmpty, !b.isEmpty else { continue }
            let lines = try sharedLines(a, b, tolerance: tol)
            guard !lines.isEmpty else { continue }
            var merged = try Geometry.multiLineString(lines).lineMerged().linework
            merged = merged.filter { Geometry.planarLength(of: $0) >= options.minimumPartMeters }
            guard !merged.isEmpty else { continue }
            let geographic = try project.transform(Geometry.multiLineString(merged), direction: .inverse)
            let km = Geodesic.length(of: geographic) / 1000
            out.append(SharedBorder(left: areas[i].id, right: areas[j].id, geometry: geographic, parts: merged.count, lengthKm: km))
        }
    }
    return out
}

/// The linework two boundaries share, within `tolerance`: the second is snapped to the first
/// and the first to the second (a neighbour may have more vertices along the common edge than
/// the other), the longer answer kept; the overlay runs on a 1 cm grid, as snapped edges
/// coincide only to rounding.
func sharedLines(_ a: Geometry, _ b: Geometry, tolerance: Double) throws -> [[XY]] {
    func shared(_ fixed: Geometry, _ moved: Geometry) throws -> [[XY]] {
        let snapped = tolerance > 0 ? Geometry.multiLineString(snapLines(moved.linework, to: fixed.linework, tolerance: tolerance)) : moved
        return try fixed.intersection(snapped, gridSize: 0.01).linework.filter { Geometry.planarLength(of: $0) > 0 }
    }
    let one = try shared(a, b)
    let two = try shared(b, a)
    func total(_ l: [[XY]]) -> Double { l.reduce(0) { $0 + Geometry.planarLength(of: $1) } }
    return total(two) > total(one) * 1.0001 ? two : one
}

/// Snaps lines to target lines as GEOS's GeometrySnapper does — each vertex moves to the nearest
/// target vertex within `tolerance`, then each target vertex within `tolerance` of a segment is
/// inserted into it — but with grid indexes, so it takes time in proportion to the vertices
/// (GEOS 3.11 compares every vertex with every vertex: minutes for 500,000-vertex borders).
func snapLines(_ lines: [[XY]], to target: [[XY]], tolerance tol: Double) -> [[XY]] {
    struct Key: Hashable { var x: Int, y: Int }
    func key(_ p: XY) -> Key { Key(x: Int((p.x / tol).rounded(.down)), y: Int((p.y / tol).rounded(.down))) }
    var targetGrid: [Key: [XY]] = [:]
    for l in target { for p in l { targetGrid[key(p), default: []].append(p) } }
    func nearestTarget(_ p: XY) -> XY? {
        let k = key(p)
        var best: XY? = nil, bestD = tol
        for dx in -1...1 { for dy in -1...1 {
            for q in targetGrid[Key(x: k.x + dx, y: k.y + dy)] ?? [] {
                let d = hypot(q.x - p.x, q.y - p.y)
                if d <= bestD { bestD = d; best = q }
            }
        } }
        return best
    }
    // 1. Vertices to target vertices.
    var out = lines.map { $0.map { nearestTarget($0) ?? $0 } }
    // 2. Target vertices into segments: index segments by the cells their boxes cover.
    struct SegmentRef: Hashable { var line: Int, index: Int }
    var segmentGrid: [Key: [SegmentRef]] = [:]
    var vertices = Set<Key>()
    for (li, l) in out.enumerated() {
        for p in l { vertices.insert(Key(x: Int((p.x * 1e3).rounded()), y: Int((p.y * 1e3).rounded()))) }
        guard l.count > 1 else { continue }
        for k in 0..<(l.count - 1) {
            let a = key(XY(min(l[k].x, l[k + 1].x) - tol, min(l[k].y, l[k + 1].y) - tol))
            let b = key(XY(max(l[k].x, l[k + 1].x) + tol, max(l[k].y, l[k + 1].y) + tol))
            // A very long segment (a straight border across a desert) is indexed along its length only.
            if (b.x - a.x + 1) * (b.y - a.y + 1) > 64 {
                let n = Int((hypot(l[k + 1].x - l[k].x, l[k + 1].y - l[k].y) / tol).rounded(.up)) + 1
                for s in 0...n {
                    let t = Double(s) / Double(n)
                    let c = key(XY(l[k].x + t * (l[k + 1].x - l[k].x), l[k].y + t * (l[k + 1].y - l[k].y)))
                    for dx in -1...1 { for dy in -1...1 { segmentGrid[Key(x: c.x + dx, y: c.y + dy), default: []].append(SegmentRef(line: li, index: k)) } }
                }
            } else {
                for x in a.x...b.x { for y in a.y...b.y { segmentGrid[Key(x: x, y: y), default: []].append(SegmentRef(line: li, index: k)) } }
            }
        }
    }
    var inserts: [SegmentRef: [(t: Double, p: XY)]] = [:]
    for l in target {
        for p in l where !vertices.contains(Key(x: Int((p.x * 1e3).rounded()), y: Int((p.y * 1e3).rounded()))) {
            var best: (SegmentRef, Double, Double)? = nil
            for ref in Set(segmentGrid[key(p)] ?? []) {
                let a = out[ref.line][ref.index], b = out[ref.line][ref.index + 1]
                let dx = b.x - a.x, dy = b.y - a.y, len2 = dx * dx + dy * dy
                guard len2 > 0 else { continue }
                let t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / len2
                guard t > 0, t < 1 else { continue }
                let d = hypot(a.x + t * dx - p.x, a.y + t * dy - p.y)
                if d <= tol, best == nil || d < best!.1 { best = (ref, d, t) }
            }
            if let (ref, _, t) = best { inserts[ref, default: []].append((t, p)) }
        }
    }
    guard !inserts.isEmpty else { return out }
    for li in out.indices {
        let l = out[li]
        guard l.count > 1 else { continue }
        var rebuilt: [XY] = [l[0]]
        for k in 0..<(l.count - 1) {
            if let ins = inserts[SegmentRef(line: li, index: k)] { rebuilt += ins.sorted { $0.t < $1.t }.map(\.p) }
            rebuilt.append(l[k + 1])
        }
        out[li] = rebuilt
    }
    return out
}

extension SharedBorder {
    /// Borders as a result layer of MultiLineStrings in WGS84 with fields left, right, pair,
    /// parts, length_km.
    public static func resultLayer(_ borders: [SharedBorder], idField: String = "iso_a2") -> ResultLayer {
        let fields = [
            ResultField("left", .string, role: .identifier, meaning: "the first area's \(idField) (sorted)", width: 16),
            ResultField("right", .string, role: .identifier, meaning: "the second area's \(idField)", width: 16),
            ResultField("pair", .string, role: .category, meaning: "left-right, e.g. KZ-UZ", width: 33),
            ResultField("parts", .integer, role: .count, meaning: "separate lines of the border"),
            ResultField("length_km", .real, role: .measure, meaning: "geodesic length on WGS84", unit: "km", width: 12, precision: 3),
        ]
        return ResultLayer(
            name: "borders", kind: .borders, title: "Shared borders", crs: .wgs84, geometryType: .multiLineString, fields: fields,
            count: borders.count,
            geometry: { i in
                let g = borders[i].geometry
                if case .lineString(let l) = g { return .multiLineString([l]) }
                return g
            },
            values: { i in
                let b = borders[i]
                return [.string(b.left), .string(b.right), .string(b.pair), .integer(Int64(b.parts)), .real((b.lengthKm * 1000).rounded() / 1000)]
            })
    }

    /// Writes borders as a line layer with fields left, right, pair, parts, length_km (through `ResultWriter`).
    public static func write(_ borders: [SharedBorder], to path: String, options: WriteOptions = WriteOptions()) throws {
        try ResultWriter.write(resultLayer(borders), to: path, options: options)
    }
}
