import Foundation
import Testing
@testable import CaravanKit

@Suite("caravan render: colours on the ground through the world file, formats, bad input")
struct RenderTests {
    func expectColour(_ png: String, _ at: XY, _ want: [Int], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let got = try RenderFixtures.colour(png, at: at)
        #expect(Array(got.prefix(3)) == Array(want.prefix(3)), "colour at \(at): \(got), expected \(want)", sourceLocation: sourceLocation)
    }

    func options(_ layers: [String], _ out: String) -> RenderOptions {
        var o = RenderOptions(layers: layers, output: out)
        o.extent = RenderFixtures.extent; o.labels = 0; o.size = "1000x700"
        return o
    }

    @Test("legend counts take the number's form: 1 cell, 2 cells; 1 ячейка, 3 ячейки, 11 ячеек, 21 ячейка, 264 ячейки")
    func legendCountWords() {
        let ru = ["ячейка", "ячейки", "ячеек"]
        func w(_ n: Int, _ inRussian: Bool) -> String { MapRenderer.countWord(n, english: "cell", russian: ru, inRussian: inRussian) }
        #expect([0, 1, 2, 264].map { w($0, false) } == ["cells", "cell", "cells", "cells"])
        #expect([0, 1, 3, 5, 11, 12, 21, 22, 111, 264, 1001].map { w($0, true) }
                == ["ячеек", "ячейка", "ячейки", "ячеек", "ячеек", "ячеек", "ячейка", "ячейки", "ячеек", "ячейки", "ячейка"])
    }

    @Test("hot spots from a GeoPackage: ArcGIS's hot 99 % and cold 99 % colours at known cells, in the layer's own CRS")
    func hotSpotColours() throws {
        let dir = TempDir()
        let gpkg = dir.file("hot.gpkg")
        try ResultWriter.write(RenderFixtures.hotSpots, to: gpkg)
        let png = dir.file("map.png")
        let r = try renderMap(options([gpkg], png))
        #expect(FileManager.default.fileExists(atPath: dir.file("map.pgw")))
        #expect(FileManager.default.fileExists(atPath: png + ".aux.xml"))
        #expect(r.summary.joined().contains("Lambert") || r.summary.joined().contains("laea") || r.figures["width"] == 1000)
        try expectColour(png, RenderFixtures.centre(10, 10), RenderFixtures.hex("#D62F27"))
        try expectColour(png, RenderFixtures.centre(4, 4), RenderFixtures.hex("#4575B5"))
        // A not-significant cell: ArcGIS's #FFFFBF at 40 % over the study area's fill (#F7F1DE).
        let ns = try RenderFixtures.colour(png, at: RenderFixtures.centre(7, 12))
        let r0: Double = 0.4 * 255 + 0.6 * 247, g0: Double = 0.4 * 255 + 0.6 * 241, b0: Double = 0.4 * 191 + 0.6 * 222
        let expected: [Int] = [Int(r0.rounded()), Int(g0.rounded()), Int(b0.rounded())]
        #expect(zip(ns.prefix(3), expected).allSatisfy { abs($0 - $1) <= 2 }, "not significant: \(ns), expected ≈ \(expected)")
    }

    @Test("hot spots from GeoJSON (WGS84) drawn in the regional equal-area CRS: the same cells, the same colours")
    func hotSpotsReprojected() throws {
        let dir = TempDir()
        let json = dir.file("hot.geojson")
        try ResultWriter.write(RenderFixtures.hotSpots, to: json)
        let png = dir.file("map.png")
        let r = try renderMap(options([json], png))
        #expect(r.summary[0].contains("Albers"))
        try expectColour(png, RenderFixtures.centre(10, 10), RenderFixtures.hex("#D62F27"))
        try expectColour(png, RenderFixtures.centre(4, 4), RenderFixtures.hex("#4575B5"))
    }

    @Test("an in-memory ResultLayer renders without a file")
    func inMemory() throws {
        let dir = TempDir()
        let png = dir.file("map.png")
        _ = try renderMap(options([], png), results: [RenderFixtures.hotSpots])
        try expectColour(png, RenderFixtures.centre(11, 9), RenderFixtures.hex("#D62F27"))
    }

    @Test("density GeoTIFF: zero cells transparent (the base map shows), the densest block in the darkest class")
    func densityRaster() throws {
        let dir = TempDir()
        let tif = dir.file("road_density.tif")
        try RenderFixtures.densityGrid.write(to: tif)
        let png = dir.file("map.png")
        let r = try renderMap(options([tif], png))
        try expectColour(png, RenderFixtures.densityCentre(29, 30), RenderFixtures.hex("#253494"))
        // Zero density: the study area's fill, not the lightest class (#FFFFCC).
        try expectColour(png, RenderFixtures.densityCentre(8, 13), RenderFixtures.hex("#F7F1DE"))
        try expectColour(png, RenderFixtures.densityCentre(14, 27), RenderFixtures.hex("#F7F1DE"))
        // Every positive cell is counted once in the legend (800 positive cells of 1,600).
        #expect(r.figures["layer1.drawn"] == 800)
    }

    @Test("a large raster is classified from a decimated read: memory of a picture, counts scaled to the source's cells")
    func decimatedRaster() throws {
        let dir = TempDir()
        let tif = dir.file("d.tif")
        try RenderFixtures.densityGrid.write(to: tif)
        let (g, perValue, hasCRS) = try RasterDrawing.sample(tif, maxCells: 400)
        #expect(g.width == 20 && g.height == 20 && perValue == 4 && hasCRS)
        #expect(g.values.filter { $0 > 0 }.count == 200)   // the eastern half, positive, at every other cell
        #expect(g.values.max() == 2.0)
    }

    @Test("PDF and SVG: vector outputs; the SVG keeps its words as text")
    func vectorFormats() throws {
        let dir = TempDir()
        let gpkg = dir.file("hot.gpkg")
        try ResultWriter.write(RenderFixtures.hotSpots, to: gpkg)
        var o = options([gpkg], dir.file("map.svg"))
        o.title = "Очаги изъятий — test"; o.lang = .ru
        _ = try renderMap(o)
        let svg = try String(contentsOfFile: dir.file("map.svg"), encoding: .utf8)
        #expect(svg.contains("<text"))
        #expect(svg.contains("Очаги изъятий — test"))
        #expect(svg.contains("Очаг, достоверность 99 %"))
        o.output = dir.file("map.pdf"); o.paper = "A4"; o.landscape = true
        _ = try renderMap(o)
        let pdf = try #require(FileManager.default.contents(atPath: dir.file("map.pdf")))
        #expect(pdf.prefix(5) == Data("%PDF-".utf8))
        #expect(!FileManager.default.fileExists(atPath: dir.file("map.pgw")))
    }

    @Test("small multiples: one panel per value, one legend; no world file for panels")
    func smallMultiples() throws {
        let dir = TempDir()
        let path = dir.file("events.geojson")
        let w = try VectorWriter(path: path, geometryType: .point, crs: .wgs84,
                                 fields: [FieldDefinition("drug", .string), FieldDefinition("amount_kg", .real)])
        for (i, d) in ["heroin", "hashish", "heroin", "opium"].enumerated() {
            try w.write(geometry: .point(XY(64 + Double(i) * 0.5, 41)), values: [.string(d), .real(Double(i + 1) * 10)])
        }
        try w.commit()
        var o = options([path], dir.file("panels.png"))
        o.by = "drug"
        let r = try renderMap(o)
        #expect(r.figures["layer1.drawn"] == 4)
        #expect(r.warnings.contains { $0.contains("3 panels") })
    }

    @Test("a basemap MBTiles (made here with GDAL) is drawn beneath the layers, reprojected")
    func basemapMBTiles() throws {
        let dir = TempDir()
        // A grey 200 GeoTIFF over the region, turned into MBTiles by gdal_translate.
        var g = RasterGrid(width: 64, height: 64, originX: 55, originY: 35, cellSize: 0.25, crs: .wgs84,
                           values: [Float](repeating: 200, count: 64 * 64))
        g.noData = -1
        try g.write(to: dir.file("grey.tif"))
        try RenderFixtures.run("/usr/bin/gdal_translate", ["-q", "-ot", "Byte", "-of", "MBTILES", dir.file("grey.tif"), dir.file("tiles.mbtiles")])
        var o = options([], dir.file("map.png"))
        o.basemap = dir.file("tiles.mbtiles"); o.attribution = "test tiles"
        _ = try renderMap(o)
        let c = try RenderFixtures.colour(dir.file("map.png"), at: XY(64.3, 40.2))
        #expect(c.prefix(3).allSatisfy { abs($0 - 200) <= 1 }, "basemap colour: \(c)")
    }

    @Test("an empty layer is drawn with a note")
    func emptyLayer() throws {
        let dir = TempDir()
        let path = dir.write("empty.geojson", #"{"type":"FeatureCollection","features":[]}"#)
        let r = try renderMap(options([path], dir.file("map.png")))
        #expect(r.summary.joined(separator: "\n").contains("empty"))
        #expect(FileManager.default.fileExists(atPath: dir.file("map.png")))
    }

    @Test("a layer without CRS is refused, naming the file")
    func noCRS() throws {
        let dir = TempDir()
        let shp = dir.file("nocrs.shp")
        let w = try VectorWriter(path: shp, geometryType: .point, crs: nil, fields: [FieldDefinition("id", .integer)])
        try w.write(geometry: .point(XY(65, 41)), values: [.integer(1)])
        try w.commit()
        try? FileManager.default.removeItem(atPath: dir.file("nocrs.prj"))
        let e = #expect(throws: GeoError.self) { try renderMap(options([shp], dir.file("map.png"))) }
        #expect(e?.file == shp)
        #expect(e?.message.contains("no CRS") == true)
    }

    @Test("a picture over 20,000 px a side, or a format that is not a picture, is refused before any work")
    func limits() throws {
        var o = RenderOptions(layers: [], output: "/tmp/x.png")
        o.size = "20001x1000"
        #expect(throws: GeoError.self) { try o.validate() }
        o.size = "1920x1080"; o.output = "/tmp/x.jpg"
        #expect(throws: GeoError.self) { try o.validate() }
        o.output = "/tmp/x.png"; o.paper = "A3"; o.dpi = 1300   // 420 mm at 1,300 dpi = 21,496 px
        #expect(throws: GeoError.self) { try o.validate() }
    }

    @Test("`:STYLE` overrides: points sized by the named field; an unknown field is refused with the list")
    func styleOverride() throws {
        let dir = TempDir()
        let path = dir.file("pts.geojson")
        let w = try VectorWriter(path: path, geometryType: .point, crs: .wgs84, fields: [FieldDefinition("qty", .real)])
        try w.write(geometry: .point(XY(64.5, 41)), values: [.real(5)])
        try w.commit()
        let log = WarningLog()
        let m = try MapLayer.open(path + ":field=qty", lang: .en, warnings: log)
        #expect(m.style.symbol == .points(sizeField: "qty", colour: "#B2182B"))
        #expect(throws: GeoError.self) { try MapLayer.open(path + ":field=nope", lang: .en, warnings: log) }
    }
}

@Suite("Classification: natural breaks and quantiles against hand computations")
struct ClassificationTests {
    @Test("Jenks on three obvious groups finds the gaps")
    func jenks() {
        let v: [Double] = [1, 1.1, 1.2, 5, 5.1, 5.2, 9, 9.1, 9.3]
        #expect(Classification.breaks(v, classes: 3, method: .naturalBreaks) == [1.2, 5.2, 9.3])
    }

    @Test("quantiles of 1…10 in 5 classes: 2, 4, 6, 8, 10")
    func quantiles() {
        #expect(Classification.breaks((1...10).map(Double.init), classes: 5, method: .quantiles) == [2, 4, 6, 8, 10])
    }

    @Test("class of a value: zero and below none, the upper bound inclusive")
    func classIndex() {
        let b: [Double] = [1, 2, 3]
        #expect(LayerStyle.classIndex(0, breaks: b) == nil)
        #expect(LayerStyle.classIndex(1, breaks: b) == 0)
        #expect(LayerStyle.classIndex(1.5, breaks: b) == 1)
        #expect(LayerStyle.classIndex(3, breaks: b) == 2)
    }
}
