import CaravanKit
import Foundation
import Testing

/// `caravan cube` and `caravan emerging` end to end on the shipped seizures.
@Suite("caravan cube, caravan emerging — end to end", .serialized)
struct TrendsCommandsTests {
    @Test("the shipped seizures: a new corridor in 2023 and a diminishing crossing, by place name; ArcGIS's fields; netCDF and back")
    func seizures() throws {
        let dir = TempFolder()
        let g = try caravan(["geocode", "samples/events/seizures.csv", "--column", "place", "--country-column", "country", "-o", dir.file("s.gpkg")])
        #expect(g.status == 0)
        let e = try caravan(["emerging", dir.file("s.gpkg"), "--cell", "25km", "--step", "3months", "--band", "100km",
                             "-o", dir.file("em.geojson"), "--bins", dir.file("bins.csv")])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.contains("Locations by pattern"))
        #expect(e.stdout.contains("Murghob (TJ)") && e.stdout.contains("Consecutive Hot Spot"))
        // The diminishing Termez–Hairatan crossing: in the fixed regional grid its events fall in two
        // cells, neither hot at the end, but the trend of their z-scores is down (Mann–Kendall, 90 %).
        #expect(e.stderr.contains("12 steps of 3 months"))
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("em.geojson")))) as! [String: Any]
        let props = (d["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
        #expect(Set(props[0].keys) == ["LOCATION", "CATEGORY", "PATTERN", "TREND_Z", "TREND_P", "TREND_BIN", "NUM_HOT", "NUM_COLD", "col", "row", "count"])
        #expect(props.contains { $0["PATTERN"] as? String == "Consecutive Hot Spot" && $0["CATEGORY"] as? Int == 2 })
        let termez = (d["features"] as! [[String: Any]]).filter { f in
            let g = f["geometry"] as! [String: Any]
            var ring = g["coordinates"] as! [Any]
            while let inner = ring.first as? [Any], inner.first is [Any] { ring = inner }
            let pts = ring.compactMap { $0 as? [Double] }
            let lon = pts.map { $0[0] }.reduce(0, +) / Double(pts.count), lat = pts.map { $0[1] }.reduce(0, +) / Double(pts.count)
            return abs(lon - 67.28) < 0.35 && abs(lat - 37.22) < 0.3
        }.map { $0["properties"] as! [String: Any] }
        #expect(termez.contains { ($0["TREND_Z"] as? Double ?? 0) < 0 && ($0["TREND_BIN"] as? Int) == -1 && ($0["count"] as? Int ?? 0) > 50 },
                "\(termez)")
        // --by year: the yearly hot spots as a layer and as small multiples, one panel a year.
        let y = try caravan(["emerging", dir.file("s.gpkg"), "--cell", "25km", "--step", "1month", "--band", "100km",
                             "-o", dir.file("ey.gpkg"), "--by", "year", "--bins", dir.file("ey_bins.nc")])
        #expect(y.status == 0, "\(y.stderr)")
        #expect(y.stderr.contains("yearly hot spots written to \(dir.file("ey_by_year.gpkg")) and drawn in \(dir.file("ey_by_year.png"))"))
        #expect(y.stderr.contains("2021 ") && y.stderr.contains("2023 "))
        let years = try Dataset.open(dir.file("ey_by_year.gpkg")).layer(named: nil)
        #expect(years.schema.names.contains("year") && years.schema.names.contains("Gi_Bin"))
        #expect(FileManager.default.fileExists(atPath: dir.file("ey_by_year.png")) && FileManager.default.fileExists(atPath: dir.file("ey_bins.nc")))
        let bins = try String(contentsOfFile: dir.file("bins.csv"), encoding: .utf8)
        #expect(bins.hasPrefix("LOCATION,col,row,TIME_STEP,time_end,count,GiZScore,GiPValue,NNeighbors,Gi_Bin"))
        // The cube as netCDF, then emerging from it: the same patterns.
        let c = try caravan(["cube", dir.file("s.gpkg"), "--cell", "25km", "--step", "3months", "-o", dir.file("c.nc")])
        #expect(c.status == 0, "\(c.stderr)")
        let m = try #require(c.stderr.firstMatch(of: /in (\d+) locations × (\d+) steps/))
        #expect(c.stderr.contains("\(Int(m.1)! * Int(m.2)!) bins written"))
        let e2 = try caravan(["emerging", dir.file("c.nc"), "--band", "100km", "-o", dir.file("em2.geojson")])
        #expect(e2.status == 0, "\(e2.stderr)")
        let d2 = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("em2.geojson")))) as! [String: Any]
        let p2 = (d2["features"] as! [[String: Any]]).map { $0["properties"] as! [String: Any] }
        #expect(p2.map { $0["PATTERN"] as? String } == props.map { $0["PATTERN"] as? String })
    }

    @Test("bad input: one line and exit 1; a missing --band is a usage error")
    func badInput() throws {
        let dir = TempFolder()
        let csv = dir.write("e.csv", "id,when,lon,lat\n1,2023-01-01,68,40\n2,2023-02-01,68,40\n")
        let r = try caravan(["cube", csv, "--cell", "25km", "-o", dir.file("c.nc")])
        #expect(r.status == 1 && r.stderr.contains("no date column found among: id, when, lon, lat") && r.stderr.contains("hint: name it with --date-column"))
        let u = try caravan(["emerging", csv, "--cell", "25km", "--date-column", "when", "-o", dir.file("e.gpkg")])
        #expect(u.status == 64)
        let s = try caravan(["cube", csv, "--cell", "25km", "--date-column", "when", "--step", "2years", "-o", dir.file("c.nc")])
        #expect(s.status == 1 && s.stderr.contains("less than one step of 2 years") && !FileManager.default.fileExists(atPath: dir.file("c.nc")))
    }
}
