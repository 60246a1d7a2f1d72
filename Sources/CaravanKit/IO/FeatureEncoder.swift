import Foundation

/// The CSV dialect of an output table.
public enum CSVDialect: String, Codable, Sendable, CaseIterable {
    /// RFC 4180 style: `,` separator, `.` decimal point, no BOM (the default).
    case standard
    /// For a Russian-locale Excel: UTF-8 BOM, `;` separator, decimal commas.
    case excelRU = "excel-ru"
}

/// One feature handed to an encoder: the geometry in the writer's input CRS, the values in
/// field order, and the id to name in errors.
struct EncodedItem: Sendable {
    var geometry: Geometry?
    var values: [FieldValue]
    var fid: Int64
}

/// Everything an encoder needs, shareable between threads; each worker builds its own
/// `FeatureEncoder` (with its own PROJ transformer) from it.
struct EncoderSpec: Sendable {
    enum Kind: Sendable { case geoJSON, csv }
    enum CSVGeometry: Sendable { case none, lonLat, wkt }
    var kind: Kind
    var fields: [FieldDefinition]
    /// The declared geometry type of the layer; single parts are promoted to it when it is multi.
    var geometryType: GeometryType
    /// Reproject from this CRS to WGS84 lon/lat (nil: the geometries are lon/lat already).
    var reprojectFrom: CRS?
    var precision: Int
    var csvGeometry: CSVGeometry = .none
    var dialect: CSVDialect = .standard
    /// For errors.
    var path: String
    var layer: String?

    var separator: UInt8 { dialect == .excelRU ? UInt8(ascii: ";") : UInt8(ascii: ",") }

    /// The bytes before the first feature.
    func header() -> [UInt8] {
        switch kind {
        case .geoJSON:
            return Array("{\n\"type\": \"FeatureCollection\",\n\"features\": [\n".utf8)
        case .csv:
            var out: [UInt8] = dialect == .excelRU ? [0xEF, 0xBB, 0xBF] : []
            var names = fields.map(\.name)
            if csvGeometry == .wkt { names.insert("WKT", at: 0) }
            if csvGeometry == .lonLat { names += ["lon", "lat"] }
            for (i, n) in names.enumerated() {
                if i > 0 { out.append(separator) }
                FeatureEncoder.appendCSVText(n, separator: separator, dialect: dialect, to: &out)
            }
            out.append(10)
            return out
        }
    }

    /// The bytes after the last feature.
    func footer() -> [UInt8] { kind == .geoJSON ? Array("\n]\n}\n".utf8) : [] }
}

/// Encodes features as GeoJSON (RFC 7946) or CSV into bytes. Confined to one thread.
///
/// GeoJSON follows GDAL's own layout (one feature a line, `"key": value`, `[ x, y ]`), so
/// outputs differ from GDAL's writer only in number formatting: coordinates are fixed to
/// `precision` decimals with trailing zeros trimmed (as GDAL), property reals are the
/// shortest text that reads back as the same double (GDAL: 15 significant digits).
final class FeatureEncoder {
    let spec: EncoderSpec
    private let transformer: Transformer?
    private var flat: [XY] = []
    private var starts: [Int] = []
    private let names: [[UInt8]]
    private var numberScratch: [UInt8] = []

    init(_ spec: EncoderSpec) throws {
        self.spec = spec
        if let from = spec.reprojectFrom {
            let t = try Transformer(from: from, to: .wgs84)
            transformer = t.isIdentity ? nil : t
        } else { transformer = nil }
        // `"name": ` for each property, escaped once.
        names = spec.fields.map { f in
            var b: [UInt8] = []
            FeatureEncoder.appendJSONString(f.name, to: &b)
            b += [UInt8(ascii: ":"), 32]
            return b
        }
    }

    /// Encodes `items`; `firstIndex` is the 0-based position of the first one in the layer.
    func encode(_ items: [EncodedItem], firstIndex: Int, into out: inout [UInt8]) throws {
        var geometries: [Geometry?] = items.map { promote($0.geometry) }
        if spec.kind == .geoJSON || spec.csvGeometry == .lonLat || spec.csvGeometry == .wkt {
            try prepareCoordinates(&geometries, items: items)
        }
        var cursor = 0
        for (k, item) in items.enumerated() {
            switch spec.kind {
            case .geoJSON: try encodeGeoJSON(item, geometries[k], first: firstIndex + k == 0, cursor: &cursor, into: &out)
            case .csv: try encodeCSV(item, geometries[k], cursor: &cursor, into: &out)
            }
        }
    }

    // MARK: geometry preparation

    private func promote(_ g: Geometry?) -> Geometry? {
        guard let g else { return nil }
        if g.isEmpty { return nil }
        switch (spec.geometryType, g) {
        case (.multiPolygon, .polygon(let r)): return .multiPolygon([r])
        case (.multiLineString, .lineString(let c)): return .multiLineString([c])
        case (.multiPoint, .point(let p)): return .multiPoint([p])
        default: return g
        }
    }

    /// Copies every coordinate of the chunk into one array, refusing NaN/±Inf (naming the
    /// feature), and reprojects it with one PROJ call.
    private func prepareCoordinates(_ geometries: inout [Geometry?], items: [EncodedItem]) throws {
        flat.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        let wkt = spec.kind == .csv && spec.csvGeometry == .wkt
        for (k, g) in geometries.enumerated() {
            starts.append(flat.count)
            guard let g else { continue }
            if spec.kind == .csv && spec.csvGeometry == .lonLat {
                guard case .point(let p) = g else {
                    throw GeoError(.write, "a \(g.type) cannot go into lon/lat columns", file: spec.path, layer: spec.layer,
                                   featureID: items[k].fid, hint: "write it to .geojson or .gpkg")
                }
                flat.append(p)
            } else {
                g.forEachSequence { flat.append(contentsOf: $0) }
            }
            for i in starts[k]..<flat.count where !flat[i].x.isFinite || !flat[i].y.isFinite {
                let c = flat[i]
                throw GeoError(.geometry, "vertex \(i - starts[k] + 1) is (\(c.x), \(c.y)): a coordinate that is not a finite number",
                               file: spec.path, layer: spec.layer, featureID: items[k].fid,
                               hint: "fix or drop this feature in the input; it was not written")
            }
        }
        starts.append(flat.count)
        if !wkt, let transformer, !flat.isEmpty {
            do { try transformer.transform(&flat) }
            catch let e as GeoError {
                let bad = (e.vertex ?? 1) - 1
                var k = 0
                while k + 1 < starts.count && starts[k + 1] <= bad { k += 1 }
                var e2 = e
                e2.vertex = bad - starts[k] + 1
                e2.message = "cannot reproject to WGS84 lon/lat: \(e.message)"
                throw e2.with(file: spec.path, layer: spec.layer, featureID: items[min(k, items.count - 1)].fid)
            }
            try cutAtAntimeridian(&geometries, items: items)
        }
    }

    /// RFC 7946 §3.1.9: lines and polygons that cross 180° once in lon/lat (a grid cell over the
    /// antimeridian, around a pole) are cut into parts on either side (Antimeridian.swift). Only
    /// chunks with such a geometry are rebuilt, in lon/lat, and their positions copied again.
    private func cutAtAntimeridian(_ geometries: inout [Geometry?], items: [EncodedItem]) throws {
        var crossing = false
        for k in geometries.indices where geometries[k].map({ ($0.type.dimensionFamily ?? 1) >= 1 }) == true {
            if Antimeridian.mayCross(flat[starts[k] ..< starts[k + 1]]) { crossing = true; break }
        }
        guard crossing else { return }
        for k in geometries.indices {
            guard let g = geometries[k] else { continue }
            var cursor = starts[k]
            let lonLat = Antimeridian.rebuild(g, from: flat, cursor: &cursor)
            do { geometries[k] = try Antimeridian.cut(lonLat) }
            catch let e as GeoError { throw e.with(file: spec.path, layer: spec.layer, featureID: items[k].fid) }
        }
        flat.removeAll(keepingCapacity: true)
        starts.removeAll(keepingCapacity: true)
        for g in geometries {
            starts.append(flat.count)
            g?.forEachSequence { flat.append(contentsOf: $0) }
        }
        starts.append(flat.count)
    }

    // MARK: GeoJSON

    private static let featureOpen = Array("{ \"type\": \"Feature\", \"properties\": { ".utf8)
    private static let geometryKey = Array(" }, \"geometry\": ".utf8)
    private static let nullBytes = Array("null".utf8)

    private func encodeGeoJSON(_ item: EncodedItem, _ g: Geometry?, first: Bool, cursor: inout Int, into out: inout [UInt8]) throws {
        if !first { out.append(UInt8(ascii: ",")); out.append(10) }
        out += FeatureEncoder.featureOpen
        for (i, v) in item.values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")); out.append(32) }
            out += names[i]
            appendJSONValue(v, spec.fields[i].type, to: &out)
        }
        out += FeatureEncoder.geometryKey
        if let g { appendGeometry(g, cursor: &cursor, to: &out) } else { out += FeatureEncoder.nullBytes }
        out.append(32); out.append(UInt8(ascii: "}"))
    }

    private func appendJSONValue(_ v: FieldValue, _ type: FieldType, to out: inout [UInt8]) {
        switch (v, type) {
        case (.null, _): out += FeatureEncoder.nullBytes
        case (.integer(let n), .real): appendReal(Double(n), to: &out)
        case (.integer(let n), .integer), (.integer(let n), .integer64): NumberText.append(n, to: &out)
        case (.integer(let n), _): out.append(34); NumberText.append(n, to: &out); out.append(34)
        case (.real(let d), .integer), (.real(let d), .integer64):
            if d.isFinite && d == d.rounded() && abs(d) < 9e18 { NumberText.append(Int64(d), to: &out) } else { appendReal(d, to: &out) }
        case (.real(let d), .real): appendReal(d, to: &out)
        case (.real(let d), _):
            if d.isFinite { out.append(34); NumberText.appendShortest(d, to: &out); out.append(34) } else { out += FeatureEncoder.nullBytes }
        case (.string(let s), .integer), (.string(let s), .integer64):
            if let n = Int64(s) { NumberText.append(n, to: &out) } else { FeatureEncoder.appendJSONString(s, to: &out) }
        case (.string(let s), .real):
            if let d = Double(s), d.isFinite { appendReal(d, to: &out) } else { FeatureEncoder.appendJSONString(s, to: &out) }
        case (.string(let s), .date), (.string(let s), .dateTime), (.string(let s), .time):
            FeatureEncoder.appendJSONString(FeatureEncoder.isoDateTime(s), to: &out)
        case (.string(let s), _): FeatureEncoder.appendJSONString(s, to: &out)
        }
    }

    @inline(__always)
    private func appendReal(_ d: Double, to out: inout [UInt8]) {
        if d.isFinite { NumberText.appendShortest(d, to: &out) } else { out += FeatureEncoder.nullBytes }
    }

    private static let typeNames: [GeometryType: [UInt8]] = [
        .point: Array("{ \"type\": \"Point\", \"coordinates\": ".utf8),
        .lineString: Array("{ \"type\": \"LineString\", \"coordinates\": ".utf8),
        .polygon: Array("{ \"type\": \"Polygon\", \"coordinates\": ".utf8),
        .multiPoint: Array("{ \"type\": \"MultiPoint\", \"coordinates\": ".utf8),
        .multiLineString: Array("{ \"type\": \"MultiLineString\", \"coordinates\": ".utf8),
        .multiPolygon: Array("{ \"type\": \"MultiPolygon\", \"coordinates\": ".utf8),
        .geometryCollection: Array("{ \"type\": \"GeometryCollection\", \"geometries\": ".utf8),
    ]

    private func appendGeometry(_ g: Geometry, cursor: inout Int, to out: inout [UInt8]) {
        out += FeatureEncoder.typeNames[g.type]!
        switch g {
        case .point(let p):
            if p.x.isNaN { out.append(91); out.append(32); out.append(93) } else { appendPosition(flat[cursor], to: &out); cursor += 1 }
        case .lineString(let c), .multiPoint(let c): appendSequence(c.count, ring: nil, cursor: &cursor, to: &out)
        case .polygon(let rings): appendRings(rings, cursor: &cursor, to: &out)
        case .multiLineString(let lines):
            out.append(91); out.append(32)
            for (i, l) in lines.enumerated() {
                if i > 0 { out.append(44); out.append(32) }
                appendSequence(l.count, ring: nil, cursor: &cursor, to: &out)
            }
            out.append(32); out.append(93)
        case .multiPolygon(let polys):
            out.append(91); out.append(32)
            for (i, p) in polys.enumerated() {
                if i > 0 { out.append(44); out.append(32) }
                appendRings(p, cursor: &cursor, to: &out)
            }
            out.append(32); out.append(93)
        case .collection(let gs):
            out.append(91); out.append(32)
            for (i, part) in gs.enumerated() {
                if i > 0 { out.append(44); out.append(32) }
                appendGeometry(part, cursor: &cursor, to: &out)
            }
            out.append(32); out.append(93)
        }
        out.append(32); out.append(125)
    }

    private func appendRings(_ rings: [[XY]], cursor: inout Int, to out: inout [UInt8]) {
        out.append(91); out.append(32)
        for (i, r) in rings.enumerated() {
            if i > 0 { out.append(44); out.append(32) }
            appendSequence(r.count, ring: i == 0 ? .shell : .hole, cursor: &cursor, to: &out)
        }
        out.append(32); out.append(93)
    }

    private enum RingRole { case shell, hole }

    /// `n` positions from `flat[cursor...]`; rings are written counter-clockwise (shells) or
    /// clockwise (holes), reversed if they come the other way.
    private func appendSequence(_ n: Int, ring: RingRole?, cursor: inout Int, to out: inout [UInt8]) {
        out.append(91)
        let start = cursor
        cursor += n
        guard n > 0 else { out.append(93); return }
        out.append(32)
        var reverse = false
        if let ring, n > 2 {
            var area = 0.0
            for i in start..<(start + n - 1) { area += flat[i].x * flat[i + 1].y - flat[i + 1].x * flat[i].y }
            area += flat[start + n - 1].x * flat[start].y - flat[start].x * flat[start + n - 1].y
            reverse = ring == .shell ? area < 0 : area > 0
        }
        for j in 0..<n {
            if j > 0 { out.append(44); out.append(32) }
            appendPosition(flat[reverse ? start + n - 1 - j : start + j], to: &out)
        }
        out.append(32); out.append(93)
    }

    @inline(__always)
    private func appendPosition(_ p: XY, to out: inout [UInt8]) {
        out.append(91); out.append(32)
        NumberText.appendFixed(p.x, decimals: spec.precision, to: &out)
        out.append(44); out.append(32)
        NumberText.appendFixed(p.y, decimals: spec.precision, to: &out)
        out.append(32); out.append(93)
    }

    /// A JSON string: `"`, `\` and control characters escaped, everything else as UTF-8.
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        out.append(34)
        var s = s
        s.withUTF8 { u in
            var runStart = 0
            for i in 0..<u.count {
                let c = u[i]
                guard c < 0x20 || c == 34 || c == 92 else { continue }
                if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart..<i])) }
                runStart = i + 1
                switch c {
                case 34: out.append(92); out.append(34)
                case 92: out.append(92); out.append(92)
                case 10: out.append(92); out.append(UInt8(ascii: "n"))
                case 13: out.append(92); out.append(UInt8(ascii: "r"))
                case 9: out.append(92); out.append(UInt8(ascii: "t"))
                case 8: out.append(92); out.append(UInt8(ascii: "b"))
                case 12: out.append(92); out.append(UInt8(ascii: "f"))
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(92); out.append(UInt8(ascii: "u")); out.append(48); out.append(48); out.append(hex[Int(c >> 4)]); out.append(hex[Int(c & 15)])
                }
            }
            if runStart < u.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: u[runStart...])) }
        }
        out.append(34)
    }

    /// OGR's text form of a date, time or date-time ("2024/01/05 10:11:12.5+05") as ISO 8601,
    /// as GDAL's GeoJSON writer gives it ("2024-01-05T10:11:12.500+05:00"); other text unchanged.
    static func isoDateTime(_ s: String) -> String {
        var u = Array(s.utf8)
        guard u.count >= 10, u[4] == UInt8(ascii: "/"), u[7] == UInt8(ascii: "/") else { return s }
        u[4] = UInt8(ascii: "-"); u[7] = UInt8(ascii: "-")
        if u.count > 10 && u[10] == 32 { u[10] = UInt8(ascii: "T") }
        var text = String(decoding: u, as: UTF8.self)
        // Fractional seconds to milliseconds, time zone "+05" to "+05:00", "+00" to "Z".
        guard text.count > 19 else { return text }
        let head = String(text.prefix(19))
        var rest = Substring(text.dropFirst(19))
        var frac = ""
        if rest.first == "." {
            rest = rest.dropFirst()
            let digits = rest.prefix { $0.isNumber }
            rest = rest.dropFirst(digits.count)
            frac = "." + String((digits + "000").prefix(3))
        }
        var zone = String(rest)
        if zone == "+00" || zone == "+0000" || zone == "+00:00" { zone = "Z" }
        else if zone.count == 3 { zone += ":00" }
        else if zone.count == 5, !zone.contains(":") { zone = String(zone.prefix(3)) + ":" + String(zone.suffix(2)) }
        text = head + frac + zone
        return text
    }

    // MARK: CSV

    private func encodeCSV(_ item: EncodedItem, _ g: Geometry?, cursor: inout Int, into out: inout [UInt8]) throws {
        let sep = spec.separator
        if spec.csvGeometry == .wkt {
            if let g {
                out.append(34)
                appendWKT(g, cursor: &cursor, to: &out)
                out.append(34)
            }
            if !item.values.isEmpty { out.append(sep) }
        }
        for (i, v) in item.values.enumerated() {
            if i > 0 { out.append(sep) }
            FeatureEncoder.appendCSVValue(v, separator: sep, dialect: spec.dialect, to: &out)
        }
        if spec.csvGeometry == .lonLat {
            if !item.values.isEmpty { out.append(sep) }
            if g != nil {
                let p = flat[cursor]; cursor += 1
                appendCSVNumber(p.x, to: &out); out.append(sep); appendCSVNumber(p.y, to: &out)
            } else { out.append(sep) }
        }
        out.append(10)
    }

    /// Shortest round-trip digits, without a trailing ".0" (as GDAL writes CSV reals);
    /// a decimal comma in the excel-ru dialect.
    private func appendCSVNumber(_ d: Double, to out: inout [UInt8]) { FeatureEncoder.appendCSVNumber(d, dialect: spec.dialect, to: &out) }

    static func appendCSVNumber(_ d: Double, dialect: CSVDialect, to out: inout [UInt8]) {
        let start = out.count
        NumberText.appendShortest(d, to: &out)
        if out.count - start >= 2 && out[out.count - 1] == 48 && out[out.count - 2] == 46 { out.removeLast(2) }
        if dialect == .excelRU {
            for i in start..<out.count where out[i] == 46 { out[i] = 44 }
        }
    }

    /// One value of a CSV row as `encodeCSV` writes it: nothing for null (and a non-finite real).
    @inline(__always)
    static func appendCSVValue(_ v: FieldValue, separator: UInt8, dialect: CSVDialect, to out: inout [UInt8]) {
        switch v {
        case .null: break
        case .integer(let n): NumberText.append(n, to: &out)
        case .real(let d): if d.isFinite { appendCSVNumber(d, dialect: dialect, to: &out) }
        case .string(let s): appendCSVText(s, separator: separator, dialect: dialect, to: &out)
        }
    }

    /// A CSV field, quoted only when it must be (as GDAL's STRING_QUOTING=IF_NEEDED: it holds
    /// `"`, `,`, `;`, a tab or a line break), inner quotes doubled.
    static func appendCSVText(_ s: String, separator: UInt8, dialect: CSVDialect, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendCSVText($0, separator: separator, to: &out) }
    }

    /// A CSV field of UTF-8 bytes, quoted only when it must be (the rule above).
    @inline(__always)
    static func appendCSVText(_ u: UnsafeBufferPointer<UInt8>, separator: UInt8, to out: inout [UInt8]) {
        var needs = false
        for c in u where c == 34 || c == 44 || c == 59 || c == 9 || c == 10 || c == 13 || c == separator { needs = true; break }
        if !needs { out.append(contentsOf: u); return }
        out.append(34)
        for c in u { if c == 34 { out.append(34) }; out.append(c) }
        out.append(34)
    }

    private static let wktNames: [GeometryType: [UInt8]] = [
        .point: Array("POINT".utf8), .lineString: Array("LINESTRING".utf8), .polygon: Array("POLYGON".utf8),
        .multiPoint: Array("MULTIPOINT".utf8), .multiLineString: Array("MULTILINESTRING".utf8),
        .multiPolygon: Array("MULTIPOLYGON".utf8), .geometryCollection: Array("GEOMETRYCOLLECTION".utf8),
    ]

    /// WKT as OGR writes it ("POLYGON ((0 0,1 0,1 1,0 0))", "MULTIPOINT ((1 2),(3 4))").
    private func appendWKT(_ g: Geometry, cursor: inout Int, to out: inout [UInt8]) {
        out += FeatureEncoder.wktNames[g.type]!
        if g.isEmpty { out += Array(" EMPTY".utf8); if case .point = g {} else { g.forEachSequence { cursor += $0.count } }; return }
        out.append(32)
        func seq(_ n: Int, parenthesisEach: Bool = false) {
            out.append(40)
            for j in 0..<n {
                if j > 0 { out.append(44) }
                if parenthesisEach { out.append(40) }
                let p = flat[cursor + j]
                appendWKTNumber(p.x, to: &out); out.append(32); appendWKTNumber(p.y, to: &out)
                if parenthesisEach { out.append(41) }
            }
            cursor += n
            out.append(41)
        }
        func rings(_ r: [[XY]]) {
            out.append(40)
            for (i, ring) in r.enumerated() { if i > 0 { out.append(44) }; seq(ring.count) }
            out.append(41)
        }
        switch g {
        case .point: seq(1)
        case .lineString(let c): seq(c.count)
        case .multiPoint(let c): seq(c.count, parenthesisEach: true)
        case .polygon(let r): rings(r)
        case .multiLineString(let l): rings(l)
        case .multiPolygon(let p):
            out.append(40)
            for (i, poly) in p.enumerated() { if i > 0 { out.append(44) }; rings(poly) }
            out.append(41)
        case .collection(let gs):
            out.append(40)
            for (i, part) in gs.enumerated() { if i > 0 { out.append(44) }; appendWKT(part, cursor: &cursor, to: &out) }
            out.append(41)
        }
    }

    private func appendWKTNumber(_ d: Double, to out: inout [UInt8]) {
        NumberText.appendShortest(d, to: &out)
        if out.count >= 2 && out[out.count - 1] == 48 && out[out.count - 2] == 46 { out.removeLast(2) }
    }
}
