import Foundation

/// How neighbours are weighted in Gi* (ArcGIS's Conceptualization of Spatial Relationships).
public enum SpatialWeights: Hashable, Sendable {
    /// w = 1 within `band` metres (the focal feature included), 0 beyond.
    case fixedBand(Double)
    /// w = 1 for the k nearest neighbours and the focal feature.
    case nearest(Int)
    /// w = 1/d^power within `band` (nil: no cut-off); distances below 1 m count as 1; self weight 1.
    case inverseDistance(power: Double, band: Double?)
}

/// Per-feature Getis-Ord Gi* results, with ArcGIS's meaning.
public struct HotSpotResult: Sendable {
    /// GiZScore (nil where undefined: no neighbour besides itself, or a zero denominator).
    public var z: [Double?]
    /// GiPValue: two-sided normal p.
    public var p: [Double?]
    /// Gi_Bin: ±3, ±2, ±1 for 99/95/90% confidence (FDR-corrected when asked), 0 otherwise.
    public var bin: [Int]
    /// NNeighbors: features entering the sum, the focal feature included.
    public var neighbours: [Int]
    public var weights: SpatialWeights
    public var fdr: Bool
    /// Why this distance band (for `--band auto` and defaults).
    public var bandReason: String?
    public var warnings: [String] = []
    /// Σⱼ wᵢⱼxⱼ, the focal feature included: with a fixed band, the events (or the weight) in
    /// the neighbourhood.
    public var neighbourhoodSum: [Double] = []
    /// Σⱼ wᵢⱼ, the focal feature included.
    public var neighbourhoodWeight: [Double] = []
}

/// The window slots of the present cells, row-major, when there are exactly `count` of them.
func presentSlots(_ present: [Bool], count: Int) -> [Int]? {
    var slots: [Int] = []
    slots.reserveCapacity(count)
    for (i, p) in present.enumerated() where p { slots.append(i) }
    return slots.count == count ? slots : nil
}

/// Getis-Ord Gi* exactly as ArcGIS Pro's Hot Spot Analysis defines it (see ANALYSIS.md §1):
///
///     X̄ = Σx/n,  S = √(Σx²/n − X̄²),
///     Gi* = (Σⱼ wᵢⱼxⱼ − X̄ Σⱼ wᵢⱼ) / (S √((n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²)/(n−1))),  sums including i.
///
/// Neighbours come from a uniform hash grid of the positions (never all pairs); on an aligned
/// square grid with a fixed band (`grid` given), from row prefix sums: the neighbourhood sums
/// are a convolution of the value grid with a disk, O(cells × band/cell).
///
/// - Parameters:
///   - values: the analysis field (counts or sums), one per feature.
///   - positions: feature locations in a projected CRS, metres.
///   - grid: when the features are exactly the cells of this window, row-major, with
///     `present[i]` false for cells left out (outside a study area).
public func getisOrdGiStar(values: [Double], positions: [XY], weights: SpatialWeights, fdr: Bool = false,
                           grid: (window: GridWindow, present: [Bool])? = nil) throws -> HotSpotResult {
    let n = values.count
    guard n >= 3 else {
        throw GeoError(.invalidArgument, "Gi* needs at least 3 features, and there are \(n)", hint: "use smaller cells or a larger area")
    }
    var warnings: [String] = []
    if n < 30 { warnings.append("only \(n) features: ArcGIS asks for at least 30 for reliable results") }
    let mean = values.reduce(0, +) / Double(n)
    let variance = values.reduce(0) { $0 + $1 * $1 } / Double(n) - mean * mean
    let S = variance > 0 ? variance.squareRoot() : 0
    guard S > 1e-12 * max(1, abs(mean)) else {
        throw GeoError(.invalidArgument, "every feature has the same value (\(mean)): with no variance there are no hot or cold spots",
                       hint: "check the analysis field, or aggregate to larger cells")
    }
    var sw = [Double](repeating: 0, count: n), swx = [Double](repeating: 0, count: n), sw2 = [Double](repeating: 0, count: n)
    var nn = [Int](repeating: 0, count: n)
    if case .fixedBand(let band) = weights, let grid, case .square(let s) = grid.window.tessellation,
       let slots = presentSlots(grid.present, count: n) {
        // The features are the present cells in row-major order: spread them over the whole
        // window (absent cells hold nothing), convolve, and gather the sums back.
        var full = [Double](repeating: 0, count: grid.window.cellCount)
        for (k, slot) in slots.enumerated() { full[slot] = values[k] }
        var fsw: [Double] = [], fswx: [Double] = []
        convolveDisk(values: full, present: grid.present, window: grid.window, cell: s, band: band, sw: &fsw, swx: &fswx)
        for (k, slot) in slots.enumerated() { sw[k] = fsw[slot]; swx[k] = fswx[slot]; nn[k] = Int(fsw[slot].rounded()) }
        sw2 = sw
    } else {
        let neighbourhood = NeighbourSearch(positions)
        for i in 0..<n {
            var a = 1.0, ax = values[i], a2 = 1.0, count = 1   // the focal feature, self weight 1
            neighbourhood.forEachNeighbour(of: i, weights: weights) { j, w in
                a += w; ax += w * values[j]; a2 += w * w; count += 1
            }
            sw[i] = a; swx[i] = ax; sw2[i] = a2; nn[i] = count
        }
    }
    var z = [Double?](repeating: nil, count: n), p = [Double?](repeating: nil, count: n)
    var isolated = 0, everyone = 0
    for i in 0..<n {
        let inner = (Double(n) * sw2[i] - sw[i] * sw[i]) / Double(n - 1)
        guard nn[i] > 1 else { isolated += 1; continue }
        // With binary weights over every feature, Σw = n and the denominator is 0: undefined.
        guard inner > 1e-12 * Double(n) * max(1, sw2[i]) else { everyone += 1; continue }
        let zi = (swx[i] - mean * sw[i]) / (S * inner.squareRoot())
        z[i] = zi
        p[i] = 2 * (1 - normalCDF(abs(zi)))
    }
    if isolated > 0 {
        warnings.append("\(isolated) of \(n) features have no neighbour besides themselves: their GiZScore is empty")
    }
    if everyone > 0 {
        warnings.append("for \(everyone) of \(n) features every feature is a neighbour: Gi* is undefined there (use a smaller band)")
    }
    let bins = fdr ? fdrBins(z: z, p: p) : z.indices.map { i in giBin(z[i], p[i]) }
    var r = HotSpotResult(z: z, p: p, bin: bins, neighbours: nn, weights: weights, fdr: fdr, warnings: warnings)
    r.neighbourhoodSum = swx
    r.neighbourhoodWeight = sw
    return r
}

/// Φ(x), the standard normal CDF.
@inline(__always)
func normalCDF(_ x: Double) -> Double { 0.5 * erfc(-x / 2.0.squareRoot()) }

func giBin(_ z: Double?, _ p: Double?) -> Int {
    guard let z, let p else { return 0 }
    let level = p < 0.01 ? 3 : p < 0.05 ? 2 : p < 0.10 ? 1 : 0
    return z > 0 ? level : -level
}

/// ArcGIS's false discovery rate correction of the bins (Benjamini–Hochberg at each level).
func fdrBins(z: [Double?], p: [Double?]) -> [Int] {
    let valid = p.indices.filter { p[$0] != nil }.sorted { p[$0]! < p[$1]! }
    let m = Double(valid.count)
    var level = [Int](repeating: 0, count: p.count)
    for (alpha, lv) in [(0.10, 1), (0.05, 2), (0.01, 3)] {
        var kStar = 0
        for (k, i) in valid.enumerated() where p[i]! <= alpha * Double(k + 1) / m { kStar = k + 1 }
        for i in valid.prefix(kStar) { level[i] = lv }
    }
    return z.indices.map { i in guard let zi = z[i] else { return 0 }; return zi > 0 ? level[i] : -level[i] }
}

/// Disk sums on an aligned square grid: for each present cell, the sum of values and the count
/// of present cells whose centres lie within `band` (the cell itself included).
func convolveDisk(values: [Double], present: [Bool], window: GridWindow, cell s: Double, band: Double,
                  sw: inout [Double], swx: inout [Double]) {
    let w = window.width, h = window.height
    let R = Int((band / s).rounded(.down))
    // Half-widths of the disk's rows: cells (dx, dy) with (dx² + dy²)·s² ≤ band² (tolerance for round-off).
    let limit = band * band * (1 + 1e-12)
    let half = (0...R).map { dy -> Int in
        var dx = 0
        while Double((dx + 1) * (dx + 1) + dy * dy) * s * s <= limit { dx += 1 }
        return Double(dy * dy) * s * s <= limit ? dx : -1
    }
    // Row prefix sums with one leading zero per row.
    var px = [Double](repeating: 0, count: (w + 1) * h), pc = [Double](repeating: 0, count: (w + 1) * h)
    for r in 0..<h {
        for c in 0..<w {
            let i = r * w + c, o = r * (w + 1) + c
            px[o + 1] = px[o] + (present[i] ? values[i] : 0)
            pc[o + 1] = pc[o] + (present[i] ? 1 : 0)
        }
    }
    let rowsPerChunk = max(1, h / (processorCount * 4))
    let chunks = (h + rowsPerChunk - 1) / rowsPerChunk
    nonisolated(unsafe) let swOut = UnsafeMutableBufferPointer<Double>.allocate(capacity: w * h)
    nonisolated(unsafe) let swxOut = UnsafeMutableBufferPointer<Double>.allocate(capacity: w * h)
    defer { swOut.deallocate(); swxOut.deallocate() }
    let pxc = px, pcc = pc
    DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
        for r in (chunk * rowsPerChunk)..<min(h, (chunk + 1) * rowsPerChunk) {
            for c in 0..<w {
                var a = 0.0, ax = 0.0
                for dy in -R...R {
                    let rr = r + dy
                    guard rr >= 0, rr < h else { continue }
                    let hw = half[abs(dy)]
                    guard hw >= 0 else { continue }
                    let lo = max(0, c - hw), hi = min(w - 1, c + hw)
                    guard lo <= hi else { continue }
                    let o = rr * (w + 1)
                    a += pcc[o + hi + 1] - pcc[o + lo]
                    ax += pxc[o + hi + 1] - pxc[o + lo]
                }
                swOut[r * w + c] = a
                swxOut[r * w + c] = ax
            }
        }
    }
    sw = Array(swOut)
    swx = Array(swxOut)
}

/// Neighbour search over points with a uniform hash grid.
struct NeighbourSearch {
    let positions: [XY]
    let bucket: Double
    let buckets: [Int64: [Int32]]

    init(_ positions: [XY], bucket: Double? = nil) {
        self.positions = positions
        var e = Envelope.empty
        for p in positions { e.expand(p) }
        // About two points per bucket, but never so small that a search spans thousands of
        // buckets (points on a line have no area).
        let area = e.width * e.height
        let b = bucket ?? max((area / Double(max(positions.count, 1))).squareRoot() * 2, max(e.width, e.height) / 1000, 1e-6)
        self.bucket = b
        var d: [Int64: [Int32]] = [:]
        for (i, p) in positions.enumerated() { d[NeighbourSearch.key(p, b), default: []].append(Int32(i)) }
        buckets = d
    }

    static func key(_ p: XY, _ b: Double) -> Int64 { SegmentIndex.key(Int(floor(p.x / b)), Int(floor(p.y / b))) }

    /// Every other point within `radius` of point i.
    func within(_ i: Int, radius: Double, _ body: (Int, Double) -> Void) {
        let p = positions[i]
        let reach = Int((radius / bucket).rounded(.up))
        let cx = Int(floor(p.x / bucket)), cy = Int(floor(p.y / bucket))
        let r2 = radius * radius
        for dx in -reach...reach {
            for dy in -reach...reach {
                guard let list = buckets[SegmentIndex.key(cx + dx, cy + dy)] else { continue }
                for j32 in list {
                    let j = Int(j32)
                    if j == i { continue }
                    let q = positions[j]
                    let d2 = (q.x - p.x) * (q.x - p.x) + (q.y - p.y) * (q.y - p.y)
                    if d2 <= r2 { body(j, d2.squareRoot()) }
                }
            }
        }
    }

    /// The k nearest other points of i (ties broken by index), nearest first.
    func nearest(_ i: Int, k: Int) -> [(Int, Double)] {
        var radius = bucket
        while true {
            var found: [(Int, Double)] = []
            within(i, radius: radius) { j, d in found.append((j, d)) }
            if found.count >= k || found.count >= positions.count - 1 {
                found.sort { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
                return Array(found.prefix(k))
            }
            radius *= 2
        }
    }

    func forEachNeighbour(of i: Int, weights: SpatialWeights, _ body: (Int, Double) -> Void) {
        switch weights {
        case .fixedBand(let d): within(i, radius: d) { j, _ in body(j, 1) }
        case .nearest(let k): for (j, _) in nearest(i, k: k) { body(j, 1) }
        case .inverseDistance(let power, let band):
            if let band {
                within(i, radius: band) { j, d in body(j, 1 / pow(max(d, 1), power)) }
            } else {
                for j in positions.indices where j != i {
                    let d = hypot(positions[j].x - positions[i].x, positions[j].y - positions[i].y)
                    body(j, 1 / pow(max(d, 1), power))
                }
            }
        }
    }

    /// Distance from each point to its nearest other point.
    func nearestDistances() -> [Double] { positions.indices.map { nearest($0, k: 1).first?.1 ?? 0 } }
}

/// Distance from each point to its nearest other point (hash-grid search, never all pairs).
public func nearestNeighbourDistances(_ positions: [XY]) -> [Double] { NeighbourSearch(positions).nearestDistances() }
