import Foundation
@testable import CaravanKit

/// A fresh temporary folder per test, removed when the value is released.
final class TempDir {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "caravan-test-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ name: String) -> String { path + "/" + name }
    func write(_ name: String, _ text: String) -> String {
        let p = file(name)
        try! text.write(toFile: p, atomically: false, encoding: .utf8)
        return p
    }
    /// Files left in the folder (to check nothing half-written stays behind).
    var contents: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }
}

/// The repository root (for the shipped data).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    fatalError("no Package.swift above \(#filePath)")
}()

/// A deterministic random number generator (SplitMix64), so property tests are repeatable.
struct SeededRNG: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func square(_ x0: Double, _ y0: Double, _ s: Double) -> Geometry {
    .polygon([[XY(x0, y0), XY(x0 + s, y0), XY(x0 + s, y0 + s), XY(x0, y0 + s), XY(x0, y0)]])
}

/// Reads every feature of the only layer of a file.
func readAll(_ path: String, options: OpenOptions = OpenOptions()) throws -> (Layer, [Feature]) {
    let layer = try Dataset.open(path, options: options).layer(named: nil)
    var out: [Feature] = []
    try layer.forEach { out.append($0) }
    return (layer, out)
}

func expectClose(_ a: Double, _ b: Double, _ tol: Double) -> Bool { abs(a - b) <= tol }
