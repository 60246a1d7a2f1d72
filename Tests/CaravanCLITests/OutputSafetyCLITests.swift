import Foundation
import Testing

/// Issue 15's output findings, end to end: each failed (lost data or lied) before.
@Suite("caravan outputs under faults", .serialized)
struct OutputSafetyCLITests {
    func copyShapefile(_ name: String, to dir: TempFolder) throws -> String {
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(atPath: packageRoot + "/shapefiles/\(name).\(ext)", toPath: dir.file("\(name).\(ext)"))
        }
        return dir.file("\(name).shp")
    }


    @Test("convert countries.shp countries.SHP is refused and the input keeps its 21 features")
    func sameShapefileOtherCase() throws {
        let dir = TempFolder()
        let shp = try copyShapefile("countries", to: dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("countries.dbf")))
        let r = try caravan(["convert", shp, dir.file("countries.SHP"), "--where", "role = 'focus'", "--select", "name", "--overwrite"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("refusing to overwrite the input"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("countries.dbf"))) == before)
        #expect(try caravan(["info", shp]).stdout.contains("21"))
    }

    @Test("a full disk (file-size limit) exits 1 and leaves nothing at the target: GeoJSON, CSV, KML", .disabled(if: underThreadSanitizer, "ThreadSanitizer's runtime cannot start under ulimit -f"))
    func diskFull() throws {
        let dir = TempFolder()
        for ext in ["geojson", "csv", "kml"] {
            let out = dir.file("roads.\(ext)")
            let r = try sh("ulimit -f 200; exec '\(caravanBinary)' convert '\(packageRoot)/shapefiles/roads.shp' '\(out)'")
            #expect(r.status == 1, "\(ext): \(r.status) \(r.stderr)")
            #expect(!r.stderr.contains("wrote"))
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
        #expect(left.isEmpty, "\(left)")
    }

    @Test("SIGTERM and SIGINT during a write remove the temporaries; the old output stays")
    func signals() throws {
        let dir = TempFolder()
        var rows = "id,lon,lat,name\n"
        for i in 0..<150_000 { rows += "\(i),\(60 + Double(i % 1000) * 0.01),\(40 + Double(i / 1000) * 0.01),place \(i)\n" }
        let input = dir.write("big.csv", rows)
        let out = dir.write("big.gpkg", "old output")
        for sig in [SIGTERM, SIGINT] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: caravanBinary)
            p.arguments = ["convert", input, out, "--overwrite"]
            p.standardError = FileHandle.nullDevice
            p.standardOutput = FileHandle.nullDevice
            try p.run()
            // Wait for the temporary folder to appear, then interrupt.
            var seen = false
            for _ in 0..<2000 {
                if (try FileManager.default.contentsOfDirectory(atPath: dir.path)).contains(where: { $0.hasPrefix(".caravan-tmp") }) { seen = true; break }
                usleep(5_000)
            }
            usleep(100_000)
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            #expect(seen)
            #expect(p.terminationReason == .uncaughtSignal)
            let left = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            #expect(!left.contains { $0.hasPrefix(".caravan-tmp") }, "\(left)")
            #expect(try String(contentsOfFile: out, encoding: .utf8) == "old output")
        }
    }

    @Test("--format Memory and --select \"\" are refused instead of writing nothing or dropping every attribute")
    func refusedOptions() throws {
        let dir = TempFolder()
        let mem = try caravan(["convert", packageRoot + "/shapefiles/countries.shp", dir.file("c.mem"), "--format", "Memory"])
        #expect(mem.status == 1)
        #expect(!mem.stdout.contains("wrote") && !mem.stderr.contains("wrote"))
        let sel = try caravan(["convert", packageRoot + "/shapefiles/countries.shp", dir.file("c.geojson"), "--select", ""])
        #expect(sel.status == 64)
        #expect(!FileManager.default.fileExists(atPath: dir.file("c.geojson")))
    }

    @Test("--output-layer and --update put several layers into one GeoPackage; --csv-dialect excel-ru")
    func layersAndDialect() throws {
        let dir = TempFolder()
        let gpkg = dir.file("all.gpkg")
        #expect(try caravan(["convert", packageRoot + "/shapefiles/countries.shp", gpkg, "--output-layer", "countries"]).status == 0)
        #expect(try caravan(["convert", packageRoot + "/shapefiles/borders.shp", gpkg, "--output-layer", "borders", "--update"]).status == 0)
        let info = try caravan(["info", gpkg])
        #expect(info.stdout.contains("countries") && info.stdout.contains("borders"))
        let csv = dir.file("s.csv")
        #expect(try caravan(["convert", packageRoot + "/samples/events/seizures.csv", csv, "--csv-dialect", "excel-ru"]).status == 0)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: csv))
        #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(String(decoding: bytes, as: UTF8.self).split(separator: "\n")[0].contains(";"))
    }
}
