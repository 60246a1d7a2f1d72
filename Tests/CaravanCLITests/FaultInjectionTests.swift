import Foundation
import Testing

/// Issue 15's fault tests, end to end, for what OutputSafetyCLITests does not cover: a full disk
/// for every output format, SIGINT/SIGTERM/SIGKILL at random moments of a large write, two runs
/// writing one new output at once, and an input named again as the output under another name.
/// Each checks: nothing partial at the target, the old output intact, the input untouched, the
/// temporaries gone (after SIGKILL: removed by the next run).
@Suite("caravan under faults: full disk, signals, races, aliases", .serialized)
struct FaultInjectionTests {

    func contents(_ dir: TempFolder) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted() }
    func data(_ p: String) -> Data? { FileManager.default.contents(atPath: p) }

    @Test("a full disk (file-size limit) exits 1 with a message and leaves nothing, for every output format", .disabled(if: underThreadSanitizer, "ThreadSanitizer's runtime cannot start under ulimit -f"))
    func diskFullEveryFormat() throws {
        let dir = TempFolder()
        let roads = packageRoot + "/shapefiles/roads.shp"
        let before = data(roads)
        // GeoJSON, CSV and KML are in OutputSafetyCLITests; these are the others caravan writes.
        for ext in ["gpkg", "shp", "fgb", "xlsx", "gml"] {
            let out = dir.file("roads.\(ext)")
            let r = try sh("ulimit -f 200; exec '\(caravanBinary)' convert '\(roads)' '\(out)'")
            #expect(r.status == 1, "\(ext): exit \(r.status) \(r.stderr)")
            #expect(r.stderr.contains("error"), "\(ext): \(r.stderr)")
            #expect(!r.stderr.contains("wrote"), "\(ext)")
            #expect(contents(dir).isEmpty, "\(ext): \(contents(dir))")
        }
        // A raster: kernel density to GeoTIFF, big enough to pass the limit.
        let tif = dir.file("k.tif")
        let k = try sh("ulimit -f 100; exec '\(caravanBinary)' kde '\(packageRoot)/samples/events/seizures.xlsx' --cell 500m --radius 20km -o '\(tif)'")
        #expect(k.status == 1, "tif: exit \(k.status) \(k.stderr)")
        #expect(contents(dir).isEmpty, "tif: \(contents(dir))")
        #expect(data(roads) == before)
    }

    /// A table big enough that converting it takes a good part of a second.
    func bigInput(_ dir: TempFolder) -> String {
        var rows = "id,lon,lat,name\n"
        rows.reserveCapacity(6_000_000)
        for i in 0 ..< 150_000 { rows += "\(i),\(60 + Double(i % 1000) * 0.01),\(40 + Double(i / 1000) * 0.01),place \(i)\n" }
        return dir.write("big.csv", rows)
    }

    @Test("SIGINT, SIGTERM and SIGKILL at random moments of a large write: old output intact or the new one complete, input untouched, no temporaries")
    func signalsAtRandomMoments() throws {
        let dir = TempFolder()
        let input = bigInput(dir)
        let inputData = data(input)
        var rng = SystemRandomNumberGenerator()
        var killedDuringWrite = 0
        for (n, sig) in [SIGINT, SIGTERM, SIGKILL, SIGTERM, SIGKILL].enumerated() {
            for ext in ["gpkg", "geojson"] {
                let out = dir.file("big.\(ext)")
                try "old output \(n)".write(toFile: out, atomically: false, encoding: .utf8)
                let delay = UInt32.random(in: 20_000 ... 700_000, using: &rng)
                let p = Process()
                p.executableURL = URL(fileURLWithPath: caravanBinary)
                p.arguments = ["convert", input, out, "--overwrite"]
                p.standardError = FileHandle.nullDevice
                p.standardOutput = FileHandle.nullDevice
                try p.run()
                usleep(delay)
                kill(p.processIdentifier, sig)
                p.waitUntilExit()
                let what = "signal \(sig) after \(delay / 1000) ms to \(ext)"
                if p.terminationReason == .uncaughtSignal {
                    killedDuringWrite += 1
                    #expect(try String(contentsOfFile: out, encoding: .utf8) == "old output \(n)", "\(what): the old output changed")
                } else {
                    // It finished first: then the output is the whole new file.
                    #expect(p.terminationStatus == 0, "\(what): exit \(p.terminationStatus)")
                    let info = try caravan(["info", out])
                    #expect(info.stdout.contains("features: 150000"), "\(what): \(info.stdout)")
                }
                #expect(data(input) == inputData, "\(what): the input changed")
                let left = contents(dir).filter { $0.hasPrefix(".caravan-tmp") }
                if sig == SIGKILL {
                    // Nothing can clean up after SIGKILL: the next write removes what a dead run left.
                    let again = try caravan(["convert", packageRoot + "/shapefiles/countries.shp", dir.file("next.geojson"), "--overwrite"])
                    #expect(again.status == 0, "\(again.stderr)")
                    let after = contents(dir).filter { $0.hasPrefix(".caravan-tmp") }
                    #expect(after.isEmpty, "\(what): \(left) left, \(after) after the next run")
                } else {
                    #expect(left.isEmpty, "\(what): \(left)")
                }
            }
        }
        // At least some of the random moments fell inside the write.
        #expect(killedDuringWrite >= 3, "only \(killedDuringWrite) of 10 signals arrived during the write")
    }

    @Test("two runs writing one new output at once: exactly one wins, the other exits 1 naming the file")
    func concurrentWriters() throws {
        let dir = TempFolder()
        for ext in ["gpkg", "geojson", "shp"] {
            let out = dir.file("race.\(ext)")
            var ps: [(Process, String)] = []
            for _ in 0 ..< 2 {
                let p = Process()
                let err = dir.file("err-\(UUID().uuidString).txt")
                p.executableURL = URL(fileURLWithPath: caravanBinary)
                p.arguments = ["convert", packageRoot + "/shapefiles/roads.shp", out]
                FileManager.default.createFile(atPath: err, contents: nil)
                p.standardError = FileHandle(forWritingAtPath: err)
                p.standardOutput = FileHandle.nullDevice
                ps.append((p, err))
            }
            for (p, _) in ps { try p.run() }
            for (p, _) in ps { p.waitUntilExit() }
            let statuses = ps.map { $0.0.terminationStatus }.sorted()
            #expect(statuses == [0, 1], "\(ext): \(statuses)")
            for (p, err) in ps where p.terminationStatus == 1 {
                let message = try String(contentsOfFile: err, encoding: .utf8)
                #expect(message.contains("race.\(ext)") && (message.contains("exists") || message.contains("appeared")), "\(ext): \(message)")
            }
            let info = try caravan(["info", out])
            #expect(info.status == 0 && info.stdout.contains("features: 36220"), "\(ext): \(info.stdout)")
            for (_, err) in ps { try FileManager.default.removeItem(atPath: err) }
            #expect(contents(dir).allSatisfy { !$0.hasPrefix(".caravan-tmp") })
        }
    }

    @Test("an input named as the output through a symlink, a hard link or another case is refused, and stays as it was")
    func inputUnderAnotherName() throws {
        let dir = TempFolder()
        let input = dir.write("events.csv", "id,lon,lat\n1,69.2,41.3\n2,74.6,42.9\n")
        let before = data(input)
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias.csv"), withDestinationPath: input)
        #expect(link(input, dir.file("hard.csv")) == 0)
        for alias in ["alias.csv", "hard.csv", "./events.csv"] {
            let r = try caravan(["convert", input, dir.file(alias), "--overwrite"])
            #expect(r.status == 1, "\(alias): \(r.stderr)")
            #expect(r.stderr.contains("refusing to overwrite the input"), "\(alias): \(r.stderr)")
            #expect(data(input) == before, "\(alias)")
        }
        // The symlink, given as the input, protects its target too.
        let viaLink = try caravan(["convert", dir.file("alias.csv"), input, "--overwrite"])
        #expect(viaLink.status == 1 && viaLink.stderr.contains("refusing to overwrite the input"), "\(viaLink.stderr)")
        // A Shapefile's other case (its parts are the same files on a case-insensitive disk).
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(atPath: packageRoot + "/shapefiles/countries.\(ext)", toPath: dir.file("countries.\(ext)"))
        }
        let dbf = data(dir.file("countries.dbf"))
        let upper = try caravan(["convert", dir.file("countries.shp"), dir.file("Countries.Shp"), "--overwrite"])
        #expect(upper.status == 1 && upper.stderr.contains("refusing to overwrite the input"), "\(upper.stderr)")
        #expect(data(dir.file("countries.dbf")) == dbf)
        #expect(data(input) == before)
        #expect(contents(dir).allSatisfy { !$0.hasPrefix(".caravan-tmp") })
    }
}
