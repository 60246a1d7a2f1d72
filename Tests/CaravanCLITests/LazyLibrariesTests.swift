import Foundation
import Testing

/// GDAL and PROJ load on first use (Sources/CLazyLibraries): a CSV geocoded into a CSV needs
/// neither, and must not wait for GDAL's libraries; every other path loads them as it calls them.
@Suite("GDAL and PROJ load when first called")
struct LazyLibrariesTests {
    func run(_ args: String) throws -> CLIResult {
        try sh("cd '\(packageRoot)' && CARAVAN_TRACE_LIBRARIES=1 '\(caravanBinary)' \(args)")
    }

    @Test("a CSV geocoded into a CSV loads neither GDAL nor PROJ; into a GeoPackage, both")
    func geocodeCSV() throws {
        let dir = TempFolder()
        let input = dir.write("events.csv", "id,place,kg\n1,Termez,2.5\n2,Хорог,0012\n3,nowhere-at-all,1\n")
        let csv = try run("geocode '\(input)' --column place -o '\(dir.file("out.csv"))'")
        #expect(csv.status == 0, "\(csv.stderr)")
        #expect(!csv.stderr.contains("caravan: loaded"), "\(csv.stderr)")
        let text = try String(contentsOfFile: dir.file("out.csv"), encoding: .utf8)
        #expect(text.contains("1,Termez,2.5,matched,Tirmiz,UZ,0.97,alias,town,67.27833,37.22417"), "\(text)")
        #expect(text.contains("2,Хорог,0012,matched"), "\(text)")
        let gpkg = try run("geocode '\(input)' --column place -o '\(dir.file("out.gpkg"))'")
        #expect(gpkg.status == 0, "\(gpkg.stderr)")
        #expect(gpkg.stderr.contains("caravan: loaded GDAL"), "\(gpkg.stderr)")
        #expect(gpkg.stderr.contains("caravan: loaded PROJ"), "\(gpkg.stderr)")
    }

    @Test("--version and --help load nothing; reading a shapefile loads GDAL and answers as before")
    func otherCommands() throws {
        for args in ["--version", "--help", "geocode --help"] {
            let r = try run(args)
            #expect(r.status == 0 && !r.stderr.contains("caravan: loaded"), "\(args): \(r.stderr)")
        }
        let info = try run("info shapefiles/roads.shp")
        #expect(info.status == 0, "\(info.stderr)")
        #expect(info.stderr.contains("caravan: loaded GDAL"), "\(info.stderr)")
        #expect(info.stdout.contains("geometry: LineString"), "\(info.stdout)")
    }
}
