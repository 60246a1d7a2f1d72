import Foundation

/// How one caravan output is drawn — by `caravan render` and by QGIS (the `.qml` and the
/// GeoPackage `layer_styles` row are written from the same value), so a map and a layer opened
/// in QGIS show the same classes in the same colours.
///
/// A style is recognised from a layer's fields (`LayerStyle.recognise`), from a `ResultLayer`'s
/// kind and field classes (`LayerStyle.forResult`), and can be overridden (`:field=amount_kg`).
public struct LayerStyle: Sendable, Hashable {
    public enum Symbol: Sendable, Hashable {
        /// One class per value of `field` (Gi_Bin, PATTERN).
        case categorized(field: String, classes: [StyleClass])
        /// Graduated fill of `field` with `breaks` (upper bounds of each class, ascending);
        /// values ≤ 0 stay transparent.
        case graduated(field: String, breaks: [Double], colours: [String], method: Classification.Method)
        /// Border crossings: listed post vs unlisted crossing.
        case crossings(postField: String?, unlistedField: String?, labelField: String?, sizeField: String?)
        /// Lines labelled with `labelField`.
        case lines(labelField: String?, colour: String)
        /// Points, sized by `sizeField` when given.
        case points(sizeField: String?, colour: String)
        /// Anything else.
        case plain(colour: String)
    }

    /// What the layer is, as a person says it ("Seizure hot spots (Gi*)").
    public var kind: ResultKind
    public var symbol: Symbol
    /// The unit of a graduated field, for the legend ("km per km²").
    public var unit: String?

    public init(kind: ResultKind, symbol: Symbol, unit: String? = nil) {
        self.kind = kind; self.symbol = symbol; self.unit = unit
    }
}

/// One class of a categorized style.
public struct StyleClass: Sendable, Hashable {
    public var value: String
    public var label: String
    public var labelRussian: String
    public var colour: String
    public init(value: String, label: String, labelRussian: String, colour: String) {
        self.value = value; self.label = label; self.labelRussian = labelRussian; self.colour = colour
    }
    public func label(_ lang: MapLanguage) -> String { lang == .ru ? labelRussian : label }
}

/// The language of a map's legend and labels.
public enum MapLanguage: String, Sendable, Codable, CaseIterable { case en, ru }

extension LayerStyle {
    /// ArcGIS Pro's seven Gi_Bin classes and colours, hot first (legend order).
    public static let hotSpotClasses: [StyleClass] = [
        StyleClass(value: "3", label: "Hot spot, 99 % confidence", labelRussian: "Очаг, достоверность 99 %", colour: "#D62F27"),
        StyleClass(value: "2", label: "Hot spot, 95 % confidence", labelRussian: "Очаг, достоверность 95 %", colour: "#ED7551"),
        StyleClass(value: "1", label: "Hot spot, 90 % confidence", labelRussian: "Очаг, достоверность 90 %", colour: "#FAB984"),
        StyleClass(value: "0", label: "Not significant", labelRussian: "Незначимо", colour: "#FFFFBF"),
        StyleClass(value: "-1", label: "Cold spot, 90 % confidence", labelRussian: "Холодная зона, достоверность 90 %", colour: "#C0CCBE"),
        StyleClass(value: "-2", label: "Cold spot, 95 % confidence", labelRussian: "Холодная зона, достоверность 95 %", colour: "#849EBA"),
        StyleClass(value: "-3", label: "Cold spot, 99 % confidence", labelRussian: "Холодная зона, достоверность 99 %", colour: "#4575B5"),
    ]

    /// Emerging Hot Spot Analysis's 17 patterns, legend order: the classes `caravan emerging`
    /// gives its PATTERN field (one palette for the map, the QGIS style and the layer).
    public static let emergingClasses: [StyleClass] = EmergingPattern.fieldClasses.map {
        StyleClass(value: $0.value, label: $0.label, labelRussian: $0.labelRussian ?? $0.label, colour: $0.colour)
    }

    /// ColorBrewer ramps (5 classes), light to dark.
    public static let ramps: [String: [String]] = [
        "YlGnBu": ["#FFFFCC", "#A1DAB4", "#41B6C4", "#2C7FB8", "#253494"],
        "YlOrRd": ["#FFFFB2", "#FECC5C", "#FD8D3C", "#F03B20", "#BD0026"],
        "Purples": ["#F2F0F7", "#CBC9E2", "#9E9AC8", "#756BB1", "#54278F"],
        "Reds": ["#FEE5D9", "#FCAE91", "#FB6A4A", "#DE2D26", "#A50F15"],
        "Blues": ["#EFF3FF", "#BDD7E7", "#6BAED6", "#3182BD", "#08519C"],
        "Greens": ["#EDF8E9", "#BAE4B3", "#74C476", "#31A354", "#006D2C"],
    ]

    /// The ramp a kind is drawn with unless `:ramp=` says otherwise.
    public static func defaultRamp(_ kind: ResultKind) -> String {
        switch kind {
        case .density, .flows: "YlGnBu"
        case .kernelDensity: "YlOrRd"
        default: "Purples"
        }
    }

    /// The style of a layer recognised from its field names (case-insensitive) and geometry.
    /// `values` gives the values of a numeric field (for the classification of a graduated
    /// style); nil when not needed. Returns nil when nothing is recognised (a plain style, with a warning).
    public static func recognise(fields: [String], geometryType: GeometryType,
                                 values: (String) throws -> [Double]) rethrows -> LayerStyle? {
        func has(_ n: String) -> String? { fields.first { $0.caseInsensitiveCompare(n) == .orderedSame } }
        if let f = has("Gi_Bin") { return LayerStyle(kind: .hotSpots, symbol: .categorized(field: f, classes: hotSpotClasses)) }
        if let f = has("PATTERN") { return LayerStyle(kind: .emerging, symbol: .categorized(field: f, classes: emergingClasses)) }
        if has("unlisted") != nil || (has("post") != nil && geometryType.isPointLike) {
            return LayerStyle(kind: .crossings, symbol: .crossings(postField: has("post"), unlistedField: has("unlisted"),
                                                                 labelField: has("post") ?? has("name"),
                                                                 sizeField: has("routes") ?? has("crossings") ?? has("count")))
        }
        if let f = has("density"), !geometryType.isPointLike {
            let kind: ResultKind = has("length_km") != nil || has("routes") != nil ? .density : .kernelDensity
            let v = try values(f)
            return LayerStyle(kind: kind, symbol: graduated(field: f, values: v, ramp: defaultRamp(kind), method: .naturalBreaks),
                              unit: kind == .density ? "km/km²" : "per km²")
        }
        if geometryType.isLineLike, let f = has("route") ?? has("name") {
            return LayerStyle(kind: .corridors, symbol: .lines(labelField: f, colour: "#7B2D8E"))
        }
        if geometryType.isPointLike {
            let size = has("amount_kg") ?? has("weight") ?? has("amount")
            return LayerStyle(kind: .events, symbol: .points(sizeField: size, colour: "#B2182B"))
        }
        return nil
    }

    /// A graduated style on `values` (zero and below are not classified: they stay transparent).
    public static func graduated(field: String, values: [Double], ramp: String, method: Classification.Method, classes: Int = 5) -> Symbol {
        let colours = ramps[ramp] ?? ramps["YlGnBu"]!
        let positive = values.filter { $0 > 0 && $0.isFinite }
        let breaks = Classification.breaks(positive, classes: min(classes, colours.count), method: method)
        return .graduated(field: field, breaks: breaks, colours: Array(colours.suffix(max(1, breaks.count)).prefix(breaks.count)), method: method)
    }

    /// The style of an in-memory result: its kind and its fields' classes say how it is drawn.
    public static func forResult(_ layer: ResultLayer) -> LayerStyle {
        if let f = layer.fields.first(where: { $0.classes?.isEmpty == false }) {
            let classes = f.classes!.map { StyleClass(value: $0.value, label: $0.label, labelRussian: $0.labelRussian ?? $0.label, colour: $0.colour) }
            return LayerStyle(kind: layer.kind, symbol: .categorized(field: f.name, classes: classes))
        }
        let names = layer.fields.map(\.name)
        let style = (try? recognise(fields: names, geometryType: layer.geometryType) { name in
            guard let i = layer.fieldIndex(name) else { return [] }
            return (0..<layer.count).compactMap { layer.values($0)[i].doubleValue }
        }) ?? nil
        if var s = style {
            if layer.kind != .generic { s.kind = layer.kind }
            if let f = names.first(where: { ["density"].contains($0.lowercased()) }), let u = layer.field(f)?.unit { s.unit = u }
            return s
        }
        return LayerStyle(kind: layer.kind, symbol: .plain(colour: "#3B6FB6"))
    }

    /// The style of a single-band raster of densities: graduated, zero transparent.
    public static func forRaster(values: [Float], noData: Float, kind: ResultKind, ramp: String? = nil,
                                 method: Classification.Method = .naturalBreaks, unit: String? = nil) -> LayerStyle {
        let v = values.lazy.filter { $0 != noData && $0 > 0 && $0.isFinite }.map(Double.init)
        return LayerStyle(kind: kind, symbol: graduated(field: "band 1", values: Array(v), ramp: ramp ?? defaultRamp(kind), method: method),
                          unit: unit)
    }

    /// The index of the class of `value` in a graduated style, nil for ≤ 0 or missing values.
    public static func classIndex(_ value: Double, breaks: [Double]) -> Int? {
        guard value > 0, value.isFinite, !breaks.isEmpty else { return nil }
        var lo = 0, hi = breaks.count - 1
        while lo < hi { let m = (lo + hi) / 2; if value <= breaks[m] { hi = m } else { lo = m + 1 } }
        return lo
    }
}

extension GeometryType {
    var isPointLike: Bool { self == .point || self == .multiPoint }
    var isLineLike: Bool { self == .lineString || self == .multiLineString }
    var isPolygonLike: Bool { self == .polygon || self == .multiPolygon }
}

/// Classifications of a numeric field: natural breaks (Jenks) and quantiles.
public enum Classification {
    public enum Method: String, Sendable, Hashable, Codable {
        case naturalBreaks = "natural breaks (Jenks)", quantiles = "quantiles", equalInterval = "equal interval"
        public var russian: String {
            switch self {
            case .naturalBreaks: "естественные границы (Дженкс)"
            case .quantiles: "квантили"
            case .equalInterval: "равные интервалы"
            }
        }
    }

    /// The upper bounds of `classes` classes of `values` (ascending; the last is the maximum).
    /// Natural breaks run on at most 3,000 values (evenly spaced in sorted order, the maximum
    /// kept), as QGIS does: the breaks of a 180,000-cell grid in milliseconds.
    public static func breaks(_ values: [Double], classes k: Int, method: Method) -> [Double] {
        var v = values.filter(\.isFinite)
        guard !v.isEmpty, k > 0 else { return [] }
        v.sort()
        let distinct = Array(Set(v)).sorted()
        if distinct.count <= k { return distinct }
        switch method {
        case .quantiles:
            var out: [Double] = []
            for i in 1...k {
                let q = v[min(v.count - 1, Int((Double(i) / Double(k) * Double(v.count)).rounded(.up)) - 1)]
                if out.last != q { out.append(q) }
            }
            return out
        case .equalInterval:
            let lo = v[0], hi = v[v.count - 1]
            return (1...k).map { lo + (hi - lo) * Double($0) / Double(k) }
        case .naturalBreaks:
            var sample = v
            if v.count > 3000 {
                sample = (0..<3000).map { v[Int(Double($0) * Double(v.count - 1) / 2999)] }
            }
            var out = jenks(sample, k)
            out[out.count - 1] = v[v.count - 1]
            return out
        }
    }

    /// Jenks–Fisher optimal classification of sorted values: the upper bound of each class.
    static func jenks(_ x: [Double], _ k: Int) -> [Double] {
        let n = x.count
        // lower[i][j]: index of the first value of class j when the first i+1 values form j+1 classes.
        var lower = [[Int]](repeating: [Int](repeating: 0, count: k), count: n)
        var cost = [[Double]](repeating: [Double](repeating: .infinity, count: k), count: n)
        var s1 = 0.0, s2 = 0.0
        var prefix1 = [Double](repeating: 0, count: n + 1), prefix2 = [Double](repeating: 0, count: n + 1)
        for i in 0..<n { s1 += x[i]; s2 += x[i] * x[i]; prefix1[i + 1] = s1; prefix2[i + 1] = s2 }
        func ssd(_ a: Int, _ b: Int) -> Double { // values a...b
            let m = Double(b - a + 1), s = prefix1[b + 1] - prefix1[a]
            return prefix2[b + 1] - prefix2[a] - s * s / m
        }
        for i in 0..<n { cost[i][0] = ssd(0, i); lower[i][0] = 0 }
        if k > 1 {
            for j in 1..<k {
                for i in j..<n {
                    var best = Double.infinity, arg = j
                    for m in j...i { // class j is m...i
                        let c = cost[m - 1][j - 1] + ssd(m, i)
                        if c < best { best = c; arg = m }
                    }
                    cost[i][j] = best; lower[i][j] = arg
                }
            }
        }
        var out = [Double](repeating: 0, count: k)
        var end = n - 1
        for j in stride(from: k - 1, through: 0, by: -1) {
            out[j] = x[end]
            end = lower[end][j] - 1
            if end < 0 { break }
        }
        return out
    }
}
