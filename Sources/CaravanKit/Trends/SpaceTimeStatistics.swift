import Foundation

/// Space-time Getis-Ord Gi* of every bin of a cube (ANALYSIS.md §7): neighbours of bin (i, t)
/// are the bins (j, u) whose location centres lie within the band of i's (i included) and whose
/// step u is t − window … t; binary weights; X̄ and S over all L × T bins (ArcGIS's
/// ENTIRE_CUBE); p two-sided normal; bins FDR-corrected over the whole cube (ANALYSIS.md §1).
public struct SpaceTimeGiResult: Sendable {
    /// Location-major: bin (i, t) is at i·T + t. NaN where the bin has no z.
    public var z: [Double]
    public var p: [Double]
    /// FDR-corrected confidence bin, −3…3 (0 where there is no z).
    public var bin: [Int8]
    /// Neighbouring bins of each bin, itself included.
    public var neighbours: [Int32]
    public var mean: Double
    public var standardDeviation: Double
    /// Bins without a z (no neighbour besides themselves).
    public var empty: Int
}

/// The locations within `band` of each location (itself included), by a hash grid.
func spatialNeighbours(_ positions: [XY], band: Double) -> [[Int32]] {
    let cell = band
    var buckets: [Int64: [Int32]] = [:]
    @inline(__always) func key(_ x: Int, _ y: Int) -> Int64 { Int64(x) << 32 ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: y))) }
    for (i, p) in positions.enumerated() {
        buckets[key(Int((p.x / cell).rounded(.down)), Int((p.y / cell).rounded(.down))), default: []].append(Int32(i))
    }
    let limit = band * band * (1 + 1e-12)
    return positions.map { p in
        let cx = Int((p.x / cell).rounded(.down)), cy = Int((p.y / cell).rounded(.down))
        var out: [Int32] = []
        for dx in -1...1 { for dy in -1...1 {
            for j in buckets[key(cx + dx, cy + dy)] ?? [] {
                let q = positions[Int(j)]
                let d2 = (q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)
                if d2 <= limit { out.append(j) }
            }
        } }
        out.sort()
        return out
    }
}

/// Space-time Gi* over a cube of `values` (location-major, `steps` per location).
public func spaceTimeGiStar(values: [Double], positions: [XY], steps T: Int, band: Double, timeWindow k: Int) throws -> SpaceTimeGiResult {
    let L = positions.count
    guard values.count == L * T else {
        throw GeoError(.invalidArgument, "the cube has \(values.count) values for \(L) locations × \(T) steps (\(L * T) bins)",
                       hint: "give one value per location and step, location by location")
    }
    let n = L * T
    guard n >= 30 else {
        throw GeoError(.invalidArgument, "the cube has \(n) bins (\(L) locations × \(T) steps); Emerging Hot Spot Analysis needs at least 30",
                       hint: "use smaller cells, shorter steps or more events")
    }
    var sum = 0.0, sum2 = 0.0
    for v in values { sum += v; sum2 += v * v }
    let mean = sum / Double(n)
    let variance = sum2 / Double(n) - mean * mean
    let S = variance > 0 ? variance.squareRoot() : 0
    guard S > 1e-12 * max(1, abs(mean)) else {
        throw GeoError(.invalidArgument, "every bin of the cube holds the same value (\(mean)): with no variance there are no hot or cold spots",
                       hint: "check the events and the {weight} field, or use other cells or steps")
    }
    let neighbours = spatialNeighbours(positions, band: band)
    // Spatial sums per step, then the window of previous steps.
    var spatial = [Double](repeating: 0, count: n)
    values.withUnsafeBufferPointer { v in
        spatial.withUnsafeMutableBufferPointer { s in
            for i in 0..<L {
                for j in neighbours[i] {
                    let src = Int(j) * T, dst = i * T
                    for t in 0..<T { s[dst + t] += v[src + t] }
                }
            }
        }
    }
    var z = [Double](repeating: .nan, count: n), p = [Double](repeating: .nan, count: n)
    var nn = [Int32](repeating: 0, count: n)
    var empty = 0
    let nd = Double(n)
    for i in 0..<L {
        let m = neighbours[i].count
        for t in 0..<T {
            let steps = min(t, k) + 1
            let w = Double(m * steps)          // Σw = Σw² for binary weights
            nn[i * T + t] = Int32(m * steps)
            let inner = (nd * w - w * w) / (nd - 1)
            guard m * steps > 1, inner > 0 else { empty += 1; continue }
            var x = 0.0
            for u in max(0, t - k)...t { x += spatial[i * T + u] }
            let zi = (x - mean * w) / (S * inner.squareRoot())
            z[i * T + t] = zi
            p[i * T + t] = twoSidedP(zi)
        }
    }
    let bins = fdrCorrectedBins(z: z, p: p)
    return SpaceTimeGiResult(z: z, p: p, bin: bins, neighbours: nn, mean: mean, standardDeviation: S, empty: empty)
}

/// p = 2(1 − Φ(|z|)).
@inline(__always)
public func twoSidedP(_ z: Double) -> Double { erfc(abs(z) / 2.0.squareRoot()) }

/// ArcGIS's false discovery rate correction (ANALYSIS.md §1): Benjamini–Hochberg once per
/// level over the valid p-values (NaN = no value); bin = sign(z) × highest level passed.
public func fdrCorrectedBins(z: [Double], p: [Double]) -> [Int8] {
    // (p, index) pairs sorted together: no lookups into p while sorting; ties in index order.
    var pairs: [(p: Double, i: Int32)] = []
    pairs.reserveCapacity(p.count)
    for (i, x) in p.enumerated() where !x.isNaN { pairs.append((x, Int32(i))) }
    pairs.sort { $0.p < $1.p || ($0.p == $1.p && $0.i < $1.i) }
    let valid = pairs.map { Int($0.i) }
    let m = Double(valid.count)
    var level = [Int8](repeating: 0, count: p.count)
    for (alpha, lv) in [(0.10, Int8(1)), (0.05, Int8(2)), (0.01, Int8(3))] {
        var kStar = 0
        for (k, i) in valid.enumerated() where p[i] <= alpha * Double(k + 1) / m { kStar = k + 1 }
        for i in valid.prefix(kStar) { level[i] = lv }
    }
    return z.indices.map { i in z[i].isNaN ? 0 : (z[i] > 0 ? level[i] : -level[i]) }
}

/// The Mann–Kendall trend test (ANALYSIS.md §7; pymannkendall's `original_test`): S = Σ_{i<j}
/// sign(x_j − x_i), the variance corrected for groups of exactly equal values, continuity-
/// corrected Z, two-sided normal p. NaN values are skipped.
public struct MannKendall: Sendable, Hashable {
    public var s: Double
    public var variance: Double
    public var z: Double
    public var p: Double
    /// +1 a significant upward trend (p < 0.10), −1 downward, 0 none (ArcGIS's TREND_BIN).
    public var bin: Int { p < 0.10 ? (z > 0 ? 1 : z < 0 ? -1 : 0) : 0 }

    public init(_ series: [Double]) {
        let x = series.filter { !$0.isNaN }
        let n = x.count
        var s = 0
        for i in 0..<max(0, n - 1) {
            for j in (i + 1)..<n { s += x[j] > x[i] ? 1 : x[j] < x[i] ? -1 : 0 }
        }
        var ties = 0.0
        var sorted = x.sorted(), g = 0
        while g < sorted.count {
            var h = g
            while h + 1 < sorted.count && sorted[h + 1] == sorted[g] { h += 1 }
            let t = Double(h - g + 1)
            if t > 1 { ties += t * (t - 1) * (2 * t + 5) }
            g = h + 1
        }
        sorted.removeAll()
        let nd = Double(n)
        let v = (nd * (nd - 1) * (2 * nd + 5) - ties) / 18
        self.s = Double(s)
        variance = v
        if v > 0 && s != 0 {
            z = (Double(s) - (s > 0 ? 1 : -1)) / v.squareRoot()
        } else {
            z = 0
        }
        p = v > 0 ? twoSidedP(z) : 1
    }
}
