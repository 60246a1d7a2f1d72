import Foundation
import Testing
@testable import CaravanKit

/// Inputs found by `make fuzz` (and its seeds) in Tests/Fuzz/<harness>/, replayed through the
/// same calls as the harnesses (Sources/caravan-fuzz): none may crash, and results stay sane.
@Suite("Fuzz regressions")
struct FuzzRegressionTests {
    func inputs(_ harness: String) throws -> [String] {
        let dir = repositoryRoot + "/Tests/Fuzz/" + harness
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        return try names.map { String(decoding: try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)), as: UTF8.self) }
    }

    @Test("geocoder inputs")
    func geocode() throws {
        let texts = try inputs("geocode")
        #expect(!texts.isEmpty)
        let g = Geocoder()
        for t in texts {
            let r = g.geocode(t)
            if r.status == .matched { #expect(r.location != nil) }
            #expect(r.score >= 0 && r.score <= 1)
        }
    }

    @Test("distance and area inputs: refused, or finite and not negative")
    func distance() throws {
        let texts = try inputs("distance")
        #expect(!texts.isEmpty)
        for t in texts {
            if let d = try? Distance.parse(t) { #expect(d.meters.isFinite && d.meters >= 0, "\(t)") }
            if let a = try? AreaSize.parse(t) { #expect(a.squareMeters.isFinite && a.squareMeters >= 0, "\(t)") }
        }
    }

    @Test("date inputs: refused, or a real calendar day")
    func dates() throws {
        let texts = try inputs("dates")
        #expect(!texts.isEmpty)
        for t in texts {
            if case .success(let d) = EventDates.parse(t) {
                #expect((1...12).contains(d.month) && d.day <= EventDate.daysIn(month: d.month, year: d.year), "\(t)")
            }
        }
    }
}
