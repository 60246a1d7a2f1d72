import Foundation
import Testing
@testable import CaravanKit

/// `--restore-shx` rebuilds a missing index and touches nothing else.
@Suite("Restoring a Shapefile index")
struct RestoreShxTests {
    func copyRailways(_ dir: TempDir, parts: [String] = ["shp", "shx", "dbf", "prj", "cpg"]) throws -> String {
        for ext in parts {
            try FileManager.default.copyItem(atPath: repositoryRoot + "/shapefiles/railways.\(ext)", toPath: dir.file("railways.\(ext)"))
        }
        return dir.file("railways.shp")
    }

    @Test("an intact .shx is never rewritten, even with restoreShx")
    func intactIndexUntouched() throws {
        let dir = TempDir()
        let shp = try copyRailways(dir)
        let before = try Data(contentsOf: URL(fileURLWithPath: dir.file("railways.shx")))
        let stamp = try FileManager.default.attributesOfItem(atPath: dir.file("railways.shx"))[.modificationDate] as? Date
        Thread.sleep(forTimeInterval: 1.1)
        let n = try Dataset.open(shp, options: OpenOptions(restoreShx: true)).layer(named: nil).featureCount()
        #expect(n == 5579)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("railways.shx"))) == before)
        #expect(try FileManager.default.attributesOfItem(atPath: dir.file("railways.shx"))[.modificationDate] as? Date == stamp)
    }

    @Test("a missing .shx is rebuilt; a Shapefile that still cannot be opened leaves no new .shx behind")
    func missingIndex() throws {
        let dir = TempDir()
        let shp = try copyRailways(dir, parts: ["shp", "dbf", "prj", "cpg"])
        #expect(try Dataset.open(shp, options: OpenOptions(restoreShx: true)).layer(named: nil).featureCount() == 5579)
        #expect(FileManager.default.fileExists(atPath: dir.file("railways.shx")))
        // A .shp that is not a Shapefile: the open fails and no index is left.
        let dir2 = TempDir()
        let bad = dir2.write("bad.shp", String(repeating: "not a shapefile ", count: 20))
        _ = dir2.write("bad.dbf", "x")
        #expect(throws: GeoError.self) { _ = try Dataset.open(bad, options: OpenOptions(restoreShx: true)) }
        #expect(!FileManager.default.fileExists(atPath: dir2.file("bad.shx")))
    }
}
