import Foundation
import Testing
@testable import CaravanKit

@Suite("GEOS bridge")
struct GEOSTests {
    @Test("intersection, union and difference of two overlapping unit squares")
    func setOperations() throws {
        let a = square(0, 0, 2), b = square(1, 1, 2)
        #expect(try a.intersection(b).area == 1)
        #expect(try a.union(b).area == 7)
        #expect(try a.difference(b).area == 3)
        #expect(try a.intersects(b))
        #expect(try !a.touches(b))
        #expect(try square(0, 0, 1).touches(square(1, 0, 1)))
    }

    @Test("buffer of a point approaches π r²")
    func buffer() throws {
        let area = try Geometry.point(XY(0, 0)).buffered(by: 10).area
        #expect(abs(area - Double.pi * 100) / (Double.pi * 100) < 0.01)
    }

    @Test("a bow-tie polygon is invalid with a self-intersection, and MakeValid repairs it")
    func validity() throws {
        let bowtie = Geometry.polygon([[XY(0, 0), XY(2, 2), XY(2, 0), XY(0, 2), XY(0, 0)]])
        #expect(try !bowtie.isValid)
        #expect(try bowtie.validityReason.hasPrefix("Self-intersection"))
        let fixed = try bowtie.madeValid()
        #expect(try fixed.isValid)
        #expect(abs(try fixed.area - 2) < 1e-12) // two triangles of area 1
    }

    @Test("prepared geometry answers point and geometry tests")
    func prepared() throws {
        let p = try PreparedGeometry(square(0, 0, 10))
        #expect(p.contains(XY(5, 5)))
        #expect(!p.contains(XY(10, 5)))   // on the boundary: not contained…
        #expect(p.intersects(XY(10, 5)))  // …but intersecting
        #expect(!p.intersects(XY(11, 5)))
        #expect(try p.contains(.lineString([XY(1, 1), XY(9, 9)])))
    }

    @Test("STRtree returns exactly the items whose boxes meet the query")
    func strtree() throws {
        let index = try SpatialIndex()
        var rng = SeededRNG(seed: 7)
        var boxes: [Envelope] = []
        for i in 0..<500 {
            let x = Double.random(in: 0...100, using: &rng), y = Double.random(in: 0...100, using: &rng)
            let e = Envelope(minX: x, minY: y, maxX: x + 2, maxY: y + 2)
            boxes.append(e)
            try index.insert(e, item: i)
        }
        let q = Envelope(minX: 20, minY: 20, maxX: 40, maxY: 30)
        let expected = Set(boxes.indices.filter { boxes[$0].intersects(q) })
        #expect(Set(try index.query(q)) == expected)
        #expect(throws: GeoError.self) { try index.insert(q, item: 999) }
    }

    @Test("GEOS errors carry GEOS's own message")
    func errorMessage() throws {
        // A ring with 2 points cannot be built: GEOS says why.
        let bad = Geometry.polygon([[XY(0, 0), XY(1, 1)]])
        do {
            _ = try bad.area
            Issue.record("expected an error")
        } catch let e as GeoError {
            #expect(e.library == .geos)
            #expect(!e.message.isEmpty)
        }
    }

    @Test("8 threads give the same answers as one (one context per thread)")
    func threads() throws {
        var rng = SeededRNG(seed: 3)
        let squares = (0..<200).map { _ in square(Double.random(in: 0...50, using: &rng), Double.random(in: 0...50, using: &rng), 5) }
        let probe = square(20, 20, 15)
        let serial = try squares.map { try $0.intersection(probe).area }
        nonisolated(unsafe) let results = UnsafeMutableBufferPointer<Double>.allocate(capacity: squares.count * 8)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for (i, s) in squares.enumerated() { results[t * squares.count + i] = (try? s.intersection(probe).area) ?? -1 }
        }
        for t in 0..<8 { #expect(Array(results[(t * squares.count)..<((t + 1) * squares.count)]) == serial) }
    }
}
