import Foundation
import Testing
@testable import CaravanKit

@Suite("Getis-Ord Gi*")
struct HotSpotsTests {
    /// Gi* written out term by term over all pairs: the independent reference.
    static func bruteForce(_ x: [Double], _ p: [XY], band: Double) -> [Double?] {
        let n = Double(x.count)
        let mean = x.reduce(0, +) / n
        let s = (x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
        return p.indices.map { i in
            var sw = 0.0, swx = 0.0, count = 0
            for j in p.indices where hypot(p[i].x - p[j].x, p[i].y - p[j].y) <= band * (1 + 1e-12) {
                sw += 1; swx += x[j]; count += 1
            }
            guard count > 1 else { return nil }
            return (swx - mean * sw) / (s * ((n * sw - sw * sw) / (n - 1)).squareRoot())
        }
    }

    @Test("ANALYSIS.md's test vector (matches PySAL): six points, fixed band 15")
    func testVector() throws {
        let p = [XY(10, 10), XY(20, 10), XY(40, 10), XY(15, 20), XY(30, 20), XY(30, 30)]
        let x = [2, 3, 3.2, 5, 8, 7]
        let r = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(15))
        let expected = [-1.39728, -0.28918, 0.65065, -0.28918, 1.23452, 2.02424]
        for (z, e) in zip(r.z, expected) { #expect(abs(z! - e) < 5e-6) }
        #expect(abs(r.p[5]! - 0.04295) < 5e-6)
        #expect(r.bin == [0, 0, 0, 0, 0, 2])
    }

    @Test("by hand: point 6 of the test vector")
    func byHand() throws {
        // x̄ = 28.2/6 = 4.7; Σx² = 4+9+10.24+25+64+49 = 161.24; S = √(161.24/6 − 4.7²) = √4.783333 = 2.187083.
        // Neighbours of (30,30) within 15: itself and (30,20) (d = 10); (15,20) is at √325 = 18.03, out.
        // Σw = 2, Σwx = 15, Σw² = 2; denominator S·√((6·2 − 4)/5) = 2.187083·√1.6 = 2.766479.
        // Gi* = (15 − 4.7·2)/2.766479 = 5.6/2.766479 = 2.024233.
        let r = try getisOrdGiStar(values: [2, 3, 3.2, 5, 8, 7],
                                   positions: [XY(10, 10), XY(20, 10), XY(40, 10), XY(15, 20), XY(30, 20), XY(30, 30)],
                                   weights: .fixedBand(15))
        #expect(abs(r.z[5]! - 5.6 / (4.783333333333333.squareRoot() * 1.6.squareRoot())) < 1e-12)
        #expect(r.neighbours[5] == 2)
    }

    @Test("random grids: the disk convolution and the hash-grid search equal the all-pairs formula to 1e-9")
    func randomGrids() throws {
        var rng = SeededRNG(seed: 77)
        for trial in 0..<6 {
            let s = 1000.0
            let window = GridWindow(tessellation: .square(size: s), cols: 3...(20 + trial * 3), rows: -5...(10 + trial))
            var x: [Double] = [], p: [XY] = []
            for i in 0..<window.cellCount {
                p.append(window.tessellation.center(window.cell(at: i)))
                x.append(Double(Int.random(in: 0...6, using: &rng)) * (Bool.random(using: &rng) ? 1 : 0))
            }
            let band = [1000.0, 1500, 2900, 3000, 4200][trial % 5]
            let reference = Self.bruteForce(x, p, band: band)
            let fast = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(band), grid: (window, Array(repeating: true, count: x.count)))
            let generic = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(band))
            for i in x.indices {
                #expect(abs(fast.z[i]! - reference[i]!) < 1e-9)
                #expect(abs(generic.z[i]! - reference[i]!) < 1e-9)
                #expect(fast.neighbours[i] == generic.neighbours[i])
            }
        }
    }

    /// `n` random points in a square of `side` metres, then a value in 0…10 for each.
    static func scatter(_ n: Int, side: Double, _ rng: inout SeededRNG) -> ([XY], [Double]) {
        let p = (0..<n).map { _ in XY(Double.random(in: 0...side, using: &rng), Double.random(in: 0...side, using: &rng)) }
        return (p, (0..<n).map { _ in Double.random(in: 0...10, using: &rng) })
    }

    @Test("k nearest neighbours: every feature sums itself and exactly k others")
    func knn() throws {
        var rng = SeededRNG(seed: 3)
        let (p, x) = Self.scatter(200, side: 1e5, &rng)
        let r = try getisOrdGiStar(values: x, positions: p, weights: .nearest(8))
        #expect(r.neighbours.allSatisfy { $0 == 9 })
        // By the formula with Σw = Σw² = 9 for feature 0.
        let near = p.indices.filter { $0 != 0 }.sorted { hypot(p[$0].x - p[0].x, p[$0].y - p[0].y) < hypot(p[$1].x - p[0].x, p[$1].y - p[0].y) }.prefix(8)
        let n = 200.0, mean = x.reduce(0, +) / n, s = (x.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
        let swx = x[0] + near.reduce(0) { $0 + x[$1] }
        #expect(abs(r.z[0]! - (swx - mean * 9) / (s * ((n * 9 - 81) / (n - 1)).squareRoot())) < 1e-9)
    }

    @Test("FDR as ArcGIS applies it: Benjamini–Hochberg per level; z and p untouched")
    func fdr() {
        let p: [Double?] = [0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216]
        let z: [Double?] = p.map { _ in 2.0 }
        // m = 10. α = 0.10: largest k with p(k) ≤ 0.01k → k = 6 (0.06 ≤ 0.06; k = 7: 0.074 > 0.07).
        // α = 0.05: p(k) ≤ 0.005k → k = 2 (0.008 ≤ 0.01). α = 0.01: p(k) ≤ 0.001k → k = 1 (0.001 ≤ 0.001).
        #expect(fdrBins(z: z, p: p) == [3, 2, 1, 1, 1, 1, 0, 0, 0, 0])
        #expect(giBin(-2.7, 0.007) == -3 && giBin(1.7, 0.09) == 1 && giBin(1.5, 0.13) == 0 && giBin(nil, nil) == 0)
    }

    @Test("no variance is an error; fewer than 30 features warns; isolated features get no z-score")
    func badInputs() throws {
        let p = (0..<10).map { XY(Double($0) * 1000, 0) }
        #expect(throws: GeoError.self) { try getisOrdGiStar(values: Array(repeating: 4, count: 10), positions: p, weights: .fixedBand(1500)) }
        var x = Array(repeating: 1.0, count: 10); x[3] = 5
        var q = p; q[9] = XY(1e6, 0)
        let r = try getisOrdGiStar(values: x, positions: q, weights: .fixedBand(1500))
        #expect(r.warnings.contains { $0.contains("at least 30") })
        #expect(r.warnings.contains { $0.contains("1 of 10 features have no neighbour") })
        #expect(r.z[9] == nil && r.bin[9] == 0)
    }

    @Test("hot spots do not depend on input order")
    func orderIndependent() throws {
        var rng = SeededRNG(seed: 12)
        let (p, x) = Self.scatter(300, side: 5e4, &rng)
        let a = try getisOrdGiStar(values: x, positions: p, weights: .fixedBand(6000))
        let perm = Array(0..<300).shuffled(using: &rng)
        let b = try getisOrdGiStar(values: perm.map { x[$0] }, positions: perm.map { p[$0] }, weights: .fixedBand(6000))
        for (k, i) in perm.enumerated() { #expect(abs(a.z[i]! - b.z[k]!) < 1e-12) }
    }

    /// `count` random events in a lon/lat box with a weight column (row number mod 7), and one
    /// row without a location at the end.
    static func eventsCSV(_ count: Int, lon: ClosedRange<Double>, lat: ClosedRange<Double>, seed: UInt64) -> String {
        var csv = "id,lon,lat,w\n"
        var rng = SeededRNG(seed: seed)
        for i in 0..<count { csv += "\(i),\(Double.random(in: lon, using: &rng)),\(Double.random(in: lat, using: &rng)),\(i % 7)\n" }
        return csv + "\(count),,,1\n"
    }

    @Test("events aggregate to zero-including cells; the grid total equals the events inside")
    func aggregation() throws {
        let dir = TempDir()
        let l = try Dataset.open(dir.write("e.csv", Self.eventsCSV(500, lon: 69...70, lat: 41...42, seed: 4))).layer(named: nil)
        let u = try aggregateEvents(l, to: .grid(.square(size: 10_000), studyArea: nil))
        #expect(u.values.reduce(0, +) == 500)
        #expect(u.values.contains(0))
        #expect(u.eventsWithoutGeometry == 1)
        #expect(u.grid!.window.cellCount == u.values.count)
    }

    @Test("a table's events are read once when they fit the buffer, twice when not: the same points either way")
    func eventsReadOnce() throws {
        let dir = TempDir()
        let path = dir.write("e.csv", Self.eventsCSV(300, lon: 66...70, lat: 38...41, seed: 9))
        func collect(limit: Int) throws -> (EventStream, [XY], [Double]) {
            let s = try EventStream(try Dataset.open(path).layer(named: nil), crs: nil, weightField: "w", bufferLimit: limit)
            var pts: [XY] = [], ws: [Double] = []
            try s.forEachBatch { pts += $0; ws += $1 }
            return (s, pts, ws)
        }
        let (once, p1, w1) = try collect(limit: 1_000)
        let (twice, p2, w2) = try collect(limit: 100)
        #expect(once.isBuffered && !twice.isBuffered)
        #expect(once.crs.isEquivalent(to: twice.crs))
        #expect(p1 == p2 && w1 == w2 && p1.count == 300)
        #expect(once.read == 301 && twice.read == 301 && once.missing == 1 && twice.missing == 1)
    }
}

@Suite("Kernel density")
struct KernelDensityTests {
    static func layer(_ points: [XY], weights: [Double]? = nil, _ dir: TempDir) throws -> Layer {
        var csv = "id,x,y,w\n"
        for (i, p) in points.enumerated() { csv += "\(i),\(p.x),\(p.y),\(weights?[i] ?? 1)\n" }
        return try Dataset.open(dir.write("k.csv", csv), options: OpenOptions(sourceCRS: try CRS("EPSG:32642"))).layer(named: nil)
    }

    @Test("one point by hand: 3/(πr²)·(1 − (d/r)²)² per m², ×10⁶ per km²; zero beyond r")
    func onePoint() throws {
        let dir = TempDir()
        let r = 5000.0
        let s = try kernelDensity(Self.layer([XY(500_000, 4_500_000)], dir), cell: 1000, radius: r, crs: try CRS("EPSG:32642"), padded: true)
        for i in s.values.indices {
            let c = s.window.tessellation.center(s.window.cell(at: i))
            let d = hypot(c.x - 500_000, c.y - 4_500_000)
            let expected = d < r ? 3 / (Double.pi * r * r) * pow(1 - d * d / (r * r), 2) * 1e6 : 0
            #expect(abs(s.values[i] - expected) < 1e-12)
        }
        // The kernel integrates to the point's weight: Σ density × cell area ≈ 1.
        #expect(abs(s.values.reduce(0, +) * 1.0 - 1) < 0.01)
    }

    @Test("two points with weights: contributions add")
    func twoPoints() throws {
        let dir = TempDir()
        let r = 3000.0, a = XY(500_500, 4_500_500), b = XY(502_500, 4_500_500)
        let l = try Self.layer([a, b], weights: [2, 5], dir)
        let s = try kernelDensity(l, cell: 1000, radius: r, crs: try CRS("EPSG:32642"), weightField: "w", padded: true)
        let k = 3 / (Double.pi * r * r) * 1e6
        for i in s.values.indices {
            let c = s.window.tessellation.center(s.window.cell(at: i))
            func part(_ p: XY, _ w: Double) -> Double { let u2 = (pow(c.x - p.x, 2) + pow(c.y - p.y, 2)) / (r * r); return u2 < 1 ? k * w * pow(1 - u2, 2) : 0 }
            #expect(abs(s.values[i] - (part(a, 2) + part(b, 5))) < 1e-12)
        }
    }

    @Test("the default radius follows ArcGIS's spatial Silverman rule")
    func silverman() {
        // Four points at the corners of a 2 km square: mean centre in the middle, every distance √2 km.
        let p = [XY(0, 0), XY(2000, 0), XY(0, 2000), XY(2000, 2000)]
        let d = 2000.0.squareSquareRoot
        let expected = 0.9 * min(d, (1 / log(2.0)).squareRoot() * d) * pow(4, -0.2)
        #expect(abs(silvermanRadius(points: p, weights: [1, 1, 1, 1]) - expected) < 1e-9)
    }
}

private extension Double { var squareSquareRoot: Double { (self * self / 2).squareRoot() } }
