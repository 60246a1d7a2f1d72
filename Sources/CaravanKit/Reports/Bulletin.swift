import Foundation

/// The options of the weekly bulletin (`caravan bulletin`, or a `bulletin` step of a recipe):
/// names as the command-line flags.
public struct BulletinOptions: AnalysisOptions {
    public static let command = "bulletin"
    /// The geocoded events (the output of `caravan geocode`: `match_status`, `match_country`, points).
    public var events: String
    /// The last day of the period (YYYY-MM-DD) and its length in days.
    public var until: String
    public var days: Int = 7
    public var dateField: String = "date"
    /// A numeric field summed beside the counts (e.g. amount_kg).
    public var weight: String?
    /// Provinces to count events in (point in polygon), with the field naming them and the one giving their country.
    public var provinces: String?
    public var provinceField: String = "name"
    public var provinceCountryField: String = "iso_a2"
    /// Country polygons for the overview map (features with role = 'focus' set its extent, when there is such a field).
    public var countries: String?
    /// A hot-spot layer (`caravan hotspots`), a crossings layer (`caravan crossings`), may repeat.
    public var hotspots: String?
    public var crossings: [String] = []
    /// Pictures (PNG, JPEG, SVG) to embed, e.g. maps made by a render step.
    public var map: [String] = []
    public var title: String = "Weekly seizure bulletin"
    public var output: String
    /// Also print the page to PDF (headless Chromium).
    public var pdf: String?
    public var overwrite = false

    public init(events: String, until: String, output: String) { self.events = events; self.until = until; self.output = output }

    public var inputPaths: [String] { [events] + [provinces, countries, hotspots].compactMap { $0 } + crossings + map }
    public var outputPaths: [String] { [output] + [pdf].compactMap { $0 } }

    public func validate() throws {
        guard RecipeDate(until) != nil else {
            throw GeoError(.invalidArgument, "the period's last day '\(until)' is not a date", hint: "write it as YYYY-MM-DD, e.g. 2023-12-31")
        }
        guard days >= 1 && days <= 3660 else { throw GeoError(.invalidArgument, "the period must be 1 to 3660 days long, not \(days)") }
    }
}

/// What the bulletin says, computed from the step outputs (kept apart from the page so tests
/// can check the numbers).
public struct BulletinData: Sendable {
    public struct Count: Sendable, Hashable {
        public var name: String
        public var country: String
        public var now: Int
        public var before: Int
        public var weightNow: Double
        public var weightBefore: Double
    }
    public struct HotPlace: Sendable, Hashable {
        public var place: String
        public var country: String
        /// Cells (or polygons) of the place at 95 % or more, the strongest z-score, the events in them.
        public var units: Int
        public var bestZ: Double
        public var bestBin: Int
        public var events: Double
        public var lon: Double, lat: Double
    }
    public struct Crossing: Sendable, Hashable {
        public var pair: String
        public var routes: Int
        public var crossings: Int
        public var post: String
        public var postKm: Double
        public var unlisted: Bool
        public var lon: Double, lat: Double
        public var layer: String
    }
    public struct Unmatched: Sendable, Hashable {
        public var row: Int
        public var date: String
        public var place: String
        public var country: String
        public var status: String
    }
    public var title: String
    public var from: String, until: String
    public var previousFrom: String, previousUntil: String
    public var weightName: String?
    public var eventsNow = 0, eventsBefore = 0
    public var weightNow = 0.0, weightBefore = 0.0
    public var byCountry: [Count] = []
    public var byProvince: [Count] = []
    /// Events of the period outside every province (or without a location).
    public var outsideProvinces = 0
    public var hotPlaces: [HotPlace] = []
    public var hotUnits95 = 0, coldUnits95 = 0
    public var busiest: [Crossing] = []
    public var unlisted: [Crossing] = []
    public var unlistedTotal = 0
    public var unmatchedNow: [Unmatched] = []
    public var unmatchedTotal = 0
    public var eventsTotal = 0
    /// Points of the period (lon/lat) and hot cells for the overview map.
    public var points: [LonLat] = []
    public var hotGeometries: [(Geometry, Int)] = []
    public var countryShapes: [(Geometry, String, Bool)] = []
    public var provinceShapes: [Geometry] = []
    public var pictures: [(name: String, mime: String, data: Data)] = []
    public var warnings: [String] = []
}

/// Reads the step outputs and computes the bulletin's numbers.
public func makeBulletin(_ o: BulletinOptions) throws -> BulletinData {
    try o.validate()
    guard let untilDate = RecipeDate(o.until) else { throw GeoError(.invalidArgument, "bad date \(o.until)") }
    let from = untilDate.adding(days: -(o.days - 1)), prevUntil = from.adding(days: -1), prevFrom = from.adding(days: -o.days)
    var d = BulletinData(title: o.title, from: from.description, until: untilDate.description,
                         previousFrom: prevFrom.description, previousUntil: prevUntil.description, weightName: o.weight)

    // Provinces, prepared for point-in-polygon.
    struct Province { var name: String; var country: String; var prepared: PreparedGeometry; var envelope: Envelope }
    var provinces: [Province] = []
    if let p = o.provinces {
        let l = try Dataset.open(p).layer(named: nil)
        guard let nameIndex = l.schema.index(of: o.provinceField) else {
            throw GeoError(.invalidArgument, "no field '\(o.provinceField)'; the fields are: \(l.schema.names.joined(separator: ", "))", file: p)
        }
        let countryIndex = l.schema.index(of: o.provinceCountryField)
        try l.forEach { f in
            guard let g = f.geometry else { return }
            provinces.append(Province(name: f.values[nameIndex].stringValue ?? "?", country: countryIndex.flatMap { f.values[$0].stringValue } ?? "",
                                      prepared: try PreparedGeometry(g), envelope: g.envelope))
            d.provinceShapes.append(g)
        }
    }

    // Events: counts by country and province, this period and the one before.
    let events = try Dataset.open(o.events).layer(named: nil)
    let s = events.schema
    guard let dateIndex = s.index(of: o.dateField) else {
        throw GeoError(.invalidArgument, "no date field '\(o.dateField)'; the fields are: \(s.names.joined(separator: ", "))", file: o.events,
                       hint: "name the date column with {dateField}")
    }
    let statusIndex = s.index(of: "match_status"), countryIndex = s.index(of: "match_country") ?? s.index(of: "country")
    let placeIndex = s.index(of: "place"), inputCountryIndex = s.index(of: "country")
    let weightIndex = try o.weight.map { w -> Int in
        guard let i = s.index(of: w) else { throw GeoError(.invalidArgument, "no field '\(w)' to sum; the fields are: \(s.names.joined(separator: ", "))", file: o.events) }
        return i
    }
    let toLonLat = try events.crs.flatMap { c in c.isEquivalent(to: .wgs84) ? nil : try Transformer(from: c, to: .wgs84) }
    var countries: [String: BulletinData.Count] = [:], provinceCounts: [String: BulletinData.Count] = [:]
    var row = 0
    let nowRange = from.days ... untilDate.days, beforeRange = prevFrom.days ... prevUntil.days
    try events.forEach { f in
        row += 1
        d.eventsTotal += 1
        let status = statusIndex.flatMap { f.values[$0].stringValue } ?? (f.geometry == nil ? "unmatched" : "matched")
        if status != "matched" { d.unmatchedTotal += 1 }
        guard let raw = f.values[dateIndex].stringValue, let day = RecipeDate(String(raw.prefix(10)).replacingOccurrences(of: "/", with: "-")) else { return }
        let isNow = nowRange.contains(day.days), isBefore = beforeRange.contains(day.days)
        guard isNow || isBefore else { return }
        let w = weightIndex.flatMap { f.values[$0].doubleValue } ?? 0
        if isNow { d.eventsNow += 1; d.weightNow += w } else { d.eventsBefore += 1; d.weightBefore += w }
        if status != "matched" && isNow {
            d.unmatchedNow.append(.init(row: row, date: day.description, place: placeIndex.flatMap { f.values[$0].stringValue } ?? "",
                                        country: inputCountryIndex.flatMap { f.values[$0].stringValue } ?? "", status: status))
        }
        var point: XY?
        if let g = f.geometry, case .point(let p) = g { point = try toLonLat?.transform(p) ?? p }
        if isNow, let point { d.points.append(LonLat(point)) }
        let hit = point.flatMap { p in provinces.first { $0.envelope.contains(p) && $0.prepared.intersects(p) } }
        // The geocoder's country; for coordinates (no country) the province's; else the row is not located.
        let country = countryIndex.flatMap { f.values[$0].stringValue }.flatMap { $0.isEmpty ? nil : $0 }
            ?? hit.flatMap { $0.country.isEmpty ? nil : $0.country } ?? (point == nil ? "not located" : "outside the countries")
        var c = countries[country] ?? .init(name: country, country: country, now: 0, before: 0, weightNow: 0, weightBefore: 0)
        if isNow { c.now += 1; c.weightNow += w } else { c.before += 1; c.weightBefore += w }
        countries[country] = c
        guard !provinces.isEmpty else { return }
        guard let hit else { if isNow { d.outsideProvinces += 1 }; return }
        let key = hit.country + "|" + hit.name
        var pc = provinceCounts[key] ?? .init(name: hit.name, country: hit.country, now: 0, before: 0, weightNow: 0, weightBefore: 0)
        if isNow { pc.now += 1; pc.weightNow += w } else { pc.before += 1; pc.weightBefore += w }
        provinceCounts[key] = pc
    }
    func order(_ a: BulletinData.Count, _ b: BulletinData.Count) -> Bool {
        a.now != b.now ? a.now > b.now : a.before != b.before ? a.before > b.before : a.name < b.name
    }
    d.byCountry = countries.values.sorted(by: order)
    d.byProvince = provinceCounts.values.sorted(by: order)

    if let h = o.hotspots { try readHotSpots(h, into: &d) }
    for x in o.crossings { try readCrossings(x, into: &d) }
    d.busiest.sort { ($0.routes, $0.crossings) > ($1.routes, $1.crossings) }
    d.unlisted = d.busiest.filter(\.unlisted)
    d.unlistedTotal = d.unlisted.count
    d.busiest = Array(d.busiest.prefix(10))
    d.unlisted = Array(d.unlisted.prefix(10))

    if let c = o.countries {
        let l = try Dataset.open(c).layer(named: nil)
        let nameIndex = l.schema.index(of: "iso_a2") ?? l.schema.index(of: "name")
        let roleIndex = l.schema.index(of: "role")
        try l.forEach { f in
            guard let g = f.geometry else { return }
            let focus = roleIndex.map { f.values[$0].stringValue == "focus" } ?? true
            d.countryShapes.append((g, nameIndex.flatMap { f.values[$0].stringValue } ?? "", focus))
        }
    }
    for m in o.map {
        guard let data = FileManager.default.contents(atPath: m) else {
            throw GeoError(.read, "cannot read the picture", file: m, hint: "give the PNG a render step wrote")
        }
        let ext = (m as NSString).pathExtension.lowercased()
        let mime = ext == "png" ? "image/png" : ext == "svg" ? "image/svg+xml" : ext == "jpg" || ext == "jpeg" ? "image/jpeg" : ""
        guard !mime.isEmpty else { throw GeoError(.unsupported, "a map must be a PNG, JPEG or SVG picture", file: m) }
        d.pictures.append((((m as NSString).lastPathComponent as NSString).deletingPathExtension, mime, data))
    }
    return d
}

/// Hot spots by place name: each unit at 95 % or more is named by the nearest town of the
/// gazetteer (5,000+ people, else any place); units sharing a town are one line.
func readHotSpots(_ path: String, into d: inout BulletinData) throws {
    let l = try Dataset.open(path).layer(named: nil)
    guard let zi = l.schema.index(of: "GiZScore"), let bi = l.schema.index(of: "Gi_Bin") else {
        throw GeoError(.invalidArgument, "not a hot-spot layer (no GiZScore and Gi_Bin fields)", file: path, hint: "give the output of caravan hotspots")
    }
    let ci = l.schema.index(of: "count") ?? l.schema.index(of: "sum") ?? l.schema.fields.firstIndex { $0.type.isNumeric && !["col", "row", "GiZScore", "GiPValue", "NNeighbors", "Gi_Bin"].contains($0.name) }
    let toLonLat = try l.crs.flatMap { c in c.isEquivalent(to: .wgs84) ? nil : try Transformer(from: c, to: .wgs84) }
    let towns = Gazetteer.shared.places.filter { $0.population >= 5000 }
    var byPlace: [String: BulletinData.HotPlace] = [:]
    try l.forEach { f in
        guard let bin = f.values[bi].doubleValue.map({ Int($0) }), abs(bin) >= 2, let g0 = f.geometry else { return }
        let g = try toLonLat?.transform(g0) ?? g0
        if bin > 0 { d.hotUnits95 += 1; d.hotGeometries.append((g, bin)) } else { d.coldUnits95 += 1; d.hotGeometries.append((g, bin)); return }
        let c = g.envelope.center
        var best: Place?, bestD = Double.infinity
        let cosLat = cos(c.y * .pi / 180)
        for p in towns {
            let dx = (p.location.lon - c.x) * cosLat, dy = p.location.lat - c.y
            let dd = dx * dx + dy * dy
            if dd < bestD { bestD = dd; best = p }
        }
        let name = best?.name ?? String(format: "%.2f, %.2f", c.x, c.y), country = best?.country ?? ""
        let z = f.values[zi].doubleValue ?? 0, n = ci.flatMap { f.values[$0].doubleValue } ?? 0
        var h = byPlace[name + "|" + country] ?? .init(place: name, country: country, units: 0, bestZ: -.infinity, bestBin: 0, events: 0, lon: c.x, lat: c.y)
        h.units += 1; h.events += n
        if z > h.bestZ { h.bestZ = z; h.bestBin = bin; h.lon = c.x; h.lat = c.y }
        byPlace[name + "|" + country] = h
    }
    d.hotPlaces = Array(byPlace.values.sorted { $0.bestZ != $1.bestZ ? $0.bestZ > $1.bestZ : $0.place < $1.place }.prefix(12))
}

func readCrossings(_ path: String, into d: inout BulletinData) throws {
    let l = try Dataset.open(path).layer(named: nil)
    let s = l.schema
    guard let pi = s.index(of: "pair"), let ui = s.index(of: "unlisted") else {
        throw GeoError(.invalidArgument, "not a crossings layer (no pair and unlisted fields)", file: path, hint: "give the output of caravan crossings")
    }
    let ri = s.index(of: "routes"), xi = s.index(of: "crossings"), posti = s.index(of: "post"), pki = s.index(of: "post_km")
    let name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    try l.forEach { f in
        guard let g = f.geometry, case .point(let p) = g else { return }
        d.busiest.append(.init(pair: f.values[pi].stringValue ?? "", routes: Int(ri.flatMap { f.values[$0].doubleValue } ?? 1),
                               crossings: Int(xi.flatMap { f.values[$0].doubleValue } ?? 1), post: posti.flatMap { f.values[$0].stringValue } ?? "",
                               postKm: pki.flatMap { f.values[$0].doubleValue } ?? 0, unlisted: (f.values[ui].doubleValue ?? 0) != 0,
                               lon: p.x, lat: p.y, layer: name))
    }
}
