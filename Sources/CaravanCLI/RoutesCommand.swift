import ArgumentParser
import CaravanKit
import Foundation

struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Build corridor lines from ordered lists of place names, along roads or as geodesics.",
        discussion: """
        Geocodes each waypoint (a row with a point, e.g. a CSV's lon/lat, is used as
        it is). With --network, each leg between consecutive waypoints is the shortest
        path on the network (nodes are line endpoints within 1 m; each line costs its
        geodesic length, or its time with --cost time). A waypoint not found, farther
        than --max-snap from the network, or a leg with no path (another component) is
        a gap: reported in the gaps field and the route goes on. Fields: route,
        waypoints, waypoints_found, length_km, time_h, gap_count, gaps, crossing_count,
        crossings (with --countries: from→to and the post, in order) and snapped (how
        far each waypoint was from the network). --legs: one feature per leg (route,
        leg, from, to, length_km, from_snap_km, to_snap_km, status, crossings).
        --cost time speeds (km/h): road 60, rail 50, OSM classes motorway 90, trunk 80,
        primary 70, secondary 60, tertiary 50, residential 30, track 20, ferry 15,
        anything else 50; override with --speed road=70 --speed default=40.
        Without --network: great circles (geodesics, densified every 10 km) through the
        waypoints; fields route, waypoints, matched, length_km, gaps, unmatched.
        Examples:
          caravan routes samples/routes/waypoints.csv \\
              --network shapefiles/roads.shp --snap line \\
              --countries shapefiles/countries.shp \\
              --posts shapefiles/border_posts.shp -o out/corridors.geojson
          caravan routes samples/routes/waypoints.csv \\
              --network shapefiles/roads.shp \\
              --network shapefiles/railways.shp --legs --max-snap 20km \\
              -o out/corridor_legs.geojson
          caravan routes samples/routes/waypoints.csv \\
              -o out/routes_geodesic.geojson
        """
    )
    @Argument(help: "A table of waypoints.") var waypoints: String
    @Option(name: .customLong("route-column"), help: "Column naming the route.") var routeColumn = "route"
    @Option(name: .customLong("order-column"), help: "Column giving the order within the route.") var orderColumn = "order"
    @Option(name: .customLong("place-column"), help: "Column with the place text.") var placeColumn = "place"
    @Option(help: "Country hint for every waypoint.") var country: String?
    @Option(help: "Extra gazetteer; may repeat.") var extra: [String] = []
    @Option(help: "A line layer to route along (roads, railways); may repeat to join them.") var network: [String] = []
    @Flag(help: "One feature per leg instead of one per route (with --network).") var legs = false
    @Option(name: .customLong("max-snap"), help: "A waypoint farther than this from the network is a gap.") var maxSnap = "5km"
    @Option(help: "Join waypoints to the nearest node, or to the nearest point on a line (splitting it): node or line.") var snap: SnapMode = .node
    @Option(help: "Edge cost: length (geodesic) or time (length / speed of the road class).") var cost: NetworkCost = .length
    @Option(help: "Speed override for --cost time, CLASS=KM/H (e.g. road=70, default=40); may repeat.") var speed: [String] = []
    @Option(name: .customLong("class-field"), help: "The road class field for --cost time (default: kind, class, fclass, highway or type).") var classField: String?
    @Option(help: "Search: astar (geodesic lower bound, and 16 landmarks from 64 legs on) or dijkstra; the same lengths.") var search: PathSearch = .astar
    @Option(help: "Country polygons: name the border crossings each route passes.") var countries: String?
    @Option(help: "Known border posts naming the crossings (default: the shipped posts).") var posts: String?
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false
    @OptionGroup var writing: OutputOptions

    func run() throws {
        guard !network.isEmpty else { return try runGeodesic() }
        var o = RouteOptions(waypoints: waypoints, network: network, output: output)
        o.routeColumn = routeColumn; o.orderColumn = orderColumn; o.placeColumn = placeColumn
        o.country = country; o.extra = extra; o.legs = legs; o.maxSnap = maxSnap; o.snap = snap; o.cost = cost
        o.speed = speed; o.classField = classField; o.search = search; o.countries = countries; o.posts = posts; o.overwrite = overwrite
        try writing.check(outputs: o.outputPaths, inputs: o.inputPaths)
        let result = try routeAlongNetwork(o, context: AnalysisContext(progress: { Console.progress("caravan: \($0)…") }))
        Console.endProgress()
        for w in result.warnings { Console.line("caravan: warning: \(w)") }
        for s in result.summary { Console.line("caravan: \(s)") }
        for layer in result.layers {
            let w = try ResultWriter.write(layer, to: output, options: writing.main(overwrite: overwrite, inputs: o.inputPaths))
            Console.line("caravan: \(w.features) \(legs ? "legs" : "routes") written to \(output)")
        }
    }

    func runGeodesic() throws {
        try writing.check(outputs: [output], inputs: [waypoints] + extra)
        var g = Gazetteer.shared
        for e in extra { g = try g.adding(extraFrom: e) }
        let routes = try buildRoutes(waypoints, routeColumn: routeColumn, orderColumn: orderColumn, placeColumn: placeColumn,
                                     geocoder: Geocoder(gazetteer: g), countryHint: country)
        try writeRoutes(routes, to: output, options: writing.main(overwrite: overwrite, inputs: [waypoints]))
        for r in routes {
            Console.line(String(format: "caravan: %@: %d of %d waypoints, %.0f km%@", r.name, r.matched, r.waypoints, r.lengthKm,
                                r.unmatched.isEmpty ? "" : "; not found: \(r.unmatched.joined(separator: ", "))"))
        }
        Console.line("caravan: \(routes.count) routes written to \(output)")
    }
}

extension SnapMode: ExpressibleByArgument {}
extension NetworkCost: ExpressibleByArgument {}
extension PathSearch: ExpressibleByArgument {}
