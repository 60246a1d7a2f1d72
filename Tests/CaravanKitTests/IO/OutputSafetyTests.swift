import Foundation
import Testing
@testable import CaravanKit

/// Issue 15's data-loss findings for outputs: each of these lost or replaced a file before.
@Suite("Output safety: inputs by identity, no silent replacing, no stray temporaries")
struct OutputSafetyTests {
    static func shapefile(_ path: String) throws {
        let w = try VectorWriter(path: path, geometryType: .point, crs: .wgs84, fields: [FieldDefinition("name", .string)])
        try w.write(geometry: .point(XY(69, 41)), values: [.string("Tashkent")])
        try w.commit()
    }

    static func data(_ p: String) -> Data? { try? Data(contentsOf: URL(fileURLWithPath: p)) }

    @Test("an output that is an input under another name is refused: hard link, a Shapefile's part, another case")
    func inputsByIdentity() throws {
        let dir = TempDir()
        try Self.shapefile(dir.file("places.shp"))
        let dbf = Self.data(dir.file("places.dbf"))
        // `-o places.shp` from the input places.dbf would replace the input's own table.
        #expect(throws: GeoError.self) { try SafeOutput.checkDistinct(outputs: [dir.file("places.shp")], inputs: [dir.file("places.dbf")]) }
        #expect(throws: GeoError.self) {
            _ = try VectorWriter(path: dir.file("places.shp"), geometryType: .point, crs: .wgs84, fields: [],
                                 options: WriteOptions(overwrite: true, inputs: [dir.file("places.dbf")]))
        }
        // countries.SHP is countries.shp's Shapefile on any disk that ignores case, and shares its parts here.
        #expect(throws: GeoError.self) {
            _ = try VectorWriter(path: dir.file("places.SHP"), geometryType: .point, crs: .wgs84, fields: [],
                                 options: WriteOptions(overwrite: true, inputs: [dir.file("places.shp")]))
        }
        // A hard link is the same file.
        let table = dir.write("t.csv", "id,name\n1,a\n")
        #expect(link(table, dir.file("alias.csv")) == 0)
        #expect(throws: GeoError.self) {
            _ = try VectorWriter(path: dir.file("alias.csv"), geometryType: .none, crs: nil, fields: [],
                                 options: WriteOptions(overwrite: true, inputs: [table]))
        }
        #expect(Self.data(dir.file("places.dbf")) == dbf)
        #expect(try String(contentsOfFile: table, encoding: .utf8) == "id,name\n1,a\n")
    }

    @Test("two outputs of one run must differ from each other")
    func outputsDistinct() throws {
        let dir = TempDir()
        #expect(throws: GeoError.self) { try SafeOutput.checkDistinct(outputs: [dir.file("a.csv"), dir.file("a.csv")], inputs: []) }
        #expect(throws: GeoError.self) { try SafeOutput.checkDistinct(outputs: [dir.file("a.csv"), dir.path + "/./a.csv"], inputs: []) }
        #expect(throws: GeoError.self) { try SafeOutput.checkDistinct(outputs: [dir.file("a.shp"), dir.file("a.dbf")], inputs: []) }
        try SafeOutput.checkDistinct(outputs: [dir.file("a.csv"), dir.file("a_report.csv")], inputs: [dir.file("in.csv")])
    }

    @Test("a file that appears at the target while writing is kept, and the write fails (no --overwrite)")
    func noReplaceOnCommit() throws {
        let dir = TempDir()
        for ext in ["geojson", "gpkg"] {
            let target = dir.file("race.\(ext)")
            let w = try VectorWriter(path: target, geometryType: .point, crs: .wgs84, fields: [])
            try w.write(geometry: .point(XY(69, 41)), values: [])
            try "the other run's output".write(toFile: target, atomically: false, encoding: .utf8)
            #expect(throws: GeoError.self) { try w.commit() }
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "the other run's output")
        }
    }

    @Test("a sibling of a new Shapefile that caravan did not write is never deleted")
    func unrelatedSiblingKept() throws {
        let dir = TempDir()
        let mine = dir.write("out.dbf", "someone's table")
        #expect(throws: GeoError.self) { try Self.shapefile(dir.file("out.shp")) }
        #expect(try String(contentsOfFile: mine, encoding: .utf8) == "someone's table")
        // Replacing a Shapefile with --overwrite replaces its parts and leaves other files alone.
        try Self.shapefile(dir.file("b.shp"))
        let notes = dir.write("b.notes.txt", "mine")
        let w = try VectorWriter(path: dir.file("b.shp"), geometryType: .point, crs: nil, fields: [], options: WriteOptions(overwrite: true))
        try w.commit()
        #expect(!FileManager.default.fileExists(atPath: dir.file("b.prj")))   // the old .prj described the old file
        #expect(try String(contentsOfFile: notes, encoding: .utf8) == "mine")
    }

    @Test("stale .caravan-tmp folders of dead processes are removed by the next write; live ones stay")
    func staleTemporaries() throws {
        let dir = TempDir()
        var dead: Int32 = 999_999
        while kill(dead, 0) == 0 || errno != ESRCH { dead -= 1 }
        let stale = dir.file(".caravan-tmp-\(dead)-12345")
        let live = dir.file(".caravan-tmp-\(getppid())-12345")
        for p in [stale, live] { try FileManager.default.createDirectory(atPath: p, withIntermediateDirectories: false) }
        _ = dir.write(".caravan-tmp-\(dead)-12345/big.geojson", "partial")
        try Self.shapefile(dir.file("x.shp"))
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(FileManager.default.fileExists(atPath: live))
    }
}
