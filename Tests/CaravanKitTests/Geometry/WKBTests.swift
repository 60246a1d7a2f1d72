import Testing
@testable import CaravanKit

@Suite("WKB codec")
struct WKBTests {
    static func randomGeometry(_ rng: inout SeededRNG, depth: Int = 0) -> Geometry {
        func pts(_ n: Int) -> [XY] { (0..<n).map { _ in XY(Double.random(in: -180...180, using: &rng), Double.random(in: -90...90, using: &rng)) } }
        func ring() -> [XY] { var r = pts(Int.random(in: 3...8, using: &rng)); r.append(r[0]); return r }
        switch Int.random(in: 0...(depth == 0 ? 6 : 5), using: &rng) {
        case 0: return .point(pts(1)[0])
        case 1: return .lineString(pts(Int.random(in: 2...20, using: &rng)))
        case 2: return .polygon((0..<Int.random(in: 1...3, using: &rng)).map { _ in ring() })
        case 3: return .multiPoint(pts(Int.random(in: 1...5, using: &rng)))
        case 4: return .multiLineString((0..<Int.random(in: 1...4, using: &rng)).map { _ in pts(Int.random(in: 2...6, using: &rng)) })
        case 5: return .multiPolygon((0..<Int.random(in: 1...3, using: &rng)).map { _ in [ring()] })
        default: return .collection((0..<Int.random(in: 1...3, using: &rng)).map { _ in randomGeometry(&rng, depth: 1) })
        }
    }

    @Test("every geometry survives encode → decode unchanged (500 random cases)")
    func roundTrip() throws {
        var rng = SeededRNG(seed: 42)
        for _ in 0..<500 {
            let g = Self.randomGeometry(&rng)
            #expect(try Geometry(wkb: g.wkb) == g)
        }
    }

    @Test("a hand-written big-endian 3D point is read, Z dropped")
    func bigEndianZ() throws {
        // 00 | 000003E9 (Point Z) | x=1.5 | y=-2 | z=7
        var bytes: [UInt8] = [0, 0, 0, 0x03, 0xE9]
        for d in [1.5, -2.0, 7.0] { withUnsafeBytes(of: d.bitPattern.bigEndian) { bytes += $0 } }
        #expect(try Geometry(wkb: bytes) == .point(XY(1.5, -2)))
    }

    @Test("truncated WKB is an error, not a crash")
    func truncated() {
        let bytes = Geometry.lineString([XY(0, 0), XY(1, 1), XY(2, 2)]).wkb
        for cut in [1, 5, 9, 20, bytes.count - 1] {
            #expect(throws: GeoError.self) { try Geometry(wkb: Array(bytes.prefix(cut))) }
        }
    }

    @Test("envelope, vertex count and planar length")
    func measures() {
        let g = Geometry.multiLineString([[XY(0, 0), XY(3, 4)], [XY(10, 10), XY(10, 12)]])
        #expect(g.envelope == Envelope(minX: 0, minY: 0, maxX: 10, maxY: 12))
        #expect(g.vertexCount == 4)
        #expect(g.planarLength == 7)
    }
}
