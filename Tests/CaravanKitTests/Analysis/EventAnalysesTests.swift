import Foundation
import Testing
@testable import CaravanKit

/// The event analyses' library entry points: hot spots, kernel density and counts per polygon.
@Suite("Event analyses: options, entry points and trust fixes")
struct EventAnalysesTests {
    struct Ev {
        var lon: Double, lat: Double, date: String, country: String, drug: String, kg: Double
        init(_ lon: Double, _ lat: Double, _ date: String, _ country: String, _ drug: String, _ kg: Double) {
            self.lon = lon; self.lat = lat; self.date = date; self.country = country; self.drug = drug; self.kg = kg
        }
    }

    /// Events as a CSV with id, lon, lat, date, country, drug, amount_kg.
    static func csv(_ rows: [Ev]) -> String {
        var s = "id,lon,lat,date,country,drug,amount_kg\n"
        for (i, r) in rows.enumerated() { s += "\(100 + i),\(r.lon),\(r.lat),\(r.date),\(r.country),\(r.drug),\(r.kg)\n" as String }
        return s
    }

    static func randomRows(_ n: Int, lon: ClosedRange<Double>, lat: ClosedRange<Double>, seed: UInt64) -> [Ev] {
        var rng = SeededRNG(seed: seed)
        var out: [Ev] = []
        for i in 0..<n {
            let x = Double.random(in: lon, using: &rng), y = Double.random(in: lat, using: &rng)
            let drug = i % 3 == 0 ? "heroin" : "hashish"
            out.append(Ev(x, y, "2023-0\(1 + i % 9)-1\(i % 10)", "KZ", drug, Double(i % 5) + 0.5))
        }
        return out
    }

    /// Two square "countries" side by side: AA (lon 66–68) and BB (lon 68–70), lat 40–42,
    /// each cut into two provinces at lat 41.
    static func polygons(_ dir: TempDir, provinces: Bool = false) -> String {
        func square(_ x0: Double, _ x1: Double, _ y0: Double, _ y1: Double) -> String {
            "[[[\(x0),\(y0)],[\(x1),\(y0)],[\(x1),\(y1)],[\(x0),\(y1)],[\(x0),\(y0)]]]"
        }
        var features: [String] = []
        if provinces {
            let list: [(String, String, String, Double, Double, Double, Double)] = [
                ("AA", "Tashkent", "Toshkent Shahri", 66, 68, 40, 41), ("AA", "Tashkent", "Toshkent Viloyati", 66, 68, 41, 42),
                ("BB", "Osh", "Osh Oblasty", 68, 70, 40, 41), ("BB", "Naryn", "Naryn Oblasty", 68, 70, 41, 42)]
            for (c, n, g, x0, x1, y0, y1) in list {
                features.append(#"{"type":"Feature","properties":{"iso_a2":"\#(c)","name":"\#(n)","gn_name":"\#(g)"},"geometry":{"type":"Polygon","coordinates":\#(square(x0, x1, y0, y1))}}"#)
            }
        } else {
            for (c, x0, x1) in [("AA", 66.0, 68.0), ("BB", 68.0, 70.0)] {
                features.append(#"{"type":"Feature","properties":{"iso_a2":"\#(c)","name":"\#(c == "AA" ? "Aland" : "Bland")"},"geometry":{"type":"Polygon","coordinates":\#(square(x0, x1, 40, 42))}}"#)
            }
        }
        return dir.write(provinces ? "provinces.geojson" : "countries.geojson", #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}")
    }

    @Test("the default analysis CRS is fixed for the region: two subsets give identical col,row at identical positions")
    func stableGrid() throws {
        let dir = TempDir()
        let west = dir.write("w.csv", Self.csv(Self.randomRows(200, lon: 60...66, lat: 38...42, seed: 1)))
        let east = dir.write("e.csv", Self.csv(Self.randomRows(200, lon: 64...78, lat: 40...46, seed: 2)))
        let a = try aggregateEvents(try Dataset.open(west).layer(named: nil), to: .grid(.square(size: 25_000), studyArea: nil))
        let b = try aggregateEvents(try Dataset.open(east).layer(named: nil), to: .grid(.square(size: 25_000), studyArea: nil))
        #expect(a.crs.name == "Caravan Central Asia Albers" && a.crs == b.crs)
        let ascii = a.crs.name.allSatisfy(\.isASCII)
        #expect(ascii)
        // Cells of both runs: the same col,row is the same place.
        let toLL = try Transformer(from: a.crs, to: .wgs84), toLL2 = try Transformer(from: b.crs, to: .wgs84)
        var shared = 0
        let bCells = Dictionary(uniqueKeysWithValues: zip(b.cells!, b.positions))
        for (c, p) in zip(a.cells!, a.positions) {
            guard let q = bCells[c] else { continue }
            shared += 1
            let la = try toLL.transform(p), lb = try toLL2.transform(q)
            #expect(la == lb)
        }
        #expect(shared > 30)
        // And the same point falls in the same cell.
        let probe = try Transformer(from: .wgs84, to: a.crs).transform(XY(65, 41))
        #expect(Tessellation.square(size: 25_000).cell(containing: probe) == Tessellation.square(size: 25_000).cell(containing: try Transformer(from: .wgs84, to: b.crs).transform(XY(65, 41))))
        // Outside the region: centred on the data, named in ASCII.
        let far = CRS.analysisCRS(for: Envelope(minX: 10, minY: 45, maxX: 12, maxY: 47))
        #expect(far.name == "Caravan LAEA 46.0N 11.0E" && !far.isRegional)
    }

    @Test("hot spots: one entry point, ArcGIS's fields with meanings, Gi_Bin's seven classes, metadata naming the CRS")
    func hotSpotLayer() throws {
        let dir = TempDir()
        var rows = Self.randomRows(300, lon: 66...70, lat: 40...42, seed: 3)
        rows += (0..<80).map { _ in Ev(67.5, 41.0, "2023-05-01", "AA", "heroin", 1.0) }
        var o = HotSpotOptions(events: dir.write("e.csv", Self.csv(rows)))
        o.cell = "25km"; o.band = "75km"
        let out = try hotSpots(o)
        let l = out.layers[0]
        #expect(l.fields.map(\.name) == ["SOURCE_ID", "col", "row", "count", "GiZScore", "GiPValue", "NNeighbors", "Gi_Bin"])
        let bin = l.field("Gi_Bin")!
        #expect(bin.role == .confidenceBin)
        #expect(bin.classes?.map(\.value) == ["-3", "-2", "-1", "0", "1", "2", "3"])
        #expect(bin.classes?.map(\.colour) == ["#4575B5", "#849EBA", "#C0CCBE", "#FFFFBF", "#FAB984", "#ED7551", "#D62F27"])
        #expect(bin.classes!.allSatisfy { $0.labelRussian != nil })
        #expect(l.metadata["analysis_crs"] == "Caravan Central Asia Albers")
        #expect(out.summary.contains { $0.contains("Caravan Central Asia Albers") })
        #expect(out.figures["events"] == 380 && out.figures["hot"]! > 0)
        // The top table: the nearest town and the events in the neighbourhood, not only in the cell.
        let t = out.tables[0]
        #expect(t.columns.contains("near") && t.columns.contains("events within 75 km"))
        let nearIndex = t.columns.firstIndex(of: "near")!, inIt = t.columns.firstIndex(of: "events in it")!, around = t.columns.firstIndex(of: "events within 75 km")!
        #expect(t.rows.allSatisfy { !$0[nearIndex].isEmpty && $0[nearIndex] != "-" })
        #expect(t.rows.allSatisfy { Int($0[around])! >= Int($0[inIt])! })
        #expect(t.rows.contains { Int($0[around])! > Int($0[inIt])! })
        // Written by the one writer.
        let w = try ResultWriter.write(l, to: dir.file("h.geojson"))
        #expect(w.features == l.count)
    }

    @Test("hot spots: errors name the input; --cell without unit, --polygons with --cell refused; --knn capped with a warning")
    func messages() throws {
        let dir = TempDir()
        let one = dir.write("seizure_single.csv", Self.csv([Ev(67, 41, "2023-01-01", "KZ", "heroin", 1)]))
        var o = HotSpotOptions(events: one); o.cell = "25km"; o.band = "100km"
        let e = try #require(throws: GeoError.self) { try hotSpots(o) }
        #expect(e.message.contains("Gi* needs at least 3 features: seizure_single.csv has 1 event"))
        var bare = HotSpotOptions(events: one); bare.cell = "25"
        let u = try #require(throws: GeoError.self) { try bare.validate() }
        #expect(u.message.contains("no unit") && (u.hint ?? "").contains("25km"))
        var both = HotSpotOptions(events: one); both.cell = "25km"; both.polygons = Self.polygons(dir)
        let b = try #require(throws: GeoError.self) { try both.validate() }
        #expect(b.message.contains("{polygons} with {cell}"))
        let noCoords = dir.write("nocoords.csv", "id,place\n1,Osh\n2,Naryn\n")
        let n = try #require(throws: GeoError.self) { try hotSpots({ var x = HotSpotOptions(events: noCoords); x.cell = "25km"; return x }()) }
        #expect(n.message.contains("geocode it first") && (n.hint ?? "").contains("caravan geocode") && !(n.hint ?? "").contains("{sSrs}"))
        let few = dir.write("few.csv", Self.csv(Self.randomRows(12, lon: 66...70, lat: 40...42, seed: 8)))
        var k = HotSpotOptions(events: few); k.polygons = Self.polygons(dir, provinces: true); k.knn = 10
        let out = try hotSpots(k)
        #expect(out.warnings.contains { $0.contains("{knn} 10 is more than the 3 other polygons: using 3") })
    }

    @Test("border check: events in another country's polygon are counted and listed; --assign-by trusts the row")
    func borderCheck() throws {
        let dir = TempDir()
        // 10 events of AA, 3 of them just across the border in BB; 5 of BB; 2 outside both (one AA, one BB).
        var rows: [Ev] = []
        for i in 0..<7 { rows.append(Ev(67 + Double(i) * 0.1, 41, "2023-01-0\(i + 1)", "AA", "heroin", 2)) }
        for i in 0..<3 { rows.append(Ev(68.05 + Double(i) * 0.01, 40.5, "2023-02-0\(i + 1)", "AA", "hashish", 10)) }
        for i in 0..<5 { rows.append(Ev(69 + Double(i) * 0.1, 41.5, "2023-03-0\(i + 1)", "BB", "heroin", 1)) }
        rows.append(Ev(65.5, 41, "2023-04-01", "AA", "heroin", 1)); rows.append(Ev(70.5, 41, "2023-04-02", "BB", "heroin", 1))
        let events = dir.write("e.csv", Self.csv(rows))
        var o = CountOptions(events: events, polygons: Self.polygons(dir)); o.weight = "amount_kg"
        let plain = try countEvents(o)
        #expect(plain.figures["events_AA"] == 7 && plain.figures["events_BB"] == 8)
        #expect(plain.figures["other_country"] == 3 && plain.figures["outside"] == 2)
        #expect(plain.summary.contains { $0.contains("3 events lie in another country's polygon than their 'country' says (3 AA in BB)") })
        #expect(plain.summary.contains { $0.contains("2 events fall outside every polygon: row 16 (id 115), row 17 (id 116)") })
        o.assignBy = "country"; o.report = dir.file("r.csv")
        let trusted = try countEvents(o)
        #expect(trusted.figures["events_AA"] == 11 && trusted.figures["events_BB"] == 6)
        #expect(trusted.figures["outside"] == 0 && trusted.figures["reassigned"] == 5)
        let report = try #require(trusted.layers.first { $0.name == "report" })
        #expect(report.count == 5)
        let rowField = report.fieldIndex("row")!, status = report.fieldIndex("status")!
        #expect(Set((0..<report.count).map { report.values($0)[rowField] }) == Set([8, 9, 10, 16, 17].map { FieldValue.integer($0) }))
        #expect((0..<report.count).allSatisfy { report.values($0)[status] == .string("counted in the row's country") || report.values($0)[status] == .string("outside every polygon; counted in the row's country") })
        // The report gives each event where its row put it, not the analysis CRS's round trip (44.22335000000004).
        for i in 0..<report.count {
            guard case .integer(let fid) = report.values(i)[rowField], case .point(let p)? = try report.geometry(i) else { Issue.record("row \(i)"); continue }
            let input = rows[Int(fid) - 1]
            #expect(p.x == Double("\(input.lon)") && p.y == Double("\(input.lat)"), "row \(fid): \(p) for \(input.lon), \(input.lat)")
        }
    }

    @Test("count per province: polygon fields kept, unique names, per drug and month, sums with their unit")
    func countPerProvince() throws {
        let dir = TempDir()
        let rows: [Ev] = [
            Ev(67, 40.5, "2023-01-05", "AA", "heroin", 2), Ev(67.2, 40.5, "2023-01-20", "AA", "heroin", 3),
            Ev(67, 40.6, "2023-02-01", "AA", "hashish", 1.5), Ev(67, 41.5, "12.02.2023", "AA", "heroin", 4),
            Ev(69, 40.5, "not a date", "BB", "heroin", 1), Ev(69, 41.5, "2023-03-01", "BB", "opium", 7)]
        var o = CountOptions(events: dir.write("e.csv", Self.csv(rows)), polygons: Self.polygons(dir, provinces: true))
        o.weight = "amount_kg"
        let totals = try countEvents(o)
        let l = totals.layers[0]
        #expect(l.fields.map(\.name) == ["iso_a2", "name", "gn_name", "unit_name", "count", "sum_amount_kg", "other_country"])
        let names = (0..<l.count).map { l.values($0)[3] }
        #expect(names == [.string("Tashkent (AA, city)"), .string("Tashkent region"), .string("Osh"), .string("Naryn")])
        #expect((0..<l.count).map { l.values($0)[4] } == [.integer(3), .integer(1), .integer(1), .integer(1)])
        #expect(l.values(0)[5] == .real(6.5))
        #expect(l.field("sum_amount_kg")?.unit == "kg")
        #expect(totals.tables[0].rows[0][0] == "Tashkent (AA, city)" && totals.tables[0].rows[0][2] == "3")
        o.by = "drug"; o.period = "month"
        let grouped = try countEvents(o)
        let g = grouped.layers[0]
        let drug = g.fieldIndex("drug")!, period = g.fieldIndex("period")!, count = g.fieldIndex("count")!, unit = g.fieldIndex("unit_name")!
        let triples = (0..<g.count).map { i in [g.values(i)[unit], g.values(i)[drug], g.values(i)[period], g.values(i)[count]].map(\.description) }
        #expect(triples.contains(["Tashkent (AA, city)", "heroin", "2023-01", "2"]))
        #expect(triples.contains(["Tashkent region", "heroin", "2023-02", "1"]))
        #expect(triples.contains(["Osh", "heroin", "(no date)", "1"]))
        // The unreadable date is reported with its row, not dropped silently.
        #expect(grouped.warnings.contains { $0.contains("1 of 6 rows have no readable date in 'date'") && $0.contains("row 5") && $0.contains("not a date") })
        // A period leaves the undated row out, and says so.
        o.by = nil; o.period = nil; o.from = "2023-02-01"
        let since = try countEvents(o)
        #expect(since.figures["events"] == 3 && since.figures["outside_period"] == 2 && since.figures["undated"] == 1)
        #expect(since.warnings.contains { $0.contains("left out of the period") })
    }

    @Test("kernel density: zero inside is 0, NoData only outside the study area; the unit stated; negative weights refused naming the row")
    func kde() throws {
        let dir = TempDir()
        let rows: [Ev] =
            [Ev(67, 41, "2023-01-01", "AA", "heroin", 2), Ev(67.05, 41.02, "2023-01-02", "AA", "heroin", 3), Ev(69.5, 40.5, "2023-01-03", "BB", "opium", 1)]
        var o = KDEOptions(events: dir.write("e.csv", Self.csv(rows)))
        o.cell = "5km"; o.radius = "20km"; o.weight = "amount_kg"
        o.studyArea = Self.polygons(dir)
        let out = try kernelDensity(o)
        let raster = try #require(out.layers[0].raster)
        #expect(raster.unit == "kg per km²" && out.summary.contains { $0.contains("kg per km²") })
        let v = raster.grid.values
        #expect(v.contains(0))                      // analysed cells with no event within r
        #expect(v.contains(-9999) == false || v.filter { $0 == -9999 }.count < v.count / 2)
        try ResultWriter.write(out.layers[0], to: dir.file("k.tif"))
        let back = try RasterGrid.read(dir.file("k.tif"))
        #expect(back.values.contains(0) && back.values.filter { $0 > 0 }.count == v.filter { $0 > 0 }.count)
        // Without a study area nothing is NoData.
        o.studyArea = nil
        let plain = try kernelDensity(o)
        #expect(!plain.layers[0].raster!.grid.values.contains(-9999))
        #expect(plain.layers[0].raster!.grid.values.contains(0))
        // Negative weights.
        let neg = dir.write("n.csv", Self.csv([Ev(67, 41, "2023-01-01", "AA", "heroin", 2), Ev(67.1, 41, "2023-01-01", "AA", "heroin", -1)]))
        var n = KDEOptions(events: neg); n.cell = "5km"; n.radius = "20km"; n.weight = "amount_kg"
        let e = try #require(throws: GeoError.self) { try kernelDensity(n) }
        #expect(e.message.contains("row 2") && e.message.contains("negative"))
    }

    @Test("hot spots select events with --where, --from and --to; a bad bound names its flag")
    func selection() throws {
        let dir = TempDir()
        let path = dir.write("e.csv", Self.csv(Self.randomRows(270, lon: 66...70, lat: 40...42, seed: 11)))
        var o = HotSpotOptions(events: path); o.cell = "50km"; o.band = "150km"
        let all = try hotSpots(o)
        #expect(all.figures["events"] == 270)
        o.where = "drug = 'heroin'"
        #expect(try hotSpots(o).figures["events"] == 90)
        o.where = nil; o.from = "2023-03-01"; o.to = "2023-05-31"
        let spring = try hotSpots(o)
        // Months 1…9 in turn: March, April and May are a third of the rows.
        #expect(spring.figures["events"] == 90 && spring.figures["outside_period"] == 180)
        #expect(spring.summary.contains { $0.contains("by 'date'") })
        o.from = "31.02.2023"
        let e = try #require(throws: GeoError.self) { try hotSpots(o) }
        #expect(e.message.contains("{from}"))
    }

    @Test("nearest place: the largest town near a point, and the province around it")
    func nearestPlace() throws {
        let near = try NearestPlace(provinces: repositoryRoot + "/shapefiles/provinces.shp")
        // 3 km from Dushanbe's centre: Dushanbe (population 679,400) beats every village around.
        let d = near.find(LonLat(lon: 68.80, lat: 38.52))
        #expect(d.town == "Dushanbe" && d.province == "Dushanbe" && d.country == "TJ" && d.distance < 5_000)
        #expect(near.describe(LonLat(lon: 68.80, lat: 38.52)) == "Dushanbe, Dushanbe, TJ")
        // West of Khorgos, in Almaty province: the largest Kazakh town within 25 km (Zharkent,
        // 24 km), not Qarasu (China, 71,446 people) across the border 8 km away.
        let k = near.find(LonLat(lon: 80.30, lat: 44.22))
        #expect(k.town == "Zharkent" && k.province == "Almaty" && k.country == "KZ", "\(k)")
        #expect(near.town(near: LonLat(lon: 80.30, lat: 44.22))?.place.name == "Qarasu")
        // Far from any town: the nearest one, with its distance.
        let far = near.find(LonLat(lon: 58.0, lat: 44.5))
        #expect(far.town != nil && far.distance > 25_000 && far.label.contains(" km)"))
    }

    @Test("unique names: duplicates get their country, their kind, or their other name")
    func uniqueNames() {
        let names = UniqueNames.make([
            .init(name: "Tashkent", country: "UZ", alternate: "Toshkent Shahri"), .init(name: "Tashkent", country: "UZ", alternate: "Toshkent Viloyati"),
            .init(name: "Parwan", country: "AF", alternate: "Parwan"), .init(name: "Parwan", country: "AF", alternate: "Panjshir"),
            .init(name: "Osh", country: "KG", alternate: "Osh Oblasty"), .init(name: "Georgia", country: "GE"), .init(name: "Georgia", country: "US")])
        #expect(names == ["Tashkent (UZ, city)", "Tashkent region", "Parwan", "Parwan (Panjshir)", "Osh", "Georgia (GE)", "Georgia (US)"])
    }
}
