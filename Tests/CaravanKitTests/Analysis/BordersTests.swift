import Foundation
import Testing
@testable import CaravanKit

@Suite("Border derivation on hand-made cases")
struct BordersTests {
    /// Writes polygons with ids to a GeoJSON layer and derives the borders.
    func borders(_ areas: [(String, Geometry)], snapMeters: Double = 300) throws -> [String: SharedBorder] {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("a.geojson"), geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("iso_a2", .string)])
        for (id, g) in areas { try w.write(geometry: g, values: [.string(id)]) }
        try w.commit()
        var o = BorderParameters()
        o.snapToleranceMeters = snapMeters
        let list = try deriveBorders(Dataset.open(dir.file("a.geojson")).layer(named: nil), options: o)
        return Dictionary(uniqueKeysWithValues: list.map { ($0.pair, $0) })
    }

    /// Geodesic length of a straight meridian or parallel segment, the expected border.
    func km(_ a: XY, _ b: XY) -> Double { Geodesic.length(of: Geodesic.densify(from: LonLat(a), to: LonLat(b), maxSpacing: 100) + [b]) / 1000 }

    @Test("two squares sharing an edge: one border, the shared edge only (no outer edges)")
    func sharedEdge() throws {
        let b = try borders([("BB", square(1, 0, 1)), ("AA", square(0, 0, 1))])
        #expect(b.keys.sorted() == ["AA-BB"])
        let border = try #require(b["AA-BB"])
        #expect(border.left == "AA" && border.right == "BB")
        #expect(border.parts == 1)
        #expect(abs(border.lengthKm - Geodesic.length(of: [XY(1, 0), XY(1, 1)]) / 1000) < 1e-6)
    }

    @Test("three countries meeting at a point: three borders, each its own edge")
    func tripoint() throws {
        let c = Geometry.polygon([[XY(0, 1), XY(2, 1), XY(2, 2), XY(0, 2), XY(0, 1)]])
        let b = try borders([("A", square(0, 0, 1)), ("B", square(1, 0, 1)), ("C", c)])
        #expect(b.keys.sorted() == ["A-B", "A-C", "B-C"])
        #expect(abs(b["A-B"]!.lengthKm - Geodesic.length(of: [XY(1, 0), XY(1, 1)]) / 1000) < 1e-6)
        // Parallels are not geodesics: compare against the densified parallel, 1 m tolerance.
        #expect(abs(b["A-C"]!.lengthKm - km(XY(0, 1), XY(1, 1))) < 0.01)
        #expect(abs(b["B-C"]!.lengthKm - km(XY(1, 1), XY(2, 1))) < 0.01)
    }

    @Test("an enclave: the border is the enclave's whole outline")
    func enclave() throws {
        let hole = [XY(0.4, 0.4), XY(0.4, 0.6), XY(0.6, 0.6), XY(0.6, 0.4), XY(0.4, 0.4)]
        let outer = Geometry.polygon([[XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 1), XY(0, 0)], hole])
        let b = try borders([("OUT", outer), ("ENC", square(0.4, 0.4, 0.2))])
        let border = try #require(b["ENC-OUT"])
        #expect(abs(border.lengthKm - Geodesic.length(of: hole) / 1000) < 0.01)
    }

    @Test("neighbours with a 100 m gap: closed by the default 300 m snapping, not without it")
    func gap() throws {
        let gapDegrees = 100 / 111_319.49 // 100 m of longitude at the equator
        let a = square(0, 0, 0.1), bSquare = square(0.1 + gapDegrees, 0, 0.1)
        let snapped = try borders([("A", a), ("B", bSquare)])
        let border = try #require(snapped["A-B"])
        #expect(abs(border.lengthKm - Geodesic.length(of: [XY(0.1, 0), XY(0.1, 0.1)]) / 1000) < 0.001)
        #expect(try borders([("A", a), ("B", bSquare)], snapMeters: 50).isEmpty)
    }

    @Test("a neighbour with extra vertices along the shared edge (one at every 0.01°): the border is still the whole edge")
    func extraVertices() throws {
        // A shared parallel at 41°N from 60°E to 62°E; B (north) has 199 extra vertices on it. In
        // the metric CRS a parallel is curved, so B's extra vertices lie up to ~1.6 km off A's
        // one straight segment, and an exact intersection finds only points.
        var north = [XY(62, 41), XY(62, 42), XY(60, 42), XY(60, 41)]
        for k in 1..<200 { north.append(XY(60 + Double(k) / 100, 41)) }
        north.append(XY(62, 41))
        let south = Geometry.polygon([[XY(60, 40), XY(62, 40), XY(62, 41), XY(60, 41), XY(60, 40)]])
        let expected = Geodesic.length(of: [XY(60, 41), XY(62, 41)]) / 1000
        for snap in [300.0, 5000] {
            let b = try borders([("AA", south), ("BB", .polygon([north]))], snapMeters: snap)
            let border = try #require(b["AA-BB"], "no border with \(snap) m snapping")
            #expect(abs(border.lengthKm - expected) / expected < 0.01, "\(border.lengthKm) km for \(expected) km")
            // The same with the extra vertices on the first area's side.
            let b2 = try borders([("BB", south), ("AA", .polygon([north]))], snapMeters: snap)
            let border2 = try #require(b2["AA-BB"])
            #expect(abs(border2.lengthKm - expected) / expected < 0.01)
        }
    }

    @Test("a layer without the id field is an error listing the fields")
    func missingField() throws {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("a.geojson"), geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("name", .string)])
        try w.write(geometry: square(0, 0, 1), values: [.string("x")])
        try w.commit()
        do {
            _ = try deriveBorders(Dataset.open(dir.file("a.geojson")).layer(named: nil))
            Issue.record("expected an error")
        } catch let e as GeoError {
            #expect(e.message.contains("the fields are: name"))
        }
    }
}
