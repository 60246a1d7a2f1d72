import Foundation
import Testing
@testable import CaravanKit

/// A real PostGIS database (started by scripts/with-postgis.sh, which `make test` uses), read
/// through GDAL's PG: driver. Skipped when run outside it, except in CI, where it must run.
@Suite("PostGIS through GDAL")
struct PostGISTests {
    static let connection = ProcessInfo.processInfo.environment["CARAVAN_TEST_PG"]
    static let inCI = ProcessInfo.processInfo.environment["CI"] == "true"

    @Test("CI provides the PostGIS server", .enabled(if: inCI))
    func provided() { #expect(Self.connection != nil, "make test runs the tests with scripts/with-postgis.sh") }

    @Test("a PostGIS layer reads like the Shapefile it was loaded from", .enabled(if: connection != nil))
    func readLayer() throws {
        let pg = try Dataset.open(Self.connection!).layer(named: "border_posts")
        let shp = try Dataset.open(repositoryRoot + "/shapefiles/border_posts.shp").layer(named: nil)
        #expect(try pg.featureCount() == shp.featureCount())
        #expect(try pg.crs?.epsg == 4326)
        var a: [String: XY] = [:], b: [String: XY] = [:]
        try pg.forEach { a[$0["name"].stringValue!] = $0.geometry?.points.first }
        try shp.forEach { b[$0["name"].stringValue!] = $0.geometry?.points.first }
        #expect(a == b)
        // A WHERE clause runs in the database.
        var rail = 0
        try shp.forEach { if $0["kind"].stringValue == "rail" { rail += 1 } }
        try pg.setAttributeFilter("kind = 'rail'")
        #expect(rail > 0)
        #expect(try pg.featureCount() == rail)
    }

    @Test("a bad PG: connection is a clear error naming it", .enabled(if: connection != nil))
    func badConnection() {
        #expect(throws: GeoError.self) { try Dataset.open("PG:host=/nonexistent dbname=nothing").layer(named: nil) }
    }
}
