import ArgumentParser
import CaravanKit
import Foundation

struct RoutesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routes",
        abstract: "Build corridor lines from ordered lists of place names.",
        discussion: """
        Geocodes each waypoint and joins each route's points in order along great
        circles (geodesics, densified every 10 km). Fields: route, waypoints, matched,
        length_km, gaps (the number of waypoints that did not match) and unmatched
        (their names). A route with gaps is still written from the waypoints that
        matched; nothing is silently dropped.
        Example:
          caravan routes samples/routes/waypoints.csv --route-column route \\
              --order-column order --place-column place -o out/routes.geojson
        """
    )
    @Argument(help: "A table of waypoints.") var waypoints: String
    @Option(name: .customLong("route-column"), help: "Column naming the route.") var routeColumn = "route"
    @Option(name: .customLong("order-column"), help: "Column giving the order within the route.") var orderColumn = "order"
    @Option(name: .customLong("place-column"), help: "Column with the place text.") var placeColumn = "place"
    @Option(help: "Country hint for every waypoint.") var country: String?
    @Option(help: "Extra gazetteer; may repeat.") var extra: [String] = []
    @Option(name: .shortAndLong, help: "Output file.") var output: String
    @Flag(help: "Replace the output if it exists.") var overwrite = false

    func run() throws {
        var g = Gazetteer.shared
        for e in extra { g = try g.adding(extraFrom: e) }
        let routes = try buildRoutes(waypoints, routeColumn: routeColumn, orderColumn: orderColumn, placeColumn: placeColumn,
                                     geocoder: Geocoder(gazetteer: g), countryHint: country)
        try writeRoutes(routes, to: output, options: WriteOptions(overwrite: overwrite, inputs: [waypoints]))
        for r in routes {
            Console.line(String(format: "caravan: %@: %d of %d waypoints, %.0f km%@", r.name, r.matched, r.waypoints, r.lengthKm,
                                r.unmatched.isEmpty ? "" : "; not found: \(r.unmatched.joined(separator: ", "))"))
        }
        Console.line("caravan: \(routes.count) routes written to \(output)")
    }
}
