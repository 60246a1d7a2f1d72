import Foundation
import Testing
@testable import CaravanKit

@Suite("No crash path on input")
struct NoCrashPathTests {
    @Test("the coordinate parser's two hemisphere patterns compile, and read coordinates written with hemispheres")
    func hemispherePatterns() throws {
        #expect(CoordinateParser.hemisphereFirst != nil && CoordinateParser.hemisphereLast != nil)
        let a = try #require(CoordinateParser.parse("N41.31 E69.24"))
        #expect(abs(a.lat - 41.31) < 1e-9 && abs(a.lon - 69.24) < 1e-9)
        let b = try #require(CoordinateParser.parse("41°18′N 69°15′E"))
        #expect(abs(b.lat - 41.3) < 1e-9 && abs(b.lon - 69.25) < 1e-9)
    }

    @Test("space-time Gi* over values that do not fill the cube is an error naming the counts, not a crash")
    func cubeValuesMismatch() throws {
        let positions = (0..<10).map { XY(Double($0) * 1000, 0) }
        let e = try #require(throws: GeoError.self) {
            _ = try spaceTimeGiStar(values: [Double](repeating: 1, count: 10 * 4 - 1), positions: positions, steps: 4, band: 1500, timeWindow: 1)
        }
        #expect(e.message.contains("39 values for 10 locations × 4 steps (40 bins)"))
    }
}
