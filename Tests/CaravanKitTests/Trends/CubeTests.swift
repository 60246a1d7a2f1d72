import Foundation
import Testing
@testable import CaravanKit

@Suite("Space-time cube from events; netCDF; bad input")
struct CubeTests {
    static let crs = "+proj=laea +lat_0=40 +lon_0=68 +datum=WGS84 +units=m +type=crs"

    /// Random events near (68, 40), dates in 2022–2023, as CSV rows.
    func events(_ n: Int, seed: UInt64) -> [String] {
        var rng = SeededRNG(seed: seed)
        return (1...n).map { i in
            let lon = 68 + Double.random(in: -1...1, using: &rng), lat = 40 + Double.random(in: -0.8...0.8, using: &rng)
            let day = EventDate(dayNumber: EventDate(year: 2022, month: 1, day: 1).dayNumber + Int.random(in: 0..<730, using: &rng))
            return String(format: "%d,%@,%.5f,%.5f,%.2f", i, day.iso, lon, lat, Double.random(in: 0.1...9, using: &rng))
        }
    }

    func options(_ path: String, step: String = "1month") -> CubeOptions {
        var o = CubeOptions(events: path, cell: "25km", step: step)
        o.crs = CubeTests.crs
        return o
    }

    @Test("counts per cell and step: every event in exactly one bin; hand-made events land where they should")
    func counts() throws {
        let dir = TempDir()
        // Two points 1 km apart (one cell), one 300 km away; steps of 10 days ending at 2023-01-31.
        let csv = dir.write("e.csv", """
        id,date,lon,lat
        1,2023-01-01,68.0,40.0
        2,2023-01-11,68.01,40.0
        3,2023-01-12,68.0,40.0
        4,2023-01-31,71.5,40.0
        5,2023-01-21,71.5,40.0
        """)
        let r = try createSpaceTimeCube(options(csv, step: "10days"))
        let c = r.cube
        // Span 30 days: an exact multiple, so 4 steps: (Dec 22, Jan 1], (Jan 1, 11], (Jan 11, 21], (Jan 21, 31].
        #expect(c.stepCount == 4 && c.locations.count == 2)
        #expect(c.steps.bounds(0).end == EventDate(year: 2023, month: 1, day: 1))
        let a = c.locations.firstIndex(of: Tessellation.square(size: 25_000).cell(containing: try Transformer(from: .wgs84, to: CRS(CubeTests.crs)).transform(XY(68, 40))))!
        #expect(Array(c.counts[(a * 4)..<(a * 4 + 4)]) == [1, 1, 1, 0])     // Jan 11 is on a boundary: the step ending Jan 11
        let b = 1 - a
        #expect(Array(c.counts[(b * 4)..<(b * 4 + 4)]) == [0, 0, 1, 1])
        #expect(c.counts.reduce(0, +) == 5 && r.output.figures["zeroBins"] == 3)
    }

    @Test("the order of the events does not matter")
    func orderIndependence() throws {
        let dir = TempDir()
        let rows = events(600, seed: 7)
        let a = dir.write("a.csv", "id,date,lon,lat,w\n" + rows.joined(separator: "\n") + "\n")
        var rng = SeededRNG(seed: 99)
        let b = dir.write("b.csv", "id,date,lon,lat,w\n" + rows.shuffled(using: &rng).joined(separator: "\n") + "\n")
        var oa = options(a), ob = options(b)
        oa.weight = "w"; ob.weight = "w"
        let ca = try createSpaceTimeCube(oa).cube, cb = try createSpaceTimeCube(ob).cube
        #expect(ca.locations == cb.locations && ca.counts == cb.counts && ca.steps == cb.steps)
        #expect(zip(ca.sums!, cb.sums!).allSatisfy { abs($0 - $1) < 1e-9 })
        #expect(ca.counts.reduce(0, +) == 600)
        var ea = EmergingOptions(events: a, cell: "25km", step: "3months", band: "60km"); ea.crs = CubeTests.crs
        var eb = ea; eb.events = b
        let pa = try emergingHotSpots(ea).layers[0], pb = try emergingHotSpots(eb).layers[0]
        #expect((0..<pa.count).map { pa.values($0) } == (0..<pb.count).map { pb.values($0) })
    }

    @Test("netCDF: opens in GDAL with time, y, x; the counts read back exactly; gdalmdiminfo sees the dimensions")
    func netCDF() throws {
        let dir = TempDir()
        let csv = dir.write("e.csv", "id,date,lon,lat,w\n" + events(400, seed: 3).joined(separator: "\n") + "\n")
        var o = options(csv, step: "2months"); o.weight = "w"
        let r = try createSpaceTimeCube(o)
        try writeCube(r, to: dir.file("c.nc"))
        let back = try NetCDFCube.read(dir.file("c.nc"))
        #expect(back.locations == r.cube.locations && back.counts == r.cube.counts && back.steps == r.cube.steps)
        #expect(back.sums! == r.cube.sums! && back.crs.isEquivalent(to: r.cube.crs) && back.tessellation == r.cube.tessellation)
        // Hexagons: a (time, location) layout.
        var h = o; h.grid = .hex
        let rh = try createSpaceTimeCube(h)
        try writeCube(rh, to: dir.file("h.nc"))
        let backH = try NetCDFCube.read(dir.file("h.nc"))
        #expect(backH.counts == rh.cube.counts && backH.locations == rh.cube.locations)
        // GDAL's own tool.
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/gdalmdiminfo")
        p.arguments = [dir.file("c.nc")]
        let out = Pipe(); p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        let info = try JSONSerialization.jsonObject(with: data) as! [String: Any]
        let dims = (info["dimensions"] as! [[String: Any]]).reduce(into: [String: Int]()) { $0[$1["name"] as! String] = $1["size"] as? Int }
        #expect(dims["time"] == r.cube.stepCount && dims["location"] == r.cube.locations.count)
        let arrays = info["arrays"] as! [String: Any]
        let count = arrays["count"] as! [String: Any]
        #expect((count["dimensions"] as! [String]) == ["/time", "/y", "/x"])
        #expect(((count["srs"] as? [String: Any])?["wkt"] as? String)?.contains("Lambert") == true)
        // The long table.
        try writeCube(r, to: dir.file("c.gpkg"))
        let layer = try Dataset.open(dir.file("c.gpkg")).layer(named: nil)
        #expect(try layer.featureCount() == r.cube.binCount)
        #expect(layer.schema.names.contains("time_start") && layer.schema.names.contains("sum"))
    }

    @Test("bad input: no date column, unreadable dates listed, one time step, a step longer than the data, no variance")
    func badInput() throws {
        let dir = TempDir()
        let noDate = dir.write("n.csv", "id,lon,lat\n1,68,40\n2,68.1,40\n")
        #expect { try createSpaceTimeCube(options(noDate)) } throws: { ($0 as? GeoError)?.message.contains("no date column found") == true }
        let bad = dir.write("b.csv", "id,date,lon,lat\n1,2023-01-01,68,40\n2,31.02.2023,68,40\n3,soon,68,40\n4,2023-02-01,68,40\n")
        #expect { try createSpaceTimeCube(options(bad)) } throws: { e in
            let m = (e as? GeoError)?.message ?? ""
            return m.contains("2 dates in 'date' cannot be read") && m.contains("row 2") && m.contains("row 3") && m.contains("soon")
        }
        let empty = dir.write("e.csv", "id,date,lon,lat\n1,2023-01-01,68,40\n2,,68,40\n")
        #expect { try createSpaceTimeCube(options(empty)) } throws: { ($0 as? GeoError)?.message.contains("1 event has no date") == true }
        let same = dir.write("s.csv", "id,date,lon,lat\n1,2023-01-01,68,40\n2,2023-01-01,69,40\n")
        #expect { try createSpaceTimeCube(options(same)) } throws: { ($0 as? GeoError)?.message.contains("the same time") == true }
        let short = dir.write("t.csv", "id,date,lon,lat\n1,2023-01-01,68,40\n2,2023-01-20,69,40\n")
        #expect { try createSpaceTimeCube(options(short, step: "1year")) } throws: { ($0 as? GeoError)?.message.contains("less than one step of 1 year") == true }
        // 15 locations, one event each in each of 2 steps: every bin is 1.
        var rows: [String] = []
        for i in 0..<15 { rows.append("\(2 * i),2023-01-01,\(66 + Double(i) * 0.5),40"); rows.append("\(2 * i + 1),2023-01-10,\(66 + Double(i) * 0.5),40") }
        let flat = dir.write("f.csv", "id,date,lon,lat\n" + rows.joined(separator: "\n") + "\n")
        var e = EmergingOptions(events: flat, cell: "25km", step: "9days", band: "100km"); e.crs = CubeTests.crs
        #expect { try emergingHotSpots(e) } throws: { ($0 as? GeoError)?.message.contains("no variance") == true }
        var noBand = e; noBand.band = nil
        #expect { try emergingHotSpots(noBand) } throws: { ($0 as? GeoError)?.hint?.contains("{band}") == true }
    }

    @Test("a CSV read straight from its bytes gives what GDAL's reading gives: quotes, CRLF, BOM, dates in other forms, rows without a point")
    func fastCSV() throws {
        let dir = TempDir()
        var text = "\u{FEFF}id,note,date,lon,lat,w\r\n"
        text += "1,\"a, quoted\",2023-01-05,68.1,40.1,1.5\r\n"
        text += "2,\"two\nlines\",12.02.2023,68.2,40.2,2\r\n"
        text += "3,x,12 марта 2023,68.3,40.3,3\r\n"
        text += "4,no point,2023-04-01,,,4\r\n"
        text += "5,\"\"\"quoted\"\"\",2023/05/01,69.0,40.0,5\r\n"
        for i in 6...60 { text += "\(i),r,2023-0\(1 + i % 9)-1\(i % 10),\(67 + Double(i % 7) * 0.3),\(39.5 + Double(i % 5) * 0.2),\(i)\r\n" }
        let csv = dir.write("e.csv", text)
        var o = options(csv); o.weight = "w"
        func read(_ fast: Bool) throws -> TimedEvents {
            try readTimedEvents(path: csv, layerName: nil, sourceCRS: nil, selection: o, weightField: "w", tessellation: .square(size: 25_000),
                                requestedCRS: try CRS(CubeTests.crs), studyArea: nil, maxCells: 1_000_000, warnings: WarningLog(), allowFastCSV: fast)
        }
        let a = try read(true), b = try read(false)
        #expect(a.readDirectly && !b.readDirectly)
        #expect(a.read == 60 && a.withoutLocation == 1 && a.cells.count == 59)
        #expect(a.cells == b.cells && a.times == b.times && a.weights == b.weights && a.read == b.read && a.withoutLocation == b.withoutLocation)
        let bad = dir.write("b.csv", "id,date,lon,lat\n1,2023-01-01,68,40\n2,2023-13-01,68,40\n")
        func message(_ fast: Bool) -> String? {
            do { _ = try readTimedEvents(path: bad, layerName: nil, sourceCRS: nil, selection: options(bad), weightField: nil, tessellation: .square(size: 25_000),
                                         requestedCRS: nil, studyArea: nil, maxCells: 1_000_000, warnings: WarningLog(), allowFastCSV: fast); return nil }
            catch { return (error as? GeoError)?.message }
        }
        #expect(message(true) != nil && message(true) == message(false))
    }

    @Test("numbers read from bytes are the doubles strtod reads")
    func numbers() {
        var rng = SeededRNG(seed: 11)
        var texts = ["0", "-0", "+1", "12.5", "68.12345", "-179.99999", "1e3", "1.5E-2", "abc", "1.2.3", "-", ".5", "5.", "0.1234567890123456789"]
        for _ in 0..<2000 { texts.append(String(format: "%.\(Int.random(in: 0...12, using: &rng))f", Double.random(in: -400...400, using: &rng))) }
        for t in texts {
            let bytes = Array(t.utf8)
            let mine = bytes.withUnsafeBufferPointer { CSVEventReader.double($0) }
            var end: UnsafeMutablePointer<CChar>? = nil
            let c = t.withCString { p -> Double? in let v = strtod(p, &end); return end! - UnsafeMutablePointer(mutating: p) == t.utf8.count ? v : nil }
            #expect(mine == c, "\(t)")
        }
    }

    @Test("--from/--to keep the events of the period; --where filters; a study area adds its empty cells")
    func selection() throws {
        let dir = TempDir()
        let csv = dir.write("e.csv", "id,date,lon,lat,w\n" + events(300, seed: 5).joined(separator: "\n") + "\n")
        var o = options(csv); o.from = "2023-01-01"; o.to = "2023-06-30"
        let r = try createSpaceTimeCube(o)
        #expect(r.cube.firstTime >= EventDate(year: 2023, month: 1, day: 1).dayNumber * 86_400)
        #expect(r.cube.lastTime <= EventDate(year: 2023, month: 6, day: 30).dayNumber * 86_400)
        var w = options(csv); w.where = "w > 5"
        let rw = try createSpaceTimeCube(w)
        #expect(rw.cube.events < 300 && rw.cube.events > 50)
        let area = dir.write("area.geojson", """
        {"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Polygon","coordinates":[[[67.5,39],[70,39],[70,41.5],[67.5,41.5],[67.5,39]]]}}]}
        """)
        var s = options(csv); s.studyArea = area
        let rs = try createSpaceTimeCube(s)
        let plain = try createSpaceTimeCube(options(csv))
        #expect(rs.cube.locations.count > plain.cube.locations.count)
        #expect(rs.cube.events < 300)            // events west of 67.5°E are outside
        #expect(rs.output.warnings.contains { $0.contains("outside the study area") })
    }
}
