import Foundation
import Testing
@testable import CaravanKit

/// The styles caravan writes, opened in a real QGIS 3.22 (Debian's python3-qgis, headless):
/// `make test` installs it. Set CARAVAN_SKIP_QGIS=1 to skip on a machine without it.
@Suite("QGIS styles: outputs open in QGIS with caravan's classes and colours")
struct QGISStyleTests {
    static let arcGIS: [(String, String)] = [("3", "#D62F27"), ("2", "#ED7551"), ("1", "#FAB984"), ("0", "#FFFFBF"),
                                             ("-1", "#C0CCBE"), ("-2", "#849EBA"), ("-3", "#4575B5")]

    static var script: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("qgis/check_styles.py").path
    }

    func runQGIS(_ checks: [[String: Any]], _ dir: TempDir) throws -> String {
        let json = dir.file("checks.json")
        try JSONSerialization.data(withJSONObject: checks).write(to: URL(fileURLWithPath: json))
        return try RenderFixtures.run("/usr/bin/python3", [QGISStyleTests.script, json], environment: ["QT_QPA_PLATFORM": "offscreen"])
    }

    @Test("hot spots as GeoJSON (.qml beside), GeoPackage (layer_styles default), Shapefile; QGIS renders the hot cell in #D62F27",
          .enabled(if: ProcessInfo.processInfo.environment["CARAVAN_SKIP_QGIS"] != "1"))
    func hotSpots() throws {
        let dir = TempDir()
        let layer = RenderFixtures.hotSpots
        var checks: [[String: Any]] = []
        let hot = try RenderFixtures.centre(10, 10)
        for name in ["hot_json.geojson", "hot.gpkg", "hot_shp.shp"] {
            let written = try ResultWriter.write(layer, to: dir.file(name))
            let styled = try #require(try QGISStyle.attach(to: written, layer: layer))
            let base = (name as NSString).deletingPathExtension
            #expect(styled == (name.hasSuffix(".gpkg") ? dir.file(name) : dir.file(base + ".qml")))
            var c: [String: Any] = ["path": dir.file(name), "kind": "vector", "renderer": "categorizedSymbol", "attr": "Gi_Bin",
                                    "classes": QGISStyleTests.arcGIS.map { [$0.0, $0.1] }]
            if name == "hot.gpkg" { c["pixel"] = ["lon": hot.x, "lat": hot.y, "colour": "#D62F27"] }
            checks.append(c)
        }
        let out = try runQGIS(checks, dir)
        #expect(out.contains("all 3 QGIS checks passed"), "\(out)")
    }

    @Test("a density GeoTIFF: a discrete pseudocolour renderer, zero transparent, the map's classes",
          .enabled(if: ProcessInfo.processInfo.environment["CARAVAN_SKIP_QGIS"] != "1"))
    func densityRaster() throws {
        let dir = TempDir()
        let tif = dir.file("road_density.tif")
        try RenderFixtures.densityGrid.write(to: tif)
        let qml = try #require(try QGISStyle.attach(toFile: tif))
        #expect(qml == dir.file("road_density.qml"))
        let positive = RenderFixtures.densityGrid.values.filter { $0 > 0 }.map(Double.init)
        let breaks = Classification.breaks(positive, classes: 5, method: .naturalBreaks)
        #expect(breaks.last == 2.0)
        let ramp = ["#FFFFCC", "#A1DAB4", "#41B6C4", "#2C7FB8", "#253494"]
        var items: [[Any]] = [[0.0, "#FFFFFF", 0]]
        for (i, b) in breaks.enumerated() { items.append([i == breaks.count - 1 ? "inf" : b, ramp[i], 255]) }
        let out = try runQGIS([["path": tif, "kind": "raster", "renderer": "singlebandpseudocolor", "items": items]], dir)
        #expect(out.contains("all 1 QGIS checks passed"), "\(out)")
    }

    @Test("a density grid of cells, crossings and corridors from files: graduated, categorized by unlisted, single line",
          .enabled(if: ProcessInfo.processInfo.environment["CARAVAN_SKIP_QGIS"] != "1"))
    func fromFiles() throws {
        let dir = TempDir()
        // Density cells: 4 cells, one of them zero (no symbol in QGIS: transparent).
        let d = try VectorWriter(path: dir.file("density.geojson"), geometryType: .polygon, crs: .wgs84,
                                 fields: [FieldDefinition("length_km", .real), FieldDefinition("density", .real)])
        for (i, v) in [0.0, 0.1, 0.5, 1.2].enumerated() {
            let x = 64 + Double(i) * 0.3
            try d.write(geometry: .polygon([[XY(x, 41), XY(x + 0.3, 41), XY(x + 0.3, 41.3), XY(x, 41.3), XY(x, 41)]]), values: [.real(v * 600), .real(v)])
        }
        try d.commit()
        try QGISStyle.attach(toFile: dir.file("density.geojson"))
        let c = try VectorWriter(path: dir.file("crossings.gpkg"), layerName: "crossings", geometryType: .point, crs: .wgs84,
                                 fields: [FieldDefinition("post", .string), FieldDefinition("unlisted", .integer), FieldDefinition("routes", .integer)])
        try c.write(geometry: .point(XY(69.2, 41.4)), values: [.string("Zhibek Zholy–Oybek"), .integer(0), .integer(12)])
        try c.write(geometry: .point(XY(70.1, 40.9)), values: [.null, .integer(1), .integer(3)])
        try c.commit()
        try QGISStyle.attach(toFile: dir.file("crossings.gpkg"))
        let r = try VectorWriter(path: dir.file("corridors.geojson"), geometryType: .lineString, crs: .wgs84,
                                 fields: [FieldDefinition("route", .string), FieldDefinition("length_km", .real)])
        try r.write(geometry: .lineString([XY(69, 41), XY(71, 42)]), values: [.string("Northern route"), .real(200)])
        try r.commit()
        try QGISStyle.attach(toFile: dir.file("corridors.geojson"))
        // Three positive values, five colours asked: three classes, each its own value, the ramp's darker end.
        let ramp = ["#41B6C4", "#2C7FB8", "#253494"]
        let out = try runQGIS([
            ["path": dir.file("density.geojson"), "kind": "vector", "renderer": "graduatedSymbol", "attr": "density",
             "ranges": [[Double.leastNormalMagnitude, 0.1, ramp[0]], [0.1, 0.5, ramp[1]], [0.5, 1.2, ramp[2]]]],
            ["path": dir.file("crossings.gpkg"), "kind": "vector", "renderer": "categorizedSymbol", "attr": "unlisted",
             "classes": [["0", "#1F3A93"], ["1", "#E31A1C"]]],
            ["path": dir.file("corridors.geojson"), "kind": "vector", "renderer": "singleSymbol"],
        ], dir)
        #expect(out.contains("all 3 QGIS checks passed"), "\(out)")
    }
}
