import CaravanKit
import Foundation

/// Library-level workloads timed by run.sh (whole process against whole process).
///   caravan-bench read FILE      stream every geometry into coordinate arrays
///   caravan-bench project FILE   the same, and project every vertex with PROJ (one call per line)
let args = CommandLine.arguments
guard args.count >= 3 else {
    FileHandle.standardError.write("usage: caravan-bench read FILE\n".data(using: .utf8)!)
    exit(2)
}
do {
    switch args[1] {
    case "read":
        let layer = try Dataset.open(args[2]).layer(named: nil)
        var features = 0, vertices = 0, sum = 0.0
        try layer.forEachGeometry { _, g in
            features += 1
            g.forEachSequence { seq in
                vertices += seq.count
                for p in seq { sum += p.x }
            }
        }
        print("\(features) features, \(vertices) vertices (checksum \(String(format: "%.3f", sum)))")
    case "project":
        // Read and project every vertex to a LAEA CRS: the floor under route density.
        let layer = try Dataset.open(args[2]).layer(named: nil)
        let t = try Transformer(from: .wgs84, to: CRS("+proj=laea +lat_0=42 +lon_0=67 +datum=WGS84 +units=m"))
        var vertices = 0, sum = 0.0
        try layer.forEachGeometry { _, g in
            for var seq in g.linework {
                try t.transform(&seq)
                vertices += seq.count
                sum += seq[0].x
            }
        }
        print("\(vertices) vertices projected (checksum \(String(format: "%.3f", sum)))")
    case "geocode":
        // Single-core throughput with the gazetteer loaded: exact names, then misspelt ones.
        let n = Int(args[2]) ?? 100_000
        let t0 = Date()
        let gazetteer = Gazetteer.shared   // what the command line loads: GeoNames and the border posts
        let load = Date().timeIntervalSince(t0)
        let g = Geocoder(gazetteer: gazetteer)
        var rng = SplitMix64(seed: 2026)   // the same queries in every run
        // Queries: names of places of over 20,000 people (the world's and the region's), as
        // written, then with two neighbouring letters swapped. The region's share is reported
        // apart: misspellings are guessed at more readily there.
        let places = gazetteer.places.filter { $0.population > 20_000 }
        let region: Set<String> = ["KZ", "KG", "TJ", "TM", "UZ", "AF", "IR", "PK", "CN", "RU", "MN", "AZ"]
        let mode = args.count > 3 ? args[3] : ""   // exact-only or fuzzy-only: for profiling
        let exact = mode == "fuzzy-only" ? [] : (0..<n).map { _ in places.randomElement(using: &rng)!.name }
        func typo(_ s: String) -> String {
            var c = Array(s); guard c.count > 4 else { return s }
            let i = Int.random(in: 1..<(c.count - 2), using: &rng); c.swapAt(i, i + 1); return String(c)
        }
        let fuzzy: [(String, Bool)] = mode == "exact-only" ? [] : (0..<(mode == "fuzzy-only" ? n : n / 10)).map { _ in
            let p = places.randomElement(using: &rng)!
            return (typo(p.name), region.contains(p.country))
        }
        let t1 = Date()
        g.gazetteer.prepareFuzzyIndex()   // build the whole fuzzy index (lazy, by first letter) before timing
        let fuzzyBuild = Date().timeIntervalSince(t1)
        var matched = 0
        var t = Date()
        let rounds = mode == "exact-only" ? 10 : 1   // exact-only: long enough to profile
        for _ in 0..<rounds { matched = 0; for q in exact where g.geocode(q).status == .matched { matched += 1 } }
        let exactRate = Double(exact.count * rounds) / max(Date().timeIntervalSince(t), 1e-9)
        t = Date()
        var fm = 0, inRegion = 0, regionMatched = 0
        for (q, r) in fuzzy {
            let ok = g.geocode(q).status == .matched
            if ok { fm += 1 }
            if r { inRegion += 1; if ok { regionMatched += 1 } }
        }
        let fuzzyRate = Double(fuzzy.count) / max(Date().timeIntervalSince(t), 1e-9)
        print(String(format: "load %.0f ms (fuzzy index on first use: %.0f ms); exact %.0f queries/s (%d/%d matched); "
                     + "fuzzy %.0f queries/s (%d/%d matched; in the region %d/%d)",
                     load * 1000, fuzzyBuild * 1000, exactRate, matched, exact.count, fuzzyRate, fm, fuzzy.count, regionMatched, inRegion))
    default:
        FileHandle.standardError.write("unknown workload \(args[1])\n".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("caravan-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}

/// A small seeded generator (SplitMix64): reproducible query sets.
struct SplitMix64: RandomNumberGenerator {
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
