import Foundation
import Testing
@testable import CaravanKit

/// Files cut short lose nothing silently: reading stops with an error naming the feature.
@Suite("Truncated inputs")
struct TruncatedInputTests {
    @Test("a .shp cut in the middle is an error naming the file and the first feature GDAL could not read, not null geometries")
    func truncatedShapefile() throws {
        let dir = TempDir()
        let source = repositoryRoot + "/shapefiles/railways"
        for ext in ["shp", "shx", "dbf", "prj", "cpg"] {
            try FileManager.default.copyItem(atPath: "\(source).\(ext)", toPath: dir.file("railways.\(ext)"))
        }
        let shp = dir.file("railways.shp")
        let h = try #require(FileHandle(forWritingAtPath: shp))
        try h.truncate(atOffset: 300_000)
        try h.close()
        var read = 0, withoutGeometry = 0
        do {
            try Dataset.open(shp).layer(named: nil).forEach { f in
                read += 1
                if f.geometry == nil { withoutGeometry += 1 }
            }
            Issue.record("a truncated .shp read to the end")
        } catch let e as GeoError {
            #expect(e.kind == .read)
            #expect(e.file == shp)
            #expect(e.featureID != nil)
            #expect(e.hint?.contains("truncated") == true)
        }
        #expect(read > 1000)
        #expect(withoutGeometry == 0)
    }
}
