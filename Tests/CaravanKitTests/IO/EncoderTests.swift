import Foundation
import Testing
@testable import CaravanKit

/// The streaming GeoJSON and CSV encoders, checked against C's printf, GDAL's reading of
/// what they write, and GDAL's own GeoJSON writer on the same features.
@Suite("Streaming GeoJSON and CSV encoders")
struct EncoderTests {
    static func printf6(_ d: Double, _ decimals: Int) -> String {
        var buf = [CChar](repeating: 0, count: 64)
        _ = withVaList([Int32(decimals), d]) { vsnprintf(&buf, 64, "%.*f", $0) }
        var s = String(cString: buf)
        if !s.contains(".") { s += ".0" }
        while s.hasSuffix("0") && !s.hasSuffix(".0") { s.removeLast() }
        return s
    }

    @Test("fixed decimals equal C's printf (%.6f, trailing zeros trimmed) on random, tie and edge values")
    func fixedDecimals() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0, -0.0, 0.0078125, -0.0078125, 0.5e-6, 1.5e-6, 2.5e-6, 69.0000005, -0.0000001, 179.9999999, 1e9 + 0.5, 123.4565, 0.1 + 0.2]
        for _ in 0..<100_000 { values.append(Double.random(in: -180...180, using: &rng)) }
        for _ in 0..<20_000 { values.append(Double(Int.random(in: -180_000_000...180_000_000, using: &rng)) / 1e6 + 5e-7) }
        for _ in 0..<20_000 { values.append(Double.random(in: -1e7...1e7, using: &rng)) }
        var mismatches: [String] = []
        for v in values {
            for d in [6, 3, 0] where NumberText.fixed(v, d) != Self.printf6(v, d) {
                mismatches.append("\(v) at \(d): \(NumberText.fixed(v, d)) vs \(Self.printf6(v, d))")
            }
        }
        #expect(mismatches.count == 0, "\(mismatches.prefix(5))")
        #expect(NumberText.fixed(-0.0000001, 6) == "-0.0")  // as GDAL writes it
        #expect(NumberText.fixed(69, 6) == "69.0")
    }

    @Test("shortest digits read back as the same double, integral values keep '.0'")
    func shortest() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<50_000 {
            let v = Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &rng))
            guard v.isFinite else { continue }
            #expect(Double(NumberText.shortest(v)) == v)
        }
        #expect(NumberText.shortest(3) == "3.0")
        #expect(NumberText.shortest(-2) == "-2.0")
        #expect(NumberText.shortest(334.8) == "334.8")
        #expect(NumberText.shortest(0.1 + 0.2) == "0.30000000000000004")
        var b: [UInt8] = []
        NumberText.append(Int64.min, to: &b); b.append(32); NumberText.append(0, to: &b); b.append(32); NumberText.append(1_234_567_890_123, to: &b)
        #expect(String(decoding: b, as: UTF8.self) == "-9223372036854775808 0 1234567890123")
    }

    static let fields = [FieldDefinition("name", .string), FieldDefinition("code", .string), FieldDefinition("pop", .integer64),
                         FieldDefinition("area", .real), FieldDefinition("day", .date)]

    /// Features in UTM 42N: polygons with holes wound both ways, multipolygons, nulls, hostile text.
    static func sample(_ n: Int) -> [(Geometry?, [FieldValue])] {
        (0..<n).map { i in
            let x = 400_000 + Double(i % 300) * 1_000, y = 4_400_000 + Double(i / 300) * 1_000
            let shell = [XY(x, y), XY(x, y + 900), XY(x + 900, y + 900), XY(x + 900, y), XY(x, y)]     // clockwise
            let hole = [XY(x + 100, y + 100), XY(x + 300, y + 100), XY(x + 300, y + 300), XY(x + 100, y + 100)] // counter-clockwise
            let g: Geometry? = i % 7 == 3 ? nil
                : i % 5 == 0 ? .multiPolygon([[shell], [hole.reversed()]]) : .polygon(i % 2 == 0 ? [shell, hole] : [shell.reversed(), hole.reversed()])
            let name: FieldValue = i % 11 == 0 ? .null : .string(["Ташкент", "a \"quoted\", name", "line\nbreak\ttab\\", "Aşgabat/Ашхабад", ""][i % 5])
            return (g, [name, .string(String(format: "%04d", i % 10_000)), i % 13 == 0 ? .null : .integer(Int64(i) * 1_000_003),
                        i % 17 == 0 ? .null : .real(Double(i) / 7), i % 3 == 0 ? .null : .string("2024/0\(1 + i % 9)/1\(i % 10)")])
        }
    }

    static func writeSample(_ path: String, _ features: [(Geometry?, [FieldValue])], type: GeometryType = .multiPolygon,
                            options: WriteOptions = WriteOptions()) throws {
        let w = try VectorWriter(path: path, layerName: "cells", geometryType: type, crs: try CRS("EPSG:32642"), fields: fields, options: options)
        for (g, v) in features { try w.write(geometry: g, values: v) }
        try w.commit()
    }

    @Test("GDAL reads back every feature, property and coordinate of the encoder's GeoJSON")
    func gdalReadsOurGeoJSON() throws {
        let dir = TempDir()
        let features = Self.sample(3_000)
        try Self.writeSample(dir.file("a.geojson"), features)
        let (layer, back) = try readAll(dir.file("a.geojson"))
        #expect(back.count == features.count)
        #expect(try layer.crs?.epsg == 4326)
        let t = try Transformer(from: CRS("EPSG:32642"), to: .wgs84)
        var bad = 0
        for ((g, v), f) in zip(features, back) {
            #expect(f["name"] == v[0])
            #expect(f["code"] == v[1])  // "0012" stays "0012"
            #expect(f["pop"].doubleValue == v[2].doubleValue)
            #expect(f["area"].doubleValue == v[3].doubleValue)   // shortest digits: exact
            #expect(f["day"].stringValue == v[4].stringValue)
            guard let g else { #expect(f.geometry == nil); continue }
            let expected = try t.transform(g)
            guard let got = f.geometry, case .multiPolygon(let gp) = got else { bad += 1; continue }
            let want: [[[XY]]] = if case .multiPolygon(let p) = expected { p } else if case .polygon(let r) = expected { [r] } else { [] }
            guard gp.count == want.count else { bad += 1; continue }
            for (pg, pw) in zip(gp, want) {
                for (k, (rg, rw)) in zip(pg, pw).enumerated() {
                    // Same ring, maybe reversed: shells counter-clockwise, holes clockwise.
                    let area = zip(rg, rg.dropFirst()).reduce(0.0) { $0 + $1.0.x * $1.1.y - $1.1.x * $1.0.y }
                    if (k == 0) != (area > 0) { bad += 1 }
                    let same = zip(rg, rw).allSatisfy { abs($0.x - $1.x) <= 5.01e-7 && abs($0.y - $1.y) <= 5.01e-7 }
                    let reversed = zip(rg, rw.reversed()).allSatisfy { abs($0.x - $1.x) <= 5.01e-7 && abs($0.y - $1.y) <= 5.01e-7 }
                    if rg.count != rw.count || !(same || reversed) { bad += 1 }
                }
            }
        }
        #expect(bad == 0)
    }

    @Test("the encoder's GeoJSON equals GDAL's GeoJSON writer on the same features, but for number digits and Polygon → MultiPolygon")
    func sameAsGDALWriter() throws {
        let dir = TempDir()
        let features = Self.sample(2_000)
        try Self.writeSample(dir.file("ours.geojson"), features)
        var gdal = WriteOptions(); gdal.layerCreationOptions = ["RFC7946=YES"]   // any -lco sends it through GDAL
        try Self.writeSample(dir.file("gdal.geojson"), features, options: gdal)
        func load(_ p: String) throws -> [[String: Any]] {
            let j = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: p))) as! [String: Any]
            #expect(j["crs"] == nil)
            return j["features"] as! [[String: Any]]
        }
        let a = try load(dir.file("ours.geojson")), b = try load(dir.file("gdal.geojson"))
        #expect(a.count == b.count)
        func coords(_ g: Any?) -> [Double] {
            guard let g = g as? [String: Any], let c = g["coordinates"] else { return [] }
            func flat(_ x: Any) -> [Double] { (x as? [Any])?.flatMap(flat) ?? [(x as? NSNumber)?.doubleValue ?? .nan] }
            return flat(c)
        }
        var propDiff = 0, geomDiff = 0
        for (fa, fb) in zip(a, b) {
            let pa = fa["properties"] as! [String: Any], pb = fb["properties"] as! [String: Any]
            #expect(Set(pa.keys) == Set(Self.fields.map(\.name)))   // every property on every feature
            for (k, va) in pa {
                let vb = pb[k]
                if let na = va as? NSNumber, let nb = vb as? NSNumber {
                    if abs(na.doubleValue - nb.doubleValue) > 1e-12 * max(1, abs(na.doubleValue)) { propDiff += 1 }
                } else if "\(va)" != "\(vb ?? "missing")" { propDiff += 1 }
            }
            let ta = (fa["geometry"] as? [String: Any])?["type"] as? String, tb = (fb["geometry"] as? [String: Any])?["type"] as? String
            if ta != tb && !(ta == "MultiPolygon" && tb == "Polygon") { geomDiff += 1 }
            let ca = coords(fa["geometry"]), cb = coords(fb["geometry"])
            if ca.count != cb.count || zip(ca, cb).contains(where: { abs($0 - $1) > 1.01e-6 }) { geomDiff += 1 }
        }
        #expect(propDiff == 0)
        #expect(geomDiff == 0)
    }

    @Test("byte-identical output with 1 and 2 encoding threads, over 65,536 features (GeoJSON and CSV)")
    func deterministicAcrossWorkers() throws {
        let dir = TempDir()
        let n = 70_000
        let layer = ResultLayer(name: "cells", kind: .density, crs: try CRS("EPSG:32642"), geometryType: .polygon,
                                fields: [ResultField("v", .real, role: .measure, meaning: "value"), ResultField("id", .string, role: .identifier, meaning: "cell")],
                                count: n,
                                geometry: { i in
                                    let x = 300_000 + Double(i % 400) * 500, y = 4_300_000 + Double(i / 400) * 500
                                    return .polygon([[XY(x, y), XY(x + 500, y), XY(x + 500, y + 500), XY(x, y + 500), XY(x, y)]])
                                },
                                values: { i in [.real(Double(i) * 0.001), .string("\(i % 400),\(i / 400)")] },
                                centre: { i in XY(300_250 + Double(i % 400) * 500, 4_300_250 + Double(i / 400) * 500) })
        for ext in ["geojson", "csv"] {
            var one = WriteOptions(); one.workers = 1
            var two = WriteOptions(); two.workers = 2
            try ResultWriter.write(layer, to: dir.file("one.\(ext)"), options: one)
            try ResultWriter.write(layer, to: dir.file("two.\(ext)"), options: two)
            let a = try Data(contentsOf: URL(fileURLWithPath: dir.file("one.\(ext)")))
            let b = try Data(contentsOf: URL(fileURLWithPath: dir.file("two.\(ext)")))
            #expect(a.count > 1_000_000)
            #expect(a == b, "\(ext) differs between 1 and 2 threads")
        }
        // The streaming API gives the same bytes as the layer writer.
        var two = WriteOptions(); two.workers = 2
        let w = try VectorWriter(path: dir.file("stream.geojson"), layerName: "cells", geometryType: .polygon, crs: try CRS("EPSG:32642"),
                                 fields: layer.fieldDefinitions, options: two)
        for i in 0..<n { try w.write(geometry: try layer.geometry(i), values: layer.values(i)) }
        try w.commit()
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("stream.geojson"))) == Data(contentsOf: URL(fileURLWithPath: dir.file("one.geojson"))))
        let (_, back) = try readAll(dir.file("two.csv"))
        #expect(back.count == n)
        #expect(back[401]["id"] == .string("1,1"))
    }

    @Test("CSV: lon/lat for points, WKT otherwise, values as given, quoted only when needed; excel-ru has BOM, ';' and decimal commas")
    func csv() throws {
        let dir = TempDir()
        let fields = [FieldDefinition("id", .string), FieldDefinition("note", .string), FieldDefinition("kg", .real), FieldDefinition("n", .integer)]
        let rows: [(Geometry?, [FieldValue])] = [
            (.point(XY(69.2401, 41.2995)), [.string("0012"), .string("a, \"b\"; c"), .real(12.5), .integer(3)]),
            (nil, [.string("0013"), .string("plain text"), .real(3), .null]),
            (.point(XY(-0.5, 1e-7)), [.string("00 14"), .string("line\nbreak"), .real(0.1 + 0.2), .integer(-7)]),
        ]
        func write(_ name: String, _ type: GeometryType, _ o: WriteOptions = WriteOptions()) throws -> String {
            let w = try VectorWriter(path: dir.file(name), geometryType: type, crs: .wgs84, fields: fields, options: o)
            for (g, v) in rows { try w.write(geometry: type == .point ? g : g.map { _ in .lineString([XY(1, 2), XY(3.5, 4)]) }, values: v) }
            try w.commit()
            return try String(contentsOfFile: dir.file(name), encoding: .utf8)
        }
        let text = try write("p.csv", .point)
        #expect(text == "id,note,kg,n,lon,lat\n0012,\"a, \"\"b\"\"; c\",12.5,3,69.2401,41.2995\n0013,plain text,3,,,\n00 14,\"line\nbreak\",0.30000000000000004,-7,-0.5,1e-07\n")
        let (layer, back) = try readAll(dir.file("p.csv"))
        #expect(layer.geometryType == .point)
        #expect(back.map { $0["id"] } == [.string("0012"), .string("0013"), .string("00 14")])
        #expect(back[0]["note"] == .string("a, \"b\"; c"))
        #expect(back[2]["note"] == .string("line\nbreak"))
        #expect(back[0].geometry == .point(XY(69.2401, 41.2995)))
        #expect(back[2].geometry == .point(XY(-0.5, 1e-7)))
        #expect(back[1].geometry == nil)

        let wkt = try write("l.csv", .lineString)
        #expect(wkt.hasPrefix("WKT,id,note,kg,n\n\"LINESTRING (1 2,3.5 4)\",0012,"))
        let (_, lb) = try readAll(dir.file("l.csv"))
        #expect(lb[0].geometry == .lineString([XY(1, 2), XY(3.5, 4)]))

        var ru = WriteOptions(); ru.csvDialect = .excelRU
        let excel = try write("ru.csv", .point, ru)
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("ru.csv"))).starts(with: [0xEF, 0xBB, 0xBF]))
        #expect(excel.contains("id;note;kg;n;lon;lat\n"))
        #expect(excel.contains("0012;\"a, \"\"b\"\"; c\";12,5;3;69,2401;41,2995\n"))
    }

    @Test("a NaN or infinite coordinate is an error naming the feature, and nothing appears at the target")
    func nonFiniteCoordinates() throws {
        let dir = TempDir()
        for ext in ["geojson", "csv", "gpkg", "kml"] {
            let w = try VectorWriter(path: dir.file("n.\(ext)"), geometryType: .lineString, crs: .wgs84, fields: [FieldDefinition("id", .integer)])
            try w.write(geometry: .lineString([XY(69, 41), XY(70, 42)]), values: [.integer(1)], featureID: 41)
            var caught: GeoError?
            do {
                try w.write(geometry: .lineString([XY(69, 41), XY(.infinity, 42)]), values: [.integer(2)], featureID: 42)
                try w.commit()
            } catch let e as GeoError { caught = e }
            #expect(caught?.featureID == 42, "\(ext): \(String(describing: caught))")
            #expect(caught?.message.contains("not a finite number") == true)
            #expect(!FileManager.default.fileExists(atPath: dir.file("n.\(ext)")))
        }
        // A lon/lat point with a NaN latitude too.
        do {
            let w = try VectorWriter(path: dir.file("p.csv"), geometryType: .point, crs: .wgs84, fields: [])
            #expect(throws: GeoError.self) {
                try w.write(geometry: .point(XY(69, .nan)), values: [], featureID: 7)
                try w.commit()
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("p.csv")))
        #expect(dir.contents.allSatisfy { !$0.hasPrefix(".caravan-tmp") })
    }

    @Test("GeoPackage declares the real geometry type and promotes single parts; --layer and --update add layers")
    func geoPackageLayers() throws {
        let dir = TempDir()
        let p = dir.file("all.gpkg")
        var o = WriteOptions(); o.layerName = "lines"
        let w = try VectorWriter(path: p, layerName: "ignored", geometryType: .multiLineString, crs: .wgs84, fields: [], options: o)
        try w.write(geometry: .lineString([XY(69, 41), XY(70, 42)]), values: [])
        try w.write(geometry: .multiLineString([[XY(69, 41), XY(70, 42)], [XY(71, 41), XY(72, 42)]]), values: [])
        try w.commit()
        var u = WriteOptions(); u.update = true; u.layerName = "points"
        let w2 = try VectorWriter(path: p, geometryType: .point, crs: .wgs84, fields: [FieldDefinition("n", .integer)], options: u)
        try w2.write(geometry: .point(XY(69, 41)), values: [.integer(1)])
        try w2.commit()
        let ds = try Dataset.open(p)
        let lines = try ds.layer(named: "lines")
        #expect(lines.geometryType == .multiLineString)
        var types: [GeometryType] = []
        try lines.forEach { types.append($0.geometry!.type) }
        #expect(types == [.multiLineString, .multiLineString])
        #expect(try ds.layer(named: "points").featureCount() == 1)
        // The same layer again is refused without --overwrite, replaced with it.
        #expect(throws: GeoError.self) { _ = try VectorWriter(path: p, geometryType: .point, crs: .wgs84, fields: [], options: u) }
        u.overwrite = true
        let w3 = try VectorWriter(path: p, geometryType: .point, crs: .wgs84, fields: [FieldDefinition("n", .integer)], options: u)
        try w3.commit()
        let again = try Dataset.open(p)
        #expect(try again.layer(named: "points").featureCount() == 0)
        #expect(try again.layer(named: "lines").featureCount() == 2)
        // --update is for GeoPackages only.
        var bad = WriteOptions(); bad.update = true
        #expect(throws: GeoError.self) { _ = try VectorWriter(path: dir.file("x.geojson"), geometryType: .point, crs: .wgs84, fields: [], options: bad) }
    }

    @Test("Shapefile: names that would be cut are renamed and said; long text is a counted warning")
    func shapefileNames() throws {
        let dir = TempDir()
        let fields = [FieldDefinition("population_2020", .integer), FieldDefinition("population_2021", .integer), FieldDefinition("note", .string)]
        let w = try VectorWriter(path: dir.file("s.shp"), geometryType: .point, crs: .wgs84, fields: fields)
        try w.write(geometry: .point(XY(69, 41)), values: [.integer(1), .integer(2), .string(String(repeating: "ж", count: 200))])
        try w.write(geometry: .point(XY(69, 41)), values: [.integer(1), .integer(2), .string("short")])
        try w.commit()
        #expect(w.warnings.contains { $0.contains("'population_2020' is 'population'") })
        #expect(w.warnings.contains { $0.contains("'population_2021' is 'populati_1'") })
        #expect(w.warnings.contains { $0.hasPrefix("1 text value was longer than 254 bytes") })
        let (layer, f) = try readAll(dir.file("s.shp"))
        #expect(layer.schema.names == ["population", "populati_1", "note"])
        #expect(f[0]["populati_1"] == .integer(2))
    }

    @Test("XLSX: a real workbook with lon/lat and every column; FlatGeobuf round trip; --format Memory refused")
    func xlsxAndFlatGeobuf() throws {
        let dir = TempDir()
        let fields = [FieldDefinition("id", .string), FieldDefinition("kg", .real)]
        let w = try VectorWriter(path: dir.file("t.xlsx"), geometryType: .point, crs: .wgs84, fields: fields)
        try w.write(geometry: .point(XY(67.278, 37.224)), values: [.string("0012"), .real(2.5)])
        try w.commit()
        let (layer, f) = try readAll(dir.file("t.xlsx"))
        #expect(layer.schema.names == ["id", "kg", "lon", "lat"])
        #expect(f[0].geometry == .point(XY(67.278, 37.224)))
        #expect(f[0]["kg"].doubleValue == 2.5)

        let g = try VectorWriter(path: dir.file("c.fgb"), geometryType: .polygon, crs: try CRS("EPSG:32642"), fields: fields)
        try g.write(geometry: .polygon([[XY(0, 0), XY(1, 0), XY(1, 1), XY(0, 0)].map { XY(400_000 + $0.x * 1000, 4_400_000 + $0.y * 1000) }]), values: [.string("a"), .null])
        try g.commit()
        let (fl, ff) = try readAll(dir.file("c.fgb"))
        #expect(try fl.crs?.epsg == 32642)
        #expect(ff.count == 1 && ff[0]["id"] == .string("a"))

        var mem = WriteOptions(); mem.format = "Memory"
        #expect(throws: GeoError.self) { _ = try VectorWriter(path: dir.file("m.x"), geometryType: .point, crs: .wgs84, fields: [], options: mem) }
    }
}
