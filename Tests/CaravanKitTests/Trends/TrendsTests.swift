import Foundation
import Testing
@testable import CaravanKit

private func seconds(_ y: Int, _ m: Int, _ d: Int, _ s: Int = 0) -> Int { EventDate(year: y, month: m, day: d).dayNumber * 86_400 + s }

@Suite("Space-time cube: END_TIME time steps")
struct TimeStepTests {
    @Test("steps read as people write them")
    func parse() throws {
        #expect(try TimeStep.parse("1month") == .months(1))
        #expect(try TimeStep.parse("3 months") == .months(3))
        #expect(try TimeStep.parse("2weeks") == .days(14))
        #expect(try TimeStep.parse("30days") == .days(30))
        #expect(try TimeStep.parse("1year") == .months(12))
        #expect(try TimeStep.parse("week") == .days(7))
        #expect(throws: GeoError.self) { try TimeStep.parse("0days") }
        #expect(throws: GeoError.self) { try TimeStep.parse("fortnight") }
    }

    @Test("a partial first step: breaks go back from the last event until one is before the first")
    func partialFirstStep() {
        // Events from day 0 to day 25, 10-day steps: breaks −5, 5, 15, 25 (3 steps, the first half before the data).
        let s = TimeSteps(step: .days(10), first: 0, last: 25 * 86_400)
        #expect(s.breaks == [-5, 5, 15, 25].map { $0 * 86_400 })
        #expect(s.temporalBias(first: 0) == 0.5)
        #expect(s.index(of: 0) == 0)
        #expect(s.index(of: 25 * 86_400) == 2)
    }

    @Test("an exact multiple: one more step, whose only events are those at the first time")
    func exactMultiple() {
        let s = TimeSteps(step: .days(10), first: 0, last: 20 * 86_400)
        #expect(s.count == 3)
        #expect(s.breaks == [-10, 0, 10, 20].map { $0 * 86_400 })
        #expect(s.index(of: 0) == 0)
        #expect(s.index(of: 1) == 1)
    }

    @Test("an event exactly on a boundary belongs to the step that ends there (closed on the right)")
    func boundary() {
        let s = TimeSteps(step: .days(7), first: 0, last: 28 * 86_400)
        #expect(s.index(of: 14 * 86_400) == 2)          // (7, 14] is step 2 of (−7,0],(0,7],(7,14],(14,21],(21,28]
        #expect(s.index(of: 14 * 86_400 + 1) == 3)
        #expect(s.index(of: -7 * 86_400) == nil)
        #expect(s.index(of: 28 * 86_400 + 1) == nil)
    }

    @Test("calendar months end on the last event's day, clamped to the month's end")
    func calendarMonths() {
        let last = seconds(2023, 3, 31, 3600)
        let s = TimeSteps(step: .months(1), first: seconds(2022, 12, 15), last: last)
        #expect(s.breaks == [seconds(2022, 11, 30, 3600), seconds(2022, 12, 31, 3600), seconds(2023, 1, 31, 3600),
                             seconds(2023, 2, 28, 3600), last])
        #expect(s.index(of: seconds(2023, 2, 28, 3600)) == 2)
        #expect(s.index(of: seconds(2023, 3, 1)) == 3)
        // Years are 12 months; a leap day clamps to 28 February.
        let y = TimeSteps(step: .months(12), first: seconds(2021, 6, 1), last: seconds(2024, 2, 29))
        #expect(y.breaks == [seconds(2021, 2, 28), seconds(2022, 2, 28), seconds(2023, 2, 28), seconds(2024, 2, 29)])
    }
}

@Suite("Space-time Gi*, FDR, Mann–Kendall")
struct SpaceTimeStatisticsTests {
    /// ANALYSIS.md §1's formula with every pair of bins written out.
    func allPairs(values: [Double], positions: [XY], T: Int, band: Double, k: Int) -> [Double] {
        let L = positions.count, n = Double(L * T)
        let mean = values.reduce(0, +) / n
        let S = (values.reduce(0) { $0 + $1 * $1 } / n - mean * mean).squareRoot()
        var z = [Double](repeating: .nan, count: L * T)
        for i in 0..<L { for t in 0..<T {
            var sw = 0.0, swx = 0.0, sw2 = 0.0
            for j in 0..<L { for u in 0..<T {
                let d = ((positions[i].x - positions[j].x) * (positions[i].x - positions[j].x) + (positions[i].y - positions[j].y) * (positions[i].y - positions[j].y)).squareRoot()
                let w: Double = d <= band && u <= t && u >= t - k ? 1 : 0
                sw += w; swx += w * values[j * T + u]; sw2 += w * w
            } }
            let inner = (n * sw2 - sw * sw) / (n - 1)
            if sw > 1 && inner > 0 { z[i * T + t] = (swx - mean * sw) / (S * inner.squareRoot()) }
        } }
        return z
    }

    @Test("every bin's z equals the all-pairs formula on random cubes (1e-9)", arguments: [1, 2, 3])
    func giAgainstAllPairs(seed: UInt64) throws {
        var rng = SeededRNG(seed: seed)
        let L = Int.random(in: 8...30, using: &rng), T = Int.random(in: 3...9, using: &rng)
        let positions = (0..<L).map { _ in XY(Double(Int.random(in: 0...12, using: &rng)) * 1000, Double(Int.random(in: 0...12, using: &rng)) * 1000) }
        let values = (0..<(L * T)).map { _ in Double(Int.random(in: 0...6, using: &rng)) }
        for k in [0, 1, 2] {
            let r = try spaceTimeGiStar(values: values, positions: positions, steps: T, band: 3000, timeWindow: k)
            let want = allPairs(values: values, positions: positions, T: T, band: 3000, k: k)
            for b in 0..<(L * T) {
                if want[b].isNaN { #expect(r.z[b].isNaN) } else { #expect(abs(r.z[b] - want[b]) < 1e-9, "bin \(b): \(r.z[b]) vs \(want[b])") }
            }
            #expect(r.p.indices.allSatisfy { r.z[$0].isNaN || abs(r.p[$0] - erfc(abs(r.z[$0]) / 2.0.squareRoot())) < 1e-15 })
        }
    }

    @Test("a bin whose only neighbour is itself has no z; a cube without variance is an error; fewer than 30 bins is an error")
    func edges() throws {
        // Two far-apart locations, 20 steps, no time window: every bin is alone.
        let r = try spaceTimeGiStar(values: (0..<40).map { Double($0 % 3) }, positions: [XY(0, 0), XY(1e6, 0)], steps: 20, band: 1000, timeWindow: 0)
        #expect(r.z.allSatisfy(\.isNaN) && r.empty == 40 && r.bin.allSatisfy { $0 == 0 })
        #expect(throws: GeoError.self) { try spaceTimeGiStar(values: [Double](repeating: 2, count: 40), positions: [XY(0, 0), XY(1, 0)], steps: 20, band: 10, timeWindow: 1) }
        #expect(throws: GeoError.self) { try spaceTimeGiStar(values: [1, 2, 3, 4, 5, 6], positions: [XY(0, 0), XY(1, 0)], steps: 3, band: 10, timeWindow: 1) }
    }

    @Test("FDR: Benjamini–Hochberg once per level, bins signed by z")
    func fdr() {
        // m = 5 valid p: sorted 0.001, 0.008, 0.02, 0.03, 0.5 (and one empty).
        let p: [Double] = [0.02, 0.001, .nan, 0.5, 0.008, 0.03]
        let z: [Double] = [2.3, -3.3, .nan, 0.7, 2.65, 2.17]
        // α = 0.10: thresholds 0.02, 0.04, 0.06, 0.08, 0.10 → ranks 1–4 pass (0.03 ≤ 0.08).
        // α = 0.05: 0.01, 0.02, 0.03, 0.04, 0.05 → ranks 1–4 (0.03 ≤ 0.04).
        // α = 0.01: 0.002, 0.004, 0.006, 0.008, 0.01 → rank 1 only (0.008 > 0.004).
        #expect(fdrCorrectedBins(z: z, p: p) == [2, -3, 0, 0, 2, 2])
    }

    @Test("Mann–Kendall against hand computations with ties (as pymannkendall's original_test)")
    func mannKendall() {
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) < 1e-12 }
        // [1,2,2,3]: S = 5; Var = (4·3·13 − 2·1·9)/18 = 138/18; Z = 4/√Var; p = 0.14856.
        let a = MannKendall([1, 2, 2, 3])
        #expect(a.s == 5 && close(a.variance, 138.0 / 18) && close(a.z, 4 / (138.0 / 18).squareRoot()) && close(a.p, 0.1485617748918687))
        #expect(a.bin == 0)
        // [5,3,3,3,1,0]: S = −12; Var = (510 − 66)/18; Z = −11/√Var.
        let b = MannKendall([5, 3, 3, 3, 1, 0])
        #expect(b.s == -12 && close(b.variance, 444.0 / 18) && close(b.z, -2.2148149822062804) && close(b.p, 0.02677276644046652))
        #expect(b.bin == -1)
        let c = MannKendall([1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
        #expect(c.s == 45 && c.variance == 125 && close(c.z, 44 / 125.0.squareRoot()) && close(c.p, 8.303070332644999e-05) && c.bin == 1)
        let d = MannKendall([2, 2, 2, 2])
        #expect(d.s == 0 && d.variance == 0 && d.z == 0 && d.p == 1 && d.bin == 0)
        let e = MannKendall([3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5])
        #expect(e.s == 16 && close(e.variance, 159.33333333333334) && close(e.z, 1.188332399294654) && close(e.p, 0.2347024779551607))
        // Empty z-scores are skipped, not counted.
        #expect(MannKendall([1, .nan, 2, 2, .nan, 3]) == a)
    }
}

@Suite("Emerging hot spot patterns: ANALYSIS.md §7's series")
struct EmergingPatternTests {
    func states(_ s: String) -> [StepState] { s.map { $0 == "H" ? .hot : $0 == "C" ? .cold : .neither } }
    func mirror(_ s: String) -> String { String(s.map { $0 == "H" ? "C" : $0 == "C" ? "H" : $0 }) }

    @Test("each series is its pattern", arguments: [
        (".........H", 0, EmergingPattern.newHot),
        ("......HHHH", 1, .consecutiveHot),
        (".HHHHHHHHH", 1, .intensifyingHot),          // exactly 90 %
        ("HHHH.HHHHH", 0, .persistentHot),
        ("HHHHHHHHHH", 0, .persistentHot),           // p = 0.10 is not significant: no trend
        ("HHHHHHHHHH", -1, .diminishingHot),
        ("..H..H...H", 0, .sporadicHot),
        ("C.......HH", 0, .oscillatingHot),          // a cold step before: not Consecutive
        ("HHHHHHHHH.", 0, .historicalHot),
        ("..H..H..H.", 0, .none),
        ("CCCCCCCCCH", 0, .oscillatingHot),
        ("HHHHHHHHHC", 0, .oscillatingCold),
        ("..HHHHHHHH", 1, .consecutiveHot),          // 80 %: not yet intensifying
        ("C........H", 0, .oscillatingHot),          // a single final step after a cold one
        ("H.HHHHHHHH", 0, .persistentHot),           // 90 % with a gap: the run need not be unbroken
    ])
    func hot(series: String, trend: Int, pattern: EmergingPattern) {
        #expect(classifyEmerging(states(series), trend: trend) == pattern, "\(series)")
    }

    @Test("the cold patterns mirror the hot ones; for cold spots intensifying means z falling")
    func cold() {
        #expect(classifyEmerging(states(mirror(".........H")), trend: 0) == .newCold)
        #expect(classifyEmerging(states(mirror("......HHHH")), trend: -1) == .consecutiveCold)
        #expect(classifyEmerging(states(mirror(".HHHHHHHHH")), trend: -1) == .intensifyingCold)
        #expect(classifyEmerging(states(mirror(".HHHHHHHHH")), trend: 1) == .diminishingCold)
        #expect(classifyEmerging(states(mirror("HHHH.HHHHH")), trend: 0) == .persistentCold)
        #expect(classifyEmerging(states(mirror("..H..H...H")), trend: 0) == .sporadicCold)
        #expect(classifyEmerging(states(mirror("HHHHHHHHH.")), trend: 0) == .historicalCold)
        #expect(classifyEmerging(states(".........."), trend: 0) == .none)
    }

    @Test("the boundary of 90 %: 9 of 10 is enough, 8 of 9 is not, 18 of 20 is")
    func ninety() {
        #expect(classifyEmerging(states(".HHHHHHHHH"), trend: 0) == .persistentHot)
        #expect(classifyEmerging(states(".HHHHHHHH"), trend: 0) == .consecutiveHot)        // 8/9 = 88.9 %
        #expect(classifyEmerging(states("." + String(repeating: "H", count: 7) + "." + String(repeating: "H", count: 11)), trend: 0) == .persistentHot)
        #expect(classifyEmerging(states(".........." + "HHHHHHHH.H"), trend: 0) == .sporadicHot)
    }

    @Test("PATTERN names and CATEGORY numbers are ArcGIS's; every pattern has a colour class")
    func names() {
        #expect(EmergingPattern.allCases.count == 17)
        #expect(EmergingPattern.intensifyingHot.name == "Intensifying Hot Spot" && EmergingPattern.intensifyingHot.category == 3)
        #expect(EmergingPattern.historicalCold.name == "Historical Cold Spot" && EmergingPattern.historicalCold.category == -8)
        #expect(EmergingPattern.none.name == "No Pattern Detected")
        #expect(Set(EmergingPattern.fieldClasses.map(\.value)).count == 17)
    }
}
