import CaravanKit
import Foundation

/// Fuzz harnesses for the parsers that read what people type: place queries (the query cleaner,
/// normaliser, coordinate parser and matcher behind `Geocoder.geocode`), distances and areas
/// (`--cell 25km`, `--cell-area 500km2`) and dates (`EventDates`). Each takes any bytes and
/// must neither crash nor hang; the results are checked for basic sense.
///
/// `make fuzz` builds this target with libFuzzer (`-sanitize=fuzzer,address`) and runs each
/// harness for a set time: `CARAVAN_FUZZ=geocode .build-fuzz/release/caravan-fuzz -max_total_time=60`.
/// Built normally (`swift build`), it replays files: `caravan-fuzz geocode FILE...` — how found
/// inputs become regression tests (Tests/Fuzz/<harness>/).
enum Harness: String, CaseIterable {
    case geocode, distance, dates

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
        }
    }

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
            print("usage: caravan-fuzz geocode|distance|dates FILE...")
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
