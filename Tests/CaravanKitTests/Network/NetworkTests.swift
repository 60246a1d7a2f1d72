import Foundation
import Testing
@testable import CaravanKit

/// Equatorial arc of `degrees` of longitude on WGS84: a·Δλ (the equator is a geodesic).
func equator(_ degrees: Double) -> Double { 6_378_137 * degrees * .pi / 180 }

func close(_ a: Double, _ b: Double, _ rel: Double = 1e-9) -> Bool { abs(a - b) <= rel * max(abs(a), abs(b), 1) }

@Suite("Network: graph, shortest paths, snapping")
struct NetworkGraphTests {
    @Test("triangle: the two equatorial lines beat the detour; A* and Dijkstra agree with a·Δλ")
    func triangle() throws {
        let net = RoadNetwork(lines: [[XY(0, 0), XY(1, 0)], [XY(1, 0), XY(2, 0)], [XY(0, 0), XY(1, 0.5), XY(2, 0)]])
        #expect(net.nodeCount == 3)
        let a = try #require(net.node(at: XY(0, 0))), c = try #require(net.node(at: XY(2, 0)))
        for m in PathSearch.allCases {
            let p = try #require(net.shortestPath(from: a, to: c, using: m))
            #expect(close(p.metres, equator(2)))
            #expect(p.lines == [0, 1] && p.reversed == [false, false])
            let back = try #require(net.shortestPath(from: c, to: a, using: m))
            #expect(back.lines == [1, 0] && back.reversed == [true, true])
        }
        #expect(close(net.costs(from: a)[Int(c)], equator(2)))
        // The geometry runs along the lines, junction once.
        #expect(net.geometry(of: net.shortestPath(from: a, to: c)!) == [XY(0, 0), XY(1, 0), XY(2, 0)])
    }

    @Test("grid with ties: both cheapest paths cost 2·E(lat 1) + 2·N; the equator row is dearer")
    func gridTies() throws {
        var lines: [[XY]] = []
        for lat in [-1.0, 0, 1] { for lon in [0.0, 1] { lines.append([XY(lon, lat), XY(lon + 1, lat)]) } }
        for lon in [0.0, 1, 2] { for lat in [-1.0, 0] { lines.append([XY(lon, lat), XY(lon, lat + 1)]) } }
        let net = RoadNetwork(lines: lines)
        #expect(net.nodeCount == 9)
        let e1 = Geodesic.distance(LonLat(lon: 0, lat: 1), LonLat(lon: 1, lat: 1))
        let n = Geodesic.distance(LonLat(lon: 0, lat: 0), LonLat(lon: 0, lat: 1))
        #expect(e1 < equator(1))
        let s = net.node(at: XY(0, -1))!, t = net.node(at: XY(2, 1))!
        let d = try #require(net.shortestPath(from: s, to: t, using: .dijkstra))
        let a = try #require(net.shortestPath(from: s, to: t, using: .astar))
        #expect(close(d.metres, 2 * e1 + 2 * n) && close(a.metres, 2 * e1 + 2 * n))
        #expect(d.lines.count == 4)
        // Every node: A* equals the full Dijkstra tree.
        let all = net.costs(from: s)
        for v in 0..<net.nodeCount where v != Int(s) {
            #expect(close(net.shortestPath(from: s, to: Int32(v))!.cost, all[v]))
        }
    }

    @Test("two components: no path, infinite cost; structure counts them")
    func components() throws {
        let net = RoadNetwork(lines: [[XY(0, 0), XY(1, 0)], [XY(10, 10), XY(11, 10)], [XY(11, 10), XY(12, 10)]])
        let a = net.node(at: XY(0, 0))!, c = net.node(at: XY(12, 10))!
        #expect(net.shortestPath(from: a, to: c) == nil)
        #expect(net.costs(from: a)[Int(c)] == .infinity)
        let s = net.structure()
        #expect(s.componentSizes == [3, 2] && s.danglingEnds == 4)
    }

    @Test("self-loop, parallel lines and a zero-length line: loops never routed, the shorter parallel kept whatever the order")
    func loopsAndParallels() throws {
        let straight = [XY(0, 0), XY(1, 0)], bent = [XY(0, 0), XY(0.5, 0.3), XY(1, 0)]
        let loop = [XY(1, 0), XY(1.2, 0.2), XY(1.2, -0.2), XY(1, 0)]
        let zero = [XY(0, 0), XY(0, 0)]
        for order in [[straight, bent, loop, zero], [bent, zero, loop, straight]] {
            let net = RoadNetwork(lines: order)
            #expect(net.nodeCount == 2)
            let p = try #require(net.shortestPath(from: net.node(at: XY(0, 0))!, to: net.node(at: XY(1, 0))!))
            #expect(close(p.metres, equator(1)))
            #expect(p.lines.count == 1 && order[Int(p.lines[0])] == straight)
            let s = net.structure()
            #expect(s.closedLoops == 2 && s.zeroLength == 1 && s.duplicatePairs == 1 && s.duplicatePairsDifferentLength == 1)
            #expect(s.routedEdges == 1 && s.componentSizes == [2])
        }
    }

    @Test("endpoints within 1 m are one node, across a grid-cell edge too; 2 m apart are two")
    func endpointTolerance() throws {
        // 1.0 is a cell boundary of the 1e-5° hash: 0.999999995 and 1.000000004 fall in different cells, 1 mm apart.
        let net = RoadNetwork(lines: [[XY(0, 0), XY(0.999999995, 0)], [XY(1.000000004, 0), XY(2, 0)],
                                      [XY(2, 0), XY(3, 0)], [XY(3.00002, 0), XY(4, 0)]])
        #expect(net.nodeCount == 6)   // 7 endpoint positions: the first joint merged, the 2.2 m gap not
        #expect(net.shortestPath(from: net.node(at: XY(0, 0))!, to: net.node(at: XY(3, 0))!) != nil)
        #expect(net.shortestPath(from: net.node(at: XY(0, 0))!, to: net.node(at: XY(4, 0))!) == nil)
    }

    @Test("--cost time: seconds at the class speed; overrides; the A* bound stays below")
    func timeCost() throws {
        let lines = [[XY(0, 0), XY(1, 0)], [XY(1, 0), XY(2, 0)], [XY(0, 0), XY(1, 0.3), XY(2, 0)]]
        let slow = RoadNetwork(lines: lines, classes: ["track", "track", "motorway"], cost: .time)
        let a = slow.node(at: XY(0, 0))!, c = slow.node(at: XY(2, 0))!
        let p = try #require(slow.shortestPath(from: a, to: c))
        // The motorway detour (90 km/h) beats 2° of track (20 km/h).
        #expect(p.lines == [2])
        #expect(close(p.cost, p.metres / (90 / 3.6)))
        #expect(close(slow.shortestPath(from: a, to: c, using: .dijkstra)!.cost, p.cost))
        let t = try SpeedTable.parse(["track=200"])
        let fast = RoadNetwork(lines: lines, classes: ["track", "track", "motorway"], cost: .time, speeds: t)
        #expect(fast.shortestPath(from: a, to: c)!.lines == [0, 1])
        #expect(throws: GeoError.self) { try SpeedTable.parse(["track:20"]) }
    }

    @Test("snapping: nearest node, or the nearest point on a line, splitting it")
    func snapping() throws {
        let net = RoadNetwork(lines: [[XY(0, 0), XY(2, 0)], [XY(2, 0), XY(2, 2)]])
        let s = net.snapToNodes([XY(1.2, 0.01)])[0]!
        #expect(s.node == net.node(at: XY(2, 0)) && abs(s.metres - Geodesic.distance(LonLat(lon: 1.2, lat: 0.01), LonLat(lon: 2, lat: 0))) < 1e-6)
        let lp = net.nearestLinePoints([XY(1.2, 0.01)])[0]!
        #expect(lp.line == 0 && abs(lp.location.x - 1.2) < 1e-9 && lp.location.y == 0)
        let (split, ids) = net.splitting(at: [lp])
        #expect(split.lineCount == 3 && split.nodeCount == 4)
        let p = try #require(split.shortestPath(from: ids[0], to: split.node(at: XY(0, 0))!))
        #expect(close(p.metres, equator(1.2)))
        // Pieces remember the line they were cut from.
        #expect(split.lines.allSatisfy { $0.id == "0" || $0.id == "1" })
        #expect(close(split.lines.filter { $0.id == "0" }.map(\.metres).reduce(0, +), equator(2)))
    }

    @Test("the lower bound never exceeds the geodesic (A* stays exact)")
    func lowerBound() {
        var g = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            // Short distances too, where the bound is tightest.
            let near = Bool.random(using: &g)
            let a = XY(Double.random(in: -180...180, using: &g), Double.random(in: -89...89, using: &g))
            let b = near ? XY(a.x + Double.random(in: -0.01...0.01, using: &g), min(89.9, a.y + Double.random(in: -0.01...0.01, using: &g)))
                          : XY(Double.random(in: -180...180, using: &g), Double.random(in: -89...89, using: &g))
            #expect(chordLowerBound(a, b) <= Geodesic.distance(LonLat(a), LonLat(b)))
        }
    }
}

@Suite("Network: the shipped roads against scipy.sparse.csgraph")
struct ShippedNetworkTests {
    static let roads = repositoryRoot + "/shapefiles/roads.shp"

    @Test("figures: 36,220 lines, 23,459 nodes, 42 components (99.1 %), 54 duplicate pairs, 18 loops")
    func figures() throws {
        let out = try networkInfo(NetworkInfoOptions(network: [Self.roads]))
        #expect(out.figures["lines"] == 36_220 && out.figures["nodes"] == 23_459 && out.figures["components"] == 42)
        #expect(out.figures["routedEdges"] == 36_148)
        #expect(out.figures["duplicatePairs"] == 54 && out.figures["closedLoops"] == 18 && out.figures["zeroLength"] == 0)
        #expect(abs(out.figures["largestComponentShare"]! - 99.06) < 0.01)
        #expect(out.tables[0].rows.count == 42)
    }

    @Test("path lengths equal scipy's Dijkstra on the same graph to 1e-9 (A* and Dijkstra, one and many)")
    func golden() throws {
        let text = try String(contentsOfFile: repositoryRoot + "/Tests/CaravanKitTests/Network/Fixtures/roads_dijkstra.csv", encoding: .utf8)
        let header = text.split(separator: "\n").first { $0.hasPrefix("# nodes=") }!
        let net = try RoadNetwork.read([Self.roads])
        #expect(header.contains("nodes=\(net.nodeCount) ") && header.contains("edges=\(net.routed.filter { $0 }.count) "))
        var pairs: [(Int32, Int32)] = [], expected: [Double] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.hasPrefix("from") {
            let f = line.split(separator: ",").map(String.init)
            let s = try #require(net.node(at: XY(Double(f[0])!, Double(f[1])!)))
            let t = try #require(net.node(at: XY(Double(f[2])!, Double(f[3])!)))
            pairs.append((s, t)); expected.append(f[4] == "inf" ? .infinity : Double(f[4])!)
        }
        #expect(pairs.count == 60 && expected.contains(.infinity))
        for m in PathSearch.allCases {
            let got = net.shortestPaths(pairs, using: m)
            for (p, e) in zip(got, expected) {
                if e == .infinity { #expect(p == nil) } else { #expect(p != nil && close(p!.metres, e), "\(m): \(p?.metres ?? -1) vs \(e)") }
            }
        }
        // A* with landmarks (ALT), on one thread and on two.
        for w in [1, 2] {
            let got = net.shortestPaths(pairs, using: .astar, workers: w, landmarks: 16)
            for (p, e) in zip(got, expected) {
                if e == .infinity { #expect(p == nil) } else { #expect(p != nil && close(p!.metres, e), "ALT: \(p?.metres ?? -1) vs \(e)") }
            }
        }
        let tree = net.costs(from: pairs[0].0)
        #expect(close(tree[Int(pairs[0].1)], expected[0]))
    }

    /// Routed nodes of the shipped roads, spread over the node list.
    static func spreadNodes(_ net: RoadNetwork, _ count: Int, offset: Int) -> [Int32] {
        let used = (0..<net.nodeCount).filter { net.firstArc[$0 + 1] > net.firstArc[$0] }
        return (0..<count).map { Int32(used[(offset + $0 * (used.count / count)) % used.count]) }
    }

    @Test("many routes on the shipped roads: ALT on two threads gives Dijkstra's lengths, and the same paths on one thread and on two")
    func parallelRoutes() throws {
        let net = try RoadNetwork.read([Self.roads])
        let a = Self.spreadNodes(net, 150, offset: 7), b = Self.spreadNodes(net, 150, offset: 4_001).reversed()
        let pairs = Array(zip(a, b))
        let dijkstra = net.shortestPaths(pairs, using: .dijkstra, workers: 1)
        let one = net.shortestPaths(pairs, using: .astar, workers: 1, landmarks: 16)
        let two = net.shortestPaths(pairs, using: .astar, workers: 2, landmarks: 16)
        #expect(one == two)
        #expect(dijkstra.filter { $0 != nil }.count > 130)
        for (d, p) in zip(dijkstra, two) {
            #expect((d == nil) == (p == nil))
            if let d, let p { #expect(close(d.metres, p.metres) && close(d.cost, p.cost)) }
        }
    }

    @Test("flows grouped by origin on the shipped roads: one thread and two agree bit for bit, and equal a Dijkstra search per flow (length, load, crossings, closed-line hits)")
    func groupedFlows() throws {
        let net = try RoadNetwork.read([Self.roads])
        let origins = Self.spreadNodes(net, 12, offset: 3), dests = Self.spreadNodes(net, 40, offset: 1_234)
        var flows: [Flow] = []
        for i in 0..<400 {
            let o = origins[(i * 7) % origins.count], d = i % 37 == 0 ? o : dests[(i * 13) % dests.count]
            flows.append(Flow(row: i + 1, origin: "o\(o)", destination: "d\(d)", weight: Double(i % 9) * 0.37 + 0.001, o: o, d: d))
        }
        // Made-up crossings on every 97th line (two on some), and every 61st line watched.
        var crossings: [NetworkCrossing] = [], byLine: [Int32: [Int]] = [:]
        for li in stride(from: 0, to: net.lineCount, by: 97) {
            for k in 0..<(li % 2 == 0 ? 2 : 1) {
                byLine[Int32(li), default: []].append(crossings.count)
                crossings.append(NetworkCrossing(line: Int32(li), along: Double(k), pair: "AA-BB", location: LonLat(lon: 0, lat: 0)))
            }
        }
        let xs = NetworkCrossings(crossings: crossings, byLine: byLine, posts: [])
        let watch = Set(stride(from: 0, to: net.lineCount, by: 61).map { Int32($0) })
        for (x, w) in [(NetworkCrossings.none, Set<Int32>()), (xs, watch)] {
            let one = runFlows(flows, on: net, crossings: x, watch: w, workers: 1)
            let two = runFlows(flows, on: net, crossings: x, watch: w, workers: 2)
            #expect(one.metres.elementsEqual(two.metres) { $0 == $1 || ($0.isNaN && $1.isNaN) })
            #expect(one.cost == two.cost && one.crossings == two.crossings && one.touched == two.touched)
            #expect(one.lineRoutes == two.lineRoutes && one.lineWeight == two.lineWeight)
            // The reference: one Dijkstra search per flow, its path walked.
            var routes = [Int32](repeating: 0, count: net.lineCount), weight = [Double](repeating: 0, count: net.lineCount)
            var unreachable = 0
            for (i, f) in flows.enumerated() {
                guard let p = net.shortestPath(from: f.o, to: f.d, using: .dijkstra) ?? (f.o == f.d ? NetworkPath(cost: 0, metres: 0, lines: [], reversed: [], fromNode: f.o, toNode: f.d) : nil) else {
                    #expect(two.cost[i] == .infinity); unreachable += 1; continue
                }
                #expect(close(two.metres[i], p.metres) && close(two.cost[i], p.cost))
                for li in p.lines { routes[Int(li)] += 1; weight[Int(li)] += f.weight }
                #expect(two.touched[i] == p.lines.contains { w.contains($0) })
                var codes: [Int32] = []
                for (li, rev) in zip(p.lines, p.reversed) {
                    let list = x.byLine[li] ?? []
                    for c in (rev ? Array(list.reversed()) : list) { codes.append(Int32(c) * 2 + (rev ? 1 : 0)) }
                }
                #expect(two.crossings[i] == codes)
            }
            #expect(unreachable < 40)
            #expect(two.lineRoutes == routes)
            #expect(zip(two.lineWeight, weight).allSatisfy { close($0, $1) })
            #expect(w.isEmpty || two.touched.contains(true))
            #expect(x.byLine.isEmpty || two.crossings.contains { $0.count >= 2 })
        }
    }
}
