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
/// Works in a Lambert azimuthal equal-area CRS centred on the layer so the snapping
/// tolerance is in metres: for each pair whose envelopes come within the tolerance, the
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
                       file: layer.dataset.path, layer: layer.name, hint: "name the id field with --id-field")
    }
    guard layer.geometryType.dimensionFamily == 2 || layer.geometryType == .unknown else {
        throw GeoError(.invalidArgument, "borders are derived from polygons, and this layer holds \(layer.geometryType.rawValue)s",
                       file: layer.dataset.path, layer: layer.name)
    }
    guard let crs = try layer.crs else {
        throw GeoError(.projection, "the layer has no CRS", file: layer.dataset.path, layer: layer.name, hint: "give it with --s-srs")
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
    let metric = CRS.analysisCRS(for: lonLat)
    let project = try Transformer(from: .wgs84, to: metric)
    for (id, g) in raw {
        var m = try project.transform(g)
        if !(try m.isValid) { m = try m.madeValid() }
        areas.append((id, m, m.envelope))
    }
    let tol = options.snapToleranceMeters
    var out: [SharedBorder] = []
    for i in 0..<areas.count {
        let boundaryA = try areas[i].geometry.boundary()
        for j in (i + 1)..<areas.count where areas[i].envelope.expanded(by: tol).intersects(areas[j].envelope) {
            let b = tol > 0 ? try areas[j].geometry.snapped(to: areas[i].geometry, tolerance: tol) : areas[j].geometry
            let shared = try boundaryA.intersection(try b.boundary())
            let lines = shared.linework.filter { Geometry.planarLength(of: $0) > 0 }
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
