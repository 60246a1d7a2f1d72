import Foundation
import Testing
@testable import CaravanKit

/// `borderCrossings` (the entry point of `caravan crossings`): the region, posts of the same
/// border, routes not crossings, merging per border, chords, refused posts.
@Suite("Border crossings: region, posts, chords, merging")
struct CrossingAnalysisTests {
    /// Four strips side by side: KZ (68–70°E), UZ (70–72), AM (72–74), IR (74–76), 40–42°N.
    static func strips(_ dir: TempDir) throws -> String {
        let path = dir.file("strips.geojson")
        let w = try VectorWriter(path: path, geometryType: .polygon, crs: .wgs84,
                                 fields: [FieldDefinition("iso_a2", .string), FieldDefinition("name", .string)])
        for (i, (iso, name)) in [("KZ", "Kazakhstan"), ("UZ", "Uzbekistan"), ("AM", "Armenia"), ("IR", "Iran")].enumerated() {
            let x0 = 68 + 2 * Double(i)
            try w.write(geometry: .polygon([[XY(x0, 40), XY(x0 + 2, 40), XY(x0 + 2, 42), XY(x0, 42), XY(x0, 40)]]), values: [.string(iso), .string(name)])
        }
        try w.commit()
        return path
    }

    static func routes(_ lines: [[XY]], _ dir: TempDir) throws -> String {
        let path = dir.file("routes.gpkg")
        let w = try VectorWriter(path: path, geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("id", .string)])
        for (i, l) in lines.enumerated() { try w.write(geometry: .lineString(l), values: [.string("R\(i + 1)")]) }
        try w.commit()
        return path
    }

    static func posts(_ posts: [(String, String, XY)], _ dir: TempDir) throws -> String {
        let path = dir.file("posts.geojson")
        let w = try VectorWriter(path: path, geometryType: .point, crs: .wgs84, fields: [FieldDefinition("name", .string), FieldDefinition("pair", .string)])
        for (n, p, xy) in posts { try w.write(geometry: .point(xy), values: [.string(n), .string(p)]) }
        try w.commit()
        return path
    }

    @Test("by default only borders of the region count (KZ-UZ, AM-UZ, not AM-IR); --region all keeps every border")
    func region() throws {
        let dir = TempDir()
        let r = try Self.routes([[XY(69, 41), XY(71, 41)], [XY(71, 41.2), XY(73, 41.2)], [XY(73, 41.4), XY(75, 41.4)]], dir)
        let o = CrossingOptions(routes: r, borders: try Self.strips(dir))
        let xs = try borderCrossings(o)
        #expect(Set(xs.figures.keys.filter { $0.hasPrefix("border ") }) == ["border KZ-UZ", "border AM-UZ"])
        #expect(xs.figures["crossings"] == 2)
        #expect(xs.summary[0].contains("on the borders of AF, KG, KZ, TJ, TM, UZ"))
        #expect(xs.tables[0].rows.map { $0[0] } .contains("Kazakhstan–Uzbekistan"))
        var all = o; all.region = "all"
        #expect(try borderCrossings(all).figures["crossings"] == 3)
        var only = o; only.region = "am,ir"
        #expect(Set(try borderCrossings(only).figures.keys.filter { $0.hasPrefix("border ") }) == ["border AM-UZ", "border AM-IR"])
        var bad = o; bad.region = "Kazakhstan"
        #expect(throws: GeoError.self) { try borderCrossings(bad) }
    }

    @Test("the nearest post is looked up on the same border only")
    func samePairPost() throws {
        let dir = TempDir()
        let r = try Self.routes([[XY(71, 41), XY(73, 41)]], dir)   // crosses UZ-AM at 72°E
        // A KZ-UZ post (wrong border) 1 km away, the AM-UZ post 30 km away.
        let p = try Self.posts([("Wrong border", "KZ-UZ", XY(72.012, 41)), ("Right border", "AM-UZ", XY(72, 41.27))], dir)
        var o = CrossingOptions(routes: r, borders: try Self.strips(dir)); o.posts = p
        let out = try borderCrossings(o)
        let l = out.layers[0]
        let v = l.values(0)
        #expect(v[l.fieldIndex("post")!].stringValue == "Right border")
        #expect(abs(v[l.fieldIndex("post_km")!].doubleValue! - 30) < 0.5)
        #expect(v[l.fieldIndex("unlisted")!].doubleValue == 1)
    }

    @Test("the busiest points count corridors and distinct routes, not crossings or graph edges")
    func busiestByRoutes() throws {
        let dir = TempDir()
        // R1 zigzags across KZ-UZ five times near 41.5°N (vertices on both sides: real crossings);
        // R2 and R3, two separate roads, cross once each near 40.5°N; R4 ends at a junction J
        // beside the border near 41.8°N, where R5 and R6 (pieces of one road network split at J)
        // go on across: two routes, one corridor.
        let zig = [XY(69.9, 41.50), XY(70.1, 41.502), XY(69.9, 41.504), XY(70.1, 41.506), XY(69.9, 41.508), XY(70.1, 41.51)]
        let j = XY(69.99, 41.8)
        let r = try Self.routes([zig, [XY(69, 40.5), XY(71, 40.5)], [XY(69, 40.505), XY(71, 40.505)],
                                 [XY(69.5, 41.8), j], [j, XY(70.5, 41.81)], [j, XY(70.5, 41.79)]], dir)
        let out = try borderCrossings(CrossingOptions(routes: r, borders: try Self.strips(dir)))
        #expect(out.figures["crossings"] == 9 && out.figures["artefacts"] == 0)
        let busiest = try #require(out.tables.first { $0.title == "Busiest crossing points" })
        #expect(Array(busiest.columns[3...5]) == ["corridors", "routes", "crossings"])
        #expect(Array(busiest.rows[0][3...5]) == ["2", "2", "2"], "\(busiest.rows)")
        #expect(busiest.rows[0][6].hasSuffix("40.5025"))
        #expect(Array(busiest.rows[1][3...5]) == ["1", "2", "2"], "\(busiest.rows)")
        #expect(Array(busiest.rows[2][3...5]) == ["1", "1", "5"], "\(busiest.rows)")
    }

    @Test("--merge never merges crossings of different borders at a tripoint")
    func mergeAtTripoint() throws {
        let dir = TempDir()
        // Three countries meet at (70, 41): WW west, NN north-east, SS south-east.
        let c = dir.file("tri.geojson")
        let w = try VectorWriter(path: c, geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("iso_a2", .string)])
        try w.write(geometry: .polygon([[XY(68, 40), XY(70, 40), XY(70, 42), XY(68, 42), XY(68, 40)]]), values: [.string("KZ")])
        try w.write(geometry: .polygon([[XY(70, 41), XY(72, 41), XY(72, 42), XY(70, 42), XY(70, 41)]]), values: [.string("KG")])
        try w.write(geometry: .polygon([[XY(70, 40), XY(72, 40), XY(72, 41), XY(70, 41), XY(70, 40)]]), values: [.string("UZ")])
        try w.commit()
        // One route crosses KZ-KG 500 m north of the tripoint, one crosses KZ-UZ 500 m south.
        let r = try Self.routes([[XY(69.9, 41.0045), XY(70.1, 41.0045)], [XY(69.9, 40.9955), XY(70.1, 40.9955)]], dir)
        var o = CrossingOptions(routes: r, borders: c); o.merge = "2km"
        let out = try borderCrossings(o)
        let l = out.layers[0]
        #expect(l.count == 2)
        #expect(Set((0..<l.count).map { l.values($0)[3].stringValue! }) == ["KG-KZ", "KZ-UZ"])
        // Two crossings of the same border that close are merged.
        let dir2 = TempDir()
        let r2 = try Self.routes([[XY(69.9, 41.1), XY(70.1, 41.1)], [XY(69.9, 41.105), XY(70.1, 41.105)]], dir2)
        o.routes = r2
        #expect(try borderCrossings(o).layers[0].count == 1)
    }

    @Test("a straight chord cutting into the neighbour and back is flagged artefact, counted, and left out of the tables")
    func chords() throws {
        let dir = TempDir()
        // R1 runs north in KZ beside the border (70°E); its straight segment from (69.99, 41.00) to
        // (69.99, 41.10) is cut twice by the border, which juts west to 69.98°E there.
        let c = dir.file("jut.geojson")
        let w = try VectorWriter(path: c, geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("iso_a2", .string)])
        let jut = [XY(70, 40), XY(70, 41.04), XY(69.98, 41.05), XY(70, 41.06), XY(70, 42)]
        try w.write(geometry: .polygon([[XY(68, 40)] + jut + [XY(68, 42), XY(68, 40)]]), values: [.string("KZ")])
        try w.write(geometry: .polygon([jut + [XY(72, 42), XY(72, 40), XY(70, 40)]]), values: [.string("UZ")])
        try w.commit()
        let chord = [XY(69.99, 40.9), XY(69.99, 41.0), XY(69.99, 41.1), XY(69.99, 41.2)]
        // R2 goes into UZ and back with a vertex on the UZ side: real, kept.
        let visit = [XY(69.9, 40.5), XY(70.05, 40.52), XY(69.9, 40.54)]
        let r = try Self.routes([chord, visit], dir)
        let out = try borderCrossings(CrossingOptions(routes: r, borders: c))
        let l = out.layers[0]
        let a = l.fieldIndex("artefact")!
        let flags = (0..<l.count).map { (l.values($0)[0].stringValue!, l.values($0)[a].doubleValue!) }
        #expect(flags.filter { $0.0 == "R1" }.map(\.1) == [1, 1])
        #expect(flags.filter { $0.0 == "R2" }.map(\.1) == [0, 0])
        #expect(out.figures["artefacts"] == 2)
        #expect(out.summary.contains { $0.hasPrefix("2 flagged artefact") })
        let busiest = try #require(out.tables.first { $0.title == "Busiest crossing points" })
        #expect(busiest.rows.allSatisfy { !$0[6].hasSuffix("41.0500") && !$0[6].contains("69.98") })
        #expect(busiest.rows.map { Int($0[5])! }.reduce(0, +) == 2)
        // A post of the border near the chord: not an artefact (a real crossing there is known).
        var o = CrossingOptions(routes: r, borders: c)
        o.posts = try Self.posts([("Jut post", "KZ-UZ", XY(69.99, 41.05))], dir)
        #expect(try borderCrossings(o).figures["artefacts"] == 0)
        o.posts = nil; o.noChordCheck = true
        #expect(try borderCrossings(o).figures["artefacts"] == 0)
    }

    @Test("--posts given polygons or lines is refused, naming the file")
    func postsMustBePoints() throws {
        let dir = TempDir()
        let r = try Self.routes([[XY(69, 41), XY(71, 41)]], dir)
        let strips = try Self.strips(dir)
        var o = CrossingOptions(routes: r, borders: strips)
        o.posts = strips
        do {
            _ = try borderCrossings(o)
            Issue.record("polygons accepted as posts")
        } catch let e as GeoError {
            #expect(e.message.contains("must be points") && e.file == o.posts)
        }
    }

    @Test("options survive a recipe's JSON with the flags' names")
    func optionsCodable() throws {
        var o = CrossingOptions(routes: "r.shp", borders: "c.shp", output: "x.geojson")
        o.merge = "2km"; o.region = "all"; o.noChordCheck = true
        #expect(try JSONDecoder().decode(CrossingOptions.self, from: JSONEncoder().encode(o)) == o)
        let keys = try JSONSerialization.jsonObject(with: JSONEncoder().encode(o)) as! [String: Any]
        #expect(keys["noChordCheck"] as? Bool == true && keys["idField"] as? String == "iso_a2")
        var bad = o; bad.unlisted = "0km"
        #expect(throws: GeoError.self) { try bad.validate() }
    }
}
