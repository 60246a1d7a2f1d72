import Foundation

/// One distance band of an incremental spatial autocorrelation run.
public struct AutocorrelationBand: Sendable {
    public var distance: Double
    public var moransI: Double
    public var z: Double
}

/// Global Moran's I with row-standardised binary distance-band weights and its z-score under
/// randomisation (the statistic Optimized Hot Spot Analysis scans over distances).
func moransI(values: [Double], search: NeighbourSearch, band: Double) -> (i: Double, z: Double)? {
    let n = values.count
    guard n > 3 else { return nil }
    let mean = values.reduce(0, +) / Double(n)
    let zv = values.map { $0 - mean }
    let m2 = zv.reduce(0) { $0 + $1 * $1 } / Double(n)
    guard m2 > 0 else { return nil }
    let m4 = zv.reduce(0) { $0 + $1 * $1 * $1 * $1 } / Double(n)
    let b2 = m4 / (m2 * m2)
    var neighbours = [[Int32]](repeating: [], count: n)
    for i in 0..<n { search.within(i, radius: band) { j, _ in neighbours[i].append(Int32(j)) } }
    let k = neighbours.map { Double($0.count) }
    var num = 0.0, s0 = 0.0, s1 = 0.0, s2 = 0.0
    for i in 0..<n where k[i] > 0 {
        var lag = 0.0, colSum = 0.0
        for j32 in neighbours[i] {
            let j = Int(j32)
            lag += zv[j]
            let wij = 1 / k[i], wji = k[j] > 0 ? 1 / k[j] : 0
            s1 += (wij + wji) * (wij + wji)
            colSum += wji
        }
        num += zv[i] * lag / k[i]
        s0 += 1
        s2 += (1 + colSum) * (1 + colSum)
    }
    s1 /= 2
    guard s0 > 0 else { return nil }
    let nd = Double(n)
    let I = (nd / s0) * num / (m2 * nd)
    let e = -1 / (nd - 1)
    let v = (nd * ((nd * nd - 3 * nd + 3) * s1 - nd * s2 + 3 * s0 * s0) - b2 * ((nd * nd - nd) * s1 - 2 * nd * s2 + 6 * s0 * s0))
        / ((nd - 1) * (nd - 2) * (nd - 3) * s0 * s0) - e * e
    guard v > 0 else { return nil }
    return (I, (I - e) / v.squareRoot())
}

/// Chooses a fixed distance band as Optimized Hot Spot Analysis does: Moran's I z-scores at 10
/// bands, starting at the distance that gives every feature a neighbour and stepping by the
/// mean nearest-neighbour distance; the first peak with z > 1.65, else the highest peak; with no
/// peak, the mean distance to the k-th nearest neighbour, k = clamp(⌊0.05·n⌋, 3, 30).
public func optimizedBand(values: [Double], positions: [XY]) -> (band: Double, reason: String, bands: [AutocorrelationBand]) {
    let search = NeighbourSearch(positions)
    let nnd = search.nearestDistances()
    let start = (nnd.max() ?? 1) * 1.0001
    let step = max(nnd.reduce(0, +) / Double(max(nnd.count, 1)), start * 0.1)
    var bands: [AutocorrelationBand] = []
    for b in 0..<10 {
        let d = start + Double(b) * step
        if let (i, z) = moransI(values: values, search: search, band: d) { bands.append(AutocorrelationBand(distance: d, moransI: i, z: z)) }
    }
    var peaks: [Int] = []
    for b in bands.indices {
        let left = b == 0 ? -Double.infinity : bands[b - 1].z
        let right = b == bands.count - 1 ? -Double.infinity : bands[b + 1].z
        if bands[b].z > left && bands[b].z > right && b > 0 && b < bands.count - 1 { peaks.append(b) }
    }
    let fmt = { (d: Double) in Distance(meters: d).description }
    if let first = peaks.first(where: { bands[$0].z > 1.65 }) {
        return (bands[first].distance, "the first peak of spatial autocorrelation (Moran's I z = \(String(format: "%.2f", bands[first].z)) at \(fmt(bands[first].distance)))", bands)
    }
    if let best = peaks.max(by: { bands[$0].z < bands[$1].z }) {
        return (bands[best].distance, "the highest peak of spatial autocorrelation (Moran's I z = \(String(format: "%.2f", bands[best].z)) at \(fmt(bands[best].distance)); no peak above z = 1.65)", bands)
    }
    let k = min(30, max(3, positions.count / 20))
    let kth = positions.indices.map { search.nearest($0, k: k).last?.1 ?? 0 }
    let d = max(kth.reduce(0, +) / Double(max(kth.count, 1)), start)
    return (d, "no peak of spatial autocorrelation between \(fmt(start)) and \(fmt(start + 9 * step)): the mean distance to the \(k)th nearest neighbour", bands)
}
