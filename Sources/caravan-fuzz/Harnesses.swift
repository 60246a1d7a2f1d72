import CaravanKit
import Foundation

/// Fuzz harnesses for the parsers that read what people type: place queries (the query cleaner,
/// normaliser, coordinate parser and matcher behind `Geocoder.geocode`), distances and areas
/// (`--cell 25km`, `--cell-area 500km2`) and dates (`EventDates`). Each takes any bytes and
/// must neither crash nor hang; the results are checked for basic sense.
///
/// Two more take whole documents: recipes (`Recipe.parse` then `RecipePlan.make`, against a set of
/// command schemas like the CLI's) and reports (`ReportText` → `EventExtractor.extract`, the text →
/// events path of `caravan extract`, with the gazetteer loaded once).
///
/// `make fuzz` builds this target with libFuzzer (`-sanitize=fuzzer,address`) and runs each
/// harness for a set time: `CARAVAN_FUZZ=geocode .build-fuzz/release/caravan-fuzz -max_total_time=60`.
/// Built normally (`swift build`), it replays files: `caravan-fuzz geocode FILE...` — how found
/// inputs become regression tests (Tests/Fuzz/<harness>/).
enum Harness: String, CaseIterable {
    case geocode, distance, dates, recipe, extract

    func run(_ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        switch self {
        case .geocode:
            let r = Harness.geocoder.geocode(text)
            if r.status == .matched {
                precondition(r.location != nil, "matched without a location: \(text.debugDescription)")
                precondition(r.score > 0 && r.score <= 1, "score \(r.score) for \(text.debugDescription)")
            }
            let hinted = Harness.geocoder.geocode(text, countryHint: "KZ")
            precondition(hinted.score >= 0 && hinted.score <= 1)
        case .distance:
            if let d = try? Distance.parse(text) {
                precondition(d.meters.isFinite && d.meters >= 0, "distance \(d.meters) from \(text.debugDescription)")
                _ = d.description
            }
            if let a = try? AreaSize.parse(text) {
                precondition(a.squareMeters.isFinite && a.squareMeters >= 0, "area \(a.squareMeters) from \(text.debugDescription)")
            }
        case .dates:
            if case .success(let d) = EventDates.parse(text) {
                precondition((1...12).contains(d.month) && d.day >= 1 && d.day <= EventDate.daysIn(month: d.month, year: d.year),
                             "impossible date \(d.iso) from \(text.debugDescription)")
                precondition(EventDate(dayNumber: d.dayNumber, seconds: d.seconds) == d, "day number round trip for \(d.iso)")
            }
            for order in DayOrder.allCases { _ = EventDates.parse(text, order: order) }
        case .recipe:
            guard let r = try? Recipe.parse(text, file: Harness.recipeFile) else { return }
            precondition(!r.steps.isEmpty, "a recipe without steps parsed: \(text.debugDescription)")
            guard let plan = try? RecipePlan.make(r, schemas: Harness.schemas, outputDirectory: Harness.recipeOut) else { return }
            precondition(plan.steps.count == r.steps.count, "planned \(plan.steps.count) of \(r.steps.count) steps")
            var done = Set<String>()
            for s in plan.steps {
                precondition(s.dependencies.allSatisfy(done.contains), "step \(s.name) planned before a step it reads")
                precondition(s.arguments.first == s.command)
                done.insert(s.name)
            }
        case .extract:
            // The first byte picks the kind of file (text, Markdown, HTML), the rest is the report.
            let kinds = ["txt", "md", "html"]
            let kind = data.isEmpty ? "txt" : kinds[Int(data[0]) % kinds.count]
            let body = data.isEmpty ? Data() : Data(data.dropFirst())
            let path = Harness.reportBase + "." + kind
            guard FileManager.default.createFile(atPath: path, contents: body) else { fatalError("cannot write \(path)") }
            defer { try? FileManager.default.removeItem(atPath: path) }
            guard let doc = try? ReportText.read(path) else { return }
            let length = doc.text.count
            for item in doc.items {
                for s in item.sentences { precondition(0 <= s.start && s.start <= s.end && s.end <= length, "sentence \(s.start)..<\(s.end) of \(length)") }
            }
            let (events, review) = Harness.extractor.extract(doc)
            for e in events {
                precondition(0 <= e.offsetStart && e.offsetStart <= e.offsetEnd && e.offsetEnd <= length, "event at \(e.offsetStart)..<\(e.offsetEnd) of \(length)")
                precondition(e.confidence >= 0 && e.confidence <= 1, "confidence \(e.confidence)")
                precondition(e.start.dayNumber <= e.end.dayNumber, "event from \(e.start.iso) to \(e.end.iso)")
            }
            for r in review { precondition(0 <= r.offsetStart && r.offsetStart <= r.offsetEnd && r.offsetEnd <= length) }
        }
    }

    /// Loads what the first input would otherwise load inside libFuzzer's time limit: the
    /// gazetteer and its fuzzy index (a minute under ASan on a busy machine), the extractor.
    func warmUp() {
        switch self {
        case .geocode, .extract:
            _ = Harness.geocoder.geocode("Tashkentt")
            _ = Harness.geocoder.geocode("k20m")
            if self == .extract { _ = Harness.extractor }
        default: break
        }
    }

    static let extractor = EventExtractor(geocoder: geocoder)
    static let reportBase = NSTemporaryDirectory() + "/caravan-fuzz-report-\(getpid())"
    /// Recipes are read as if they sat in samples/recipes/ (so the shipped ones' inputs exist); outputs go nowhere (planning writes nothing).
    static let recipeFile = FileManager.default.currentDirectoryPath + "/samples/recipes/fuzz.yaml"
    static let recipeOut = NSTemporaryDirectory() + "/caravan-fuzz-recipe-out"
    /// Command schemas shaped like the CLI's (positional inputs, options, repeating options, switches, short names).
    static let schemas: [String: CommandSchema] = {
        typealias A = CommandSchema.Argument
        let common: [A] = [A(name: "output", aliases: ["o"], kind: .option), A(name: "overwrite", kind: .flag), A(name: "where", kind: .option),
                           A(name: "format", kind: .option), A(name: "select", kind: .option, repeating: true)]
        func s(_ name: String, _ args: [A]) -> (String, CommandSchema) { (name, CommandSchema(command: name, arguments: args + common)) }
        return Dictionary(uniqueKeysWithValues: [
            s("geocode", [A(name: "input", kind: .positional, optional: false), A(name: "column", kind: .option), A(name: "country-column", kind: .option),
                          A(name: "report", kind: .option)]),
            s("convert", [A(name: "source", kind: .positional, optional: false), A(name: "crs", kind: .option)]),
            s("density", [A(name: "events", kind: .positional, optional: false), A(name: "cell", kind: .option), A(name: "cell-area", kind: .option),
                          A(name: "study-area", kind: .option), A(name: "weight", kind: .option), A(name: "png", kind: .flag)]),
            s("hotspots", [A(name: "events", kind: .positional, optional: false), A(name: "cell", kind: .option), A(name: "pdf", kind: .option),
                           A(name: "knn", kind: .option), A(name: "fdr", kind: .flag)]),
            s("map", [A(name: "layers", kind: .positional, repeating: true, optional: false), A(name: "title", kind: .option), A(name: "map-package", kind: .option)]),
            s("extract", [A(name: "reports", kind: .positional, repeating: true, optional: false), A(name: "lang", kind: .option), A(name: "extra", kind: .option, repeating: true)]),
        ])
    }()

    static let geocoder = Geocoder()

    /// The harness named by the CARAVAN_FUZZ environment variable.
    static let selected: Harness = {
        let name = ProcessInfo.processInfo.environment["CARAVAN_FUZZ"] ?? "geocode"
        guard let h = Harness(rawValue: name) else {
            FileHandle.standardError.write("caravan-fuzz: unknown harness '\(name)'; harnesses: \(allCases.map(\.rawValue).joined(separator: ", "))\n".data(using: .utf8)!)
            exit(64)
        }
        return h
    }()
}

func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    Harness.selected.run(UnsafeRawBufferPointer(start: data, count: size))
    return 0
}

#if CARAVAN_FUZZ
/// Called by libFuzzer once, before the first input (and outside its per-input time limit).
@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>?, _ argv: UnsafeMutableRawPointer?) -> Int32 {
    Harness.selected.warmUp()
    return 0
}

/// libFuzzer's entry: `make fuzz` links this target with libFuzzer's own main.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 { fuzzOne(data, size) }
#else
/// Replays inputs: `caravan-fuzz HARNESS FILE...`.
@main
struct Replay {
    static func main() {
        let args = CommandLine.arguments.dropFirst()
        guard let name = args.first, let h = Harness(rawValue: name) else {
            print("usage: caravan-fuzz \(Harness.allCases.map(\.rawValue).joined(separator: "|")) FILE...")
            exit(64)
        }
        var n = 0
        for path in args.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { print("caravan-fuzz: cannot read \(path)"); exit(1) }
            data.withUnsafeBytes { h.run($0) }
            n += 1
        }
        print("caravan-fuzz: \(n) inputs replayed through \(name), no crash")
    }
}
#endif
