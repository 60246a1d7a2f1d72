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
        var bins = CubeBins(steps: TimeSteps(step: step, first: first, last: last), weighted: weights != nil, studyCells: studyCells)
        bins.add(cells: cells, times: times, weights: weights)
        return bins.cube(tessellation: tessellation, crs: crs, weightField: weightField, firstTime: first, lastTime: last)
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

/// The bins of a cube filled a batch of events at a time: its memory grows with the locations
/// and steps, never with the events, so a table of any length streams through it.
///
/// Locations are numbered as they are first met and put in (row, col) order at the end; the
/// events of each bin are added in the order they come (counts exact, sums the same whatever
/// the batches and the number of cores).
struct CubeBins {
    let steps: TimeSteps
    private let T: Int
    /// Location number by cell (`key`).
    private var slots: [Int: Int32] = [:]
    private var cells: [CellIndex] = []
    private var counts: [UInt32] = []
    private var sums: [Double]?
    private(set) var events = 0

    init(steps: TimeSteps, weighted: Bool, studyCells: [CellIndex]? = nil) {
        self.steps = steps; T = steps.count
        sums = weighted ? [] : nil
        for c in studyCells ?? [] { _ = slot(c) }
    }

    /// The location number of a cell, a new location when first met.
    private mutating func slot(_ c: CellIndex) -> Int32 {
        let key = c.row &<< 32 | (c.col & 0xFFFF_FFFF)
        if let s = slots[key] { return s }
        let s = Int32(cells.count)
        slots[key] = s; cells.append(c)
        counts.append(contentsOf: repeatElement(0, count: T))
        sums?.append(contentsOf: repeatElement(0, count: T))
        return s
    }

    /// Adds events: their cells, times (seconds) and weights (nil without a weight field).
    mutating func add(cells batch: [CellIndex], times: [Int], weights: [Double]?) {
        events += batch.count
        guard !batch.isEmpty else { return }
        // The batch's cells through a dense table of its window (one dictionary lookup per cell
        // of the batch, not per event), unless that window is much larger than the batch.
        var c0 = Int.max, c1 = Int.min, r0 = Int.max, r1 = Int.min
        for c in batch { c0 = min(c0, c.col); c1 = max(c1, c.col); r0 = min(r0, c.row); r1 = max(r1, c.row) }
        let (W, H) = (c1 - c0 + 1, r1 - r0 + 1)
        let (area, overflow) = W.multipliedReportingOverflow(by: H)
        var table = !overflow && area <= max(4096, 4 * batch.count) ? [Int32](repeating: -1, count: area) : []
        for e in batch.indices {
            guard let t = steps.index(of: times[e]) else { continue }
            let c = batch[e]
            let s: Int32
            if table.isEmpty { s = slot(c) } else {
                let o = (c.row - r0) * W + (c.col - c0)
                if table[o] < 0 { table[o] = slot(c) }
                s = table[o]
            }
            let b = Int(s) * T + t
            counts[b] += 1
            if let w = weights { sums![b] += w[e] }
        }
    }

    /// The cube: locations in (row, col) order.
    func cube(tessellation: Tessellation, crs: CRS, weightField: String?, firstTime: Int, lastTime: Int) -> SpaceTimeCube {
        let order = cells.indices.sorted { cells[$0] < cells[$1] }
        var c = [Double](repeating: 0, count: order.count * T)
        var s: [Double]? = sums == nil ? nil : [Double](repeating: 0, count: order.count * T)
        for (i, from) in order.enumerated() {
            for t in 0..<T {
                c[i * T + t] = Double(counts[from * T + t])
                if let sums { s![i * T + t] = sums[from * T + t] }
            }
        }
        return SpaceTimeCube(tessellation: tessellation, crs: crs, steps: steps, locations: order.map { cells[$0] }, counts: c, sums: s,
                             weightField: weightField, firstTime: firstTime, lastTime: lastTime, events: events)
    }
}
