import Foundation
import Testing
@testable import CaravanKit

/// Every bad input gets a clear error naming the file, and loses nothing.
@Suite("Bad input")
struct BadInputTests {
    func openError(_ path: String, options: OpenOptions = OpenOptions()) -> GeoError? {
        do { _ = try Dataset.open(path, options: options).layer(named: nil); return nil }
        catch { return error as? GeoError }
    }

    @Test("a missing file")
    func missing() {
        let e = openError("/nonexistent/roads.shp")
        #expect(e?.kind == .open)
        #expect(e?.description == "/nonexistent/roads.shp: no such file or directory")
    }

    @Test("a file that is not geodata")
    func notGeodata() {
        let dir = TempDir()
        let p = dir.write("notes.txt", "Meeting in Tashkent on 12 September.\n\u{1}\u{2}binary")
        let e = openError(p)
        #expect(e?.kind == .open)
        #expect(e?.file == p)
        #expect(e?.message.contains("not a vector format") == true)
    }

    @Test("a zero-byte file and a truncated GeoJSON")
    func zeroAndTruncated() {
        let dir = TempDir()
        let empty = dir.write("empty.geojson", "")
        #expect(openError(empty)?.message.contains("empty (0 bytes)") == true)
        let cut = dir.write("cut.geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[69.2,"#)
        let e = openError(cut)
        #expect(e != nil)
        #expect(e?.file == cut)
    }

    @Test("a Shapefile without .shx or .dbf is refused; without .prj it warns and takes --s-srs")
    func shapefileParts() throws {
        let dir = TempDir()
        _ = try RoundTripTests.writeSample(dir.file("c.shp"))
        try FileManager.default.removeItem(atPath: dir.file("c.prj"))
        let log = WarningLog()
        let layer = try log.collecting { try Dataset.open(dir.file("c.shp")).layer(named: nil) }
        #expect(try layer.crs == nil)
        #expect(log.messages.contains { $0.contains("no .prj") && $0.contains("{sSrs}") && !$0.contains("--") })
        let given = try Dataset.open(dir.file("c.shp"), options: OpenOptions(sourceCRS: .wgs84)).layer(named: nil)
        #expect(try given.crs == .wgs84)

        try FileManager.default.moveItem(atPath: dir.file("c.dbf"), toPath: dir.file("c.dbf.bak"))
        #expect(openError(dir.file("c.shp"))?.message.contains(".dbf") == true)
        try FileManager.default.moveItem(atPath: dir.file("c.dbf.bak"), toPath: dir.file("c.dbf"))

        try FileManager.default.removeItem(atPath: dir.file("c.shx"))
        let e = openError(dir.file("c.shp"))
        #expect(e?.message.contains(".shx") == true)
        #expect(e?.hint?.contains("{restoreShx}") == true)
        let restored = try Dataset.open(dir.file("c.shp"), options: OpenOptions(restoreShx: true)).layer(named: nil)
        #expect(try restored.featureCount() == 3)
    }

    @Test("an empty layer reads as zero features, and converts to an empty output")
    func emptyLayer() throws {
        let dir = TempDir()
        let p = dir.write("e.geojson", #"{"type":"FeatureCollection","features":[]}"#)
        let layer = try Dataset.open(p).layer(named: nil)
        #expect(try layer.featureCount() == 0)
        let s = try convert(source: Dataset.open(p), to: dir.file("e.gpkg"), options: ConvertOptions())
        #expect(s.features == 0)
    }

    @Test("mixed geometry types: counted by info, refused by Shapefile with a hint, fine in GeoPackage")
    func mixedTypes() throws {
        let dir = TempDir()
        let p = dir.write("m.geojson", """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"k":"a"},"geometry":{"type":"Point","coordinates":[69,41]}},
        {"type":"Feature","properties":{"k":"b"},"geometry":{"type":"LineString","coordinates":[[69,41],[70,42]]}}]}
        """)
        let info = try LayerInfo.describe(Dataset.open(p).layer(named: nil))
        #expect(info.geometryType == .unknown)
        #expect(info.geometryTypeCounts == [.point: 1, .lineString: 1])
        do {
            _ = try convert(source: Dataset.open(p), to: dir.file("m.shp"), options: ConvertOptions())
            Issue.record("a mixed layer must not go into one Shapefile")
        } catch let e as GeoError {
            #expect(e.hint?.contains("GeoPackage") == true)
        }
        #expect(!dir.contents.contains { $0.hasPrefix("m.") && $0 != "m.geojson" })
        #expect(try convert(source: Dataset.open(p), to: dir.file("m.gpkg"), options: ConvertOptions()).features == 2)
    }

    @Test("self-intersecting polygons are reported, and repaired with MakeValid when asked")
    func selfIntersecting() throws {
        let dir = TempDir()
        let p = dir.write("bow.geojson", """
        {"type":"FeatureCollection","features":[
        {"type":"Feature","properties":{"n":1},"geometry":{"type":"Polygon","coordinates":[[[0,0],[2,2],[2,0],[0,2],[0,0]]]}},
        {"type":"Feature","properties":{"n":2},"geometry":{"type":"Polygon","coordinates":[[[5,5],[6,5],[6,6],[5,6],[5,5]]]}}]}
        """)
        let info = try LayerInfo.describe(Dataset.open(p).layer(named: nil), check: true)
        #expect(info.invalidCount == 1)
        #expect(info.invalidExamples.first?.hasPrefix("feature 0: Self-intersection") == true)
        let reported = try convert(source: Dataset.open(p), to: dir.file("kept.gpkg"), options: ConvertOptions())
        #expect(reported.invalid == 1 && reported.repaired == 0)
        var o = ConvertOptions(); o.makeValid = true
        let repaired = try convert(source: Dataset.open(p), to: dir.file("fixed.gpkg"), options: o)
        #expect(repaired.repaired == 1)
        let (_, f) = try readAll(dir.file("fixed.gpkg"))
        #expect(try f.allSatisfy { try $0.geometry!.isValid })
    }

    @Test("coordinates out of range for lon/lat name the row and suggest --s-srs")
    func outOfRange() throws {
        let dir = TempDir()
        let p = dir.write("utm.csv", "name,lon,lat\nok,69.2,41.3\nbad,520080,4572100\n")
        do {
            _ = try readAll(p)
            Issue.record("expected an out-of-range error")
        } catch let e as GeoError {
            #expect(e.featureID == 2)
            #expect(e.message.contains("out of range"))
            #expect(e.hint?.contains("{sSrs}") == true)
        }
        // With the right CRS the same file reads, and converts to lon/lat.
        let utm = try CRS("EPSG:32642")
        let (_, f) = try readAll(p, options: OpenOptions(sourceCRS: utm))
        #expect(f.count == 2)
    }

    @Test("CSV rows whose coordinates are not numbers keep their row, without a point, and warn")
    func badNumbers() throws {
        let dir = TempDir()
        let p = dir.write("x.csv", "name,latitude,longitude\na,41.3,69.2\nb,n/a,69.2\nc,\"41,5\",\"69,5\"\n")
        let log = WarningLog()
        let (_, f) = try log.collecting { try readAll(p) }
        #expect(f.count == 3)
        #expect(f[1].geometry == nil)
        #expect(f[2].geometry == .point(XY(69.5, 41.5)))
        #expect(log.messages.contains { $0.contains("row 2") })
    }

    @Test("outputs: existing refused without overwrite, inputs never overwritten, nothing half-written")
    func safeWriting() throws {
        let dir = TempDir()
        let src = dir.write("a.geojson", #"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[69,41]}}]}"#)
        _ = try convert(source: Dataset.open(src), to: dir.file("b.gpkg"), options: ConvertOptions())
        #expect(throws: GeoError.self) { try convert(source: Dataset.open(src), to: dir.file("b.gpkg"), options: ConvertOptions()) }
        var o = ConvertOptions(); o.write.overwrite = true
        #expect(try convert(source: Dataset.open(src), to: dir.file("b.gpkg"), options: o).features == 1)
        do {
            _ = try convert(source: Dataset.open(src), to: src, options: o)
            Issue.record("the input must never be overwritten")
        } catch let e as GeoError { #expect(e.message.contains("input")) }
        #expect(try readAll(src).1.count == 1)
        // A failing conversion (bad field) leaves no file behind.
        o.select = ["nope"]
        #expect(throws: GeoError.self) { try convert(source: Dataset.open(src), to: dir.file("c.gpkg"), options: o) }
        #expect(dir.contents == ["a.geojson", "b.gpkg"])
    }

    @Test("a bad --where clause is an error that lists the fields")
    func badWhere() throws {
        let dir = TempDir()
        _ = try RoundTripTests.writeSample(dir.file("c.gpkg"))
        let layer = try Dataset.open(dir.file("c.gpkg")).layer(named: nil)
        do { try layer.setAttributeFilter("nosuch = 1"); Issue.record("expected an error") }
        catch let e as GeoError { #expect(e.hint?.contains("name, pop, area_km2") == true) }
    }
}
