import Foundation
import Testing
@testable import CaravanKit

/// The cube streamed from a CSV a batch at a time (memory: the cube and one batch) is the cube
/// built from every event held at once, on every path: weights, periods, study areas, quoted
/// files, unreadable dates spread over the batches.
@Suite("Space-time cube streamed in batches")
struct CubeStreamingTests {
    static let crs = "+proj=laea +lat_0=40 +lon_0=68 +datum=WGS84 +units=m +type=crs"

    /// Rows near (68, 40) over 2022–2023, with weights; every 97th without a point, every 13th dated dd.mm.yyyy.
    func table(_ n: Int, seed: UInt64, quoted: Bool = false) -> String {
        var rng = SeededRNG(seed: seed)
        var lines = ["id,note,date,lon,lat,w"]
        for i in 1...n {
            let lon = 68 + Double.random(in: -1.5...1.5, using: &rng), lat = 40 + Double.random(in: -1...1, using: &rng)
            let day = EventDate(dayNumber: EventDate(year: 2022, month: 1, day: 1).dayNumber + Int.random(in: 0..<730, using: &rng))
            let date = i % 13 == 0 ? String(format: "%02d.%02d.%04d", day.day, day.month, day.year) : day.iso
            let note = quoted && i % 7 == 0 ? "\"a, \"\"quoted\"\"\nnote\"" : "n\(i)"
            if i % 97 == 0 { lines.append("\(i),\(note),\(date),,,1"); continue }
            lines.append(String(format: "%d,%@,%@,%.5f,%.5f,%.3f", i, note, date, lon, lat, Double.random(in: 0.1...9, using: &rng)))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Reads `path` streamed in batches of `batchBytes` and all at once (then aggregated); both cubes.
    func both(_ path: String, batchBytes: Int, weight: String? = "w", period: (String, String)? = nil,
              studyArea: Geometry? = nil, step: TimeStep = .months(1)) throws -> (streamed: TimedEvents, held: TimedEvents, cube: SpaceTimeCube) {
        var o = CubeOptions(events: path, cell: "25km"); o.weight = weight
        if let period { o.from = period.0; o.to = period.1 }
        func read(_ s: TimeStep?) throws -> TimedEvents {
            try readTimedEvents(path: path, layerName: nil, sourceCRS: nil, selection: o, weightField: weight, tessellation: .square(size: 25_000),
                                requestedCRS: nil, studyArea: studyArea, maxCells: 1_000_000, warnings: WarningLog(),
                                step: s, batchBytes: batchBytes)
        }
        let streamed = try read(step), held = try read(nil)
        let cube = try SpaceTimeCube.aggregate(cells: held.cells, times: held.times, weights: held.weights, step: step, tessellation: .square(size: 25_000),
                                               crs: held.crs, studyCells: held.studyCells, weightField: weight)
        return (streamed, held, cube)
    }

    func expectSame(_ a: SpaceTimeCube?, _ b: SpaceTimeCube, _ note: String) {
        guard let a else { Issue.record("no streamed cube: \(note)"); return }
        #expect(a.locations == b.locations, "\(note)")
        #expect(a.steps == b.steps && a.firstTime == b.firstTime && a.lastTime == b.lastTime && a.events == b.events, "\(note)")
        #expect(a.counts == b.counts, "\(note)")
        #expect(a.sums == b.sums, "\(note): sums bit for bit")
        #expect(a.crs.isEquivalent(to: b.crs), "\(note)")
    }

    @Test("batches of a few hundred bytes give the cube of all events at once: counts, sums bit for bit, locations, steps, CRS")
    func batches() throws {
        let dir = TempDir()
        let csv = dir.write("e.csv", table(4000, seed: 3))
        for size in [300, 5_000, 64_000, Int.max] {
            let r = try both(csv, batchBytes: size)
            #expect(r.streamed.readDirectly && r.streamed.cells.isEmpty && r.streamed.times.isEmpty, "the events are not held")
            #expect(r.streamed.read == 4000 && r.streamed.withoutLocation == r.held.withoutLocation && r.streamed.withoutLocation == 41)
            expectSame(r.streamed.cube, r.cube, "batch \(size)")
            #expect(r.cube.counts.reduce(0, +) == Double(4000 - 41))
        }
        // Without a weight; 2-week steps; a period.
        expectSame(try both(csv, batchBytes: 700, weight: nil, step: .days(14)).streamed.cube,
                   try both(csv, batchBytes: .max, weight: nil, step: .days(14)).cube, "2 weeks")
        let p = try both(csv, batchBytes: 900, period: ("2022-06-01", "2023-03-31"))
        #expect(p.streamed.outsidePeriod == p.held.outsidePeriod && p.streamed.outsidePeriod > 1000)
        expectSame(p.streamed.cube, p.cube, "period")
    }

    @Test("a quoted file (line breaks inside quotes) streams row by row to the same cube")
    func quoted() throws {
        let dir = TempDir()
        let csv = dir.write("q.csv", table(1500, seed: 8, quoted: true))
        for size in [200, 10_000] { expectSame(try both(csv, batchBytes: size).streamed.cube, try both(csv, batchBytes: .max).cube, "quoted \(size)") }
    }

    @Test("a study area: the alignment comes from the events inside it, its empty cells are locations, the outside counted once")
    func studyArea() throws {
        let dir = TempDir()
        let csv = dir.write("e.csv", table(3000, seed: 4))
        let area = Geometry.polygon([[XY(67.5, 39.2), XY(69.8, 39.2), XY(69.8, 41.4), XY(67.5, 41.4), XY(67.5, 39.2)]])
        let r = try both(csv, batchBytes: 2_000, studyArea: area)
        #expect(r.streamed.outsideStudyArea == r.held.outsideStudyArea && r.streamed.outsideStudyArea > 300)
        expectSame(r.streamed.cube, r.cube, "study area")
    }

    @Test("unreadable dates spread over many batches: counted exactly, the first five listed by their rows, as one reading lists them")
    func badDates() throws {
        let dir = TempDir()
        var lines = table(3000, seed: 6).split(separator: "\n").map(String.init)
        for row in [150, 700, 1400, 2100, 2500, 2800, 2990] { lines[row] = "\(row),bad,2023-02-30,68.2,40.1,1" }
        let csv = dir.write("b.csv", lines.joined(separator: "\n") + "\n")
        var messages: [String] = []
        for size in [400, .max] {
            #expect { _ = try both(csv, batchBytes: size) } throws: { e in
                messages.append((e as? GeoError)?.message ?? "\(e)"); return true
            }
        }
        #expect(messages.count == 2 && messages[0] == messages[1], "\(messages)")
        #expect(messages.first?.hasPrefix("7 dates in 'date' cannot be read (row 150:") == true && messages.first?.contains("row 2500") == true, "\(messages)")
    }

    @Test("the bins of a cube do not depend on the order of the events or on how they are split into batches")
    func orderIndependence() throws {
        var rng = SeededRNG(seed: 21)
        let n = 5000
        let cells = (0..<n).map { _ in CellIndex(col: Int.random(in: -20...20, using: &rng), row: Int.random(in: -5...30, using: &rng)) }
        let times = (0..<n).map { _ in Int.random(in: 1_600_000_000...1_700_000_000, using: &rng) }
        let steps = TimeSteps(step: .months(2), first: times.min()!, last: times.max()!)
        var whole = CubeBins(steps: steps, weighted: false)
        whole.add(cells: cells, times: times, weights: nil)
        let perm = Array(0..<n).shuffled(using: &rng)
        var parts = CubeBins(steps: steps, weighted: false)
        for k in stride(from: 0, to: n, by: 333) {
            let idx = perm[k..<min(n, k + 333)]
            parts.add(cells: idx.map { cells[$0] }, times: idx.map { times[$0] }, weights: nil)
        }
        let a = whole.cube(tessellation: .square(size: 1000), crs: .wgs84, weightField: nil, firstTime: 0, lastTime: 0)
        let b = parts.cube(tessellation: .square(size: 1000), crs: .wgs84, weightField: nil, firstTime: 0, lastTime: 0)
        #expect(a.locations == b.locations && a.counts == b.counts && a.events == n)
        #expect(a.locations == a.locations.sorted())
        // By hand: each (cell, step) counted.
        var hand: [CellIndex: [Double]] = [:]
        for e in 0..<n { hand[cells[e], default: [Double](repeating: 0, count: steps.count)][steps.index(of: times[e])!] += 1 }
        #expect(a.locations.count == hand.count)
        for (i, c) in a.locations.enumerated() { #expect(Array(a.counts[(i * steps.count)..<((i + 1) * steps.count)]) == hand[c]!) }
    }
}
