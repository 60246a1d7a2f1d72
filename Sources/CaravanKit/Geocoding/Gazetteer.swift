import Foundation

/// A named place.
public struct Place: Sendable, Hashable {
    /// GeoNames id, or a negative id for entries of an extra gazetteer.
    public var id: Int
    public var name: String
    public var location: LonLat
    /// ISO 3166-1 alpha-2 country code.
    public var country: String
    public var admin1: String
    public var population: Int
    /// "city" for GeoNames populated places; the extra gazetteer's own kind (border post, checkpoint…).
    public var kind: String
    /// True for entries of a user's extra gazetteer, which take precedence.
    public var isExtra: Bool
}

/// The places and their name keys: GeoNames' populated places of the region (shipped inside
/// CaravanKit, built by `caravan gazetteer build`) and any extra gazetteers.
///
/// Immutable once built, so one gazetteer serves every thread.
public final class Gazetteer: Sendable {
    public let places: [Place]
    /// Normal form → (place index, is the primary name).
    let exact: [String: [(Int32, Bool)]]
    /// Phonetic key → place indices.
    let phonetic: [String: [Int32]]
    /// Phonetic keys as bytes, for the fuzzy search, and their trigram postings.
    let keys: [[UInt8]]
    let keyPlaces: [[Int32]]
    let trigrams: [UInt32: [Int32]]

    init(places: [Place], names: [[String]]) {
        self.places = places
        var exact: [String: [(Int32, Bool)]] = [:]
        var phonetic: [String: Set<Int32>] = [:]
        exact.reserveCapacity(names.count * 4)
        for (i, list) in names.enumerated() {
            for (k, n) in list.enumerated() where !n.isEmpty {
                exact[n, default: []].append((Int32(i), k == 0))
                phonetic[TextNormalizer.phoneticKey(n), default: []].insert(Int32(i))
            }
        }
        self.exact = exact
        var keys: [[UInt8]] = [], keyPlaces: [[Int32]] = []
        var trigrams: [UInt32: [Int32]] = [:]
        var ph: [String: [Int32]] = [:]
        for (k, set) in phonetic {
            let sorted = set.sorted()
            ph[k] = sorted
            let bytes = Array(k.utf8)
            guard bytes.count >= 3 else { continue }
            let ki = Int32(keys.count)
            keys.append(bytes); keyPlaces.append(sorted)
            for g in Gazetteer.trigrams(of: bytes) { trigrams[g, default: []].append(ki) }
        }
        self.phonetic = ph
        self.keys = keys
        self.keyPlaces = keyPlaces
        self.trigrams = trigrams
    }

    /// Trigrams of a key padded with a start and an end mark.
    static func trigrams(of k: [UInt8]) -> Set<UInt32> {
        let p: [UInt8] = [94] + k + [36]
        var out = Set<UInt32>()
        for i in 0..<(p.count - 2) { out.insert(UInt32(p[i]) << 16 | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2])) }
        return out
    }

    // MARK: the shipped gazetteer

    /// The shipped GeoNames gazetteer, loaded on first use.
    public static let shared: Gazetteer = {
        do { return try load() } catch { fatalError("the shipped gazetteer cannot be read: \(error)") }
    }()

    /// Reads a gazetteer file made by `build(from:to:)` (the shipped one by default).
    public static func load(_ path: String? = nil) throws -> Gazetteer {
        let file = path ?? Bundle.module.path(forResource: "gazetteer", ofType: "tsv")
        guard let file, let data = FileManager.default.contents(atPath: file) else {
            throw GeoError(.open, "the gazetteer file is missing", file: path ?? "gazetteer.tsv (CaravanKit resource)")
        }
        var places: [Place] = [], names: [[String]] = []
        places.reserveCapacity(40_000); names.reserveCapacity(40_000)
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            var lineStart = 0
            var lineNo = 0
            while lineStart < raw.count {
                var end = lineStart
                while end < raw.count && raw[end] != 10 { end += 1 }
                lineNo += 1
                if raw[lineStart] != 35 { // '#'
                    let fields = String(decoding: UnsafeRawBufferPointer(rebasing: raw[lineStart..<end]), as: UTF8.self)
                        .split(separator: "\t", omittingEmptySubsequences: false)
                    guard fields.count >= 9, let id = Int(fields[0]), let lat = Double(fields[2]), let lon = Double(fields[3]) else {
                        throw GeoError(.read, "malformed gazetteer line", file: file, index: lineNo)
                    }
                    places.append(Place(id: id, name: String(fields[1]), location: LonLat(lon: lon, lat: lat), country: String(fields[4]),
                                        admin1: String(fields[5]), population: Int(fields[6]) ?? 0, kind: "city", isExtra: false))
                    var list = [String(fields[7])]
                    if !fields[8].isEmpty { list += fields[8].split(separator: "|").map(String.init) }
                    names.append(list)
                }
                lineStart = end + 1
            }
        }
        return Gazetteer(places: places, names: names)
    }

    /// Builds the compact gazetteer file from the prepared GeoNames extract (see PROVENANCE):
    /// every name and alternate name in normal form, non-Latin scripts other than Cyrillic dropped
    /// (they never match what officers type), duplicates removed.
    public static func build(from source: String, to output: String) throws -> Int {
        guard let text = try? String(contentsOfFile: source, encoding: .utf8) else {
            throw GeoError(.open, "cannot read the GeoNames extract", file: source)
        }
        var out = """
        # Caravan gazetteer v1. Contains data from GeoNames (geonames.org), CC BY 4.0.
        # Built by 'caravan gazetteer build' from the prepared GeoNames extract (cities500 of KZ KG TJ TM UZ AF,
        # cities5000 of IR PK CN RU MN AZ, cities15000 worldwide). Columns: geonameid, name, lat, lon, country,
        # admin1, population, normal form of the name, normal forms of the alternate names (|-separated).

        """
        var count = 0
        for (n, line) in text.split(separator: "\n").enumerated() where n > 0 {
            let f = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard f.count >= 9 else { continue }
            let primary = TextNormalizer.normalize(String(f[1]))
            var seen: Set<String> = [primary]
            var aliases: [String] = []
            for a in [String(f[2])] + f[3].split(separator: "|").map(String.init) {
                let norm = TextNormalizer.normalize(a)
                guard !norm.isEmpty, TextNormalizer.isLatin(norm), !seen.contains(norm) else { continue }
                seen.insert(norm)
                aliases.append(norm)
            }
            out += "\(f[0])\t\(f[1])\t\(f[4])\t\(f[5])\t\(f[6])\t\(f[7])\t\(f[8])\t\(primary)\t\(aliases.joined(separator: "|"))\n"
            count += 1
        }
        let safe = try SafeOutput(target: output, overwrite: true)
        try out.write(toFile: safe.temporaryPath, atomically: false, encoding: .utf8)
        try safe.commit()
        return count
    }

    // MARK: extra gazetteers

    /// This gazetteer with a user's places added (border posts, checkpoints, Border Liaison
    /// Offices): any layer GDAL reads with a `name` field, optional `aliases` (separated by | or ;),
    /// `name_a`/`name_b` (both sides' names of a border post), `country` (or iso_a), `kind`.
    public func adding(extraFrom path: String) throws -> Gazetteer {
        let layer = try Dataset.open(path).layer(named: nil)
        let s = layer.schema
        guard let nameIndex = s.index(of: "name") else {
            throw GeoError(.invalidArgument, "an extra gazetteer needs a 'name' field; the fields are: \(s.names.joined(separator: ", "))", file: path)
        }
        guard let crs = try layer.crs else { throw GeoError(.projection, "the extra gazetteer has no CRS", file: path, hint: "give lon and lat columns, or a .prj") }
        let t = try Transformer(from: crs, to: .wgs84)
        let aliasFields = ["aliases", "alias", "name_a", "name_b", "name_ru", "name_en", "other_names"].compactMap { s.index(of: $0) }
        let countryIndex = s.index(of: "country") ?? s.index(of: "iso_a2") ?? s.index(of: "iso_a")
        let kindIndex = s.index(of: "kind") ?? s.index(of: "type")
        var places = self.places
        var names: [[String]] = []
        names.reserveCapacity(places.count + 100)
        // Rebuild the name lists of the existing places from the index.
        var byPlace = [[String]](repeating: [], count: places.count)
        for (n, list) in exact { for (i, primary) in list { if primary { byPlace[Int(i)].insert(n, at: 0) } else { byPlace[Int(i)].append(n) } } }
        names = byPlace
        var added = 0
        try layer.forEach { f in
            guard let p = f.geometry?.points.first, let name = f.values[nameIndex].stringValue, !name.isEmpty else { return }
            let ll = try t.transform(p)
            var list = [TextNormalizer.normalize(name)]
            for ai in aliasFields {
                for a in (f.values[ai].stringValue ?? "").split(whereSeparator: { $0 == "|" || $0 == ";" }) {
                    let n = TextNormalizer.normalize(String(a))
                    if !n.isEmpty && !list.contains(n) { list.append(n) }
                }
            }
            // A border post named "A–B" also answers to A and to B.
            for part in name.split(whereSeparator: { $0 == "–" || $0 == "—" || $0 == "/" }) where name.contains("–") || name.contains("—") {
                let n = TextNormalizer.normalize(String(part).replacingOccurrences(of: "(", with: " ").replacingOccurrences(of: ")", with: " "))
                if !n.isEmpty && !list.contains(n) { list.append(n) }
            }
            let country = countryIndex.flatMap { f.values[$0].stringValue } ?? ""
            places.append(Place(id: -(added + 1), name: name, location: LonLat(ll), country: country, admin1: "",
                                population: 0, kind: kindIndex.flatMap { f.values[$0].stringValue } ?? "extra", isExtra: true))
            names.append(list)
            added += 1
        }
        guard added > 0 else { throw GeoError(.invalidArgument, "the extra gazetteer has no named points", file: path) }
        return Gazetteer(places: places, names: names)
    }
}
