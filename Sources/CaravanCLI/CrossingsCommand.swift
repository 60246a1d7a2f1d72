import ArgumentParser
import CaravanKit
import Foundation

struct CrossingsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crossings",
        abstract: "Every point where a route crosses an international border.",
        discussion: """
        BORDERS is a country polygon layer (from/to countries in the direction of
        travel come from the polygons) or a border-line layer as 'caravan borders'
        writes it (each crossing gets the line's pair; --countries fills from/to). A
        route touching or running along a border is not a crossing; crossing back and
        forth gives each crossing.
        Fields: route_id, route_name, kind, pair, from, to, lon, lat, km_along; with
        --posts also post, post_km and unlisted (no known post within --unlisted);
        with --merge, crossings and routes counted per merged point.
        Examples:
          caravan crossings shapefiles/roads.shp shapefiles/countries.shp \\
              -o out/crossings.geojson
          caravan crossings shapefiles/roads.shp shapefiles/borders.shp \\
              --countries shapefiles/countries.shp \\
              --posts shapefiles/border_posts.shp -o out/x.geojson
          caravan crossings tracks.gpkg shapefiles/countries.shp --merge 2km \\
              --posts shapefiles/border_posts.shp -o out/merged.gpkg
        """
    )

    @Argument(help: "Route lines.") var routes: String
    @Argument(help: "Country polygons, or border lines with a pair field.") var borders: String
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Option(help: "The routes' layer, when the source has several.") var layer: String?
    @Option(name: .customLong("where"), help: "Use only the routes matching this OGR SQL condition.") var whereClause: String?
    @Option(help: "Country polygons giving from/to when BORDERS are lines.") var countries: String?
    @Option(name: .customLong("id-field"), help: "The countries' id field.") var idField = "iso_a2"
    @Option(help: "Known border posts (points with a name field) to label crossings with.") var posts: String?
    @Option(help: "A crossing farther than this from every known post is flagged unlisted.") var unlisted = "10km"
    @Option(help: "Merge crossings within this distance into one point (e.g. 2km).") var merge: String?
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var input: SourceOptions

    func run() throws {
        let start = Date()
        let routeLayer = try Dataset.open(routes, options: try input.openOptions()).layer(named: layer)
        if let w = whereClause { try routeLayer.setAttributeFilter(w) }
        let borderLayer = try Dataset.open(borders).layer(named: nil)
        var o = CrossingOptions()
        o.countryIDField = idField
        if borderLayer.geometryType.dimensionFamily == 2 { o.countries = try borderLayer.snapshot() }
        if let c = countries { o.countries = try Dataset.open(c).layer(named: nil).snapshot() }
        o.unlistedMeters = try Distance.parse(unlisted, option: "--unlisted").meters
        o.mergeMeters = try merge.map { try Distance.parse($0, option: "--merge").meters }
        if let p = posts { o.posts = try PostList.read(p) }
        let progress = ProgressLine("routes read")
        let xs = try findCrossings(routes: routeLayer, borders: borderLayer, options: o) { progress.update($0) }
        progress.done()
        try CrossingWriter.write(xs, to: output, merged: merge != nil, withPosts: posts != nil,
                                 options: WriteOptions(overwrite: overwrite, inputs: [routes, borders]))
        Console.line(String(format: "caravan: %d crossings%@ in %.1f s, written to %@", xs.count,
                            merge != nil ? " (merged within \(merge!))" : "", Date().timeIntervalSince(start), output))
        if posts != nil {
            let u = xs.filter { $0.unlisted == true }.count
            Console.line("caravan: \(u) crossing\(u == 1 ? "" : "s") more than \(unlisted) from any known post (unlisted)")
        }
        printBusiest(xs)
    }

    /// The crossings by border, and with --merge a table of the busiest crossing points.
    func printBusiest(_ xs: [BorderCrossing]) {
        guard !xs.isEmpty else { return }
        let byPair = Dictionary(grouping: xs, by: \.pair).map { ($0.key, $0.value.reduce(0) { $0 + $1.crossings }) }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        Console.line("caravan: crossings by border: " + byPair.prefix(10).map { "\($0.0) \($0.1)" }.joined(separator: ", "))
        guard merge != nil else { return }
        print("Busiest crossing points")
        print("  rank  border  routes  crossings  lon, lat            nearest known post (km)")
        for (k, x) in xs.sorted(by: { ($0.routes, $0.crossings) > ($1.routes, $1.crossings) }).prefix(10).enumerated() {
            let post = x.post.map { "\($0) (\(String(format: "%.1f", x.postKm ?? 0)))\(x.unlisted == true ? " — unlisted" : "")" } ?? ""
            print(String(format: "  %4d  %-6@  %6d  %9d  %8.4f, %8.4f  %@", k + 1, x.pair, x.routes, x.crossings, x.location.lon, x.location.lat, post))
        }
    }
}

/// Border posts as (name, lon/lat).
enum PostList {
    static func read(_ path: String) throws -> [(name: String, location: LonLat)] {
        let l = try Dataset.open(path).layer(named: nil)
        guard let crs = try l.crs else { throw GeoError(.projection, "the posts have no CRS", file: path) }
        let t = try Transformer(from: crs, to: .wgs84)
        let nameIndex = l.schema.index(of: "name")
        var out: [(String, LonLat)] = []
        try l.forEach { f in
            guard let p = f.geometry?.points.first else { return }
            out.append((nameIndex.flatMap { f.values[$0].stringValue } ?? String(f.fid), LonLat(try t.transform(p))))
        }
        return out
    }
}

enum CrossingWriter {
    static func write(_ xs: [BorderCrossing], to path: String, merged: Bool, withPosts: Bool, options: WriteOptions) throws {
        var fields = [FieldDefinition("route_id", .string), FieldDefinition("route_name", .string), FieldDefinition("kind", .string),
                      FieldDefinition("pair", .string), FieldDefinition("from", .string), FieldDefinition("to", .string),
                      FieldDefinition("lon", .real, width: 12, precision: 6), FieldDefinition("lat", .real, width: 12, precision: 6),
                      FieldDefinition("km_along", .real, width: 14, precision: 3)]
        if merged { fields += [FieldDefinition("crossings", .integer), FieldDefinition("routes", .integer), FieldDefinition("route_ids", .string)] }
        if withPosts { fields += [FieldDefinition("post", .string), FieldDefinition("post_km", .real, width: 12, precision: 3), FieldDefinition("unlisted", .integer)] }
        let w = try VectorWriter(path: path, layerName: "crossings", geometryType: .point, crs: .wgs84, fields: fields, options: options)
        func s(_ v: String?) -> FieldValue { v.map { .string($0) } ?? .null }
        for x in xs {
            var v: [FieldValue] = [.string(x.routeID), s(x.routeName), s(x.kind), .string(x.pair), s(x.from), s(x.to),
                                   .real((x.location.lon * 1e6).rounded() / 1e6), .real((x.location.lat * 1e6).rounded() / 1e6),
                                   .real((x.kmAlong * 1000).rounded() / 1000)]
            if merged { v += [.integer(Int64(x.crossings)), .integer(Int64(x.routes)), .string(x.routeIDs.prefix(50).joined(separator: ","))] }
            if withPosts { v += [s(x.post), x.postKm.map { .real(($0 * 1000).rounded() / 1000) } ?? .null, x.unlisted.map { .integer($0 ? 1 : 0) } ?? .null] }
            try w.write(geometry: .point(x.location.xy), values: v)
        }
        try w.commit()
    }
}
