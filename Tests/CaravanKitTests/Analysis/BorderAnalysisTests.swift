import Foundation
import Testing
@testable import CaravanKit

/// `sharedBorders` (the entry point of `caravan borders`).
@Suite("Shared borders: options and entry point")
struct BorderAnalysisTests {
    @Test("options with the flags' names; one geometry type; a feature without id is a warning of the call, not of the process")
    func entryPoint() throws {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("a.geojson"), geometryType: .polygon, crs: .wgs84, fields: [FieldDefinition("iso_a2", .string)])
        try w.write(geometry: square(0, 0, 1), values: [.string("AA")])
        try w.write(geometry: square(1, 0, 1), values: [.string("BB")])
        try w.write(geometry: square(0, 1, 1), values: [.null])
        try w.commit()
        var o = BorderOptions(countries: dir.file("a.geojson"), output: dir.file("b.gpkg"))
        o.snap = "100m"
        #expect(try JSONDecoder().decode(BorderOptions.self, from: JSONEncoder().encode(o)) == o)
        let result = try sharedBorders(o)
        #expect(result.figures["borders"] == 1)
        #expect(result.warnings.count == 1 && result.warnings[0].contains("has no iso_a2"))
        #expect(result.layers[0].geometryType == .multiLineString)
        try ResultWriter.write(result.layers[0], to: dir.file("b.gpkg"))
        let l = try Dataset.open(dir.file("b.gpkg")).layer(named: nil)
        #expect(l.geometryType == .multiLineString)
        #expect(l.schema.names == ["left", "right", "pair", "parts", "length_km"])
        var bad = o; bad.snap = "-1km"
        #expect(throws: GeoError.self) { try sharedBorders(bad) }
    }
}
