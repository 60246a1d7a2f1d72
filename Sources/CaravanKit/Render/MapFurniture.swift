import Foundation

/// What makes a map readable beyond its layers: graticule, scale bar, north arrow, place
/// names, legend, title and the attribution line.
extension MapRenderer {
    var ru: Bool { lang == .ru }

    // MARK: graticule

    func graticuleStep(_ view: MapView) -> Double {
        let e = view.lonLatEnvelope()
        // At most one labelled line per ~110 design units of frame width.
        let wanted = e.width / max(1, view.frame.w / (110 * u))
        return [1.0, 2, 5, 10, 15, 20, 30].first { $0 >= wanted } ?? 30
    }

    /// Meridians and parallels as faint lines, and (with `labels`) their degrees at the frame's edges.
    func drawGraticule(_ c: Canvas, _ view: MapView, labels: Bool) {
        var p = LabelPlacer(bounds: view.frame)
        drawGraticule(c, view, labels: labels, placer: &p)
    }

    func drawGraticule(_ c: Canvas, _ view: MapView, labels: Bool, placer: inout LabelPlacer) {
        let step = graticuleStep(view)
        let e = view.lonLatEnvelope()
        let lons = stride(from: (e.minX / step).rounded(.down) * step, through: e.maxX, by: step).map { $0 }
        let lats = stride(from: max(-80, (e.minY / step).rounded(.down) * step), through: min(85, e.maxY), by: step).map { $0 }
        let f = view.frame
        let font = Canvas.Font(size: 12 * u)
        let ink = RGBA(0.35, 0.38, 0.45)
        func degrees(_ v: Double, _ pos: String, _ neg: String) -> String {
            let s = v == v.rounded() ? String(Int(abs(v))) : String(format: "%.1f", abs(v))
            return "\(s)°\(v >= 0 ? pos : neg)"
        }
        for (isLon, values) in [(true, lons), (false, lats)] {
            for v in values {
                var pts: [XY] = isLon ? stride(from: max(-80, e.minY - 2), through: min(85, e.maxY + 2), by: 0.25).map { XY(v, $0) }
                                      : stride(from: e.minX - 2, through: e.maxX + 2, by: 0.25).map { XY($0, v) }
                guard (try? view.fromLonLat.transform(&pts)) != nil, pts.count > 1 else { continue }
                let cp = pts.map { view.canvas($0) }
                if !labels {
                    c.moveTo(cp[0].0, cp[0].1)
                    for q in cp.dropFirst() { c.lineTo(q.0, q.1) }
                    c.set(RGBA(0.45, 0.5, 0.6, 0.22)); c.lineWidth(0.8 * u); c.stroke()
                    continue
                }
                // Where the line crosses the frame's edges: a tick and its label inside.
                let text = isLon ? degrees(v, ru ? "в.д." : "E", ru ? "з.д." : "W") : degrees(v, ru ? "с.ш." : "N", ru ? "ю.ш." : "S")
                let m = c.measure(text, font)
                for i in 1..<cp.count {
                    let (x0, y0) = cp[i - 1], (x1, y1) = cp[i]
                    if isLon {
                        for edge in [f.maxY, f.y] where (y0 - edge) * (y1 - edge) <= 0 && y0 != y1 {
                            let x = x0 + (x1 - x0) * (edge - y0) / (y1 - y0)
                            guard x > f.x + 30 * u, x < f.maxX - 30 * u else { continue }
                            let down = edge == f.y
                            c.line(x, edge, x, edge + (down ? 7 : -7) * u, ink, width: 1.2 * u)
                            let b = Box(x: x - m.w / 2, y: down ? edge + 8 * u : edge - 8 * u - m.h, w: m.w, h: m.h)
                            if placer.isFree(b) {
                                placer.block(b)
                                c.text(text, x: b.x, y: b.y, font: font, colour: ink, halo: .white.with(alpha: 0.8), haloWidth: 3 * u)
                            }
                        }
                    } else {
                        for edge in [f.x, f.maxX] where (x0 - edge) * (x1 - edge) <= 0 && x0 != x1 {
                            let y = y0 + (y1 - y0) * (edge - x0) / (x1 - x0)
                            guard y > f.y + 20 * u, y < f.maxY - 20 * u else { continue }
                            let right = edge == f.x
                            c.line(edge, y, edge + (right ? 7 : -7) * u, y, ink, width: 1.2 * u)
                            let b = Box(x: right ? edge + 9 * u : edge - 9 * u - m.w, y: y - m.h / 2, w: m.w, h: m.h)
                            if placer.isFree(b) {
                                placer.block(b)
                                c.text(text, x: b.x, y: b.y, font: font, colour: ink, halo: .white.with(alpha: 0.8), haloWidth: 3 * u)
                            }
                        }
                    }
                }
            }
        }
    }

    // MARK: scale bar and north arrow

    /// The scale bar's length in km, its length on the canvas, and its box (bottom left of the frame).
    func scaleBar(_ view: MapView) -> (km: Double, length: Double)? {
        guard let perUnit = view.groundMetresPerUnit(at: view.world.center) else { return nil }
        let target = view.frame.w * 0.18
        // Canvas units per km on the ground at the map's centre.
        let perKm = 1000 / perUnit * view.k
        let nice: [Double] = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000]
        let km = nice.min { abs($0 * perKm - target) < abs($1 * perKm - target) } ?? 100
        return (km, km * perKm)
    }

    func scaleBarBox(_ view: MapView) -> Box {
        let len = scaleBar(view)?.length ?? 100 * u
        return Box(x: view.frame.x + 12 * u, y: view.frame.maxY - 58 * u, w: len + 36 * u, h: 48 * u)
    }

    func northArrowBox(_ view: MapView) -> Box {
        Box(x: view.frame.maxX - 58 * u, y: view.frame.y + 10 * u, w: 48 * u, h: 66 * u)
    }

    func drawScaleBar(_ c: Canvas, _ view: MapView, in box: Box) {
        guard let (km, len) = scaleBar(view) else { return }
        c.rect(box, fill: .white.with(alpha: 0.85), stroke: RGBA(0.7, 0.7, 0.7), width: 0.8 * u)
        let x0 = box.x + 14 * u, y = box.y + 30 * u, hgt = 7 * u
        for i in 0..<4 {
            let w = len / 4
            c.rect(Box(x: x0 + Double(i) * w, y: y, w: w, h: hgt), fill: i % 2 == 0 ? RGBA(0.15, 0.15, 0.15) : .white,
                   stroke: RGBA(0.15, 0.15, 0.15), width: 0.8 * u)
        }
        let font = Canvas.Font(size: 12 * u)
        func num(_ v: Double) -> String { v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v) }
        for (i, v) in [0, km / 2, km].enumerated() where i != 1 || len > 150 * u {
            let s = i == 2 ? "\(num(v)) \(ru ? "км" : "km")" : num(v)
            let m = c.measure(s, font)
            let x = x0 + len * Double(i) / 2 - (i == 2 ? m.w * 0.3 : m.w / 2)
            c.text(s, x: min(x, box.maxX - m.w - 2 * u), y: y - m.h - 2 * u, font: font, colour: RGBA(0.15, 0.15, 0.15))
        }
    }

    func drawNorthArrow(_ c: Canvas, _ view: MapView, in box: Box) {
        let cx = box.x + box.w / 2, cy = box.y + box.h / 2 + 8 * u
        let a = view.northAngle(at: cx, cy)
        c.rect(box, fill: .white.with(alpha: 0.85), stroke: RGBA(0.7, 0.7, 0.7), width: 0.8 * u)
        c.save()
        let len = 20 * u, half = 8 * u
        func rot(_ x: Double, _ y: Double) -> (Double, Double) { (cx + x * cos(a) - y * sin(a), cy + x * sin(a) + y * cos(a)) }
        let tip = rot(0, -len), l = rot(-half, len * 0.7), r = rot(half, len * 0.7), mid = rot(0, len * 0.35)
        c.moveTo(tip.0, tip.1); c.lineTo(l.0, l.1); c.lineTo(mid.0, mid.1); c.closePath()
        c.set(RGBA(0.15, 0.15, 0.15)); c.fill()
        c.moveTo(tip.0, tip.1); c.lineTo(r.0, r.1); c.lineTo(mid.0, mid.1); c.closePath()
        c.set(RGBA(0.55, 0.55, 0.55)); c.fill()
        c.restore()
        let font = Canvas.Font(size: 14 * u, bold: true)
        let n = ru ? "С" : "N"
        let m = c.measure(n, font)
        let t = rot(0, -len - 9 * u)
        c.text(n, x: t.0 - m.w / 2, y: t.1 - m.h / 2, font: font, colour: RGBA(0.15, 0.15, 0.15))
    }

    // MARK: place names

    func drawCountryNames(_ c: Canvas, _ projected: [(BaseMap.Country, [[XY]])], _ view: MapView, _ placer: inout LabelPlacer) {
        // Largest first: the point of each country's biggest part nearest its centre that lies inside the frame.
        var items: [(String, Double, Double, Double, Bool)] = []
        for (country, _) in projected {
            guard let pg = try? view.fromLonLat.transform(country.geometry) else { continue }
            let clipped = (try? pg.clipped(to: view.world.expanded(by: -view.world.width * 0.03))) ?? pg
            let parts: [[[XY]]] = polygons(clipped)
            guard let biggest = parts.max(by: { ringArea($0[0]) < ringArea($1[0]) }), let shell = biggest.first else { continue }
            let area = ringArea(shell) * view.k * view.k
            guard area > 2500 * u * u else { continue }
            let pos = (try? Geometry.polygon(biggest).centroid()) ?? Envelope.of(shell).center
            items.append((view.countryLabel(country, base, lang), view.x(pos.x), view.y(pos.y), area, country.role == "focus"))
        }
        for it in items.sorted(by: { ($0.4 ? 1 : 0, $0.3) > ($1.4 ? 1 : 0, $1.3) }) {
            let font = Canvas.Font(size: (it.4 ? 19 : 16) * u, bold: it.4, italic: !it.4)
            let text = it.4 ? it.0.uppercased() : it.0
            let m = c.measure(text, font)
            if let b = placer.placeCentred(x: it.1, y: it.2, w: m.w, h: m.h) {
                c.text(text, x: b.x, y: b.y, font: font, colour: it.4 ? RGBA(0.36, 0.30, 0.22, 0.85) : RGBA(0.42, 0.42, 0.42),
                       halo: .white.with(alpha: 0.6), haloWidth: 3 * u)
            }
        }
    }

    func ringArea(_ r: [XY]) -> Double {
        var a = 0.0
        for i in 0..<max(0, r.count - 1) { a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y }
        return abs(a) / 2
    }

    /// Capitals first, then by population; as many as `--labels` (default by picture size) that fit.
    func drawTowns(_ c: Canvas, _ view: MapView, _ placer: inout LabelPlacer, single: Bool) {
        // About one town per 60,000 design units² (30 on a 1920×1080 slide, 23 on A4).
        let defaultN = max(6, min(60, Int(Double(width * height) / (u * u * 60_000))))
        let limit = options.labels ?? (single ? defaultN : defaultN / 3)
        guard limit > 0 else { return }
        let e = view.lonLatEnvelope()
        let focusCodes = Set((options.focus ?? "KZ,KG,TJ,TM,UZ,AF").uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        // Capitals of the focus states, other capitals, the focus states' towns, then the rest.
        func rank(_ t: BaseMap.Town) -> Int { (t.capital ? 2 : 0) + (focusCodes.contains(t.country) ? 1 : 0) + (t.capital && focusCodes.contains(t.country) ? 2 : 0) }
        let candidates = base.towns.filter { e.contains($0.location.xy) }
            .sorted { (rank($0), $0.population) > (rank($1), $1.population) }
        var placed = 0
        for t in candidates.prefix(limit * 6) {
            guard placed < limit, let p = try? view.fromLonLat.transform(t.location.xy) else { continue }
            let x = view.x(p.x), y = view.y(p.y)
            let r = (t.capital ? 5 : 3.2) * u
            let dot = Box(x: x - r, y: y - r, w: 2 * r, h: 2 * r)
            guard placer.isFree(dot) else { continue }
            let font = Canvas.Font(size: (t.capital ? 16 : 14) * u, bold: t.capital)
            let name = ru ? t.nameRussian : t.name
            let m = c.measure(name, font)
            placer.block(dot)
            guard let b = placer.place(x: x, y: y, w: m.w, h: m.h, r: r) else { continue }
            if t.capital {
                c.circle(x, y, r, fill: .white, stroke: RGBA(0.1, 0.1, 0.1), width: 1.6 * u)
                c.circle(x, y, r * 0.45, fill: RGBA(0.1, 0.1, 0.1))
            } else {
                c.circle(x, y, r, fill: RGBA(0.15, 0.15, 0.15), stroke: .white, width: 1 * u)
            }
            c.text(name, x: b.x, y: b.y, font: font, colour: RGBA(0.1, 0.1, 0.1), halo: .white.with(alpha: 0.85), haloWidth: 3.2 * u)
            placed += 1
        }
    }

    // MARK: title, footer

    func defaultTitle() -> String {
        if let l = layers.last { return l.title }
        return ru ? "Центральная Азия и Афганистан" : "Central Asia and Afghanistan"
    }

    func drawTitle(_ c: Canvas, in b: Box) {
        let title = options.title ?? defaultTitle()
        let t = c.text(title, x: b.x, y: b.y, font: .init(size: 34 * u, bold: true), colour: RGBA(0.1, 0.1, 0.1))
        let sub = options.subtitle ?? defaultSubtitle()
        if !sub.isEmpty {
            c.text(sub, x: b.x, y: b.y + t.h + 2 * u, font: .init(size: 19 * u), colour: RGBA(0.3, 0.3, 0.3))
        }
    }

    func defaultSubtitle() -> String {
        let names = layers.map(\.title)
        var parts: [String] = []
        if names.count > 1 { parts.append(names.dropLast().joined(separator: ", ")) }
        parts.append(ru ? "Центральная Азия и Афганистан" : "Central Asia and Afghanistan")
        return parts.joined(separator: " · ")
    }

    func drawFooter(_ c: Canvas, in b: Box) {
        let date = ISO8601DateFormatter.string(from: Date(), timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        var parts = ru ? ["Границы: Natural Earth", "дороги: © участники OpenStreetMap (ODbL)", "населённые пункты: GeoNames (CC BY 4.0)"]
                       : ["Borders: Natural Earth", "roads: © OpenStreetMap contributors (ODbL)", "towns: GeoNames (CC BY 4.0)"]
        if let a = options.attribution, !a.isEmpty { parts.append((ru ? "подложка: " : "imagery: ") + a) }
        else if options.basemap != nil { parts.append(ru ? "подложка: источник не указан (--attribution)" : "imagery: source not given (--attribution)") }
        parts.append(crs.name)
        parts.append(date)
        parts.append(ru ? "сделано в caravan" : "made with caravan")
        c.text(parts.joined(separator: "  ·  "), x: b.x, y: b.y + 6 * u, font: .init(size: 12.5 * u), colour: RGBA(0.35, 0.35, 0.35), wrap: b.w)
    }
}

extension MapView {
    func countryLabel(_ c: BaseMap.Country, _ base: BaseMap, _ lang: MapLanguage) -> String { base.name(of: c, lang) }
}

extension Envelope {
    static func of(_ pts: [XY]) -> Envelope { var e = Envelope.empty; for p in pts { e.expand(p) }; return e }
}
