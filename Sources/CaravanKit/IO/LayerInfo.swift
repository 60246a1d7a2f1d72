import Foundation

/// A layer's summary: what `caravan info` prints.
public struct LayerInfo: Sendable {
    public var name: String
    public var geometryType: GeometryType
    /// For mixed layers: how many features of each type.
    public var geometryTypeCounts: [GeometryType: Int] = [:]
    public var featureCount: Int
    public var crs: CRS?
    public var extent: Envelope?
    public var lonLatExtent: Envelope?
    public var fields: [FieldDefinition]
    /// Lon/lat columns used to make points, for tables.
    public var pointColumns: (lon: String, lat: String)?
    /// With `check`: number of invalid geometries and the first reasons.
    public var invalidCount: Int?
    public var invalidExamples: [String] = []

    /// Describes a layer; with `check`, validates every geometry too (a full read).
    public static func describe(_ layer: Layer, check: Bool = false) throws -> LayerInfo {
        var info = LayerInfo(name: layer.name, geometryType: layer.geometryType, featureCount: try layer.featureCount(),
                             crs: try layer.crs, extent: try layer.extent(), lonLatExtent: nil, fields: layer.schema.fields)
        if info.crs != nil { info.lonLatExtent = try layer.lonLatExtent() }
        if let c = layer.pointColumns { info.pointColumns = (layer.schema.fields[c.lon].name, layer.schema.fields[c.lat].name) }
        if info.geometryType == .unknown || check {
            var invalid = 0
            try layer.forEachGeometry { fid, g in
                info.geometryTypeCounts[g.type, default: 0] += 1
                if check, g.type.dimensionFamily == 2, !(try g.isValid) {
                    invalid += 1
                    if info.invalidExamples.count < 5 { info.invalidExamples.append("feature \(fid): \((try? g.validityReason) ?? "invalid")") }
                }
            }
            if check { info.invalidCount = invalid }
        }
        return info
    }

    /// The description a person reads, its two hints naming options as `optionName` shows them
    /// (the CLI's flags by default). Only the hints are rendered: names and values from the file
    /// are printed as they are, braces included.
    public var text: String { text(optionName: OptionKeys.flag) }

    public func text(optionName: (String) -> String) -> String {
        var s = "layer '\(name)'\n"
        var type = geometryType.rawValue
        if geometryType == .unknown, !geometryTypeCounts.isEmpty {
            type = "mixed: " + geometryTypeCounts.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.value) \($0.key.rawValue)" }.joined(separator: ", ")
        }
        if let pc = pointColumns { type += " (from columns \(pc.lon), \(pc.lat))" }
        s += "  geometry: \(type)\n"
        s += "  features: \(featureCount)\n"
        if geometryType == .none {
            s += "  CRS:      none (a table without geometry)\n"
        } else {
            s += "  CRS:      \(crs?.description ?? "unknown (no .prj or no CRS given; use \(optionName("sSrs")))")\n"
        }
        if let e = lonLatExtent {
            s += String(format: "  extent:   lon %.6f … %.6f, lat %.6f … %.6f\n", e.minX, e.maxX, e.minY, e.maxY)
        } else if let e = extent {
            s += "  extent:   \(e) (CRS unknown)\n"
        }
        if let n = invalidCount {
            s += "  validity: \(n == 0 ? "all geometries valid" : "\(n) invalid (repair with: caravan convert \(optionName("makeValid")))")\n"
            for ex in invalidExamples { s += "            \(ex)\n" }
        }
        s += "  fields:   \(fields.count)\n"
        let w = max(8, fields.map(\.name.count).max() ?? 0)
        for f in fields {
            let size = f.width > 0 ? (f.precision > 0 ? "(\(f.width).\(f.precision))" : "(\(f.width))") : ""
            s += "    " + f.name.padding(toLength: w, withPad: " ", startingAt: 0) + "  \(f.type.rawValue)\(size)\n"
        }
        return s
    }

    public var json: [String: Any] {
        var d: [String: Any] = [
            "name": name, "geometry_type": geometryType.rawValue, "feature_count": featureCount,
            "fields": fields.map { ["name": $0.name, "type": $0.type.rawValue, "width": $0.width, "precision": $0.precision] as [String: Any] },
        ]
        if !geometryTypeCounts.isEmpty {
            d["geometry_type_counts"] = Dictionary(uniqueKeysWithValues: geometryTypeCounts.map { ($0.key.rawValue, $0.value) })
        }
        if let crs {
            var c: [String: Any] = ["name": crs.name, "geographic": crs.isGeographic]
            if let id = crs.identifier { c["id"] = id }
            if let e = crs.epsg { c["epsg"] = e }
            d["crs"] = c
        } else { d["crs"] = NSNull() }
        if let e = extent { d["extent"] = [e.minX, e.minY, e.maxX, e.maxY] }
        if let e = lonLatExtent { d["extent_lonlat"] = [e.minX, e.minY, e.maxX, e.maxY] }
        if let pc = pointColumns { d["point_columns"] = [pc.lon, pc.lat] }
        if let n = invalidCount { d["invalid_count"] = n; d["invalid_examples"] = invalidExamples }
        return d
    }
}
