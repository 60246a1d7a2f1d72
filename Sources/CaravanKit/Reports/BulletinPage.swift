import Foundation

/// The bulletin as one self-contained HTML page: styles inline, the overview map as inline SVG,
/// every picture as a data: URI (it can be mailed as one file and opened offline).
public enum BulletinPage {
    public static func html(_ d: BulletinData, generated: String, caravanVersion: String) -> String {
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(esc(d.title)) — \(d.from) to \(d.until)</title>
        <style>
        body{font-family:"Noto Sans",Arial,sans-serif;color:#1d2733;margin:0 auto;max-width:1000px;padding:18px 24px;font-size:14px}
        h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;border-bottom:2px solid #2c7fb8;padding-bottom:3px;margin:26px 0 8px}
        .sub{color:#5a6672;margin:0 0 14px}.figs{display:flex;gap:12px;flex-wrap:wrap}
        .fig{border:1px solid #d5dde5;border-radius:6px;padding:8px 14px;min-width:150px}.fig b{font-size:22px;display:block}
        table{border-collapse:collapse;width:100%;margin:4px 0}th,td{padding:3px 8px;border-bottom:1px solid #e3e8ee;text-align:left}
        th{background:#f2f5f8;font-weight:600}td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
        .up{color:#b2182b}.down{color:#2166ac}.note{color:#5a6672;font-size:12px}
        figure{margin:8px 0}figure img{max-width:100%;border:1px solid #d5dde5}figure svg{border:1px solid #d5dde5}
        figcaption{color:#5a6672;font-size:12px}
        @media print{body{max-width:none;padding:0}figure svg{max-height:17cm;width:auto!important;max-width:100%}h2{page-break-after:avoid}table,figure{page-break-inside:avoid}}
        </style></head><body>
        <h1>\(esc(d.title))</h1>
        <p class="sub">\(d.from) to \(d.until) (\(dayCount(d)) days), compared with \(d.previousFrom) to \(d.previousUntil). Made \(esc(generated)) by caravan \(esc(caravanVersion)).</p>
        <div class="figs">
        <div class="fig"><b>\(d.eventsNow)</b>seizures (\(change(d.eventsNow, d.eventsBefore)) on \(d.eventsBefore))</div>
        """
        if let w = d.weightName {
            h += "<div class=\"fig\"><b>\(num(d.weightNow))</b>\(esc(w)) (\(d.weightBefore > 0 ? pct(d.weightNow, d.weightBefore) : "none") before: \(num(d.weightBefore)))</div>\n"
        }
        h += "<div class=\"fig\"><b>\(d.hotPlaces.count)</b>places with hot spots at 95 %+</div>\n"
        h += "<div class=\"fig\"><b>\(d.unlistedTotal)</b>unlisted crossings</div>\n"
        h += "<div class=\"fig\"><b>\(d.unmatchedNow.count)</b>rows of the period not geocoded</div>\n</div>\n"

        h += "<h2>Map</h2>\n<figure>\(BulletinMap.svg(d))<figcaption>Seizures of the period (dots) and hot spots at 95 % or more (red: hot, blue: cold) over the countries and provinces.</figcaption></figure>\n"
        for p in d.pictures {
            h += "<figure><img alt=\"\(esc(p.name))\" src=\"data:\(p.mime);base64,\(p.data.base64EncodedString())\"><figcaption>\(esc(p.name))</figcaption></figure>\n"
        }

        h += "<h2>Seizures by country</h2>\n" + countTable(d.byCountry, d, first: "country", withCountry: false)
        if !d.byProvince.isEmpty || d.outsideProvinces > 0 {
            h += "<h2>Seizures by province</h2>\n" + countTable(Array(d.byProvince.prefix(20)), d, first: "province", withCountry: true)
            var notes: [String] = []
            if d.byProvince.count > 20 { notes.append("\(d.byProvince.count - 20) more provinces with seizures are not shown.") }
            if d.outsideProvinces > 0 { notes.append("\(d.outsideProvinces) seizures of the period lie outside every province or have no location.") }
            if !notes.isEmpty { h += "<p class=\"note\">\(notes.joined(separator: " "))</p>\n" }
        }

        h += "<h2>Strongest hot spots</h2>\n"
        if d.hotPlaces.isEmpty {
            h += "<p>No hot spot at 95 % confidence or more.</p>\n"
        } else {
            h += "<table><tr><th>near</th><th>country</th><th class=\"n\">cells at 95 %+</th><th class=\"n\">seizures in them</th><th class=\"n\">strongest GiZScore</th><th>confidence</th><th class=\"n\">lon, lat</th></tr>\n"
            for p in d.hotPlaces {
                h += "<tr><td>\(esc(p.place))</td><td>\(esc(p.country))</td><td class=\"n\">\(p.units)</td><td class=\"n\">\(num(p.events))</td><td class=\"n\">\(String(format: "%.2f", p.bestZ))</td><td>\(p.bestBin >= 3 ? "99 %" : "95 %")</td><td class=\"n\">\(String(format: "%.3f, %.3f", p.lon, p.lat))</td></tr>\n"
            }
            h += "</table>\n<p class=\"note\">\(d.hotUnits95) units hot and \(d.coldUnits95) cold at 95 % or more (Getis-Ord Gi*; a 95 % hot spot: so many seizures close together would happen by chance less than 1 time in 20). Each is named by the nearest town.</p>\n"
        }

        h += "<h2>Busiest border crossings</h2>\n" + crossingTable(d.busiest)
        h += "<h2>Unlisted crossings</h2>\n"
        h += d.unlisted.isEmpty ? "<p>Every crossing lies within reach of a known post.</p>\n"
            : "<p class=\"note\">\(d.unlistedTotal) crossings lie more than 10 km from any known post; the busiest:</p>\n" + crossingTable(d.unlisted)

        h += "<h2>Rows that could not be geocoded</h2>\n"
        if d.unmatchedNow.isEmpty {
            h += "<p>Every seizure of the period was placed on the map (\(d.unmatchedTotal) rows of the whole table were not).</p>\n"
        } else {
            h += "<table><tr><th class=\"n\">row</th><th>date</th><th>place as written</th><th>country</th><th>status</th></tr>\n"
            for u in d.unmatchedNow.prefix(50) {
                h += "<tr><td class=\"n\">\(u.row)</td><td>\(u.date)</td><td>\(esc(u.place))</td><td>\(esc(u.country))</td><td>\(esc(u.status))</td></tr>\n"
            }
            h += "</table>\n<p class=\"note\">\(d.unmatchedTotal) rows of the whole table are not geocoded; fix them in the geocoder's report (--report) and run the recipe again.</p>\n"
        }
        h += """
        <p class="note">Made with Natural Earth. Road and railway data © OpenStreetMap contributors (ODbL). Place names: GeoNames (CC BY 4.0). How each layer was made (options, inputs and outputs with SHA-256, versions): manifest.json beside this page.</p>
        </body></html>

        """
        return h
    }

    static func dayCount(_ d: BulletinData) -> Int {
        guard let a = RecipeDate(d.from), let b = RecipeDate(d.until) else { return 0 }
        return b.days - a.days + 1
    }

    static func countTable(_ rows: [BulletinData.Count], _ d: BulletinData, first: String, withCountry: Bool) -> String {
        var h = "<table><tr><th>\(first)</th>" + (withCountry ? "<th>country</th>" : "") + "<th class=\"n\">this period</th><th class=\"n\">previous</th><th class=\"n\">change</th>"
        if let w = d.weightName { h += "<th class=\"n\">\(esc(w))</th><th class=\"n\">previous</th>" }
        h += "</tr>\n"
        for r in rows {
            let cls = r.now > r.before ? "up" : r.now < r.before ? "down" : ""
            h += "<tr><td>\(esc(r.name))</td>" + (withCountry ? "<td>\(esc(r.country))</td>" : "") +
                "<td class=\"n\">\(r.now)</td><td class=\"n\">\(r.before)</td><td class=\"n \(cls)\">\(change(r.now, r.before))</td>"
            if d.weightName != nil { h += "<td class=\"n\">\(num(r.weightNow))</td><td class=\"n\">\(num(r.weightBefore))</td>" }
            h += "</tr>\n"
        }
        return h + "</table>\n"
    }

    static func crossingTable(_ rows: [BulletinData.Crossing]) -> String {
        guard !rows.isEmpty else { return "<p>No crossings given.</p>\n" }
        var h = "<table><tr><th>border</th><th>layer</th><th class=\"n\">routes</th><th class=\"n\">crossings</th><th>nearest known post</th><th class=\"n\">km</th><th class=\"n\">lon, lat</th></tr>\n"
        for x in rows {
            h += "<tr><td>\(esc(x.pair))</td><td>\(esc(x.layer))</td><td class=\"n\">\(x.routes)</td><td class=\"n\">\(x.crossings)</td><td>\(esc(x.post))\(x.unlisted ? " — <b>unlisted</b>" : "")</td><td class=\"n\">\(String(format: "%.1f", x.postKm))</td><td class=\"n\">\(String(format: "%.3f, %.3f", x.lon, x.lat))</td></tr>\n"
        }
        return h + "</table>\n"
    }

    /// "+3", "−2", "±0" (with the percentage when there was something before).
    static func change(_ now: Int, _ before: Int) -> String {
        let diff = now - before
        let sign = diff > 0 ? "+\(diff)" : diff < 0 ? "−\(-diff)" : "±0"
        return before > 0 ? "\(sign) (\(pct(Double(now), Double(before))))" : sign
    }
    static func pct(_ now: Double, _ before: Double) -> String {
        let p = (now - before) / before * 100
        return (p > 0 ? "+" : p < 0 ? "−" : "±") + String(format: "%.0f %%", abs(p))
    }
    static func num(_ v: Double) -> String { v == v.rounded() ? String(format: "%.0f", v) : String(format: "%.1f", v) }

    static func esc(_ s: String) -> String {
        var r = ""
        for c in s {
            switch c {
            case "&": r += "&amp;"
            case "<": r += "&lt;"
            case ">": r += "&gt;"
            case "\"": r += "&quot;"
            default: r.append(c)
            }
        }
        return r
    }
}

/// The overview map of the bulletin, drawn as SVG (equirectangular, scaled by the cosine of the
/// middle latitude): countries, provinces, hot spots at 95 %+, the period's seizures.
enum BulletinMap {
    static func svg(_ d: BulletinData, width: Double = 960) -> String {
        var ext = Envelope.empty
        for (g, _, focus) in d.countryShapes where focus { ext.expand(g.envelope) }
        if ext.isEmpty { for p in d.points { ext.expand(p.xy) }; for (g, _) in d.hotGeometries { ext.expand(g.envelope) } }
        if ext.isEmpty { ext = Envelope(minX: 46, minY: 29, maxX: 88, maxY: 56) }
        ext = ext.expanded(by: 0.5)
        let k = cos((ext.minY + ext.maxY) / 2 * .pi / 180)
        let scale = width / (ext.width * k)
        let height = (ext.height * scale).rounded()
        func x(_ p: XY) -> Double { ((p.x - ext.minX) * k * scale * 10).rounded() / 10 }
        func y(_ p: XY) -> Double { ((ext.maxY - p.y) * scale * 10).rounded() / 10 }
        func path(_ g: Geometry) -> String {
            var s = ""
            for ring in g.linework {
                var last: (Double, Double)?
                for (i, p) in ring.enumerated() {
                    let q = (x(p), y(p))
                    if let l = last, abs(l.0 - q.0) < 0.8 && abs(l.1 - q.1) < 0.8 && i != ring.count - 1 { continue }
                    s += (last == nil ? "M" : "L") + "\(q.0) \(q.1)"
                    last = q
                }
                s += "Z"
            }
            return s
        }
        var s = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" style=\"width:100%;height:auto;display:block\" role=\"img\" aria-label=\"overview map\">"
        s += "<rect width=\"100%\" height=\"100%\" fill=\"#eaf2f8\"/>"
        for (g, _, focus) in d.countryShapes where g.envelope.intersects(ext) {
            s += "<path d=\"\(path(g))\" fill=\"\(focus ? "#fbfaf5" : "#e6e4dc")\" stroke=\"#8a8f96\" stroke-width=\"0.8\"/>"
        }
        for g in d.provinceShapes where g.envelope.intersects(ext) {
            s += "<path d=\"\(path(g))\" fill=\"none\" stroke=\"#c3c7cc\" stroke-width=\"0.4\"/>"
        }
        for (g, bin) in d.hotGeometries {
            let fill = bin >= 3 ? "#d7301f" : bin == 2 ? "#fc8d59" : bin <= -3 ? "#2166ac" : "#67a9cf"
            s += "<path d=\"\(path(g))\" fill=\"\(fill)\" fill-opacity=\"0.75\" stroke=\"none\"/>"
        }
        for p in d.points {
            s += "<circle cx=\"\(x(p.xy))\" cy=\"\(y(p.xy))\" r=\"3.2\" fill=\"#252525\" stroke=\"#ffffff\" stroke-width=\"0.8\"/>"
        }
        for (g, name, focus) in d.countryShapes where focus && !name.isEmpty {
            let c = g.envelope.center
            s += "<text x=\"\(x(c))\" y=\"\(y(c))\" font-size=\"13\" fill=\"#4a525a\" text-anchor=\"middle\" font-family=\"Noto Sans,Arial,sans-serif\">\(BulletinPage.esc(name))</text>"
        }
        return s + "</svg>"
    }
}

/// Prints a page to PDF with headless Chromium (Debian's `chromium`).
public enum PagePrinter {
    public static func browser() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let p = "\(dir)/\(name)"
                if FileManager.default.isExecutableFile(atPath: p) { return p }
            }
        }
        return nil
    }

    /// Prints `html` (a file) to `pdf`, through a temporary file renamed when complete.
    public static func printPDF(html: String, to pdf: String) throws {
        guard let chrome = browser() else {
            throw GeoError(.unsupported, "no Chromium to print the PDF with", file: pdf, hint: "install it (apt-get install chromium), or leave out {pdf}")
        }
        let tmpDir = NSTemporaryDirectory() + "caravan-chromium-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        try? FileManager.default.createDirectory(atPath: tmpDir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: tmpDir) }
        let dir = URL(fileURLWithPath: pdf).deletingLastPathComponent().path
        let tmp = dir + "/.caravan-tmp-\(getpid())-pdf-" + (pdf as NSString).lastPathComponent
        let p = Process()
        p.executableURL = URL(fileURLWithPath: chrome)
        p.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--user-data-dir=\(tmpDir)", "--no-pdf-header-footer",
                       "--print-to-pdf=\(tmp)", URL(fileURLWithPath: html).absoluteString]
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        var env = ProcessInfo.processInfo.environment
        env["HOME"] = tmpDir
        p.environment = env
        do { try p.run() } catch { throw GeoError(.write, "cannot start \(chrome): \(error.localizedDescription)", file: pdf) }
        p.waitUntilExit()
        guard p.terminationStatus == 0, FileManager.default.fileExists(atPath: tmp) else {
            unlink(tmp)
            throw GeoError(.write, "Chromium could not print the page (exit \(p.terminationStatus))", file: pdf)
        }
        if rename(tmp, pdf) != 0 {
            unlink(tmp)
            throw GeoError(.write, "cannot move the PDF into place: \(String(cString: strerror(errno)))", file: pdf)
        }
    }
}

/// Writes the page safely (a temporary file renamed when complete; inputs never overwritten).
public func writeBulletin(_ html: String, to path: String, overwrite: Bool, inputs: [String]) throws {
    let out = try SafeOutput(target: path, overwrite: overwrite, inputs: inputs)
    guard FileManager.default.createFile(atPath: out.temporaryPath, contents: Data(html.utf8)) else {
        throw GeoError(.write, "cannot write the page", file: path)
    }
    try out.commit()
}
