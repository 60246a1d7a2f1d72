import Foundation
import Testing
@testable import CaravanKit

@Suite("Border crossings")
struct CrossingsTests {
    /// Two countries W (x < 70) and E (x > 70) sharing the meridian 70°E between 40° and 42°N.
    static func countries(_ dir: TempDir) throws -> Layer {
        let w = try VectorWriter(path: dir.file("c.geojson"), geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("iso_a2", .string)])
        try w.write(geometry: .polygon([[XY(68, 40), XY(70, 40), XY(70, 42), XY(68, 42), XY(68, 40)]]), values: [.string("WW")])
        try w.write(geometry: .polygon([[XY(70, 40), XY(72, 40), XY(72, 42), XY(70, 42), XY(70, 40)]]), values: [.string("EE")])
        try w.commit()
        return try Dataset.open(dir.file("c.geojson")).layer(named: nil)
    }

    static func routes(_ lines: [[XY]], _ dir: TempDir, name: String = "r.gpkg") throws -> Layer {
        let w = try VectorWriter(path: dir.file(name), geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("id", .string), FieldDefinition("kind", .string)])
        for (i, l) in lines.enumerated() { try w.write(geometry: .lineString(l), values: [.string("R\(i + 1)"), .string("road")]) }
        try w.commit()
        return try Dataset.open(dir.file(name)).layer(named: nil)
    }

    func crossings(_ lines: [[XY]]) throws -> [BorderCrossing] {
        let dir = TempDir()
        let c = try Self.countries(dir)
        var o = CrossingParameters()
        o.countries = try c.snapshot()
        return try findCrossings(routes: Self.routes(lines, dir), borders: c, options: o)
    }

    @Test("a route across the border: one crossing, from and to in the direction of travel, km along geodesic")
    func simple() throws {
        let xs = try crossings([[XY(69, 41), XY(71, 41.5)]])
        #expect(xs.count == 1)
        #expect(xs[0].pair == "EE-WW" && xs[0].from == "WW" && xs[0].to == "EE")
        #expect(abs(xs[0].location.lon - 70) < 1e-9 && abs(xs[0].location.lat - 41.25) < 1e-9)
        #expect(abs(xs[0].kmAlong - Geodesic.distance(LonLat(lon: 69, lat: 41), LonLat(lon: 70, lat: 41.25)) / 1000) < 1e-9)
        let back = try crossings([[XY(71, 41.5), XY(69, 41)]])
        #expect(back[0].from == "EE" && back[0].to == "WW")
    }

    @Test("touching the border at a vertex, or running along it, is not a crossing")
    func touching() throws {
        #expect(try crossings([[XY(69, 41), XY(70, 41.2), XY(69, 41.4)]]).isEmpty)
        #expect(try crossings([[XY(69, 41), XY(70, 41), XY(70, 41.5), XY(69.5, 41.8)]]).isEmpty)
    }

    @Test("running along the border and leaving on the other side is one crossing, where it leaves")
    func alongThenAcross() throws {
        let xs = try crossings([[XY(69, 41), XY(70, 41), XY(70, 41.5), XY(71, 41.8)]])
        #expect(xs.count == 1)
        #expect(xs.first?.location == LonLat(lon: 70, lat: 41.5))
        #expect(xs.first?.from == "WW" && xs.first?.to == "EE")
        let vertex = try crossings([[XY(69, 41), XY(70, 41.2), XY(71, 41.4)]])
        #expect(vertex.count == 1 && vertex.first?.location == LonLat(lon: 70, lat: 41.2))
    }

    @Test("a route crossing back and forth gives each crossing, in order along the route")
    func backAndForth() throws {
        let xs = try crossings([[XY(69, 40.5), XY(71, 40.7), XY(69, 40.9), XY(71, 41.1)]])
        #expect(xs.count == 3)
        #expect(xs.map { $0.from! } == ["WW", "EE", "WW"])
        #expect(xs.map(\.kmAlong) == xs.map(\.kmAlong).sorted())
    }

    @Test("random routes: the crossings are GEOS's intersection points of the same lines (40 seeded cases)")
    func againstGEOS() throws {
        var rng = SeededRNG(seed: 31)
        let dir = TempDir()
        // A wiggly border line between two countries, as a border-line layer with a pair field.
        var border: [XY] = []
        for i in 0...40 { border.append(XY(70 + Double.random(in: -0.3...0.3, using: &rng), 40 + Double(i) * 0.05)) }
        let bw = try VectorWriter(path: dir.file("b.gpkg"), geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("pair", .string)])
        try bw.write(geometry: .lineString(border), values: [.string("AA-BB")])
        try bw.commit()
        var lines: [[XY]] = []
        for _ in 0..<40 {
            lines.append((0..<Int.random(in: 2...15, using: &rng)).map { _ in XY(Double.random(in: 69...71, using: &rng), Double.random(in: 40...42, using: &rng)) })
        }
        let xs = try findCrossings(routes: Self.routes(lines, dir), borders: Dataset.open(dir.file("b.gpkg")).layer(named: nil), options: CrossingParameters())
        var total = 0
        for (i, l) in lines.enumerated() {
            let mine = xs.filter { $0.routeID == "R\(i + 1)" }.map(\.location.xy)
            // GEOS, segment by segment (a route may cross itself).
            var reference: [XY] = []
            for k in 1..<l.count {
                reference += try Geometry.lineString([l[k - 1], l[k]]).intersection(.lineString(border)).points
            }
            #expect(mine.count == reference.count, "route \(i + 1)")
            for p in reference {
                let d = mine.map { hypot($0.x - p.x, $0.y - p.y) }.min() ?? .infinity
                #expect(d < 1e-9, "route \(i + 1): nearest of mine is \(d)° from GEOS's \(p)")
            }
            total += mine.count
        }
        #expect(total > 20)
    }

    @Test("merging within a tolerance counts crossings and routes; posts label and flag unlisted")
    func mergeAndPosts() throws {
        let dir = TempDir()
        let c = try Self.countries(dir)
        var o = CrossingParameters()
        o.countries = try c.snapshot()
        o.mergeMeters = 2000
        o.posts = [BorderPost(name: "Post 41.25", pair: nil, location: LonLat(lon: 70, lat: 41.25))]
        let r = try Self.routes([[XY(69, 41.25), XY(71, 41.25)], [XY(69, 41.26), XY(71, 41.26)], [XY(69, 41.8), XY(71, 41.8)]], dir)
        let xs = try findCrossings(routes: r, borders: c, options: o).sorted { $0.location.lat < $1.location.lat }
        #expect(xs.count == 2)
        #expect(xs[0].crossings == 2 && xs[0].routes == 2 && xs[0].routeIDs == ["R1", "R2"])
        #expect(xs[0].post == "Post 41.25" && xs[0].unlisted == false)
        #expect(xs[1].unlisted == true)   // 61 km from the post
    }

    @Test("border lines without country fields: an error listing the fields, pointing to caravan borders")
    func noCountryFields() throws {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("b.geojson"), geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("name", .string)])
        try w.write(geometry: .lineString([XY(70, 40), XY(70, 42)]), values: [.string("x")])
        try w.commit()
        do {
            _ = try findCrossings(routes: Self.routes([[XY(69, 41), XY(71, 41)]], dir), borders: Dataset.open(dir.file("b.geojson")).layer(named: nil), options: CrossingParameters())
            Issue.record("expected an error")
        } catch let e as GeoError {
            #expect(e.message.contains("fields are: name"))
            #expect(e.hint?.contains("caravan borders") == true)
        }
    }

    @Test("on the shipped network, every road that leaves a country crosses at the expected borders")
    func shippedRoads() throws {
        let roads = try Dataset.open(repositoryRoot + "/shapefiles/roads.shp").layer(named: nil)
        let countries = try Dataset.open(repositoryRoot + "/shapefiles/countries.shp").layer(named: nil)
        var o = CrossingParameters()
        o.countries = try countries.snapshot()
        let xs = try findCrossings(routes: roads, borders: Dataset.open(repositoryRoot + "/shapefiles/borders.shp").layer(named: nil), options: o)
        let byRoute = Dictionary(grouping: xs, by: \.routeID)
        var checked = 0
        try roads.forEach { f in
            let a = f["from_iso"].stringValue ?? "", b = f["to_iso"].stringValue ?? ""
            guard !a.isEmpty, !b.isEmpty, a != b else { return }
            let list = (byRoute[f["id"].stringValue!] ?? []).sorted { $0.kmAlong < $1.kmAlong }
            #expect(!list.isEmpty, "road \(f["id"]) from \(a) to \(b) has no crossing")
            if let first = list.first, let last = list.last {
                #expect(first.from == a, "road \(f["id"]) leaves \(first.from ?? "?"), not \(a)")
                #expect(last.to == b, "road \(f["id"]) arrives in \(last.to ?? "?"), not \(b)")
            }
            checked += 1
        }
        #expect(checked > 100)
    }
}
