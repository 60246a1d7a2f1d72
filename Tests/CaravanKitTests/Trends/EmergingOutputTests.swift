import Foundation
import Testing
@testable import CaravanKit

@Suite("Emerging outputs: the CSV read by every core, Gi* in the netCDF cube, hot spots by year, zero variance")
struct EmergingOutputTests {
    static let crs = "+proj=laea +lat_0=40 +lon_0=68 +datum=WGS84 +units=m +type=crs"

    /// Rows near (68, 40) over 2022–2023; every 97th without a point, every 89th with text for lon.
    func rows(_ n: Int, seed: UInt64) -> [String] {
        var rng = SeededRNG(seed: seed)
        return (1...n).map { i in
            let lon = 68 + Double.random(in: -1...1, using: &rng), lat = 40 + Double.random(in: -0.8...0.8, using: &rng)
            let day = EventDate(dayNumber: EventDate(year: 2022, month: 1, day: 1).dayNumber + Int.random(in: 0..<730, using: &rng))
            if i % 97 == 0 { return "\(i),\(day.iso),,,1" }
            if i % 89 == 0 { return "\(i),\(day.iso),east,\(lat),1" }
            return String(format: "%d,%@,%.5f,%.5f,%.2f", i, i % 13 == 0 ? String(format: "%02d.%02d.%04d", day.day, day.month, day.year) : day.iso, lon, lat, Double.random(in: 0.1...9, using: &rng))
        }
    }

    @Test("slices read by every core give the one-slice reading: points, times, weights, row numbers of warnings, bad dates and errors")
    func slices() throws {
        let dir = TempDir()
        var lines = rows(3000, seed: 5)
        lines[2100] = "2101,2023-02-30,68.2,40.1,1"          // an unreadable date in the second half
        lines.insert("", at: 1500)                          // a blank line: not a row
        let csv = dir.write("e.csv", "id,date,lon,lat,w\n" + lines.joined(separator: "\n") + "\n")
        let names = ["id", "date", "lon", "lat", "w"], cols = CSVEventColumns(lon: 2, lat: 3, date: 1, weight: 4)
        let one = try #require(try CSVEventReader.readEvents(path: csv, names: names, columns: cols, period: nil, minimumSliceBytes: 1 << 30))
        let many = try #require(try CSVEventReader.readEvents(path: csv, names: names, columns: cols, period: nil, minimumSliceBytes: 4000))
        #expect(one.rows == 3000 && many.rows == 3000)
        #expect(one.points == many.points && one.times == many.times && one.weights == many.weights)
        #expect(one.withoutLocation == many.withoutLocation && one.withoutLocation == 30 + 33 - 0)
        #expect(one.notNumbers.map(\.0) == many.notNumbers.map(\.0) && one.notNumbers.first?.0 == 89)
        #expect(one.badCount == 1 && many.badCount == 1 && one.bad[0].0 == 2101 && many.bad[0].0 == 2101)
        // Every event is also what GDAL reads.
        var o = CubeOptions(events: csv, cell: "25km"); o.weight = "w"
        #expect { _ = try readTimedEvents(path: csv, layerName: nil, sourceCRS: nil, selection: o, weightField: "w", tessellation: .square(size: 25_000),
                                          requestedCRS: try CRS(Self.crs), studyArea: nil, maxCells: 1_000_000, warnings: WarningLog()) }
            throws: { ($0 as? GeoError)?.message.contains("row 2101") == true }
        // A fatal row in the second slice is named by its row in the file.
        var broken = lines
        broken[2500] = "2500,2023-01-01,500,40.1,1"              // row 2500 (the blank line is not a row)
        let b = dir.write("b.csv", "id,date,lon,lat,w\n" + broken.joined(separator: "\n") + "\n")
        for size in [1 << 30, 4000] {
            #expect { _ = try CSVEventReader.readEvents(path: b, names: names, columns: cols, period: nil, minimumSliceBytes: size) }
                throws: { ($0 as? GeoError)?.featureID == 2500 }
        }
        // A period: the same events kept by both.
        let p = DatePeriod(from: EventDate(year: 2022, month: 6, day: 1), to: EventDate(year: 2022, month: 12, day: 31))
        let a1 = try #require(try CSVEventReader.readEvents(path: csv, names: names, columns: cols, period: p, minimumSliceBytes: 1 << 30))
        let a2 = try #require(try CSVEventReader.readEvents(path: csv, names: names, columns: cols, period: p, minimumSliceBytes: 4000))
        #expect(a1.times == a2.times && a1.outsidePeriod == a2.outsidePeriod && a1.outsidePeriod > 1000)
        #expect(a1.times.allSatisfy { $0 >= p.from!.dayNumber * 86_400 && $0 <= p.to!.dayNumber * 86_400 })
    }

    @Test("projection by slices equals one transformer's; a failing point is named by its place in the whole array")
    func projection() throws {
        var rng = SeededRNG(seed: 9)
        let pts = (0..<5000).map { _ in XY(Double.random(in: 60...75, using: &rng), Double.random(in: 35...45, using: &rng)) }
        var a = pts, b = pts
        try Transformer(from: .wgs84, to: try CRS(Self.crs)).transform(&a)
        try Transformer(from: .wgs84, to: try CRS(Self.crs)).transformInParallel(&b, minimumSlice: 1000)
        #expect(a == b)
        var bad = pts
        bad[4321] = XY(.infinity, 40)
        #expect { try Transformer(from: .wgs84, to: try CRS(Self.crs)).transformInParallel(&bad, minimumSlice: 1000) } throws: { e in
            (e as? GeoError)?.index == 4321 && (e as? GeoError)?.message.contains("point 4322 ") == true
        }
    }

    /// Events with a trend: a cluster that grows, noise elsewhere.
    func trendCSV(_ dir: TempDir) -> String {
        var rng = SeededRNG(seed: 21)
        var lines = ["id,date,lon,lat,w"]
        for i in 1...3000 {
            let grows = i % 3 == 0
            let lon = grows ? 68 + Double.random(in: -0.2...0.2, using: &rng) : Double.random(in: 66...70, using: &rng)
            let lat = grows ? 40 + Double.random(in: -0.15...0.15, using: &rng) : Double.random(in: 38.5...41.5, using: &rng)
            let d = grows ? Int(729 * Double.random(in: 0...1, using: &rng).squareRoot()) : Int.random(in: 0..<730, using: &rng)
            let day = EventDate(dayNumber: EventDate(year: 2022, month: 1, day: 1).dayNumber + d)
            lines.append(String(format: "%d,%@,%.5f,%.5f,0", i, day.iso, lon, lat))
        }
        return dir.write("t.csv", lines.joined(separator: "\n") + "\n")
    }

    @Test("a netCDF output is the cube with GiZScore, GiPValue, Gi_Bin per step and CATEGORY, TREND_Z per cell, CF-flagged, as GDAL reads them")
    func netCDFVariables() throws {
        let dir = TempDir()
        var o = EmergingOptions(events: trendCSV(dir), cell: "25km", step: "2months", band: "60km")
        o.crs = Self.crs
        let a = try emergingAnalysis(o)
        try writeEmerging(a, layer: "bins", to: dir.file("e.nc"))
        // The cube still reads back.
        let back = try NetCDFCube.read(dir.file("e.nc"))
        #expect(back.counts == a.cube.counts && back.locations == a.cube.locations)
        func info(_ array: String) throws -> [String: Any] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/gdalmdiminfo")
            p.arguments = ["-detailed", "-array", array, dir.file("e.nc")]
            let out = Pipe(); p.standardOutput = out
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            return try JSONSerialization.jsonObject(with: data) as! [String: Any]
        }
        let T = a.cube.stepCount
        let c0 = a.cube.locations.map(\.col).min()!, r0 = a.cube.locations.map(\.row).min()!
        let W = a.cube.locations.map(\.col).max()! - c0 + 1, H = a.cube.locations.map(\.row).max()! - r0 + 1
        for name in ["GiZScore", "Gi_Bin"] {
            let z = try info(name)
            #expect((z["dimensions"] as! [[String: Any]]).map { $0["name"] as! String } == ["time", "y", "x"])
            let values = (z["values"] as! [Any]).flatMap { ($0 as! [Any]).flatMap { $0 as! [Any] } }
            #expect(values.count == T * H * W)
            // Every location's every step where the cube puts it.
            var same = 0
            for (i, c) in a.cube.locations.enumerated() {
                for t in 0..<T {
                    let v = values[t * H * W + (c.row - r0) * W + (c.col - c0)]
                    if name == "Gi_Bin" { if (v as? Int) == Int(a.gi.bin[i * T + t]) { same += 1 } }
                    else if a.gi.z[i * T + t].isNaN { if v is NSNull || v is String { same += 1 } }
                    else if let d = v as? Double, abs(d - a.gi.z[i * T + t]) < 1e-9 { same += 1 }
                }
            }
            #expect(same == a.cube.binCount, "\(name)")
        }
        let bin = try info("Gi_Bin")
        let attrs = bin["attributes"] as! [String: Any]
        #expect(((attrs["flag_values"] as? [String: Any])?["value"] as? [Int]) == [-3, -2, -1, 0, 1, 2, 3])
        #expect(((attrs["flag_meanings"] as? [String: Any])?["value"] as? String)?.hasPrefix("cold_spot_99 ") == true)
        let cat = try info("CATEGORY")
        #expect((cat["dimensions"] as! [[String: Any]]).map { $0["name"] as! String } == ["y", "x"])
        let cats = (cat["values"] as! [Any]).flatMap { $0 as! [Any] }.compactMap { $0 as? Int }
        #expect(a.cube.locations.enumerated().allSatisfy { i, c in cats[(c.row - r0) * W + (c.col - c0)] == a.patterns[i].category })
        #expect(a.patterns.contains { $0 != .none })
    }

    @Test("hot spots by year: the highest confidence reached on the side significant more often; one polygon per location and year")
    func byYear() throws {
        // Two locations × 24 monthly steps of 2022–2023 (the first step ends 2022-01-31).
        let steps = TimeSteps(step: .months(1), first: EventDate(year: 2022, month: 1, day: 2).dayNumber * 86_400,
                              last: EventDate(year: 2023, month: 12, day: 31).dayNumber * 86_400)
        #expect(steps.count == 24)
        let cube = SpaceTimeCube(tessellation: .square(size: 25_000), crs: try CRS(Self.crs), steps: steps,
                                 locations: [CellIndex(col: 0, row: 0), CellIndex(col: 1, row: 0)], counts: [Double](repeating: 1, count: 48),
                                 firstTime: steps.breaks[0] + 1, lastTime: steps.breaks[24], events: 48)
        var bins = [Int8](repeating: 0, count: 48)
        // Location 0, 2022: six steps at 99 %, two at 95 % → 3. 2023: five at 90 %, one at 95 %, one cold → 2.
        for t in 0..<6 { bins[t] = 3 }; bins[6] = 2; bins[7] = 2
        for t in 12..<17 { bins[t] = 1 }; bins[17] = 2; bins[20] = -3
        // Location 1, 2022: six hot, six cold → 0. 2023: seven cold at 95 %, one hot at 99 % → −2.
        for t in 0..<6 { bins[24 + t] = 1 }; for t in 6..<12 { bins[24 + t] = -1 }
        for t in 12..<19 { bins[24 + t] = -2 }; bins[24 + 23] = 3
        let gi = SpaceTimeGiResult(z: [Double](repeating: 0, count: 48), p: [Double](repeating: 1, count: 48), bin: bins,
                                   neighbours: [Int32](repeating: 2, count: 48), mean: 1, standardDeviation: 1, empty: 0)
        let (layer, perYear) = yearsLayer(cube, gi)
        #expect(layer.count == 4)
        let v = (0..<4).map { layer.values($0) }
        let names = layer.fields.map(\.name)
        func value(_ k: Int, _ f: String) -> FieldValue { v[k][names.firstIndex(of: f)!] }
        #expect((0..<4).map { value($0, "year") } == [.string("2022"), .string("2022"), .string("2023"), .string("2023")])
        #expect((0..<4).map { value($0, "Gi_Bin") } == [.integer(3), .integer(0), .integer(2), .integer(-2)])
        #expect((0..<4).map { value($0, "NUM_HOT") } == [.integer(8), .integer(6), .integer(6), .integer(1)])
        #expect(value(3, "NUM_COLD") == .integer(7) && value(2, "NUM_COLD") == .integer(1) && value(0, "STEPS") == .integer(12))
        #expect(perYear.map(\.hot) == [1, 1] && perYear.map(\.cold) == [0, 1])
        var o = EmergingOptions(events: "x.csv", cell: "25km", band: "50km"); o.by = "drug"
        #expect { try o.validate() } throws: { ($0 as? GeoError)?.hint?.contains("{by} year") == true }
    }

    @Test("an all-zero cube (a weight that is zero everywhere) has no variance: one clear error")
    func allZero() throws {
        let dir = TempDir()
        var o = EmergingOptions(events: trendCSV(dir), cell: "25km", step: "2months", band: "60km")
        o.crs = Self.crs; o.weight = "w"
        #expect { try emergingHotSpots(o) } throws: { e in
            let m = (e as? GeoError)?.message ?? ""
            return m.contains("every bin of the cube holds the same value (0.0)") && m.contains("no variance")
        }
    }
}
