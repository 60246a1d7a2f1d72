import Foundation
import Testing
@testable import CaravanKit

/// A GeoJSON line layer in a temporary folder.
func lineLayer(_ dir: TempDir, _ name: String, _ lines: [[XY]], ids: [Int]? = nil) -> String {
    let features = lines.enumerated().map { i, l in
        let c = l.map { "[\($0.x), \($0.y)]" }.joined(separator: ",")
        return #"{"type":"Feature","properties":{"id":\#(ids?[i] ?? i + 1),"kind":"road"},"geometry":{"type":"LineString","coordinates":[\#(c)]}}"#
    }
    return dir.write(name, #"{"type":"FeatureCollection","features":["# + features.joined(separator: ",") + "]}")
}

@Suite("Network analyses: routes, flows, closures, bad input", .serialized)
struct NetworkAnalysisTests {
    // A(0,0) —1°— B(1,0) —1°— C(2,0) along the equator, and a detour A–(1,0.5)–C.
    let triangle = [[XY(0, 0), XY(1, 0)], [XY(1, 0), XY(2, 0)], [XY(0, 0), XY(1, 0.5), XY(2, 0)]]

    @Test("routes: legs along the network, gaps for a place not found and one too far; the route goes on")
    func routes() throws {
        let dir = TempDir()
        let net = lineLayer(dir, "net.geojson", triangle)
        let w = dir.write("w.csv", "route,order,place\nR,1,\"0.0, 0.0\"\nR,2,Nowhereville Xq\nR,3,\"0.0, 1.0\"\nR,4,\"3.0, 1.0\"\nR,5,\"0.0, 2.0\"\nS,1,\"0.0, 2.0\"\nS,2,\"0.0, 2.0\"\n")
        var o = RouteOptions(waypoints: w, network: [net], output: dir.file("r.geojson"))
        let out = try routeAlongNetwork(o, geocoder: sharedGeocoder)
        let layer = out.layers[0]
        #expect(layer.count == 2)
        let r = layer.values(0)
        // route, waypoints, found, length_km, time_h, gap_count, gaps, crossing_count, crossings, snapped
        #expect(r[0] == .string("R") && r[1] == .integer(5) && r[2] == .integer(3))
        #expect(abs(r[3].doubleValue! - round3(equator(2) / 1000)) < 1e-9)
        #expect(r[5] == .integer(2))
        #expect(r[6].stringValue!.contains("Nowhereville Xq: not found") && r[6].stringValue!.contains("3.0, 1.0: 331.7 km from the network (max 5.0 km)"))
        #expect(layer.values(1)[3] == .real(0))
        try ResultWriter.write(layer, to: o.output)
        let (_, f) = try readAll(o.output)
        #expect(f.count == 2 && f[0]["gap_count"].doubleValue == 2)
        // Legs: one per joined pair.
        o.legs = true
        let legs = try routeAlongNetwork(o, geocoder: sharedGeocoder).layers[0]
        #expect(legs.count == 3 && legs.values(0)[2] == .string("0.0, 0.0") && legs.values(0)[3] == .string("0.0, 1.0"))
        #expect(abs(legs.values(1)[4].doubleValue! - round3(equator(1) / 1000)) < 1e-9)
    }

    @Test("routes --snap line: the waypoint joins the line where it passes, and the snap distance is reported")
    func snapLine() throws {
        let dir = TempDir()
        let net = lineLayer(dir, "net.geojson", [[XY(0, 0), XY(2, 0)]])
        let w = dir.write("w.csv", "route,order,place\nR,1,\"0.01, 0.5\"\nR,2,\"0.0, 2.0\"\n")
        var o = RouteOptions(waypoints: w, network: [net], output: dir.file("r.geojson"))
        o.snap = .line
        let r = try routeAlongNetwork(o, geocoder: sharedGeocoder).layers[0].values(0)
        #expect(abs(r[3].doubleValue! - round3(equator(1.5) / 1000)) < 1e-9)
        #expect(r[9].stringValue!.hasPrefix("0.01, 0.5 1.11 km"))
        o.snap = .node
        let n = try routeAlongNetwork(o, geocoder: sharedGeocoder).layers[0].values(0)
        #expect(n[5] == .integer(1))   // 55 km from the nearest node: a gap
    }

    @Test("flows: load per line, lengths, unknown places kept; a closed point reroutes with detours and strands none")
    func flows() throws {
        let dir = TempDir()
        let net = lineLayer(dir, "net.geojson", triangle + [[XY(5, 5), XY(6, 5)]])
        let od = dir.write("od.csv", "origin,destination,weight\n\"0.0, 0.0\",\"0.0, 2.0\",5\n\"0.0, 1.0\",\"0.0, 2.0\",2\nNowhereville Xq,\"0.0, 2.0\",9\n\"0.0, 0.0\",\"5.0, 6.0\",1\n")
        var o = FlowOptions(od: od, network: [net], output: dir.file("load.geojson"))
        let out = try networkFlows(o, geocoder: sharedGeocoder)
        #expect(out.figures["flows"] == 4 && out.figures["routed"] == 2 && out.figures["unknown"] == 1 && out.figures["noPath"] == 1)
        let load = out.layers[0]
        // id, routes, weight, share
        #expect(load.values(0)[1] == .integer(1) && load.values(0)[2] == .real(5))
        #expect(load.values(1)[1] == .integer(2) && load.values(1)[2] == .real(7))
        #expect(load.values(2)[1] == .integer(0))
        let flows = out.layers[2]
        #expect(flows.count == 4)   // nothing dropped
        #expect(flows.values(2)[4].stringValue!.contains("origin 'Nowhereville Xq': not found"))
        #expect(flows.values(3)[4] == .string("no path"))
        #expect(abs(flows.values(0)[5].doubleValue! - round3(equator(2) / 1000)) < 1e-9)
        #expect(out.warnings.contains { $0.contains("Nowhereville Xq") })
        // Close the line B–C with a point on it.
        let closure = dir.write("closed.csv", "lon,lat\n1.5,0.001\n")
        o.closed = [closure]
        let c = try networkFlows(o, geocoder: sharedGeocoder)
        #expect(c.figures["displaced"] == 2 && c.figures["stranded"] == 0)
        let detour = Geodesic.length(of: triangle[2])
        let f0 = c.layers[2].values(0)
        // … displaced, status_closed, length_closed_km, detour_km, detour_pct, crossings_closed
        #expect(f0[8] == .integer(1) && f0[9] == .string("routed"))
        #expect(abs(f0[11].doubleValue! - round3((detour - equator(2)) / 1000)) < 1e-9)
        #expect(abs(f0[12].doubleValue! - ((10_000 * (round3(detour / 1000) * 1000 - equator(2)) / equator(2)).rounded() / 100)) < 0.02)
        #expect(c.layers[0].values(2)[4] == .integer(2))   // the detour line now carries both
        // A point far from any line is refused, named.
        o.closed = [dir.write("far.csv", "lon,lat\n40,40\n")]
        #expect(throws: GeoError.self) { try networkFlows(o, geocoder: sharedGeocoder) }
    }

    @Test("bad input: polygons, an empty network, a missing column, an unknown post with the nearest names")
    func badInput() throws {
        let dir = TempDir()
        let w = dir.write("w.csv", "route,order,place\nR,1,Almaty\nR,2,Bishkek\n")
        let polys = RouteOptions(waypoints: w, network: [repositoryRoot + "/shapefiles/countries.shp"], output: dir.file("o.geojson"))
        #expect { try routeAlongNetwork(polys, geocoder: sharedGeocoder) } throws: { ($0 as? GeoError)?.message.contains("a network is made of lines") == true }
        let empty = dir.write("empty.geojson", #"{"type":"FeatureCollection","features":[]}"#)
        #expect { try routeAlongNetwork(RouteOptions(waypoints: w, network: [empty], output: dir.file("o.geojson")), geocoder: sharedGeocoder) } throws: {
            ($0 as? GeoError)?.message.contains("no lines") == true
        }
        let net = lineLayer(dir, "net.geojson", [[XY(0, 0), XY(1, 0)]])
        var bad = RouteOptions(waypoints: w, network: [net], output: dir.file("o.geojson"))
        bad.routeColumn = "corridor"
        #expect { try routeAlongNetwork(bad, geocoder: sharedGeocoder) } throws: { ($0 as? GeoError)?.message.contains("the columns are: route, order, place") == true }
        // Waypoints far outside the network: gaps, not an error.
        let far = try routeAlongNetwork(RouteOptions(waypoints: w, network: [net], output: dir.file("o.geojson")), geocoder: sharedGeocoder)
        #expect(far.layers[0].values(0)[5] == .integer(2) && far.figures["legs"] == 0)
        let posts = try RoutePost.read(repositoryRoot + "/shapefiles/border_posts.shp")
        #expect(RoutePost.find("Termez–Hairatan", in: posts).0?.name == "Termez–Hairatan (Friendship Bridge)")
        #expect(RoutePost.find("termez - hairatan", in: posts).0 != nil)
        let (none, near) = RoutePost.find("Termiz-Hayraton Bridgee", in: posts)
        #expect(none == nil && near.first == "Termez–Hairatan (Friendship Bridge)")
    }

    @Test("shipped data: the Uzbek corridor crosses at Termez–Hairatan; closing it displaces flows to other crossings")
    func shipped() throws {
        let dir = TempDir()
        let roads = repositoryRoot + "/shapefiles/roads.shp", countries = repositoryRoot + "/shapefiles/countries.shp"
        var o = RouteOptions(waypoints: repositoryRoot + "/samples/routes/waypoints.csv", network: [roads], output: dir.file("c.geojson"))
        o.snap = .line; o.maxSnap = "10km"; o.countries = countries; o.posts = repositoryRoot + "/shapefiles/border_posts.shp"
        let r = try routeAlongNetwork(o, geocoder: sharedGeocoder)
        let uzbek = r.layers[0].values(2)
        #expect(uzbek[0] == .string("Uzbek corridor") && uzbek[8].stringValue!.hasPrefix("AF→UZ Termez–Hairatan"))
        #expect(r.figures["gaps"] == 0)
        var f = FlowOptions(od: repositoryRoot + "/samples/routes/flows.csv", network: [roads], output: dir.file("load.gpkg"))
        f.countries = countries; f.posts = o.posts; f.maxSnap = "10km"; f.closed = ["Termez–Hairatan"]
        let out = try networkFlows(f, geocoder: sharedGeocoder)
        #expect(out.figures["routed"] == out.figures["flows"])
        #expect(out.figures["displaced"]! > 0 && out.figures["stranded"] == 0 && out.figures["meanDetourKm"]! > 0)
        let xs = out.layers[1]
        let termez = (0..<xs.count).first { xs.values($0)[0] == .string("Termez–Hairatan (Friendship Bridge)") }!
        #expect(xs.values(termez)[2].doubleValue! > 0 && xs.values(termez)[5] == .integer(0))
        // A post the network does not reach: named with the nearest crossing of the network.
        f.closed = ["Ishkashim bridge"]
        #expect { try networkFlows(f, geocoder: sharedGeocoder) } throws: {
            let e = $0 as? GeoError
            return e?.message.contains("not on the network") == true && e?.hint?.contains("nearest crossing of the network") == true
        }
    }
}
