import Foundation

/// The base map every map is drawn on: the region's countries (Natural Earth, unclipped in a
/// wide window so no clip-box edge shows), their names, and the towns that may be labelled.
struct BaseMap {
    struct Country { var iso: String; var name: String; var role: String; var geometry: Geometry }
    struct Town { var name: String; var nameRussian: String; var location: LonLat; var country: String; var population: Int; var capital: Bool }

    let countries: [Country]
    let towns: [Town]

    static func load() throws -> BaseMap {
        guard let path = Bundle.module.path(forResource: "basemap", ofType: "gpkg") else {
            throw GeoError(.open, "the base map is missing", file: "basemap.gpkg (CaravanKit resource)", hint: "reinstall caravan")
        }
        let layer = try Dataset.open(path).layer(named: "countries")
        var countries: [Country] = []
        try layer.forEach { f in
            guard let g = f.geometry else { return }
            countries.append(Country(iso: f["iso_a2"].stringValue ?? "", name: f["name"].stringValue ?? "",
                                     role: f["role"].stringValue ?? "context", geometry: g))
        }
        return BaseMap(countries: countries, towns: try loadTowns())
    }

    static func loadTowns() throws -> [Town] {
        guard let path = Bundle.module.path(forResource: "basemap_places", ofType: "tsv"),
              let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw GeoError(.open, "the base map's towns are missing", file: "basemap_places.tsv (CaravanKit resource)", hint: "reinstall caravan")
        }
        var out: [Town] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let p = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            guard p.count >= 8, let lon = Double(p[3]), let lat = Double(p[4]) else { continue }
            out.append(Town(name: p[1], nameRussian: p[2], location: LonLat(lon: lon, lat: lat), country: p[5],
                            population: Int(p[6]) ?? 0, capital: p[7] == "1"))
        }
        return out
    }

    /// Country names in Russian (the base map's countries of the region).
    static let russianNames: [String: String] = [
        "KZ": "Казахстан", "KG": "Кыргызстан", "TJ": "Таджикистан", "TM": "Туркменистан", "UZ": "Узбекистан", "AF": "Афганистан",
        "RU": "Россия", "CN": "Китай", "IR": "Иран", "PK": "Пакистан", "MN": "Монголия", "IN": "Индия", "AZ": "Азербайджан",
        "GE": "Грузия", "AM": "Армения", "TR": "Турция", "IQ": "Ирак", "SY": "Сирия", "SA": "Саудовская Аравия", "KW": "Кувейт",
        "NP": "Непал", "BT": "Бутан", "BD": "Бангладеш", "OM": "Оман", "AE": "ОАЭ", "QA": "Катар", "UA": "Украина",
        "BY": "Беларусь", "XS": "Ледник Сиачен", "JO": "Иордания", "YE": "Йемен", "MM": "Мьянма", "KP": "КНДР", "KR": "Корея",
    ]

    /// Natural Earth's country names where they are too long for a map.
    static let shortNames: [String: String] = ["XS": "Siachen", "BA": "Bosnia", "AE": "UAE"]

    func name(of c: Country, _ lang: MapLanguage) -> String {
        if lang == .ru, let n = BaseMap.russianNames[c.iso] { return n }
        return BaseMap.shortNames[c.iso] ?? c.name
    }
}

/// Places labels without overlaps: greedy, most important first (capitals, then by
/// population), trying eight positions around each point, each label's box tested against
/// every box already taken (labels, symbols, the legend and the frame's furniture).
struct LabelPlacer {
    private(set) var taken: [Box] = []
    let bounds: Box

    init(bounds: Box) { self.bounds = bounds }

    mutating func block(_ b: Box) { taken.append(b) }

    func isFree(_ b: Box) -> Bool {
        guard bounds.contains(b) else { return false }
        // Most maps place a few hundred labels: a linear scan is fast enough.
        for t in taken where t.intersects(b) { return false }
        return true
    }

    /// The first free position for a `w` × `h` label beside a point at `x`, `y` (symbol radius `r`),
    /// in the cartographic order of preference (right, upper right, left, …); nil when all collide.
    mutating func place(x: Double, y: Double, w: Double, h: Double, r: Double) -> Box? {
        let g = r + 2
        let candidates = [
            Box(x: x + g, y: y - h / 2, w: w, h: h),            // right
            Box(x: x + g * 0.7, y: y - h - g * 0.5, w: w, h: h), // upper right
            Box(x: x - g - w, y: y - h / 2, w: w, h: h),        // left
            Box(x: x + g * 0.7, y: y + g * 0.5, w: w, h: h),    // lower right
            Box(x: x - w / 2, y: y - h - g, w: w, h: h),        // above
            Box(x: x - w / 2, y: y + g, w: w, h: h),            // below
            Box(x: x - g * 0.7 - w, y: y - h - g * 0.5, w: w, h: h),
            Box(x: x - g * 0.7 - w, y: y + g * 0.5, w: w, h: h),
        ]
        for c in candidates where isFree(c) { taken.append(c); return c }
        return nil
    }

    /// A centred label (country names): placed if free.
    mutating func placeCentred(x: Double, y: Double, w: Double, h: Double) -> Box? {
        for dy in [0.0, -h, h, -2 * h, 2 * h] {
            let b = Box(x: x - w / 2, y: y - h / 2 + dy, w: w, h: h)
            if isFree(b) { taken.append(b); return b }
        }
        return nil
    }
}
