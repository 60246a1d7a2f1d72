import Foundation
import Testing
@testable import CaravanKit

/// The layers in shapefiles/ and the tables in samples/ are what trainers open first.
@Suite("Shipped layers and samples")
struct ShippedDataTests {
    static func shp(_ name: String) -> String { repositoryRoot + "/shapefiles/\(name).shp" }

    @Test("every shipped layer opens in WGS84 with its expected count and fields", arguments: [
        ("countries", 21, ["iso_a2", "iso_a3", "name", "role"]),
        ("provinces", 83, ["iso_a2", "country", "adm0_a3", "name", "gn_name", "fips"]),
        ("borders", 45, ["left", "right", "pair", "parts", "length_km"]),
        ("roads", 36_220, ["id", "kind", "from_node", "to_node", "from_iso", "to_iso", "edges", "length_km"]),
        ("railways", 5_579, ["id", "kind", "from_node", "to_node", "from_iso", "to_iso", "edges", "length_km"]),
        ("border_posts", 56, ["id", "name", "name_a", "name_b", "aliases", "iso_a", "iso_b", "pair", "kind", "method", "lon", "lat", "note", "source", "accuracy"]),
    ])
    func layer(name: String, count: Int, fields: [String]) throws {
        let layer = try Dataset.open(Self.shp(name)).layer(named: nil)
        #expect(try layer.crs?.epsg == 4326)
        #expect(try layer.featureCount() == count)
        #expect(layer.schema.names == fields)
        #expect(FileManager.default.fileExists(atPath: repositoryRoot + "/shapefiles/\(name).cpg"))
    }

    @Test("all shipped polygons are valid", arguments: ["countries", "provinces"])
    func valid(name: String) throws {
        let info = try LayerInfo.describe(Dataset.open(Self.shp(name)).layer(named: nil), check: true)
        #expect(info.invalidCount == 0, "\(info.invalidExamples)")
    }

    /// Natural Earth's full-resolution 1:10m boundary lines (ne_10m_admin_0_boundary_lines_land),
    /// measured geodesically: the cross-check layer of the source data (PROVENANCE). Only pairs
    /// whose border lies wholly inside the region box (lat ≥ 29°) — IR-PK runs south of it.
    static let naturalEarthKm: [String: Double] = [
        "KZ-UZ": 2183, "AF-TJ": 1170, "AF-UZ": 137, "AF-TM": 723, "KZ-RU": 6658, "CN-KZ": 1503, "KG-KZ": 1017,
        "KZ-TM": 373, "KG-UZ": 1049, "KG-TJ": 838, "CN-KG": 839, "TJ-UZ": 1120, "CN-TJ": 404, "TM-UZ": 1596,
        "IR-TM": 958, "AF-PK": 2245, "AF-IR": 866, "AF-CN": 84, "CN-PK": 351,
    ]

    /// 3%, or 3 km for the short AF-CN border (81.4 km against 84 km: 3.1%, the generalisation of
    /// the Wakhan's mountain line).
    @Test("borders derived from the shipped countries are within 3% of Natural Earth's full-resolution lines")
    func borderLengths() throws {
        let layer = try Dataset.open(Self.shp("countries")).layer(named: nil)
        let derived = Dictionary(uniqueKeysWithValues: try deriveBorders(layer).map { ($0.pair, $0.lengthKm) })
        for (pair, ne) in Self.naturalEarthKm {
            let km = try #require(derived[pair], "no \(pair) border")
            #expect(abs(km - ne) <= max(0.03 * ne, 3), "\(pair): \(km) km against \(ne) km")
        }
        // And the shipped borders layer is what `caravan borders` makes today.
        var shipped: [String: Double] = [:]
        try Dataset.open(Self.shp("borders")).layer(named: nil).forEach { shipped[$0["pair"].stringValue!] = $0["length_km"].doubleValue }
        for (pair, km) in derived { #expect(abs((shipped[pair] ?? 0) - km) < 0.01, "\(pair)") }
    }

    /// Border lines by pair, in an equal-area metric CRS.
    static func borderLines() throws -> (CRS, [String: Geometry]) {
        let crs = CRS.lambertEqualArea(center: LonLat(lon: 67, lat: 43))
        let t = try Transformer(from: .wgs84, to: crs)
        var lines: [String: Geometry] = [:]
        try Dataset.open(shp("borders")).layer(named: nil).forEach { f in
            lines[f["pair"].stringValue!] = try t.transform(f.geometry!)
        }
        return (crs, lines)
    }

    @Test("every border post lies within 10 km of the border line of its two countries")
    func postsOnBorders() throws {
        let (crs, lines) = try Self.borderLines()
        let t = try Transformer(from: .wgs84, to: crs)
        var n = 0
        try Dataset.open(Self.shp("border_posts")).layer(named: nil).forEach { f in
            let pair = [f["iso_a"].stringValue!, f["iso_b"].stringValue!].sorted().joined(separator: "-")
            #expect(f["pair"].stringValue == pair)
            let line = try #require(lines[pair], "no border line \(pair)")
            let d = try t.transform(f.geometry!).distance(to: line)
            #expect(d < 10_000, "\(f["name"]): \(d) m from the \(pair) border")
            n += 1
        }
        #expect(n == 56)
    }

    @Test("the road network crosses each border where a post claims a road")
    func roadsConnectedAtPosts() throws {
        // A road line that crosses the post's border line within 15 km of the post.
        let (crs, lines) = try Self.borderLines()
        let t = try Transformer(from: .wgs84, to: crs)
        var roads: [Geometry] = []
        try Dataset.open(Self.shp("roads")).layer(named: nil).forEachGeometry { _, g in roads.append(try t.transform(g)) }
        var checked = 0
        try Dataset.open(Self.shp("border_posts")).layer(named: nil).forEach { f in
            guard f["kind"].stringValue != "rail", f["method"].stringValue?.hasPrefix("network crossing") == true else { return }
            let pair = f["pair"].stringValue!
            let p = try t.transform(f.geometry!)
            let window = p.envelope.expanded(by: 15_000)
            let border = try PreparedGeometry(lines[pair]!)
            let crossing = try roads.contains { r in
                guard r.envelope.intersects(window), try border.intersects(r) else { return false }
                return try r.distance(to: p) < 15_000
            }
            #expect(crossing, "\(f["name"]): no road crosses the \(pair) border within 15 km")
            checked += 1
        }
        #expect(checked >= 20)
    }

    @Test("the sample tables parse, with their columns")
    func samples() throws {
        let events = try readAll(repositoryRoot + "/samples/events/caricc-2022.csv").1
        #expect(events.count == 10)
        #expect(events.contains { $0["place"] == .string("Akhshabad") })
        #expect(events[0].schema.names == ["date_start", "date_end", "place", "country", "kind", "summary"])
        let seizures = try readAll(repositoryRoot + "/samples/events/seizures.csv").1
        #expect(seizures.count == 3000)
        #expect(seizures[0].schema.names == ["id", "date", "place", "country", "drug", "amount_kg", "agency"])
        #expect(seizures.allSatisfy { ($0["amount_kg"].doubleValue ?? -1) > 0 })
        let xlsx = try readAll(repositoryRoot + "/samples/events/seizures.xlsx").1
        #expect(xlsx.count == 3000)
        #expect(xlsx.map { $0["place"] } == seizures.map { $0["place"] })
        let waypoints = try readAll(repositoryRoot + "/samples/routes/waypoints.csv").1
        #expect(Set(waypoints.compactMap { $0["route"].stringValue }).count == 5)
    }
}
