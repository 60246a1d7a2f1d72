import Foundation
import Testing
@testable import CaravanKit

@Suite("Vector I/O round trips")
struct RoundTripTests {
    static let fields = [FieldDefinition("name", .string, width: 40), FieldDefinition("pop", .integer64), FieldDefinition("area_km2", .real, width: 18, precision: 6)]

    static func writeSample(_ path: String, type: GeometryType = .polygon, crs: CRS = .wgs84, options: WriteOptions = WriteOptions()) throws -> [Feature] {
        let schema = Schema(fields)
        let features = [
            Feature(fid: 1, geometry: square(69, 41, 1), values: [.string("Ташкент"), .integer(2_571_668), .real(334.8)], schema: schema),
            Feature(fid: 2, geometry: square(76, 43, 0.5), values: [.string("Almaty"), .integer(2_000_900), .null], schema: schema),
            Feature(fid: 3, geometry: square(58, 37.5, 0.25), values: [.string("Ашхабад / Aşgabat"), .null, .real(-1.25)], schema: schema),
        ]
        let w = try VectorWriter(path: path, layerName: "cities", geometryType: type, crs: crs, fields: fields, options: options)
        for f in features { try w.write(f) }
        try w.commit()
        return features
    }

    @Test("Shapefile → GeoJSON → read back: same geometry and attributes, Cyrillic intact")
    func shapefileToGeoJSON() throws {
        let dir = TempDir()
        let original = try Self.writeSample(dir.file("cities.shp"))
        #expect(FileManager.default.fileExists(atPath: dir.file("cities.cpg")))
        #expect(FileManager.default.fileExists(atPath: dir.file("cities.prj")))
        var o = ConvertOptions()
        o.write.overwrite = false
        let summary = try convert(source: Dataset.open(dir.file("cities.shp")), to: dir.file("cities.geojson"), options: o)
        #expect(summary.features == 3)
        let (layer, back) = try readAll(dir.file("cities.geojson"))
        #expect(try layer.crs?.epsg == 4326)
        #expect(back.count == 3)
        for (a, b) in zip(original, back) {
            #expect(b["name"] == a["name"])
            #expect(b["pop"].doubleValue == a["pop"].doubleValue)
            #expect(b["area_km2"].doubleValue == a["area_km2"].doubleValue)
            #expect(try a.geometry!.topologicallyEquals(b.geometry!))
        }
        // Nothing but the outputs is left in the folder.
        #expect(dir.contents.allSatisfy { !$0.hasPrefix(".caravan-tmp") })
    }

    @Test("GeoJSON is RFC 7946: no crs member, 6 decimals, counter-clockwise shells, null written explicitly")
    func rfc7946() throws {
        let dir = TempDir()
        // Clockwise input shell in UTM: must come out counter-clockwise in lon/lat.
        let utm = try CRS("EPSG:32642")
        let schema = Schema([FieldDefinition("v", .real)])
        let cw = Geometry.polygon([[XY(500_000, 4_500_000), XY(500_000, 4_510_000), XY(510_000, 4_510_000), XY(510_000, 4_500_000), XY(500_000, 4_500_000)]])
        let w = try VectorWriter(path: dir.file("a.geojson"), geometryType: .polygon, crs: utm, fields: schema.fields)
        try w.write(geometry: cw, values: [.null])
        try w.write(geometry: cw, values: [.real(2)])
        try w.commit()
        let text = try String(contentsOfFile: dir.file("a.geojson"), encoding: .utf8)
        #expect(!text.contains("\"crs\""))
        #expect(text.contains("\"v\": null"))
        let json = try JSONSerialization.jsonObject(with: Data(text.utf8)) as! [String: Any]
        let feats = json["features"] as! [[String: Any]]
        let ring = ((feats[0]["geometry"] as! [String: Any])["coordinates"] as! [[[Double]]])[0]
        var signed = 0.0
        for i in 1..<ring.count { signed += ring[i - 1][0] * ring[i][1] - ring[i][0] * ring[i - 1][1] }
        #expect(signed > 0) // CCW
        for c in ring.flatMap({ $0 }) { #expect(abs(c * 1e6 - (c * 1e6).rounded()) < 1e-6) }
        #expect(abs(ring[0][0] - 69) < 0.01) // UTM 42N easting 500 km is 69°E
    }

    @Test("GeoPackage, CSV and KML round trips")
    func otherFormats() throws {
        let dir = TempDir()
        _ = try Self.writeSample(dir.file("c.gpkg"))
        let (gl, gf) = try readAll(dir.file("c.gpkg"))
        #expect(gf.count == 3 && gl.geometryType == .polygon)
        #expect(gf[0]["name"] == .string("Ташкент"))

        // Points to CSV get lon and lat columns, and read back as points.
        let schema = Schema([FieldDefinition("name", .string)])
        let w = try VectorWriter(path: dir.file("p.csv"), geometryType: .point, crs: .wgs84, fields: schema.fields)
        try w.write(geometry: .point(XY(69.2401, 41.2995)), values: [.string("Tashkent")])
        try w.write(geometry: nil, values: [.string("nowhere")])
        try w.commit()
        let csv = try String(contentsOfFile: dir.file("p.csv"), encoding: .utf8)
        #expect(csv.hasPrefix("name,lon,lat"))
        let (pl, pf) = try readAll(dir.file("p.csv"))
        #expect(pl.geometryType == .point)
        #expect(pf[0].geometry == .point(XY(69.2401, 41.2995)))
        #expect(pf[1].geometry == nil)

        _ = try Self.writeSample(dir.file("c.kml"))
        let (_, kf) = try readAll(dir.file("c.kml"))
        #expect(kf.count == 3)
    }

    @Test("XLSX tables with Russian coordinate headers become points")
    func xlsx() throws {
        let dir = TempDir()
        let fields = [FieldDefinition("место", .string), FieldDefinition("долгота", .real), FieldDefinition("широта", .real)]
        var o = WriteOptions(); o.format = "XLSX"
        let w = try VectorWriter(path: dir.file("t.xlsx"), layerName: "Лист1", geometryType: .none, crs: nil, fields: fields, options: o)
        try w.write(geometry: nil, values: [.string("Термез"), .real(67.278), .real(37.224)])
        try w.commit()
        let (layer, f) = try readAll(dir.file("t.xlsx"))
        #expect(layer.pointColumns != nil)
        #expect(try layer.crs == .wgs84)
        #expect(f[0].geometry == .point(XY(67.278, 37.224)))
        #expect(f[0]["место"] == .string("Термез"))
    }

    @Test("CSV with a WKT column is read as geometry")
    func csvWKT() throws {
        let dir = TempDir()
        let p = dir.write("w.csv", "id,WKT\n1,\"LINESTRING (69 41,70 42)\"\n")
        let (_, f) = try readAll(p)
        #expect(f[0].geometry == .lineString([XY(69, 41), XY(70, 42)]))
    }

    @Test("CP1251 shapefiles: with .cpg, with only the DBF language id, and with neither")
    func cp1251() throws {
        let dir = TempDir()
        var o = WriteOptions(); o.layerCreationOptions = ["ENCODING=CP1251"]
        _ = try Self.writeSample(dir.file("ru.shp"), options: o)
        let dbf = try Data(contentsOf: URL(fileURLWithPath: dir.file("ru.dbf")))
        #expect(!dbf.contains(Data("Ташкент".utf8)))                   // really stored as CP1251
        #expect(try readAll(dir.file("ru.shp")).1[0]["name"] == .string("Ташкент"))
        try FileManager.default.removeItem(atPath: dir.file("ru.cpg"))
        #expect(try readAll(dir.file("ru.shp")).1[0]["name"] == .string("Ташкент"))  // language id 0xC9
        var raw = dbf; raw[29] = 0
        try raw.write(to: URL(fileURLWithPath: dir.file("ru.dbf")))
        let log = WarningLog()
        #expect(try log.collecting { try readAll(dir.file("ru.shp")) }.1[0]["name"] == .string("Ташкент"))  // detected, with a warning
        #expect(log.messages.contains { $0.contains("Windows-1251") })
    }
}
