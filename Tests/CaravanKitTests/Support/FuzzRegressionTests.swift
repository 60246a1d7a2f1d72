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

    @Test("recipe inputs: refused with a GeoError, or planned with every step after the steps it reads")
    func recipes() throws {
        let texts = try inputs("recipe")
        #expect(texts.count >= 3)
        typealias A = CommandSchema.Argument
        let common: [A] = [A(name: "output", aliases: ["o"], kind: .option), A(name: "overwrite", kind: .flag), A(name: "where", kind: .option)]
        let schemas: [String: CommandSchema] = [
            "convert": CommandSchema(command: "convert", arguments: [A(name: "source", kind: .positional, optional: false)] + common),
            "density": CommandSchema(command: "density", arguments: [A(name: "events", kind: .positional, optional: false),
                                                                     A(name: "cell", kind: .option), A(name: "png", kind: .flag),
                                                                     A(name: "select", kind: .option, repeating: true)] + common),
        ]
        let file = repositoryRoot + "/samples/recipes/fuzz.yaml"
        var planned = 0
        for t in texts {
            do {
                let r = try Recipe.parse(t, file: file)
                #expect(!r.steps.isEmpty)
                let plan = try RecipePlan.make(r, schemas: schemas, outputDirectory: NSTemporaryDirectory() + "/caravan-fuzz-recipe-out")
                var done = Set<String>()
                for s in plan.steps { #expect(s.dependencies.allSatisfy(done.contains)); done.insert(s.name) }
                planned += 1
            } catch is GeoError {}
        }
        #expect(planned >= 1, "the small seed plans")
    }

    @Test("report inputs: events and sentences lie inside the text, dates in order")
    func reports() throws {
        let texts = try inputs("extract")
        #expect(texts.count >= 4)
        let extractor = EventExtractor()
        let dir = NSTemporaryDirectory() + "caravan-fuzz-replay-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var events = 0
        for (i, t) in texts.enumerated() {
            // As the harness: the first byte picks the kind of file.
            let bytes = Array(t.utf8)
            let kind = bytes.isEmpty ? "txt" : ["txt", "md", "html"][Int(bytes[0]) % 3]
            let path = dir + "/\(i).\(kind)"
            FileManager.default.createFile(atPath: path, contents: Data(bytes.dropFirst()))
            let doc = try ReportText.read(path)
            let length = doc.text.count
            let (found, review) = extractor.extract(doc)
            for e in found {
                #expect(0 <= e.offsetStart && e.offsetStart <= e.offsetEnd && e.offsetEnd <= length)
                #expect(e.start.dayNumber <= e.end.dayNumber && e.confidence >= 0 && e.confidence <= 1)
            }
            for r in review { #expect(0 <= r.offsetStart && r.offsetEnd <= length) }
            events += found.count
        }
        #expect(events >= 1, "the seeds hold events")
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
