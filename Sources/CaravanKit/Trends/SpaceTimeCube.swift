import Foundation

/// A space-time cube: event counts (and sums of a weight) per location and time step, as
/// ArcGIS's Create Space Time Cube By Aggregating Points makes it (ANALYSIS.md §7).
///
/// Locations are the cells of an aligned grid that hold at least one event in some step (or
/// every cell meeting the study area); bins are location-major (`i·T + t`); empty bins are real
/// zeros.
public struct SpaceTimeCube: Sendable {
    public var tessellation: Tessellation
    public var crs: CRS
    public var steps: TimeSteps
    /// The cells, in (row, col) order.
    public var locations: [CellIndex]
    /// Events per bin.
    public var counts: [Double]
    /// Sums of the weight per bin, when a weight field was given.
    public var sums: [Double]?
    public var weightField: String?
    /// Times of the first and last event (seconds since 1970).
    public var firstTime: Int
    public var lastTime: Int
    /// Events counted in the cube.
    public var events: Int

    public var stepCount: Int { steps.count }
    public var binCount: Int { locations.count * steps.count }

    public init(tessellation: Tessellation, crs: CRS, steps: TimeSteps, locations: [CellIndex], counts: [Double],
                sums: [Double]? = nil, weightField: String? = nil, firstTime: Int, lastTime: Int, events: Int) {
        self.tessellation = tessellation; self.crs = crs; self.steps = steps; self.locations = locations
        self.counts = counts; self.sums = sums; self.weightField = weightField
        self.firstTime = firstTime; self.lastTime = lastTime; self.events = events
    }

    /// The values analysed: the sums when there is a weight, else the counts.
    public var values: [Double] { sums ?? counts }

    public var positions: [XY] { locations.map { tessellation.center($0) } }

    /// The share of the first step before the first event (ArcGIS's temporal bias).
    public var temporalBias: Double { steps.temporalBias(first: firstTime) }

    /// Builds a cube from events already projected: cells, times (seconds) and weights.
    /// `studyCells`: every cell of the study area, locations even without events.
    public static func aggregate(cells: [CellIndex], times: [Int], weights: [Double]?, step: TimeStep, tessellation: Tessellation,
                                 crs: CRS, studyCells: [CellIndex]? = nil, weightField: String? = nil) throws -> SpaceTimeCube {
        guard let first = times.min(), let last = times.max() else {
            throw GeoError(.invalidArgument, "there are no events to put in the cube", hint: "check {from}/{to}, {where} and the study area")
        }
        let steps = TimeSteps(step: step, first: first, last: last)
        // Locations through a dense window of the cells (no hashing per event).
        let n = cells.count
        let slices = min(processorCount, max(1, n / 200_000))
        var c0 = Int.max, c1 = Int.min, r0 = Int.max, r1 = Int.min
        for c in cells { c0 = min(c0, c.col); c1 = max(c1, c.col); r0 = min(r0, c.row); r1 = max(r1, c.row) }
        for c in studyCells ?? [] { c0 = min(c0, c.col); c1 = max(c1, c.col); r0 = min(r0, c.row); r1 = max(r1, c.row) }
        let W = c1 - c0 + 1, H = r1 - r0 + 1
        var slot = [Int32](repeating: -1, count: W * H)
        cells.withUnsafeBufferPointer { cp in
            slot.withUnsafeMutableBufferPointer { sp in
                for c in cp { sp[(c.row - r0) * W + (c.col - c0)] = 0 }
            }
        }
        for c in studyCells ?? [] { slot[(c.row - r0) * W + (c.col - c0)] = 0 }
        var locations: [CellIndex] = []
        for o in 0..<(W * H) where slot[o] == 0 {             // row-major: (row, col) order
            slot[o] = Int32(locations.count)
            locations.append(CellIndex(col: c0 + o % W, row: r0 + o / W))
        }
        let T = steps.count, B = locations.count * T
        // Counts (and sums) per slice of the events, added up: counts exact in any order, sums to the last bit of rounding.
        var partCounts = [[UInt32]](repeating: [], count: slices)
        var partSums = [[Double]](repeating: [], count: slices)
        let breaks = steps.breaks, step = steps.step, row0 = r0, col0 = c0
        cells.withUnsafeBufferPointer { cells in
            times.withUnsafeBufferPointer { times in
                slot.withUnsafeBufferPointer { slots in
                    partCounts.withUnsafeMutableBufferPointer { pcs in
                        partSums.withUnsafeMutableBufferPointer { pss in
                            nonisolated(unsafe) let cp = cells, tp = times, sp = slots, pc = pcs, ps = pss
                            DispatchQueue.concurrentPerform(iterations: slices) { k in
                                let local = TimeSteps(step: step, breaks: breaks)
                                var counts = [UInt32](repeating: 0, count: B)        // 4 bytes a bin: fewer cache misses
                                var sums = [Double](repeating: 0, count: weights == nil ? 0 : B)
                                counts.withUnsafeMutableBufferPointer { cnt in
                                    sums.withUnsafeMutableBufferPointer { sm in
                                        for e in (n * k / slices)..<(n * (k + 1) / slices) {
                                            guard let t = local.index(of: tp[e]) else { continue }
                                            let c = cp[e]
                                            let b = Int(sp[(c.row - row0) * W + (c.col - col0)]) * T + t
                                            cnt[b] += 1
                                            if let w = weights { sm[b] += w[e] }
                                        }
                                    }
                                }
                                pc[k] = counts; ps[k] = sums
                            }
                        }
                    }
                }
            }
        }
        var counts = partCounts[0].map { Double($0) }
        for k in 1..<max(1, slices) { for b in 0..<B { counts[b] += Double(partCounts[k][b]) } }
        var sums: [Double]? = nil
        if weights != nil {
            var s = partSums[0]
            for k in 1..<max(1, slices) { for b in 0..<B { s[b] += partSums[k][b] } }
            sums = s
        }
        return SpaceTimeCube(tessellation: tessellation, crs: crs, steps: steps, locations: locations, counts: counts, sums: sums,
                             weightField: weightField, firstTime: first, lastTime: last, events: cells.count)
    }

    /// Mann–Kendall of each location's counts (Create Space Time Cube's per-location trend).
    public func countTrends() -> [MannKendall] {
        let T = stepCount
        return locations.indices.map { i in MannKendall(Array(counts[(i * T)..<((i + 1) * T)])) }
    }

    /// Mann–Kendall of the cube's total count per step (Create Space Time Cube's overall trend).
    public func overallTrend() -> MannKendall {
        let T = stepCount
        var totals = [Double](repeating: 0, count: T)
        for i in locations.indices { for t in 0..<T { totals[t] += counts[i * T + t] } }
        return MannKendall(totals)
    }
}
