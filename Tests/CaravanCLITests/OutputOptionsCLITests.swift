import Foundation
import Testing

/// The output flags every command shares (--output-layer, --update, --csv-dialect), and the
/// check, before any work, that outputs differ from each other and from every input.
@Suite("Output options on every command", .serialized)
struct OutputOptionsCLITests {
    /// GDAL's layer names of a GeoPackage.
    static func layers(_ gpkg: String) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/ogrinfo")
        p.arguments = ["-ro", "-q", gpkg]
        let out = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return text.split(separator: "\n").compactMap { line in
            // "1: hotspots (Polygon)"
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init)
        }
    }

    @Test("hotspots and count into one GeoPackage: --output-layer names each layer, --update adds the second")
    func oneGeoPackage() throws {
        let dir = TempFolder()
        let gpkg = dir.file("analysis.gpkg")
        let h = try caravan(["hotspots", EventCommandsTests.seizures, "--cell", "50km", "--band", "150km", "-o", gpkg, "--output-layer", "hot_spots"])
        #expect(h.status == 0, "\(h.stderr)")
        let c = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "-o", gpkg,
                             "--update", "--output-layer", "per_country"])
        #expect(c.status == 0, "\(c.stderr)")
        let names = try Self.layers(gpkg)
        #expect(names.contains("hot_spots") && names.contains("per_country"), "\(names)")
        // A second add under a name that exists is refused unless --overwrite; the file keeps both layers.
        let again = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "-o", gpkg,
                                 "--update", "--output-layer", "per_country"])
        #expect(again.status == 1 && again.stderr.contains("already has a layer 'per_country'"))
        #expect(try Self.layers(gpkg).filter { $0 == "hot_spots" || $0 == "per_country" }.count == 2)
        // --update on a format that holds one layer is refused before the work.
        let csv = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "-o", dir.file("c.csv"), "--update"])
        #expect(csv.status == 1 && csv.stderr.contains("only a GeoPackage"))
    }

    @Test("count to CSV for a Russian-locale Excel: BOM, ';' and decimal commas")
    func excelRU() throws {
        let dir = TempFolder()
        let r = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "--weight", "amount_kg",
                             "-o", dir.file("c.csv"), "--csv-dialect", "excel-ru"])
        #expect(r.status == 0, "\(r.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: dir.file("c.csv")))
        #expect(Array(data.prefix(3)) == [0xEF, 0xBB, 0xBF])
        let text = String(decoding: data.dropFirst(3), as: UTF8.self)
        let lines = text.split(separator: "\n")
        #expect(lines[0].contains(";") && !lines[0].contains(","))
        let header = lines[0].split(separator: ";", omittingEmptySubsequences: false).map(String.init)
        let sumColumn = try #require(header.firstIndex { $0.hasPrefix("sum_") })
        let sums = lines.dropFirst().map { $0.split(separator: ";", omittingEmptySubsequences: false).map(String.init)[sumColumn] }
        #expect(sums.contains { $0.contains(",") && !$0.contains(".") }, "\(sums.prefix(5))")
        let bad = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "-o", dir.file("d.csv"), "--csv-dialect", "excel"])
        #expect(bad.status == 64)
    }

    @Test("an output named twice, or naming an input, is refused before any work")
    func distinctOutputs() throws {
        let dir = TempFolder()
        let same = dir.file("h.csv")
        let r = try caravan(["hotspots", EventCommandsTests.seizures, "--cell", "50km", "--band", "150km", "-o", same, "--report", same])
        #expect(r.status == 1 && r.stderr.contains("same file as the output"), "\(r.stderr)")
        #expect(!r.stderr.contains("hot spots"))   // no analysis summary: refused before the work
        #expect(!FileManager.default.fileExists(atPath: same))
        let input = try caravan(["count", EventCommandsTests.seizures, "--polygons", "shapefiles/countries.shp", "-o", EventCommandsTests.seizures, "--overwrite"])
        #expect(input.status == 1 && input.stderr.contains("refusing to overwrite the input"))
        let g = dir.write("p.csv", "place\nOsh\n")
        let geo = try caravan(["geocode", g, "--column", "place", "-o", dir.file("o.csv"), "--report", dir.file("o.csv")])
        #expect(geo.status == 1 && geo.stderr.contains("same file as the output"))
    }
}
