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
    default:
        FileHandle.standardError.write("unknown workload \(args[1])\n".data(using: .utf8)!)
        exit(2)
    }
} catch {
    FileHandle.standardError.write("caravan-bench: \(error)\n".data(using: .utf8)!)
    exit(1)
}
