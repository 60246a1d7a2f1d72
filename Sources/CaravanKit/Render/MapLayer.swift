internal import CGDAL
import Foundation

/// One layer to draw: where its features come from, its style and what the legend says of it.
final class MapLayer {
    enum Source {
        case file(Layer)
        case result(ResultLayer)
        /// A raster GDAL opens (path), or an in-memory grid.
        case raster(path: String)
        case grid(RasterGrid)
    }
    let source: Source
    let name: String
    var title: String
    var style: LayerStyle
    let crs: CRS
    let geometryType: GeometryType
    let fieldNames: [String]
    /// Style options from `PATH:key=value`.
    let overrides: [String: String]
    /// Filled while drawing: features per legend class, size range, labels.
    var classCounts: [Int] = []
    var drawn = 0
    var sizeMax = 0.0
    var raster: RasterGrid?
    /// Source cells per value of `raster` (> 1 when a large raster was read decimated).
    var cellsPerValue = 1.0
    /// Lines drawn (corridors): their names and colours, for the legend.
    var lineEntries: [(String, RGBA)] = []

    init(source: Source, name: String, title: String, style: LayerStyle, crs: CRS, geometryType: GeometryType,
         fieldNames: [String], overrides: [String: String]) {
        self.source = source; self.name = name; self.title = title; self.style = style; self.crs = crs
        self.geometryType = geometryType; self.fieldNames = fieldNames; self.overrides = overrides
    }

    var isRaster: Bool { if case .raster = source { true } else if case .grid = source { true } else { false } }

    /// Every feature's geometry and values of `fields` (nil where the field is missing).
    func forEach(fields: [String?], _ body: (Geometry?, [FieldValue]) throws -> Void) throws {
        switch source {
        case .file(let layer):
            let idx = fields.map { f in f.flatMap { layer.schema.index(of: $0) } }
            let cursor = try layer.features()
            while let f = try cursor.next() {
                try body(f.geometry, idx.map { $0.map { f.values[$0] } ?? .null })
            }
        case .result(let r):
            let idx = fields.map { f in f.flatMap { r.fieldIndex($0) } }
            for i in 0..<r.count {
                let v = r.values(i)
                try body(try r.geometry(i), idx.map { $0.map { v[$0] } ?? .null })
            }
        case .raster, .grid: return
        }
    }

    /// The numeric values of one field (a pass without geometry), for classification.
    func numbers(_ field: String) throws -> [Double] {
        switch source {
        case .file(let layer):
            guard let i = layer.schema.index(of: field) else { return [] }
            var out: [Double] = []
            let cursor = try layer.features(fields: [field])
            while let f = try cursor.next() { if let d = f.values[i].doubleValue { out.append(d) } }
            return out
        case .result(let r):
            guard let i = r.fieldIndex(field) else { return [] }
            return (0..<r.count).compactMap { r.values($0)[i].doubleValue }
        default: return []
        }
    }

    /// The distinct values of a field, for small multiples (sorted as numbers where they are).
    func distinct(_ field: String) throws -> [String] {
        var seen = Set<String>()
        try forEach(fields: [field]) { _, v in if let s = v[0].stringValue { seen.insert(s) } }
        return seen.sorted { a, b in
            if let x = Double(a), let y = Double(b) { return x < y }
            return a < b
        }
    }

    // MARK: opening

    /// Opens `PATH[:STYLE]`: a vector layer (style recognised from its fields) or a raster.
    static func open(_ spec: String, lang: MapLanguage, warnings: WarningLog) throws -> MapLayer {
        let (path, overrides) = RenderOptions.splitStyle(spec)
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        if isRaster(path) {
            let (g, perValue, hasCRS) = try RasterDrawing.sample(path)
            guard hasCRS else {
                throw GeoError(.invalidArgument, "the raster has no CRS", file: path, hint: "assign one first: gdal_edit.py -a_srs EPSG:XXXX \(path)")
            }
            let kind: ResultKind = g.description.lowercased().contains("route") || base.lowercased().contains("road") ? .density : .kernelDensity
            let style = LayerStyle.forRaster(values: g.values, noData: g.noData, kind: kind, ramp: overrides["ramp"],
                                             method: method(overrides) ?? .naturalBreaks,
                                             unit: kind == .density ? "km/km²" : "per km²")
            let l = MapLayer(source: .raster(path: path), name: base, title: defaultTitle(kind, base, lang), style: style, crs: g.crs,
                             geometryType: .none, fieldNames: [], overrides: overrides)
            l.raster = g
            l.cellsPerValue = perValue
            return l
        }
        let layer = try Dataset.open(path).layer(named: overrides["layer"])
        guard let crs = try layer.crs else {
            throw GeoError(.invalidArgument, "the layer has no CRS: caravan cannot tell where it lies", file: path, layer: layer.name,
                           hint: "give it one (ogr2ogr -a_srs EPSG:4326 fixed.gpkg \(path)) and render the fixed file")
        }
        let names = layer.schema.names
        let l = MapLayer(source: .file(layer), name: base, title: base, style: LayerStyle(kind: .generic, symbol: .plain(colour: "#3B6FB6")),
                         crs: crs, geometryType: layer.geometryType, fieldNames: names, overrides: overrides)
        try l.recognise(lang: lang, warnings: warnings, path: path)
        return l
    }

    /// An in-memory result.
    static func from(_ r: ResultLayer, lang: MapLanguage, warnings: WarningLog) throws -> MapLayer {
        if r.isRasterOnly, let raster = r.raster {
            let style = LayerStyle.forRaster(values: raster.grid.values, noData: raster.grid.noData, kind: r.kind, unit: raster.unit)
            let l = MapLayer(source: .grid(raster.grid), name: r.name, title: r.title, style: style, crs: raster.grid.crs,
                             geometryType: .none, fieldNames: [], overrides: [:])
            l.raster = raster.grid
            return l
        }
        let style = LayerStyle.forResult(r)
        let l = MapLayer(source: .result(r), name: r.name, title: r.title, style: style, crs: r.crs, geometryType: r.geometryType,
                         fieldNames: r.fields.map(\.name), overrides: [:])
        if case .plain = style.symbol { warnings.add("\(r.title): not a layer caravan recognises; drawn plainly") }
        if r.title == r.name { l.title = defaultTitle(style.kind, r.name, lang) }
        return l
    }

    private func recognise(lang: MapLanguage, warnings: WarningLog, path: String) throws {
        let field = overrides["field"]
        if let field, !fieldNames.contains(where: { $0.caseInsensitiveCompare(field) == .orderedSame }) {
            throw GeoError(.invalidArgument, "the layer has no field '\(field)'; its fields are: \(fieldNames.joined(separator: ", "))",
                           file: path, hint: "name one of them in :field=")
        }
        let recognised = try LayerStyle.recognise(fields: fieldNames, geometryType: geometryType) { try numbers($0) }
        var s = recognised ?? LayerStyle(kind: .generic, symbol: .plain(colour: "#3B6FB6"))
        if let field {
            switch geometryType {
            case .point, .multiPoint:
                if case .crossings(let p, let u, let lab, _) = s.symbol { s.symbol = .crossings(postField: p, unlistedField: u, labelField: lab, sizeField: field) }
                else { s = LayerStyle(kind: s.kind == .generic ? .events : s.kind, symbol: .points(sizeField: field, colour: "#B2182B")) }
            case .lineString, .multiLineString:
                s = LayerStyle(kind: .corridors, symbol: .lines(labelField: field, colour: "#7B2D8E"))
            default:
                let kind: ResultKind = s.kind == .generic || s.kind == .hotSpots ? .counts : s.kind
                s = LayerStyle(kind: kind, symbol: LayerStyle.graduated(field: field, values: try numbers(field),
                                                                       ramp: overrides["ramp"] ?? LayerStyle.defaultRamp(kind),
                                                                       method: MapLayer.method(overrides) ?? .naturalBreaks), unit: nil)
            }
        } else if case .graduated(let f, _, _, _) = s.symbol, overrides["ramp"] != nil || overrides["method"] != nil {
            s.symbol = LayerStyle.graduated(field: f, values: try numbers(f), ramp: overrides["ramp"] ?? LayerStyle.defaultRamp(s.kind),
                                            method: MapLayer.method(overrides) ?? .naturalBreaks)
        } else if recognised == nil {
            warnings.add("\(path): not a layer caravan recognises (fields: \(fieldNames.prefix(8).joined(separator: ", "))); drawn plainly — name a field with \(path):field=NAME")
        }
        style = s
        title = overrides["title"] ?? MapLayer.defaultTitle(s.kind, name, lang)
    }

    static func method(_ o: [String: String]) -> Classification.Method? {
        switch o["method"]?.lowercased() {
        case "quantiles", "quantile": .quantiles
        case "jenks", "natural", "naturalbreaks": .naturalBreaks
        case "equal", "equalinterval": .equalInterval
        default: nil
        }
    }

    static func isRaster(_ path: String) -> Bool {
        let ext = (path as NSString).pathExtension.lowercased()
        if ["tif", "tiff", "vrt", "img", "asc", "mbtiles", "jp2", "png", "jpg"].contains(ext) { return true }
        return false
    }

    static func hasCRS(_ path: String) -> Bool {
        GDALRuntime.bootstrap()
        guard let ds = GDALOpenEx(path, UInt32(GDAL_OF_RASTER | GDAL_OF_READONLY), nil, nil, nil) else { return false }
        defer { GDALClose(ds) }
        return GDALGetSpatialRef(ds) != nil
    }

    /// A title a head of department reads, from what the layer is.
    static func defaultTitle(_ kind: ResultKind, _ name: String, _ lang: MapLanguage) -> String {
        let ru = lang == .ru
        switch kind {
        case .hotSpots: return ru ? "Очаги (Gi*)" : "Hot spots (Getis-Ord Gi*)"
        case .emerging: return ru ? "Развивающиеся очаги" : "Emerging hot spots"
        case .density: return ru ? "Плотность дорог" : "Route density"
        case .kernelDensity: return ru ? "Плотность событий (ядерная оценка)" : "Event density (kernel)"
        case .crossings: return ru ? "Пересечения границы" : "Border crossings"
        case .corridors: return ru ? "Коридоры" : "Corridors"
        case .events:
            let n = name.replacingOccurrences(of: "_", with: " ")
            return n.isEmpty ? (ru ? "События" : "Events") : n.prefix(1).uppercased() + n.dropFirst()
        default: return name.replacingOccurrences(of: "_", with: " ")
        }
    }
}
