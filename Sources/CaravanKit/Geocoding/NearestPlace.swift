import Foundation

/// The place a person names for a location: the nearest town of the shipped gazetteer (the
/// largest within `townRadius`, else the nearest at all) and the province from a polygon layer
/// (by default `shapefiles/provinces.shp` when present).
///
/// ```swift
/// let near = try NearestPlace(provinces: "shapefiles/provinces.shp")
/// near.describe(LonLat(lon: 80.27, lat: 44.21))   // "Khorgos, Almaty (KZ)"
/// ```
public final class NearestPlace {
    /// A place found near a location.
    public struct Found: Sendable, Hashable {
        public var town: String?
        /// Distance to the town in metres (geodesic).
        public var distance: Double
        public var country: String?
        public var province: String?
        /// "Khorgos (3 km), Almaty, KZ".
        public var label: String {
            var parts: [String] = []
            if let town { parts.append(distance >= 5_000 ? "\(town) (\(Int((distance / 1000).rounded())) km)" : town) }
            if let province { parts.append(province) }
            if let country { parts.append(country) }
            return parts.isEmpty ? "-" : parts.joined(separator: ", ")
        }
    }

    /// The default province layer, relative to the working directory (`make demo` runs there).
    public static let defaultProvinces = "shapefiles/provinces.shp"

    private let towns: [Place]
    private let bucketDegrees = 0.5
    private let buckets: [Int64: [Int32]]
    private let provinces: [(name: String, country: String?, envelope: Envelope, prepared: PreparedGeometry)]
    /// Within this distance the most populous town is named; beyond, the nearest.
    public let townRadius: Double

    /// `provinces`: a polygon layer with a `name` field (and `iso_a2`); nil: the default layer
    /// when it exists, none otherwise.
    public init(provinces path: String? = nil, gazetteer: Gazetteer = .shared, townRadius: Double = 25_000) throws {
        self.townRadius = townRadius
        towns = gazetteer.places.filter { $0.isFromGeoNames }
        var b: [Int64: [Int32]] = [:]
        for (i, p) in towns.enumerated() {
            b[SegmentIndex.key(Int(floor(p.location.lon / bucketDegrees)), Int(floor(p.location.lat / bucketDegrees))), default: []].append(Int32(i))
        }
        buckets = b
        var list: [(String, String?, Envelope, PreparedGeometry)] = []
        let file = path ?? (FileManager.default.fileExists(atPath: Self.defaultProvinces) ? Self.defaultProvinces : nil)
        if let file {
            let layer = try Dataset.open(file).layer(named: nil)
            guard let crs = try layer.crs else {
                throw GeoError(.projection, "the province layer has no CRS", file: file, hint: "add a .prj")
            }
            let t = try Transformer(from: crs, to: .wgs84)
            let nameIndex = layer.schema.index(of: "name") ?? layer.schema.fields.firstIndex { $0.type == .string }
            let countryIndex = layer.schema.index(of: "iso_a2")
            let names = UniqueNames.make(try Self.rows(layer, nameIndex: nameIndex, countryIndex: countryIndex))
            var k = 0
            try layer.forEach { f in
                defer { k += 1 }
                guard let g = f.geometry, g.type.dimensionFamily == 2 else { return }
                let ll = try t.transform(g)
                list.append((names[k], countryIndex.flatMap { f.values[$0].stringValue }, ll.envelope, try PreparedGeometry(ll)))
            }
        }
        provinces = list
    }

    static func rows(_ layer: Layer, nameIndex: Int?, countryIndex: Int?) throws -> [UniqueNames.Row] {
        var out: [UniqueNames.Row] = []
        let altIndex = layer.schema.index(of: "gn_name") ?? layer.schema.index(of: "name_local")
        try layer.forEach { f in
            out.append(UniqueNames.Row(name: nameIndex.flatMap { f.values[$0].stringValue } ?? "#\(f.fid)",
                                       country: countryIndex.flatMap { f.values[$0].stringValue },
                                       alternate: altIndex.flatMap { f.values[$0].stringValue } ?? ""))
        }
        return out
    }

    /// The town to name for a location: the most populous within `townRadius`, else the nearest;
    /// with `country`, a town of that country when there is one within reach (a point on the
    /// Kazakh side of Khorgos is Khorgos, not the larger Chinese town across the border).
    public func town(near p: LonLat, country: String? = nil) -> (place: Place, distance: Double)? {
        if let country, let t = town(near: p, where: { $0.country == country }), t.distance <= 4 * townRadius { return t }
        return town(near: p, where: { _ in true })
    }

    private func town(near p: LonLat, where accept: (Place) -> Bool) -> (place: Place, distance: Double)? {
        let cx = Int(floor(p.lon / bucketDegrees)), cy = Int(floor(p.lat / bucketDegrees))
        var best: (Place, Double)? = nil, nearest: (Place, Double)? = nil
        var reach = 1
        while reach <= 16 {
            for dx in -reach...reach { for dy in -reach...reach {
                guard let list = buckets[SegmentIndex.key(cx + dx, cy + dy)] else { continue }
                for i in list where accept(towns[Int(i)]) {
                    let t = towns[Int(i)]
                    let d = Geodesic.distance(p, t.location)
                    if nearest == nil || d < nearest!.1 { nearest = (t, d) }
                    if d <= townRadius, best == nil || t.population > best!.0.population { best = (t, d) }
                }
            } }
            if best != nil { return best }
            // A nearer town may lie one ring further out than the bucket found.
            if let n = nearest, n.1 < Double(reach) * bucketDegrees * 80_000 { return n }
            reach *= 2
        }
        return nearest
    }

    /// The province containing a location.
    public func province(at p: LonLat) -> (name: String, country: String?)? {
        for pr in provinces where pr.envelope.contains(p.xy) && pr.prepared.intersects(p.xy) { return (pr.name, pr.country) }
        return nil
    }

    public func find(_ p: LonLat) -> Found {
        let pr = province(at: p)
        let t = town(near: p, country: pr?.country)
        return Found(town: t?.place.name, distance: t?.distance ?? 0, country: pr?.country ?? t?.place.country, province: pr?.name)
    }

    /// "Khorgos, Almaty, KZ".
    public func describe(_ p: LonLat) -> String { find(p).label }
}

/// Names made unique for a table: a name held by several rows gets its country, and where
/// that is not enough a kind read from the row's other fields ("city", "region"), else its
/// row number: "Tashkent (UZ, city)", "Tashkent region".
public enum UniqueNames {
    public struct Row: Sendable {
        public var name: String
        public var country: String?
        /// The row's alternate name (e.g. GeoNames' "Toshkent Shahri"), searched for city/region words.
        public var alternate: String
        public init(name: String, country: String?, alternate: String = "") {
            self.name = name; self.country = country; self.alternate = alternate
        }
    }

    static let cityWords = ["city", "shahri", "shahar", "qalasy", "gorod", "shaary", "kalasy"]
    static let regionWords = ["oblast", "oblysy", "oblasty", "viloyati", "viloyat", "region", "province", "wilayat", "welaýaty", "velayat"]

    public static func make(_ rows: [Row]) -> [String] {
        var count: [String: Int] = [:]
        for r in rows { count[r.name.lowercased(), default: 0] += 1 }
        var out = rows.enumerated().map { k, r -> String in
            guard count[r.name.lowercased()]! > 1 else { return r.name }
            let same = rows.filter { $0.name.lowercased() == r.name.lowercased() }
            let countries = Set(same.map { $0.country ?? "" })
            let alt = r.alternate.lowercased()
            let kind = cityWords.contains { alt.contains($0) } ? "city" : regionWords.contains { alt.contains($0) } ? "region" : nil
            if countries.count == same.count, let c = r.country { return "\(r.name) (\(c))" }
            if kind == "region" { return "\(r.name) region" }
            if let kind { return "\(r.name) (\(r.country.map { "\($0), " } ?? "")\(kind))" }
            // Another name of its own ("Uruzgan (Daykundi)"); the row named as itself keeps the name.
            var other = r.alternate
            for prefix in ["Wilayat-e ", "Velayat-e ", "Province of "] where other.hasPrefix(prefix) { other.removeFirst(prefix.count) }
            if other.isEmpty || other.lowercased() == r.name.lowercased() { return r.name }
            return "\(r.name) (\(other))"
        }
        // Whatever is still repeated gets its row number.
        var seen: [String: Int] = [:]
        for n in out { seen[n, default: 0] += 1 }
        for k in out.indices where seen[out[k]]! > 1 { out[k] += " #\(k + 1)" }
        return out
    }
}
