internal import CGDAL
import Foundation

/// QGIS styles for caravan's outputs, so a layer opens in QGIS already classified and coloured:
/// a `.qml` with the same base name beside a GeoJSON, Shapefile or GeoTIFF (QGIS applies it on
/// load) and, inside a GeoPackage, a `layer_styles` row with `useAsDefault = 1`.
///
/// The classes and colours are those `caravan render` draws (`LayerStyle`).
///
/// ```swift
/// let written = try ResultWriter.write(layer, to: "out/hotspots.geojson")
/// try QGISStyle.attach(to: written, layer: layer)      // out/hotspots.qml
/// try QGISStyle.attach(toFile: "out/road_density.tif")  // out/road_density.qml
/// ```
public enum QGISStyle {
    /// Attaches the style of `layer` to what was written from it. Returns the `.qml` path, or
    /// the GeoPackage path when the style went into its `layer_styles` table; nil for formats
    /// QGIS does not pair with a `.qml` (CSV, KML).
    @discardableResult
    public static func attach(to written: WrittenOutput, layer: ResultLayer) throws -> String? {
        let style: LayerStyle
        let geometry: GeometryType
        if written.driver == OutputFormat.geoTIFF.driver, let r = layer.raster {
            style = LayerStyle.forRaster(values: r.grid.values, noData: r.grid.noData, kind: layer.kind, unit: r.unit)
            geometry = .none
        } else {
            style = LayerStyle.forResult(layer)
            geometry = layer.geometryType
        }
        return try attach(style: style, geometryType: geometry, path: written.path, driver: written.driver, layerName: layer.name)
    }

    /// Attaches the style recognised from a written file's fields (or its raster values).
    @discardableResult
    public static func attach(toFile path: String, layer: String? = nil, warnings: WarningLog = WarningLog()) throws -> String? {
        let spec = layer.map { "\(path):layer=\($0)" } ?? path
        // The file is read (and closed) before its style is written into it.
        let (style, geometry, driver, name): (LayerStyle, GeometryType, String, String) = try {
            let m = try MapLayer.open(spec, lang: .en, warnings: warnings)
            if case .file(let l) = m.source { return (m.style, m.geometryType, l.dataset.driverName, l.name) }
            return (m.style, .none, OutputFormat.geoTIFF.driver, m.name)
        }()
        return try attach(style: style, geometryType: geometry, path: path, driver: driver, layerName: name)
    }

    static func attach(style: LayerStyle, geometryType: GeometryType, path: String, driver: String, layerName: String) throws -> String? {
        let qml = geometryType == .none ? rasterQML(style) : vectorQML(style, geometryType: geometryType)
        switch driver {
        case OutputFormat.geoPackage.driver:
            try writeLayerStyles(gpkg: path, layer: layerName, qml: qml, name: "caravan \(style.kind.rawValue)")
            return path
        case OutputFormat.geoJSON.driver, OutputFormat.shapefile.driver, OutputFormat.geoTIFF.driver, "GeoJSONSeq", "FlatGeobuf":
            let target = (path as NSString).deletingPathExtension + ".qml"
            do { try qml.write(toFile: target, atomically: true, encoding: .utf8) }
            catch { throw GeoError(.write, "cannot write the QGIS style: \(error.localizedDescription)", file: target) }
            return target
        default:
            return nil
        }
    }

    // MARK: .qml

    static func rgba(_ hex: String, alpha: Double = 1) -> String {
        let c = RGBA(hex: hex)
        return "\(Int((c.r * 255).rounded())),\(Int((c.g * 255).rounded())),\(Int((c.b * 255).rounded())),\(Int((alpha * 255).rounded()))"
    }

    static func esc(_ s: String) -> String { Georeference.xmlEscape(s) }

    /// One symbol of `geometryType` in `colour`.
    static func symbol(_ name: String, _ geometryType: GeometryType, colour: String, alpha: Double = 1, size: Double = 2.6,
                       outline: String? = nil, shape: String = "circle") -> String {
        func props(_ p: [(String, String)]) -> String { p.map { "          <prop k=\"\($0.0)\" v=\"\(esc($0.1))\"/>" }.joined(separator: "\n") }
        let (type, cls, body): (String, String, String)
        switch geometryType {
        case .point, .multiPoint:
            (type, cls, body) = ("marker", "SimpleMarker", props([("name", shape), ("color", rgba(colour, alpha: alpha)), ("size", "\(size)"),
                                                                  ("size_unit", "MM"), ("outline_color", outline.map { rgba($0) } ?? "35,35,35,255"),
                                                                  ("outline_width", "0.3"), ("outline_style", "solid")]))
        case .lineString, .multiLineString:
            (type, cls, body) = ("line", "SimpleLine", props([("line_color", rgba(colour, alpha: alpha)), ("line_width", "1.2"),
                                                              ("line_width_unit", "MM"), ("line_style", "solid"), ("capstyle", "round"), ("joinstyle", "round")]))
        default:
            (type, cls, body) = ("fill", "SimpleFill", props([("color", rgba(colour, alpha: alpha)), ("style", "solid"),
                                                              ("outline_style", outline == nil ? "no" : "solid"),
                                                              ("outline_color", outline.map { rgba($0) } ?? "0,0,0,0"), ("outline_width", "0.26")]))
        }
        return """
              <symbol type="\(type)" name="\(name)" alpha="1" clip_to_extent="1" force_rhr="0">
                <layer class="\(cls)" enabled="1" locked="0" pass="0">
        \(body)
                </layer>
              </symbol>
        """
    }

    /// The comment every `.qml` caravan writes carries, so a later run knows the file is its own.
    public static let marker = "written by caravan"

    static func document(_ inner: String) -> String {
        """
        <!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>
        <!-- Style \(marker): the classes and colours of caravan render. -->
        <qgis version="3.22.16-Białowieża" styleCategories="Symbology|Labeling">
        \(inner)
        </qgis>

        """
    }

    /// The renderer of a vector layer: categorized (Gi_Bin, PATTERN, crossings), graduated (density) or single.
    public static func vectorQML(_ style: LayerStyle, geometryType: GeometryType) -> String {
        var labelField: String? = nil
        let renderer: String
        switch style.symbol {
        case .categorized(let field, let classes):
            let cats = classes.enumerated().map { i, c in
                "      <category symbol=\"\(i)\" value=\"\(esc(c.value))\" label=\"\(esc(c.label))\" render=\"true\"/>"
            }.joined(separator: "\n")
            let syms = classes.enumerated().map { i, c in symbol("\(i)", geometryType, colour: c.colour) }.joined(separator: "\n")
            renderer = """
              <renderer-v2 type="categorizedSymbol" attr="\(esc(field))" symbollevels="0" enableorderby="0" forceraster="0">
                <categories>
            \(cats)
                </categories>
                <symbols>
            \(syms)
                </symbols>
              </renderer-v2>
            """
        case .graduated(let field, let breaks, let colours, let method):
            var lower = 0.0
            var ranges: [String] = []
            for (i, b) in breaks.enumerated() {
                // The first class starts just above zero: zero cells get no symbol (transparent).
                let lo = i == 0 ? Double.leastNormalMagnitude : lower
                let label = i == 0 ? "> 0 – \(shortNumber(b))" : "\(shortNumber(lower)) – \(shortNumber(b))"
                ranges.append("      <range symbol=\"\(i)\" lower=\"\(lo)\" upper=\"\(b)\" label=\"\(esc(label + (style.unit.map { " \($0)" } ?? "")))\" render=\"true\"/>")
                lower = b
            }
            let syms = colours.enumerated().map { i, c in symbol("\(i)", geometryType, colour: c) }.joined(separator: "\n")
            let mode = method == .quantiles ? "quantile" : method == .equalInterval ? "equal" : "jenks"
            renderer = """
              <renderer-v2 type="graduatedSymbol" attr="\(esc(field))" graduatedMethod="GraduatedColor" symbollevels="0" enableorderby="0" forceraster="0">
                <ranges>
            \(ranges.joined(separator: "\n"))
                </ranges>
                <symbols>
            \(syms)
                </symbols>
                <mode name="\(mode)"/>
                <classificationMethod id="\(method == .quantiles ? "Quantile" : method == .equalInterval ? "EqualInterval" : "Jenks")"/>
              </renderer-v2>
            """
        case .crossings(_, let unlisted, let label, _):
            labelField = label
            let field = unlisted ?? "unlisted"
            renderer = """
              <renderer-v2 type="categorizedSymbol" attr="\(esc(field))" symbollevels="0" enableorderby="0" forceraster="0">
                <categories>
                  <category symbol="0" value="0" label="At a known border post" render="true"/>
                  <category symbol="1" value="1" label="No known post nearby" render="true"/>
                </categories>
                <symbols>
            \(symbol("0", .point, colour: "#1F3A93", size: 3.2, outline: "#FFFFFF", shape: "square"))
            \(symbol("1", .point, colour: "#E31A1C", size: 2.6, outline: "#FFFFFF"))
                </symbols>
              </renderer-v2>
            """
        case .lines(let label, let colour):
            labelField = label
            renderer = single(symbol("0", geometryType, colour: colour))
        case .points(let size, let colour):
            if let size {
                // Size by the field's square root (circle area in proportion to the value), as the map does.
                let s = symbol("0", geometryType, colour: colour, alpha: 0.55).replacingOccurrences(
                    of: "</layer>", with: """
                      <data_defined_properties><Option type="Map"><Option name="name" type="QString" value=""/><Option name="properties" type="Map"><Option name="size" type="Map"><Option name="active" type="bool" value="true"/><Option name="expression" type="QString" value="\(esc("1.5 + 0.25 * sqrt(coalesce(\"\(size)\", 0))"))"/><Option name="type" type="int" value="3"/></Option></Option><Option name="type" type="QString" value="collection"/></Option></data_defined_properties>
                    </layer>
                    """)
                renderer = single(s)
            } else {
                renderer = single(symbol("0", geometryType, colour: colour, alpha: 0.7))
            }
        case .plain(let colour):
            renderer = single(symbol("0", geometryType, colour: colour, alpha: geometryType.isPolygonLike ? 0.4 : 1,
                                     outline: geometryType.isPolygonLike ? colour : nil))
        }
        var labeling = ""
        if let labelField {
            labeling = """
              <labeling type="simple">
                <settings calloutType="simple">
                  <text-style fieldName="\(esc(labelField))" isExpression="0" fontFamily="Noto Sans" fontSize="9" fontWeight="75" textColor="30,30,30,255">
                    <text-buffer bufferDraw="1" bufferSize="1" bufferColor="255,255,255,255" bufferOpacity="0.9"/>
                  </text-style>
                  <placement placement="\(geometryType.isLineLike ? 2 : 6)" dist="1"/>
                  <rendering obstacle="1"/>
                </settings>
              </labeling>
            """
        }
        return document(renderer + (labeling.isEmpty ? "" : "\n" + labeling) + "\n  <layerGeometryType>\(geometryType.isPointLike ? 0 : geometryType.isLineLike ? 1 : 2)</layerGeometryType>")
    }

    static func single(_ symbol: String) -> String {
        """
          <renderer-v2 type="singleSymbol" symbollevels="0" enableorderby="0" forceraster="0">
            <symbols>
        \(symbol)
            </symbols>
          </renderer-v2>
        """
    }

    /// A single-band pseudocolour renderer with discrete classes; zero and below transparent.
    public static func rasterQML(_ style: LayerStyle) -> String {
        guard case .graduated(_, let breaks, let colours, _) = style.symbol, let top = breaks.last else {
            return document("  <pipe><rasterrenderer type=\"singlebandgray\" grayBand=\"1\" opacity=\"1\" alphaBand=\"-1\"/></pipe>")
        }
        var items = ["          <item value=\"0\" color=\"#ffffff\" alpha=\"0\" label=\"0 (not coloured)\"/>"]
        var lower = 0.0
        for (i, b) in breaks.enumerated() {
            let label = (i == 0 ? "> 0 – \(shortNumber(b))" : "\(shortNumber(lower)) – \(shortNumber(b))") + (style.unit.map { " \($0)" } ?? "")
            let value = i == breaks.count - 1 ? "inf" : "\(b)"
            items.append("          <item value=\"\(value)\" color=\"\(colours[i].lowercased())\" alpha=\"255\" label=\"\(esc(label))\"/>")
            lower = b
        }
        return document("""
          <pipe>
            <rasterrenderer type="singlebandpseudocolor" band="1" opacity="1" alphaBand="-1" classificationMin="0" classificationMax="\(top)" nodataColor="">
              <rastershader>
                <colorrampshader colorRampType="DISCRETE" classificationMode="3" clip="0" minimumValue="0" maximumValue="\(top)">
        \(items.joined(separator: "\n"))
                </colorrampshader>
              </rastershader>
            </rasterrenderer>
          </pipe>
        """)
    }

    static func shortNumber(_ v: Double) -> String {
        let a = abs(v)
        return a >= 100 ? String(format: "%.0f", v) : a >= 10 ? String(format: "%.1f", v) : a >= 1 ? String(format: "%.2f", v)
            : a >= 0.01 ? String(format: "%.3f", v) : String(format: "%.2g", v)
    }

    // MARK: GeoPackage layer_styles

    /// Writes (or replaces) the default style of `layer` in the GeoPackage's `layer_styles`
    /// table, created as QGIS creates it when missing.
    static func writeLayerStyles(gpkg path: String, layer: String, qml: String, name: String) throws {
        GDALRuntime.bootstrap()
        let (ds, failure) = withGDALError { GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_UPDATE), nil, nil, nil) }
        guard let ds else { throw failure?.error(.open, "GDALOpenEx", file: path) ?? GeoError(.open, "cannot open the GeoPackage to add its style", file: path) }
        defer { GDALClose(ds) }
        guard let target = GDALDatasetGetLayerByName(ds, layer) else {
            throw GeoError(.write, "the GeoPackage has no layer '\(layer)' to style", file: path)
        }
        let geomColumn = String(cString: OGR_L_GetGeometryColumn(target))
        var styles = GDALDatasetGetLayerByName(ds, "layer_styles")
        if styles == nil {
            styles = GDALDatasetCreateLayer(ds, "layer_styles", nil, wkbNone, nil)
            guard let styles else { throw GeoError(.write, "cannot create the layer_styles table", library: .gdal, file: path) }
            let columns: [(String, OGRFieldType, Int32)] = [
                ("f_table_catalog", OFTString, 256), ("f_table_schema", OFTString, 256), ("f_table_name", OFTString, 256),
                ("f_geometry_column", OFTString, 256), ("styleName", OFTString, 30), ("styleQML", OFTString, 0), ("styleSLD", OFTString, 0),
                ("useAsDefault", OFTInteger, 0), ("description", OFTString, 0), ("owner", OFTString, 30), ("ui", OFTString, 30),
                ("update_time", OFTDateTime, 0)]
            for (n, t, w) in columns {
                let fd = OGR_Fld_Create(n, t)
                if w > 0 { OGR_Fld_SetWidth(fd, w) }
                if n == "useAsDefault" { OGR_Fld_SetSubType(fd, OFSTBoolean) }
                _ = OGR_L_CreateField(styles, fd, 1)
                OGR_Fld_Destroy(fd)
            }
        }
        guard let styles else { return }
        // Earlier defaults for this layer step aside (QGIS loads the one default).
        let quoted = layer.replacingOccurrences(of: "'", with: "''")
        _ = OGR_L_SetAttributeFilter(styles, "f_table_name = '\(quoted)' AND useAsDefault = 1")
        OGR_L_ResetReading(styles)
        var old: [Int64] = []
        while let f = OGR_L_GetNextFeature(styles) { old.append(OGR_F_GetFID(f)); OGR_F_Destroy(f) }
        _ = OGR_L_SetAttributeFilter(styles, nil)
        for fid in old { _ = OGR_L_DeleteFeature(styles, fid) }
        let defn = OGR_L_GetLayerDefn(styles)
        let f = OGR_F_Create(defn)
        defer { OGR_F_Destroy(f) }
        func set(_ n: String, _ v: String) { let i = OGR_F_GetFieldIndex(f, n); if i >= 0 { OGR_F_SetFieldString(f, i, v) } }
        set("f_table_catalog", ""); set("f_table_schema", ""); set("f_table_name", layer); set("f_geometry_column", geomColumn)
        set("styleName", name); set("styleQML", qml); set("styleSLD", "")
        set("description", "Style written by caravan: the classes and colours of caravan render"); set("owner", ""); set("ui", "")
        OGR_F_SetFieldInteger(f, OGR_F_GetFieldIndex(f, "useAsDefault"), 1)
        let now = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "UTC")!, from: Date())
        OGR_F_SetFieldDateTime(f, OGR_F_GetFieldIndex(f, "update_time"), Int32(now.year!), Int32(now.month!), Int32(now.day!),
                               Int32(now.hour!), Int32(now.minute!), Int32(now.second!), 100)
        let (err, wfail) = withGDALError { OGR_L_CreateFeature(styles, f) }
        if err != OGRERR_NONE { throw wfail?.error(.write, "OGR_L_CreateFeature", file: path) ?? GeoError(.write, "cannot add the style to layer_styles", file: path) }
    }
}
