import Foundation

/// Draws a map of caravan outputs — `caravan render`'s one entry point.
///
/// Layers are read from `options.layers` (files) and from `results` (in-memory `ResultLayer`s,
/// drawn above the files), recognised by their fields and drawn as their users expect, over a
/// base map of the region, with a legend, title, scale bar, north arrow and attribution.
/// A PNG gets a world file and a `.aux.xml` beside it.
public func renderMap(_ options: RenderOptions, results: [ResultLayer] = [], context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try options.validate()
    try Canvas.checkFonts()
    var r = try MapRenderer(options: options, results: results, warnings: context.warnings)
    return try r.run()
}

struct MapRenderer {
    let options: RenderOptions
    let warnings: WarningLog
    let lang: MapLanguage
    var layers: [MapLayer]
    let crs: CRS
    let base: BaseMap
    let format: PictureFormat
    let width: Int, height: Int
    /// The design unit: a thousandth of the picture's shorter side.
    let u: Double

    init(options: RenderOptions, results: [ResultLayer], warnings: WarningLog) throws {
        self.options = options; self.warnings = warnings; lang = options.lang
        format = try PictureFormat.of(path: options.output)
        (width, height) = try options.pictureSize()
        u = Double(min(width, height)) / 1000
        var ls: [MapLayer] = []
        for spec in options.layers { ls.append(try MapLayer.open(spec, lang: options.lang, warnings: warnings)) }
        for r in results { ls.append(try MapLayer.from(r, lang: options.lang, warnings: warnings)) }
        layers = ls
        if let c = options.crs {
            crs = try CRS(c)
            if crs.isGeographic { warnings.add("{crs} \(c) is geographic: distances on the map are not true; an equal-area CRS reads better") }
        } else {
            crs = ls.first { !$0.crs.isGeographic }?.crs ?? regionalMapCRS
        }
        base = try BaseMap.load()
    }

    // MARK: layout

    struct Layout { var title: Box; var frame: Box; var legend: Box; var footer: Box }

    func layout() -> Layout {
        let W = Double(width), H = Double(height), m = 22 * u
        let titleH = (options.subtitle == "" ? 52 : 84) * u
        let footH = 30 * u
        if W >= H * 1.1 {
            let sw = min(0.27 * W, 470 * u)
            return Layout(title: Box(x: m, y: m * 0.6, w: W - 2 * m, h: titleH),
                          frame: Box(x: m, y: titleH + m * 0.6, w: W - sw - 2 * m, h: H - titleH - footH - m * 0.6),
                          legend: Box(x: W - sw, y: titleH + m * 0.6, w: sw - m, h: H - titleH - footH - m * 0.6),
                          footer: Box(x: m, y: H - footH, w: W - 2 * m, h: footH))
        }
        let lh = 0.27 * H
        return Layout(title: Box(x: m, y: m * 0.6, w: W - 2 * m, h: titleH),
                      frame: Box(x: m, y: titleH + m * 0.6, w: W - 2 * m, h: H - titleH - footH - lh - m),
                      legend: Box(x: m, y: H - footH - lh, w: W - 2 * m, h: lh - m * 0.3),
                      footer: Box(x: m, y: H - footH, w: W - 2 * m, h: footH))
    }

    /// The part of the map CRS to show: --extent, else the --focus countries, else the six focus states.
    func wantedExtent() throws -> Envelope {
        let toMap = try TransformerCache.shared.get(from: .wgs84, to: crs)
        if let e = options.extent {
            return try outlineExtent(try RenderOptions.parseExtent(e), toMap)
        }
        let codes = Set((options.focus ?? "KZ,KG,TJ,TM,UZ,AF").uppercased().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let chosen = base.countries.filter { codes.contains($0.iso) }
        let unknown = codes.subtracting(chosen.map(\.iso))
        if !unknown.isEmpty {
            throw GeoError(.invalidArgument, "{focus} names countries the base map does not hold: \(unknown.sorted().joined(separator: ", "))",
                           hint: "give ISO codes of the region, e.g. {focus} KZ,KG,TJ,TM,UZ,AF")
        }
        var env = Envelope.empty
        for c in chosen {
            for seq in c.geometry.linework {
                var s = seq
                try toMap.transform(&s)
                for p in s { env.expand(p) }
            }
        }
        return env.expanded(by: max(env.width, env.height) * 0.03)
    }

    // MARK: the whole map

    mutating func run() throws -> AnalysisOutput {
        let output = try SafeOutput(target: options.output, overwrite: options.overwrite, inputs: options.inputPaths)
        let canvas = try Canvas(format: format, width: width, height: height, path: output.temporaryPath)
        let L = layout()
        let wanted = try wantedExtent()
        canvas.rect(Box(x: 0, y: 0, w: Double(width), h: Double(height)), fill: .white)

        // Panels: one per value of --by, or the whole frame.
        var panels: [(value: String?, frame: Box)] = [(nil, L.frame)]
        if let by = options.by {
            guard let owner = layers.first(where: { l in l.fieldNames.contains { $0.caseInsensitiveCompare(by) == .orderedSame } }) else {
                throw GeoError(.invalidArgument, "no layer has the field '\(by)' for {by}",
                               hint: "name a field of the first layer: \(layers.first?.fieldNames.prefix(10).joined(separator: ", ") ?? "")")
            }
            let values = try owner.distinct(by)
            guard !values.isEmpty else { throw GeoError(.invalidArgument, "the field '\(by)' has no values to make panels of") }
            guard values.count <= 24 else {
                throw GeoError(.invalidArgument, "the field '\(by)' has \(values.count) values: too many panels for one picture",
                               hint: "choose a field with at most 24 values (a year, a drug)")
            }
            panels = MapRenderer.grid(values.count, in: L.frame, gap: 14 * u, wantedAspect: wanted.width / max(1, wanted.height))
                .enumerated().map { (values[$0.offset], $0.element) }
        }
        var firstView: MapView?
        for (value, frame) in panels {
            let titleH = value == nil ? 0 : 26 * u
            let f = Box(x: frame.x, y: frame.y + titleH, w: frame.w, h: frame.h - titleH)
            var view = try MapView(crs: crs, around: wanted, frame: f)
            if firstView == nil { firstView = view }
            if let value {
                canvas.text("\(options.by!) = \(value)", x: frame.x, y: frame.y, font: .init(size: 18 * u, bold: true), colour: RGBA(0.15, 0.15, 0.15))
            }
            try drawPanel(canvas, &view, filter: value.map { (options.by!, $0) }, single: panels.count == 1)
        }
        try drawLegend(canvas, in: L.legend)
        drawTitle(canvas, in: L.title)
        drawFooter(canvas, in: L.footer)
        canvas.setSetMetadata(title: options.title ?? defaultTitle())
        try canvas.finish()
        try output.commit()
        var written = [WrittenOutput(path: options.output, driver: format.rawValue.uppercased(), features: layers.map(\.drawn).reduce(0, +))]
        if format == .png, let v = firstView {
            if panels.count == 1 {
                try Georeference.write(png: options.output, view: v)
                written.append(WrittenOutput(path: Georeference.worldFilePath(options.output), driver: "world file", features: 0))
            } else {
                warnings.add("a map of \(panels.count) panels has no world file (each panel is its own map)")
            }
        }
        var summary = ["map \(width)×\(height) \(format.rawValue.uppercased()) in \(crs.name); written to \(options.output)"]
        for l in layers { summary.append("  \(l.title): " + (l.drawn == 0 ? "empty: nothing to draw" : "\(l.drawn.formatted()) features drawn")) }
        var figures: [String: Double] = ["width": Double(width), "height": Double(height)]
        if let v = firstView { figures["metresPerPixel"] = 1 / v.k }
        for (i, l) in layers.enumerated() { figures["layer\(i + 1).drawn"] = Double(l.drawn) }
        return AnalysisOutput(summary: summary, figures: figures, warnings: warnings.messages, written: written)
    }

    static func grid(_ n: Int, in b: Box, gap: Double, wantedAspect: Double) -> [Box] {
        var best = (cols: 1, rows: n, score: -Double.infinity)
        for cols in 1...n {
            let rows = (n + cols - 1) / cols
            let w = (b.w - gap * Double(cols - 1)) / Double(cols), h = (b.h - gap * Double(rows - 1)) / Double(rows)
            let scale = min(w / wantedAspect, h)
            if scale > best.score { best = (cols, rows, scale) }
        }
        let w = (b.w - gap * Double(best.cols - 1)) / Double(best.cols), h = (b.h - gap * Double(best.rows - 1)) / Double(best.rows)
        return (0..<n).map { i in Box(x: b.x + Double(i % best.cols) * (w + gap), y: b.y + Double(i / best.cols) * (h + gap), w: w, h: h) }
    }

    // MARK: one panel

    static let sea = RGBA(hex: "#DDEAF3"), focusFill = RGBA(hex: "#F7F1DE"), neighbourFill = RGBA(hex: "#E2E2E0"), contextFill = RGBA(hex: "#ECECEA")
    static let borderInk = RGBA(hex: "#5A5A5A")

    mutating func drawPanel(_ c: Canvas, _ view: inout MapView, filter: (String, String)?, single: Bool) throws {
        c.save()
        c.clip(view.frame)
        c.rect(view.frame, fill: MapRenderer.sea)
        // Countries, filled without outline (outlines come after the layers).
        var projected: [(BaseMap.Country, [[XY]])] = []
        for country in base.countries {
            var rings: [[XY]] = []
            for ring in country.geometry.linework {
                var r = ring
                guard (try? view.fromLonLat.transform(&r)) != nil else { continue }
                var e = Envelope.empty
                for p in r { e.expand(p) }
                if e.intersects(view.world) { rings.append(r) }
            }
            if !rings.isEmpty { projected.append((country, rings)) }
        }
        c.evenOdd()
        for (country, rings) in projected {
            for r in rings { trace(c, r, view) }
            c.set(country.role == "focus" ? MapRenderer.focusFill : country.role == "neighbour" ? MapRenderer.neighbourFill : MapRenderer.contextFill)
            c.fill()
        }
        if let bm = options.basemap { try drawImagery(c, bm, view) }
        drawGraticule(c, view, labels: false)
        // The layers, bottom to top.
        var labelQueue: [(text: String, x: Double, y: Double, r: Double, priority: Double, colour: RGBA, bold: Bool)] = []
        for layer in layers {
            try drawLayer(c, layer, &view, filter: filter) { labelQueue.append(($0, $1, $2, $3, $4, $5, $6)) }
        }
        // Borders and coasts over the layers; the focus states' outline a little stronger.
        c.lineWidth(0.9 * u)
        c.set(MapRenderer.borderInk.with(alpha: 0.75))
        for (country, rings) in projected where country.role != "focus" { for r in rings { trace(c, r, view) } }
        c.stroke()
        c.lineWidth(1.5 * u)
        c.set(RGBA(hex: "#3D3D3D"))
        for (country, rings) in projected where country.role == "focus" { for r in rings { trace(c, r, view) } }
        c.stroke()

        // Labels: the map's furniture first, then layer labels, country names, towns by importance.
        var placer = LabelPlacer(bounds: view.frame.inset(4 * u))
        let scale = scaleBarBox(view), north = northArrowBox(view)
        placer.block(scale); placer.block(north)
        drawGraticule(c, view, labels: true, placer: &placer)
        for q in labelQueue.sorted(by: { $0.priority > $1.priority }) {
            let font = Canvas.Font(size: 15 * u, bold: q.bold)
            let m = c.measure(q.text, font)
            if let b = placer.place(x: q.x, y: q.y, w: m.w, h: m.h, r: q.r) {
                c.text(q.text, x: b.x, y: b.y, font: font, colour: q.colour, halo: .white.with(alpha: 0.9), haloWidth: 3.5 * u)
            }
        }
        if options.labels != 0 { drawCountryNames(c, projected, view, &placer) }
        drawTowns(c, view, &placer, single: single)
        c.restore()
        c.rect(view.frame, fill: nil, stroke: RGBA(0.2, 0.2, 0.2), width: 1.2 * u)
        drawScaleBar(c, view, in: scale)
        drawNorthArrow(c, view, in: north)
    }

    func trace(_ c: Canvas, _ ring: [XY], _ view: MapView) {
        guard let first = ring.first else { return }
        c.moveTo(view.x(first.x), view.y(first.y))
        var lx = view.x(first.x), ly = view.y(first.y)
        for p in ring.dropFirst() {
            let x = view.x(p.x), y = view.y(p.y)
            // Skip sub-pixel steps: a 10,000-vertex coast is drawn with the vertices that show.
            if abs(x - lx) + abs(y - ly) < 0.4 { continue }
            c.lineTo(x, y); lx = x; ly = y
        }
        if let last = ring.last, ring.count > 1 { c.lineTo(view.x(last.x), view.y(last.y)) }
    }

    func traceOpen(_ c: Canvas, _ line: [XY], _ view: MapView) { trace(c, line, view) }

    // MARK: layers

    typealias LabelSink = (String, Double, Double, Double, Double, RGBA, Bool) -> Void

    mutating func drawLayer(_ c: Canvas, _ layer: MapLayer, _ view: inout MapView, filter: (String, String)?, label: LabelSink) throws {
        if layer.isRaster { try drawRaster(c, layer, view); return }
        let t = try view.transformer(from: layer.crs)
        // Read only what the window shows.
        if case .file(let l) = layer.source {
            if let t { l.setSpatialFilter(try? outlineExtent(view.world, TransformerCache.shared.get(from: t.target, to: t.source))) }
            else { l.setSpatialFilter(view.world) }
        }
        func project(_ g: Geometry) -> Geometry? {
            guard let t else { return g }
            return try? t.transform(g)
        }
        let style = layer.style
        let u = self.u
        switch style.symbol {
        case .categorized(let field, let classes):
            if layer.classCounts.count != classes.count { layer.classCounts = [Int](repeating: 0, count: classes.count) }
            let index = Dictionary(classes.enumerated().map { ($0.element.value, $0.offset) }, uniquingKeysWith: { a, _ in a })
            let fills = classes.map { cls -> RGBA in
                RGBA(hex: cls.colour, alpha: style.kind == .hotSpots && cls.value == "0" ? 0.4 : style.kind == .emerging && cls.value == "No Pattern Detected" ? 0.5 : 1)
            }
            try layer.forEach(fields: [field, filter?.0]) { g, v in
                guard matches(v[1], filter), let g, let pg = project(g) else { return }
                let key = categoryKey(v[0])
                guard let ci = index[key] else { return }
                layer.classCounts[ci] += 1; layer.drawn += 1
                if pg.type.isPolygonLike {
                    for poly in polygons(pg) { for r in poly { trace(c, r, view) } }
                    c.set(fills[ci]); c.fill()
                } else {
                    for p in pg.points { c.circle(view.x(p.x), view.y(p.y), 7 * u, fill: fills[ci].with(alpha: 1), stroke: RGBA(0.2, 0.2, 0.2), width: 1 * u) }
                }
            }
        case .graduated(let field, let breaks, let colours, _):
            if layer.classCounts.count != breaks.count { layer.classCounts = [Int](repeating: 0, count: breaks.count) }
            let fills = colours.map { RGBA(hex: $0) }
            c.antialias(false)   // adjacent cells without hairline seams
            try layer.forEach(fields: [field, filter?.0]) { g, v in
                guard matches(v[1], filter), let g, let x = v[0].doubleValue, let ci = LayerStyle.classIndex(x, breaks: breaks),
                      let pg = project(g) else { return }
                layer.classCounts[ci] += 1; layer.drawn += 1
                for poly in polygons(pg) { for r in poly { trace(c, r, view) } }
                if pg.type.isLineLike { c.lineWidth(3 * u); c.set(fills[ci]); c.stroke() } else { c.set(fills[ci]); c.fill() }
            }
            c.antialias(true)
        case .crossings(let postField, let unlistedField, let labelField, let sizeField):
            if layer.classCounts.count != 2 { layer.classCounts = [0, 0] }
            var busiest: [(Double, String, Double, Double, Bool, Bool)] = []
            let focus = Set((options.focus ?? "KZ,KG,TJ,TM,UZ,AF").uppercased().split(separator: ",").map { String($0) })
            try layer.forEach(fields: [postField, unlistedField, labelField, sizeField, filter?.0, "pair"]) { g, v in
                guard matches(v[4], filter), let g, let pg = project(g), let p = pg.points.first else { return }
                let unlisted: Bool
                if let u = v[1].doubleValue { unlisted = u != 0 } else { unlisted = (v[0].stringValue ?? "").isEmpty }
                let x = view.x(p.x), y = view.y(p.y)
                layer.classCounts[unlisted ? 1 : 0] += 1; layer.drawn += 1
                if unlisted {
                    c.circle(x, y, 4.5 * u, fill: RGBA(hex: "#E31A1C"), stroke: .white, width: 1.2 * u)
                } else {
                    c.rect(Box(x: x - 5.5 * u, y: y - 5.5 * u, w: 11 * u, h: 11 * u), fill: RGBA(hex: "#1F3A93"), stroke: .white, width: 1.4 * u)
                }
                let size = v[3].doubleValue ?? 1
                let name = unlisted ? (lang == .ru ? "без поста" : "no post") + (v[5].stringValue.map { " (\($0))" } ?? "") : (v[2].stringValue ?? "")
                let pair = (v[5].stringValue ?? "").split(separator: "-").map(String.init)
                busiest.append((size, name, x, y, unlisted, pair.contains { focus.contains($0) }))
            }
            // The busiest of the focus states' crossings first.
            busiest.sort { ($0.5 ? 1 : 0, $0.0) > ($1.5 ? 1 : 0, $1.0) }
            var seen = Set<String>(), unlistedNamed = 0
            for (i, b) in busiest.enumerated() where i < 40 && !b.1.isEmpty && seen.count < 8 {
                if seen.contains(b.1) { continue }
                if b.4 { guard unlistedNamed < 3 else { continue }; unlistedNamed += 1 }
                seen.insert(b.1)
                label(b.1, b.2, b.3, 6 * u, 1e9 + b.0, b.4 ? RGBA(hex: "#A50F15") : RGBA(hex: "#1F3A93"), true)
            }
        case .lines(let labelField, _):
            var k = 0
            try layer.forEach(fields: [labelField, filter?.0]) { g, v in
                guard matches(v[1], filter), let g, let pg = project(g) else { return }
                let colour = RGBA(hex: MapRenderer.lineColours[k % MapRenderer.lineColours.count])
                k += 1; layer.drawn += 1
                for line in pg.linework { traceOpen(c, line, view) }
                c.set(.white.with(alpha: 0.9)); c.lineWidth(7.5 * u); c.stroke()
                for line in pg.linework { traceOpen(c, line, view) }
                c.set(colour); c.lineWidth(4 * u); c.stroke()
                layer.lineEntries.append((v[0].stringValue ?? "route \(k)", colour))
                // The label at the middle vertex of the longest part.
                if let line = pg.linework.max(by: { $0.count < $1.count }), !line.isEmpty, let name = v[0].stringValue {
                    let p = line[line.count / 2]
                    label(name, view.x(p.x), view.y(p.y), 5 * u, 5e8, colour, true)
                }
            }
        case .points(let sizeField, let colour):
            let fill = RGBA(hex: colour, alpha: 0.55), ink = RGBA(hex: colour).with(alpha: 0.95)
            if layer.sizeMax == 0, let sizeField { layer.sizeMax = (try layer.numbers(sizeField)).max() ?? 0 }
            let maxV = layer.sizeMax
            try layer.forEach(fields: [sizeField, filter?.0]) { g, v in
                guard matches(v[1], filter), let g, let pg = project(g) else { return }
                layer.drawn += 1
                let r: Double
                if sizeField != nil, maxV > 0, let x = v[0].doubleValue, x > 0 { r = (2.5 + 11 * (x / maxV).squareRoot()) * u } else { r = 3.5 * u }
                for p in pg.points { c.circle(view.x(p.x), view.y(p.y), r, fill: fill, stroke: ink, width: 0.7 * u) }
            }
        case .plain(let colour):
            let ink = RGBA(hex: colour)
            try layer.forEach(fields: [filter?.0]) { g, v in
                guard matches(v[0], filter), let g, let pg = project(g) else { return }
                layer.drawn += 1
                switch pg.type {
                case .point, .multiPoint: for p in pg.points { c.circle(view.x(p.x), view.y(p.y), 3.5 * u, fill: ink, stroke: .white, width: 0.8 * u) }
                case .lineString, .multiLineString:
                    for line in pg.linework { traceOpen(c, line, view) }
                    c.set(ink); c.lineWidth(1.8 * u); c.stroke()
                default:
                    for poly in polygons(pg) { for r in poly { trace(c, r, view) } }
                    c.set(ink.with(alpha: 0.3)); c.fillPreserve(); c.set(ink); c.lineWidth(1 * u); c.stroke()
                }
            }
        }
        if case .file(let l) = layer.source { l.setSpatialFilter(nil) }
    }

    static let lineColours = ["#7B2D8E", "#D95F02", "#1B9E77", "#E7298A", "#66A61E", "#A6761D", "#1F78B4", "#B15928"]

    func matches(_ v: FieldValue, _ filter: (String, String)?) -> Bool {
        guard let filter else { return true }
        return v.stringValue == filter.1
    }

    func categoryKey(_ v: FieldValue) -> String {
        if let d = v.doubleValue, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return v.stringValue ?? ""
    }

    func polygons(_ g: Geometry) -> [[[XY]]] {
        switch g {
        case .polygon(let r): return [r]
        case .multiPolygon(let p): return p
        case .collection(let gs): return gs.flatMap(polygons)
        case .lineString(let l): return [[l]]
        case .multiLineString(let l): return [l]
        default: return []
        }
    }

    func drawRaster(_ c: Canvas, _ layer: MapLayer, _ view: MapView) throws {
        guard case .graduated(_, let breaks, let colours, _) = layer.style.symbol else { return }
        // PNG: one warped pixel per picture pixel; SVG/PDF: 200 dpi.
        let s = format == .png ? 1.0 : 200.0 / 72
        let w = max(1, Int((view.frame.w * s).rounded())), h = max(1, Int((view.frame.h * s).rounded()))
        let path: String?, grid: RasterGrid?
        switch layer.source {
        case .raster(let p): path = p; grid = nil
        case .grid(let g): path = nil; grid = g
        default: return
        }
        let (bands, noData) = try RasterDrawing.warp(path: path, grid: grid, to: crs, world: view.world, w: w, h: h, resampling: "near", bands: 1)
        var counts = layer.classCounts
        var px = RasterDrawing.classify(bands[0], noData: noData, sourceNoData: layer.raster?.noData, breaks: breaks,
                                        colours: colours.map { RGBA(hex: $0) }, counts: &counts)
        // Counts in the legend are cells of the raster, not pixels.
        if let g = layer.raster {
            var cc = [Int](repeating: 0, count: breaks.count)
            for x in g.values where x != g.noData { if let i = LayerStyle.classIndex(Double(x), breaks: breaks) { cc[i] += 1 } }
            // A decimated raster's counts are estimates: scaled to the source's cells.
            layer.classCounts = cc.map { Int((Double($0) * layer.cellsPerValue).rounded()) }
            layer.drawn = layer.classCounts.reduce(0, +)
        }
        c.save()
        if s != 1 { c.scale(1 / s) }
        c.paintImage(&px, w: w, h: h, x: s == 1 ? view.frame.x : view.frame.x * s, y: s == 1 ? view.frame.y : view.frame.y * s)
        c.restore()
    }

    func drawImagery(_ c: Canvas, _ path: String, _ view: MapView) throws {
        let s = format == .png ? 1.0 : 200.0 / 72
        let w = max(1, Int((view.frame.w * s).rounded())), h = max(1, Int((view.frame.h * s).rounded()))
        let interp = RasterDrawing.colourInterpretations(path)
        let hasAlpha = interp.last == "Alpha" && interp.count > 1
        let (bands, noData) = try RasterDrawing.warp(path: path, grid: nil, to: crs, world: view.world, w: w, h: h, resampling: "bilinear",
                                                    bands: min(interp.count, 4))
        var px = RasterDrawing.imagery(bands, noData: noData, hasAlpha: hasAlpha)
        c.save()
        if s != 1 { c.scale(1 / s) }
        c.paintImage(&px, w: w, h: h, x: s == 1 ? view.frame.x : view.frame.x * s, y: s == 1 ? view.frame.y : view.frame.y * s,
                     opacity: options.basemapOpacity, smooth: true)
        c.restore()
    }
}
