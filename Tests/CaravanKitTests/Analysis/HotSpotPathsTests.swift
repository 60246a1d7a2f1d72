import Foundation
import Testing
@testable import CaravanKit

/// Every path of Gi* against the all-pairs formula of ANALYSIS.md §1 on the same features.
@Suite("Gi* on every path")
struct HotSpotPathsTests {
    /// Gi* term by term over all pairs with any weight function (self weight 1 included).
    static func allPairs(_ x: [Double], _ p: [XY], weight: (Int, Int, Double) -> Double) -> [Double?] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let s = (x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
        return p.indices.map { i in
            var sw = 0.0, swx = 0.0, sw2 = 0.0, count = 0
            for j in p.indices {
                let w = i == j ? 1 : weight(i, j, hypot(p[i].x - p[j].x, p[i].y - p[j].y))
                guard w > 0 else { continue }
                sw += w; swx += w * x[j]; sw2 += w * w; count += 1
            }
            guard count > 1 else { return nil }
            return (swx - mean * sw) / (s * ((n * sw2 - sw * sw) / (n - 1)).squareRoot())
        }
    }

    @Test("a masked square grid (cells outside a study area left out) equals the all-pairs formula")
    func maskedSquareGrid() throws {
        var rng = SeededRNG(seed: 2024)
        for trial in 0..<5 {
            let s = 25_000.0
            let window = GridWindow(tessellation: .square(size: s), cols: -7...(12 + trial * 4), rows: 3...(18 + trial * 2))
            // A blob-shaped mask: cells within an irregular radius of a centre, plus random holes.
            var present = [Bool](repeating: false, count: window.cellCount)
            var x: [Double] = [], p: [XY] = []
            let centre = window.tessellation.center(window.cell(at: window.cellCount / 2))
            for i in 0..<window.cellCount {
                let c = window.tessellation.center(window.cell(at: i))
                let inside = hypot(c.x - centre.x, c.y - centre.y) < s * Double(5 + trial) && Double.random(in: 0..<1, using: &rng) > 0.15
                guard inside else { continue }
                present[i] = true
                p.append(c)
                x.append(Bool.random(using: &rng) ? Double(Int.random(in: 0...9, using: &rng)) : 0)
            }
            #expect(present.contains(false) && p.count > 30)
            let band = [60_000.0, 75_000, 100_000, 26_000, 51_000][trial]
            let reference = Self.allPairs(x, p) { _, _, d in d <= band * (1 + 1e-12) ? 1 : 0 }
            let fast = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(band), grid: (window, present))
            let generic = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(band))
            for i in x.indices {
                #expect(fast.neighbours[i] == generic.neighbours[i])
                if let r = reference[i] {
                    #expect(abs(fast.z[i]! - r) < 1e-9, "trial \(trial) feature \(i)")
                    #expect(abs(generic.z[i]! - r) < 1e-9)
                } else {
                    #expect(fast.z[i] == nil && generic.z[i] == nil)
                }
            }
            #expect(!fast.warnings.contains { $0.contains("no neighbour") })
        }
    }

    @Test("hexagons, k nearest and inverse distance equal the all-pairs formula")
    func otherPaths() throws {
        var rng = SeededRNG(seed: 5)
        let tess = Tessellation.hexagon(side: 10_000)
        var x: [Double] = [], p: [XY] = []
        for col in 0..<14 { for row in 0..<11 where Double.random(in: 0..<1, using: &rng) > 0.2 {
            p.append(tess.center(CellIndex(col: col, row: row))); x.append(Double(Int.random(in: 0...5, using: &rng)))
        } }
        let band = 35_000.0
        let hex = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(band))
        let hexRef = Self.allPairs(x, p) { _, _, d in d <= band ? 1 : 0 }
        for i in x.indices { #expect(hexRef[i] == nil ? hex.z[i] == nil : abs(hex.z[i]! - hexRef[i]!) < 1e-9) }
        let inv = try getisOrdGiStar(values: x, positions: p, weights: .inverseDistance(power: 1, band: band))
        let invRef = Self.allPairs(x, p) { _, _, d in d <= band ? 1 / max(d, 1) : 0 }
        for i in x.indices { #expect(invRef[i] == nil ? inv.z[i] == nil : abs(inv.z[i]! - invRef[i]!) < 1e-9) }
        let invAll = try getisOrdGiStar(values: x, positions: p, weights: .inverseDistance(power: 1, band: nil))
        let invAllRef = Self.allPairs(x, p) { _, _, d in 1 / max(d, 1) }
        for i in x.indices { #expect(abs(invAll.z[i]! - invAllRef[i]!) < 1e-9) }
    }

    @Test("a band taking in every feature: undefined, said so, not 'no neighbour'")
    func everyFeatureANeighbour() throws {
        let p = (0..<40).map { XY(Double($0 % 8) * 1000, Double($0 / 8) * 1000) }
        let x = (0..<40).map { Double(($0 * 7) % 5) }
        let r = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(1e6))
        #expect(r.z.allSatisfy { $0 == nil })
        #expect(!r.warnings.contains { $0.contains("no neighbour besides themselves") })
        #expect(r.warnings.contains { $0.contains("every feature is a neighbour") })
    }
}
