import Foundation

/// The options of `caravan render` (flag names in camelCase): the layers, the picture and the map.
///
/// ```swift
/// var o = RenderOptions(layers: ["out/seizure_hotspots.geojson"], output: "out/hotspots.png")
/// o.title = "Seizure hot spots"
/// let result = try renderMap(o)
/// ```
public struct RenderOptions: AnalysisOptions {
    public static let command = "render"
    /// Layers drawn bottom to top, each `PATH[:STYLE]` (`out/seizures.gpkg:field=amount_kg`).
    public var layers: [String]
    /// map.png (georeferenced), map.svg or map.pdf.
    public var output: String
    public var title: String?
    public var subtitle: String?
    /// `minlon,minlat,maxlon,maxlat` (WGS84).
    public var extent: String?
    /// Countries to frame (ISO codes, comma-separated); default the six focus states.
    public var focus: String?
    /// `WIDTHxHEIGHT` in pixels (default 1920x1080 without --paper).
    public var size: String?
    /// A4 or A3 (portrait unless `landscape`).
    public var paper: String?
    public var landscape = false
    /// Pixels per inch of a PNG on paper (default 150).
    public var dpi: Int?
    /// The map's CRS (default: the layers' projected CRS, else the regional equal-area CRS).
    public var crs: String?
    /// How many towns are labelled (default by picture size).
    public var labels: Int?
    public var lang: MapLanguage = .en
    /// One panel per value of this field, one legend.
    public var by: String?
    /// A raster GDAL opens (MBTiles, GeoTIFF, XYZ XML) drawn beneath the layers.
    public var basemap: String?
    public var basemapOpacity = 1.0
    /// The attribution of the --basemap imagery.
    public var attribution: String?
    public var overwrite = false

    public init(layers: [String], output: String) { self.layers = layers; self.output = output }

    /// The largest picture side: 20,000 pixels (a 400-megapixel PNG holds 1.6 GB in memory).
    public static let maxSide = 20_000

    public var inputPaths: [String] { layers.map { RenderOptions.splitStyle($0).path } + (basemap.map { [$0] } ?? []) }
    public var outputPaths: [String] {
        var out = [output]
        if (try? PictureFormat.of(path: output)) == .png { out += [Georeference.worldFilePath(output), output + ".aux.xml"] }
        return out
    }

    public func validate() throws {
        _ = try PictureFormat.of(path: output)
        let (w, h) = try pictureSize()
        if w > RenderOptions.maxSide || h > RenderOptions.maxSide {
            throw GeoError(.invalidArgument, "a picture of \(w)×\(h) is larger than \(RenderOptions.maxSide) pixels a side", file: output,
                           hint: "choose a smaller {size} or {dpi}")
        }
        if w < 200 || h < 150 {
            throw GeoError(.invalidArgument, "a picture of \(w)×\(h) is too small for a map with a legend", file: output, hint: "use at least {size} 400x300")
        }
        if let e = extent { _ = try RenderOptions.parseExtent(e) }
        if !(0...1).contains(basemapOpacity) {
            throw GeoError(.invalidArgument, "{basemapOpacity} is \(basemapOpacity)", hint: "give a value from 0 (invisible) to 1 (opaque)")
        }
        if let n = labels, n < 0 { throw GeoError(.invalidArgument, "{labels} is \(n)", hint: "give 0 for no town names, or a positive number") }
        for l in layers where RenderOptions.splitStyle(l).path.isEmpty {
            throw GeoError(.invalidArgument, "a layer has no path: '\(l)'", hint: "write PATH or PATH:field=NAME")
        }
    }

    /// The picture's size in pixels (PNG) or points (SVG, PDF).
    public func pictureSize() throws -> (Int, Int) {
        let format = try PictureFormat.of(path: output)
        if let paper {
            let mm: (Double, Double)
            switch paper.uppercased() {
            case "A4": mm = (210, 297)
            case "A3": mm = (297, 420)
            default: throw GeoError(.invalidArgument, "unknown paper size '\(paper)'", hint: "use {paper} A4 or {paper} A3")
            }
            let (wmm, hmm) = landscape ? (mm.1, mm.0) : mm
            let perInch = format == .png ? Double(dpi ?? 150) : 72
            return (Int((wmm / 25.4 * perInch).rounded()), Int((hmm / 25.4 * perInch).rounded()))
        }
        guard let size else { return (1920, 1080) }
        let parts = size.lowercased().split(separator: "x").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let w = parts[0], let h = parts[1], w > 0, h > 0 else {
            throw GeoError(.invalidArgument, "{size} '\(size)' is not WIDTHxHEIGHT", hint: "e.g. {size} 1920x1080")
        }
        return (w, h)
    }

    static func parseExtent(_ s: String) throws -> Envelope {
        let v = s.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, let a = v[0], let b = v[1], let c = v[2], let d = v[3], a < c, b < d,
              a >= -180, c <= 180, b >= -90, d <= 90 else {
            throw GeoError(.invalidArgument, "{extent} '\(s)' is not minlon,minlat,maxlon,maxlat", hint: "e.g. {extent} 60,35,80,45")
        }
        return Envelope(minX: a, minY: b, maxX: c, maxY: d)
    }

    /// `path[:key=value,...]`: the style part is what follows the last ':' when it holds '='.
    static func splitStyle(_ s: String) -> (path: String, style: [String: String]) {
        guard let i = s.lastIndex(of: ":"), s[s.index(after: i)...].contains("=") else { return (s, [:]) }
        var style: [String: String] = [:]
        for kv in s[s.index(after: i)...].split(separator: ",") {
            let p = kv.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            if p.count == 2 { style[p[0].lowercased()] = p[1] }
        }
        return (String(s[..<i]), style)
    }
}
