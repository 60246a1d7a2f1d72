import CaravanKit
import Foundation
import Testing

/// The training day: `samples/recipes/training-day.yaml` is run once, every exercise's answer-key
/// numbers are computed here from caravan's outputs and compared with both handouts, and the
/// page for the bosses is opened in headless Chromium.
@Suite("Training day: answer keys produced by caravan, bulletin in Chromium", .serialized)
struct RunExercisesTests {
    /// The recipe is run once for the whole suite (Swift Testing makes a value per test).
    static let run: (out: String, log: String, error: String?) = {
        let out = NSTemporaryDirectory() + "caravan-training-\(UUID().uuidString)"
        do {
            let r = try caravan(["run", "samples/recipes/training-day.yaml", "-o", out])
            return (out, r.stderr, r.status == 0 ? nil : r.stderr)
        } catch { return (out, "", "\(error)") }
    }()
    var out: String { Self.run.out }
    var log: String { Self.run.log }

    init() throws {
        if let e = Self.run.error { throw GeoError(.invalidArgument, "training-day failed: \(e)") }
    }

    func properties(_ path: String) throws -> [[String: Any]] {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/" + path))) as? [String: Any]
        return ((d?["features"] as? [[String: Any]]) ?? []).compactMap { $0["properties"] as? [String: Any] }
    }

    /// The bold numbers of a handout's answer key, in order.
    func answerKey(_ exercise: String, _ language: String) throws -> (numbers: [String], text: String) {
        let text = try String(contentsOfFile: "\(packageRoot)/samples/exercises/\(exercise)/handout.\(language).md", encoding: .utf8)
        let marker = language == "ru" ? "## Ключ к ответам" : "## Answer key"
        guard let r = text.range(of: marker) else { return ([], text) }
        let key = String(text[r.upperBound...])
        var numbers: [String] = []
        var rest = Substring(key)
        while let a = rest.range(of: "**") {
            let after = rest[a.upperBound...]
            guard let b = after.range(of: "**") else { break }
            let token = String(after[..<b.lowerBound])
            if let c = token.first, c.isNumber { numbers.append(token) }
            rest = after[b.upperBound...]
        }
        return (numbers, text)
    }

    func check(_ exercise: String, _ expected: [String], names: [String] = []) throws {
        for lang in ["en", "ru"] {
            let (numbers, text) = try answerKey(exercise, lang)
            #expect(numbers == expected, "\(exercise)/handout.\(lang).md: the answer key says \(numbers), caravan says \(expected)")
            for n in names { #expect(text.contains(n), "\(exercise)/handout.\(lang).md does not name \(n)") }
            for part in [lang == "ru" ? "## История" : "## Story", lang == "ru" ? "## Показ" : "## Show", lang == "ru" ? "## Закрепление" : "## Consolidation", "ArcGIS Pro", "QGIS", "caravan "] {
                #expect(text.contains(part), "\(exercise)/handout.\(lang).md has no \(part)")
            }
        }
    }

    func statuses(_ path: String) throws -> [String: Int] {
        var c: [String: Int] = [:]
        for p in try properties(path) { c[p["match_status"] as? String ?? "", default: 0] += 1 }
        return c
    }

    func bulletin(_ hotspots: String? = nil) throws -> BulletinData {
        var o = BulletinOptions(events: out + "/seizures.gpkg", until: "2023-12-31", output: "unused")
        o.days = 92; o.weight = "amount_kg"; o.provinces = packageRoot + "/shapefiles/provinces.shp"
        o.hotspots = hotspots.map { out + "/" + $0 }
        return try makeBulletin(o)
    }

    @Test("01 geocoding: matched, ambiguous, unmatched, and after --extra")
    func geocoding() throws {
        let a = try statuses("01/week.geojson"), b = try statuses("01/week_fixed.geojson")
        #expect(a.values.reduce(0, +) == 30)
        try check("01-geocoding", ["\(a["matched"] ?? 0)", "\(a["ambiguous"] ?? 0)", "\(a["unmatched"] ?? 0)", "\(b["matched"] ?? 0)", "\(b["unmatched"] ?? 0)"])
        let report = try String(contentsOfFile: out + "/01/week_to_check.csv", encoding: .utf8)
        #expect(report.contains("Rasht") && report.contains("see above"))
    }

    @Test("02 provinces: the quarter, the quarter before, the top province and country")
    func provinces() throws {
        let d = try bulletin()
        let top = try #require(d.byProvince.first), country = try #require(d.byCountry.first)
        let gbao = try #require(d.byProvince.first { $0.name == "Gorno-Badakhshan" })
        try check("02-provinces", ["\(d.eventsNow)", "\(d.eventsBefore)", "\(top.now)", "\(gbao.now)", "\(country.now)"], names: [top.name, country.name])
        // The counts are the events' own: every event of the quarter is in one country row.
        #expect(d.byCountry.map(\.now).reduce(0, +) == d.eventsNow)
    }

    @Test("03 route density: cells with roads, highest density")
    func density() throws {
        let p = try properties("03/road_density.geojson")
        let highest = p.compactMap { $0["density"] as? Double }.max() ?? 0
        try check("03-route-density", ["\(p.count)", String(format: "%.3f", highest)])
    }

    @Test("04 crossings: crossing points, unlisted, the busiest")
    func crossings() throws {
        let p = try properties("04/road_crossings.geojson")
        let unlisted = p.filter { ($0["unlisted"] as? Int) == 1 }.count
        let busiest = try #require(p.max { a, b in
            ((a["routes"] as? Int) ?? 0, (a["crossings"] as? Int) ?? 0) < ((b["routes"] as? Int) ?? 0, (b["crossings"] as? Int) ?? 0)
        })
        try check("04-crossings", ["\(p.count)", "\(unlisted)", "\(busiest["routes"] as? Int ?? 0)", "\(busiest["crossings"] as? Int ?? 0)"],
                  names: [busiest["pair"] as? String ?? "?"])
    }

    @Test("05 hot spots: cells at 99 % and 95 %, without and with FDR")
    func hotspots() throws {
        func bins(_ path: String) throws -> (Int, Int) {
            let b = try properties(path).compactMap { $0["Gi_Bin"] as? Int }
            return (b.filter { $0 == 3 }.count, b.filter { $0 == 2 }.count)
        }
        let plain = try bins("05/hotspots.geojson"), fdr = try bins("05/hotspots_fdr.geojson")
        try check("05-hotspots", ["\(plain.0)", "\(plain.1)", "\(fdr.0)", "\(fdr.1)"])
        #expect(log.contains("\(try bulletin().eventsNow) events"))
    }

    @Test("06 KDE and the map: highest density, hot cells and their towns; the page opens in Chromium")
    func kdeAndMap() throws {
        // The highest density, as the kde step reported it.
        let kdeLine = try #require(log.split(separator: "\n").first { $0.contains("5 km cells, highest density") })
        let value = try #require(kdeLine.components(separatedBy: "highest density ").last?.split(separator: " ").first)
        let d = try bulletin("05/hotspots_fdr.geojson")
        try check("06-kde-and-map", [String(value), "\(d.hotUnits95)", "\(d.hotPlaces.count)"], names: [d.hotPlaces.first?.place ?? "?"])
        let page = out + "/06/map_for_the_bosses.html"
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("Seizures by province") && html.contains(d.hotPlaces[0].place) && html.contains("<svg"))
        #expect(!html.contains("src=\"http") && !html.contains("href=\"http"), "the page must be self-contained")
        let pdf = try Data(contentsOf: URL(fileURLWithPath: out + "/06/map_for_the_bosses.pdf"))
        #expect(pdf.starts(with: Data("%PDF".utf8)) && pdf.count > 10_000)
    }

    @Test("a bulletin with an embedded map loads in headless Chromium with no broken image, and prints")
    func chromium() throws {
        let dir = TempFolder()
        guard let browser = PagePrinter.browser() else { Issue.record("chromium is not installed (make test-deps installs it)"); return }
        // A picture for the page: the KDE surface as a PNG (GDAL's gdal_translate, installed by make deps).
        let png = dir.file("kde.png")
        _ = try shell("/usr/bin/gdal_translate", ["-q", "-of", "PNG", "-ot", "Byte", "-scale", out + "/06/kde.tif", png])
        let page = dir.file("b.html")
        var args = ["bulletin", out + "/seizures.gpkg", "--until", "2023-12-31", "--days", "92", "--provinces", "shapefiles/provinces.shp",
                    "--countries", "shapefiles/countries.shp", "--hotspots", out + "/05/hotspots_fdr.geojson", "--crossings", out + "/04/road_crossings.geojson",
                    "-o", page, "--pdf", dir.file("b.pdf")]
        if FileManager.default.fileExists(atPath: png) { args += ["--map", png] }
        let r = try caravan(args)
        #expect(r.status == 0, "\(r.stderr)")
        // Chromium loads the page with a probe that counts the images that did not decode.
        let probe = try String(contentsOfFile: page, encoding: .utf8).replacingOccurrences(of: "</body>", with: """
            <script>window.addEventListener('load',()=>{const i=[...document.images];document.body.setAttribute('data-images',i.length);document.body.setAttribute('data-broken',i.filter(x=>!x.complete||x.naturalWidth===0).length);});</script></body>
            """)
        let probed = dir.write("probe.html", probe)
        let profile = dir.file("chromium")
        let dom = try shell(browser, ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)", "--virtual-time-budget=3000", "--dump-dom", URL(fileURLWithPath: probed).absoluteString]) ?? ""
        #expect(dom.contains("data-broken=\"0\""), "Chromium found broken images or did not load the page")
        if FileManager.default.fileExists(atPath: png) { #expect(dom.contains("data-images=\"1\"")) }
        let shot = dir.file("shot.png")
        _ = try shell(browser, ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(profile)", "--window-size=1000,1400", "--screenshot=\(shot)", URL(fileURLWithPath: page).absoluteString])
        #expect(((try? FileManager.default.attributesOfItem(atPath: shot))?[.size] as? Int ?? 0) > 20_000)
        let pdf = try Data(contentsOf: URL(fileURLWithPath: dir.file("b.pdf")))
        #expect(pdf.starts(with: Data("%PDF".utf8)))
        if let info = try shell("/usr/bin/pdfinfo", [dir.file("b.pdf")]) {
            let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            #expect(pages >= 2)
        }
    }
}
