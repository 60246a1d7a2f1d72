internal import CCairo
import Foundation

/// A colour with alpha, from `#RRGGBB`.
struct RGBA: Hashable {
    var r, g, b, a: Double
    init(_ r: Double, _ g: Double, _ b: Double, _ a: Double = 1) { self.r = r; self.g = g; self.b = b; self.a = a }
    init(hex: String, alpha: Double = 1) {
        var s = hex.trimmingCharacters(in: .whitespaces)
        if s.hasPrefix("#") { s.removeFirst() }
        let v = UInt32(s, radix: 16) ?? 0x808080
        self.init(Double((v >> 16) & 255) / 255, Double((v >> 8) & 255) / 255, Double(v & 255) / 255, alpha)
    }
    func with(alpha: Double) -> RGBA { RGBA(r, g, b, alpha) }
    static let black = RGBA(0, 0, 0), white = RGBA(1, 1, 1)
}

/// A rectangle in canvas units.
struct Box: Hashable {
    var x, y, w, h: Double
    var maxX: Double { x + w }
    var maxY: Double { y + h }
    func intersects(_ o: Box) -> Bool { x < o.maxX && o.x < maxX && y < o.maxY && o.y < maxY }
    func contains(_ o: Box) -> Bool { o.x >= x && o.y >= y && o.maxX <= maxX && o.maxY <= maxY }
    func inset(_ d: Double) -> Box { Box(x: x + d, y: y + d, w: w - 2 * d, h: h - 2 * d) }
}

/// The output of a map: PNG (pixels), SVG (text as text) or PDF (vector, for print).
public enum PictureFormat: String, Sendable, Codable {
    case png, svg, pdf
    public static func of(path: String) throws -> PictureFormat {
        switch (path as NSString).pathExtension.lowercased() {
        case "png": return .png
        case "svg": return .svg
        case "pdf": return .pdf
        default:
            throw GeoError(.invalidArgument, "a map is written to .png, .svg or .pdf", file: path,
                           hint: "name the output map.png (slides), map.pdf (print) or map.svg (editing)")
        }
    }
}

/// A Cairo surface and context with Pango text: everything a map draws goes through here.
final class Canvas {
    let format: PictureFormat
    let width: Double, height: Double
    private let surface: OpaquePointer
    let cr: OpaquePointer
    private let path: String
    private var finished = false

    /// `width` × `height` in pixels (PNG) or points (SVG, PDF); `path` is where the surface
    /// writes (a temporary file for SVG and PDF; PNG is written by `finish`).
    init(format: PictureFormat, width: Int, height: Int, path: String) throws {
        self.format = format; self.width = Double(width); self.height = Double(height); self.path = path
        let s: OpaquePointer?
        switch format {
        case .png: s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height))
        case .svg:
            s = cairo_svg_surface_create(path, Double(width), Double(height))
        case .pdf:
            s = cairo_pdf_surface_create(path, Double(width), Double(height))
        }
        guard let s, cairo_surface_status(s) == CAIRO_STATUS_SUCCESS else {
            let msg = s.map { String(cString: cairo_status_to_string(cairo_surface_status($0))) } ?? "no surface"
            throw GeoError(.write, "cannot create the \(format.rawValue.uppercased()) surface (\(width)×\(height)): \(msg)", file: path)
        }
        if format == .svg { cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_2) }
        if format == .pdf {
            cairo_pdf_surface_set_metadata(s, CAIRO_PDF_METADATA_CREATOR, "caravan render")
        }
        surface = s
        cr = cairo_create(s)
        cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
        cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND)
    }

    deinit {
        for l in layouts.values { g_object_unref(UnsafeMutableRawPointer(l)) }
        cairo_destroy(cr)
        if !finished { cairo_surface_finish(surface) }
        cairo_surface_destroy(surface)
    }

    /// Completes the picture: PNG written to `path`, SVG/PDF flushed.
    func finish() throws {
        cairo_surface_flush(surface)
        if format == .png {
            let st = cairo_surface_write_to_png(surface, path)
            guard st == CAIRO_STATUS_SUCCESS else {
                throw GeoError(.write, "cannot write the PNG: \(String(cString: cairo_status_to_string(st)))", file: path)
            }
        }
        cairo_surface_finish(surface)
        finished = true
        let st = cairo_surface_status(surface)
        guard st == CAIRO_STATUS_SUCCESS else {
            throw GeoError(.write, "cannot write the \(format.rawValue.uppercased()): \(String(cString: cairo_status_to_string(st)))", file: path)
        }
        try appendSVGTexts()
    }

    func setSetMetadata(title: String) {
        if format == .pdf { cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, title) }
    }

    // MARK: drawing state

    func set(_ c: RGBA) { cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a) }
    func lineWidth(_ w: Double) { cairo_set_line_width(cr, w) }
    func save() { cairo_save(cr) }
    func restore() { cairo_restore(cr) }
    func antialias(_ on: Bool) { cairo_set_antialias(cr, on ? CAIRO_ANTIALIAS_DEFAULT : CAIRO_ANTIALIAS_NONE) }
    func dash(_ d: [Double]) { cairo_set_dash(cr, d, Int32(d.count), 0) }

    func scale(_ f: Double) { cairo_scale(cr, f, f) }
    func clip(_ b: Box) { cairo_rectangle(cr, b.x, b.y, b.w, b.h); cairo_clip(cr) }

    func rect(_ b: Box, fill: RGBA?, stroke: RGBA? = nil, width: Double = 1) {
        cairo_rectangle(cr, b.x, b.y, b.w, b.h)
        fillStroke(fill: fill, stroke: stroke, width: width)
    }

    func circle(_ x: Double, _ y: Double, _ r: Double, fill: RGBA?, stroke: RGBA? = nil, width: Double = 1) {
        cairo_new_sub_path(cr)
        cairo_arc(cr, x, y, r, 0, 2 * .pi)
        fillStroke(fill: fill, stroke: stroke, width: width)
    }

    func fillStroke(fill: RGBA?, stroke: RGBA?, width: Double) {
        if let fill { set(fill); if stroke != nil { cairo_fill_preserve(cr) } else { cairo_fill(cr) } }
        if let stroke { set(stroke); cairo_set_line_width(cr, width); cairo_stroke(cr) }
        cairo_new_path(cr)
    }

    func moveTo(_ x: Double, _ y: Double) { cairo_move_to(cr, x, y) }
    func lineTo(_ x: Double, _ y: Double) { cairo_line_to(cr, x, y) }
    func closePath() { cairo_close_path(cr) }
    func newPath() { cairo_new_path(cr) }
    func fill() { cairo_fill(cr) }
    func stroke() { cairo_stroke(cr) }
    func fillPreserve() { cairo_fill_preserve(cr) }
    func evenOdd() { cairo_set_fill_rule(cr, CAIRO_FILL_RULE_EVEN_ODD) }

    func line(_ x0: Double, _ y0: Double, _ x1: Double, _ y1: Double, _ c: RGBA, width: Double) {
        set(c); cairo_set_line_width(cr, width); cairo_move_to(cr, x0, y0); cairo_line_to(cr, x1, y1); cairo_stroke(cr)
    }

    /// Paints premultiplied ARGB32 pixels (`w` × `h`, row-major from the top) at `x`, `y` with `opacity`.
    func paintImage(_ pixels: inout [UInt32], w: Int, h: Int, x: Double, y: Double, opacity: Double = 1, smooth: Bool = false) {
        let stride = Int(cairo_format_stride_for_width(CAIRO_FORMAT_ARGB32, Int32(w)))
        // Cannot fail: cairo's stride for ARGB32 is 4 bytes a pixel, already 4-byte aligned, for any
        // width; the pixels below are laid out on that assumption.
        precondition(stride == w * 4)
        pixels.withUnsafeMutableBytes { raw in
            let img = cairo_image_surface_create_for_data(raw.baseAddress!.assumingMemoryBound(to: UInt8.self), CAIRO_FORMAT_ARGB32,
                                                          Int32(w), Int32(h), Int32(stride))
            cairo_save(cr)
            cairo_set_source_surface(cr, img, x, y)
            cairo_pattern_set_filter(cairo_get_source(cr), smooth ? CAIRO_FILTER_GOOD : CAIRO_FILTER_NEAREST)
            cairo_paint_with_alpha(cr, opacity)
            cairo_restore(cr)
            cairo_surface_finish(img)
            cairo_surface_destroy(img)
        }
    }

    /// The pixel at `x`, `y` of a PNG canvas as (r, g, b, a) 0…255 (for tests).
    func pixel(_ x: Int, _ y: Int) -> (Int, Int, Int, Int)? {
        guard format == .png, let data = cairo_image_surface_get_data(surface) else { return nil }
        let stride = Int(cairo_image_surface_get_stride(surface))
        let p = data.advanced(by: y * stride + x * 4).withMemoryRebound(to: UInt32.self, capacity: 1) { $0.pointee }
        return (Int((p >> 16) & 255), Int((p >> 8) & 255), Int(p & 255), Int(p >> 24))
    }

    // MARK: text (Pango)

    struct Font: Hashable {
        var size: Double
        var bold = false
        var italic = false
        var family = "Noto Sans"
    }

    private var layouts: [Font: OpaquePointer] = [:]

    private func layout(_ font: Font) -> OpaquePointer {
        if let l = layouts[font] { pango_cairo_update_layout(cr, l); return l }
        // Never nil: both are GObject constructors, which abort inside GLib on memory exhaustion
        // rather than return NULL; no font, text or option reaches them.
        let l = pango_cairo_create_layout(cr)!
        let d = pango_font_description_new()!
        pango_font_description_set_family(d, font.family)
        pango_font_description_set_absolute_size(d, font.size * Double(PANGO_SCALE))
        pango_font_description_set_weight(d, font.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL)
        pango_font_description_set_style(d, font.italic ? PANGO_STYLE_ITALIC : PANGO_STYLE_NORMAL)
        pango_layout_set_font_description(l, d)
        pango_font_description_free(d)
        layouts[font] = l
        return l
    }

    /// The size of `text` in `font` (width, height) in canvas units.
    func measure(_ text: String, _ font: Font, wrap: Double? = nil) -> (w: Double, h: Double) {
        let l = layout(font)
        pango_layout_set_width(l, wrap.map { Int32($0 * Double(PANGO_SCALE)) } ?? -1)
        pango_layout_set_wrap(l, PANGO_WRAP_WORD)
        pango_layout_set_text(l, text, -1)
        var w: Int32 = 0, h: Int32 = 0
        pango_layout_get_size(l, &w, &h)
        return (Double(w) / Double(PANGO_SCALE), Double(h) / Double(PANGO_SCALE))
    }

    /// Draws `text` with its top-left at `x`, `y`; with a `halo`, outlined first (labels on the map).
    @discardableResult
    func text(_ text: String, x: Double, y: Double, font: Font, colour: RGBA, halo: RGBA? = nil, haloWidth: Double = 0,
              wrap: Double? = nil) -> (w: Double, h: Double) {
        let size = measure(text, font, wrap: wrap)
        let l = layout(font)
        if format == .svg {
            svgText(l, x: x, y: y, font: font, colour: colour, halo: halo, haloWidth: haloWidth)
            return size
        }
        cairo_move_to(cr, x, y)
        if let halo {
            pango_cairo_layout_path(cr, l)
            set(halo); cairo_set_line_width(cr, haloWidth); cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND)
            cairo_stroke(cr)
            cairo_move_to(cr, x, y)
        }
        set(colour)
        pango_cairo_show_layout(cr, l)
        cairo_new_path(cr)
        return size
    }

    /// SVG keeps words as words: each line of the laid-out text becomes a `<text>` element,
    /// added to the file when it is finished (Cairo's SVG surface would draw glyph outlines).
    private var svgTexts: [String] = []

    private func svgText(_ l: OpaquePointer, x: Double, y: Double, font: Font, colour: RGBA, halo: RGBA?, haloWidth: Double) {
        guard let raw = pango_layout_get_text(l) else { return }
        let bytes = Array(UnsafeBufferPointer(start: UnsafeRawPointer(raw).assumingMemoryBound(to: UInt8.self), count: strlen(raw)))
        guard let iter = pango_layout_get_iter(l) else { return }
        defer { pango_layout_iter_free(iter) }
        func css(_ c: RGBA) -> String { "rgb(\(Int(c.r * 255)),\(Int(c.g * 255)),\(Int(c.b * 255)))" }
        repeat {
            guard let line = pango_layout_iter_get_line_readonly(iter) else { continue }
            let start = Int(line.pointee.start_index), len = Int(line.pointee.length)
            guard start >= 0, len > 0, start + len <= bytes.count else { continue }
            let s = String(decoding: bytes[start..<(start + len)], as: UTF8.self).trimmingCharacters(in: .newlines)
            let baseline = Double(pango_layout_iter_get_baseline(iter)) / Double(PANGO_SCALE)
            var attrs = "x=\"\(fmt(x))\" y=\"\(fmt(y + baseline))\" font-family=\"\(font.family)\" font-size=\"\(fmt(font.size))\""
            if font.bold { attrs += " font-weight=\"bold\"" }
            if font.italic { attrs += " font-style=\"italic\"" }
            attrs += " fill=\"\(css(colour))\"" + (colour.a < 1 ? " fill-opacity=\"\(fmt(colour.a))\"" : "")
            if let halo, haloWidth > 0 {
                attrs += " stroke=\"\(css(halo))\" stroke-opacity=\"\(fmt(halo.a))\" stroke-width=\"\(fmt(haloWidth))\" stroke-linejoin=\"round\" paint-order=\"stroke\""
            }
            svgTexts.append("<text \(attrs) xml:space=\"preserve\">\(Georeference.xmlEscape(s))</text>")
        } while pango_layout_iter_next_line(iter) != 0
    }

    private func fmt(_ v: Double) -> String { String(format: "%.2f", v) }

    /// Adds the recorded words to a finished SVG file.
    private func appendSVGTexts() throws {
        guard format == .svg, !svgTexts.isEmpty else { return }
        guard var svg = try? String(contentsOfFile: path, encoding: .utf8), let end = svg.range(of: "</svg>", options: .backwards) else {
            throw GeoError(.write, "cannot add the words to the SVG", file: path)
        }
        svg.replaceSubrange(end, with: "<g id=\"caravan-text\">\n" + svgTexts.joined(separator: "\n") + "\n</g>\n</svg>")
        do { try svg.write(toFile: path, atomically: false, encoding: .utf8) }
        catch { throw GeoError(.write, "cannot write the SVG: \(error.localizedDescription)", file: path) }
    }

    /// Draws `text` rotated by `angle` radians about its top-left corner.
    func rotatedText(_ s: String, x: Double, y: Double, angle: Double, font: Font, colour: RGBA) {
        cairo_save(cr)
        cairo_translate(cr, x, y)
        cairo_rotate(cr, angle)
        text(s, x: 0, y: 0, font: font, colour: colour)
        cairo_restore(cr)
    }

    /// Fails with the Debian package to install when the map's font is not installed.
    static func checkFonts() throws {
        guard let config = FcInitLoadConfigAndFonts() else { throw missingFonts("fontconfig has no configuration") }
        defer { FcConfigDestroy(config) }
        guard let pattern = FcNameParse("Noto Sans") else { throw missingFonts("cannot look fonts up") }
        defer { FcPatternDestroy(pattern) }
        FcConfigSubstitute(config, pattern, FcMatchPattern)
        FcDefaultSubstitute(pattern)
        var result = FcResultNoMatch
        guard let match = FcFontMatch(config, pattern, &result) else { throw missingFonts("no font matches Noto Sans") }
        defer { FcPatternDestroy(match) }
        var family: UnsafeMutablePointer<FcChar8>? = nil
        guard FcPatternGetString(match, FC_FAMILY, 0, &family) == FcResultMatch, let family,
              String(cString: family) == "Noto Sans" else {
            throw missingFonts("the font Noto Sans is not installed")
        }
    }

    private static func missingFonts(_ why: String) -> GeoError {
        GeoError(.unsupported, "\(why): maps are lettered in Noto Sans (Latin and Cyrillic)",
                 hint: "install the Debian package fonts-noto-core (apt-get install fonts-noto-core)")
    }
}
