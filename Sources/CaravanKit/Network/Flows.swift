import Foundation

/// Options of `networkFlows` (`caravan flows OD.csv --network ROADS -o load.gpkg`).
public struct FlowOptions: AnalysisOptions {
    public static let command = "flows"
    /// The origin–destination table: two columns of places (names or "lat, lon") and an optional weight.
    public var od: String
    public var network: [String]
    /// The load on every network line.
    public var output: String
    /// The flows through each border crossing (default: OUTPUT's name + `_crossings`, same format).
    public var crossingsOutput: String?
    /// One row per flow: its length, crossings and, with `closed`, its detour (default: OUTPUT's name + `_flows.csv`).
    public var flowsOutput: String?
    public var originColumn = "origin"
    public var destinationColumn = "destination"
    /// The weight column (kg, cases); default `weight` if the table has one, else each flow counts 1.
    public var weightColumn: String?
    /// Closed crossings: border post names, or files of closed points / line ids / post names.
    public var closed: [String] = []
    public var country: String?
    public var extra: [String] = []
    public var maxSnap = "5km"
    public var snap: SnapMode = .node
    public var cost: NetworkCost = .length
    public var speed: [String] = []
    public var classField: String?
    public var countries: String?
    public var posts: String?
    public var overwrite = false

    public init(od: String, network: [String], output: String) { self.od = od; self.network = network; self.output = output }

    public func validate() throws {
        if network.isEmpty { throw GeoError(.invalidArgument, "no network given", hint: "name a line layer with {network}, e.g. {network} shapefiles/roads.shp") }
        _ = try Distance.parse(maxSnap, option: "{maxSnap}")
        _ = try SpeedTable.parse(speed)
        if !closed.isEmpty && countries == nil && closed.contains(where: { !FileManager.default.fileExists(atPath: $0) }) {
            throw GeoError(.invalidArgument, "closing a border crossing by name needs the country polygons", hint: "add {countries} shapefiles/countries.shp")
        }
    }
    public var inputPaths: [String] { [od] + network + extra + closed.filter { FileManager.default.fileExists(atPath: $0) } + [countries, posts].compactMap { $0 } }
    public var outputPaths: [String] { [output, resolvedCrossingsOutput, resolvedFlowsOutput] }

    public var resolvedCrossingsOutput: String {
        crossingsOutput ?? sibling(output, suffix: "_crossings", ext: (output as NSString).pathExtension)
    }
    public var resolvedFlowsOutput: String { flowsOutput ?? sibling(output, suffix: "_flows", ext: "csv") }
    var maxSnapMetres: Double { (try? Distance.parse(maxSnap, option: "{maxSnap}").meters) ?? 5000 }
}

func sibling(_ path: String, suffix: String, ext: String) -> String {
    let base = (path as NSString).deletingPathExtension
    return ext.isEmpty ? base + suffix : base + suffix + "." + ext
}

/// One origin–destination flow as read.
struct Flow {
    var row: Int
    var origin: String
    var destination: String
    var weight: Double
    var o: Int32 = -1
    var d: Int32 = -1
    var problem: String?
}

/// The result of routing every flow once.
struct FlowRun {
    var metres: [Double]
    var cost: [Double]
    /// Per flow: crossings in travel order (index·2 + 1 when the line was travelled backwards).
    var crossings: [[Int32]]
    /// Per flow: whether its path used a watched (closed) line.
    var touched: [Bool]
    var lineRoutes: [Int32]
    var lineWeight: [Double]
}

/// Routes every flow: one Dijkstra tree per distinct origin, grown until all its destinations are
/// settled, on `workers` threads (one searcher each, built once). Each tree is then read in settle
/// order — forward for every node's length, closed-line hit and last crossing line, backward to push
/// the flows ending below a node up to the line into it — so a flow costs its destination and its
/// crossings, not its path. Origins are cut into a fixed number of blocks whose loads are added in
/// block order: the result is the same, bit for bit, for any number of workers.
func runFlows(_ flows: [Flow], on net: RoadNetwork, crossings xs: NetworkCrossings, watch: Set<Int32>,
              workers: Int = processorCount) -> FlowRun {
    let n = flows.count, lineCount = net.lineCount, nodeCount = net.nodeCount
    // Flows by origin node (ascending), in row order within an origin.
    var start = [Int32](repeating: 0, count: nodeCount + 1)
    for f in flows where f.o >= 0 && f.d >= 0 { start[Int(f.o) + 1] += 1 }
    for v in 0..<nodeCount { start[v + 1] += start[v] }
    var fill = start
    var members = [Int32](repeating: 0, count: Int(start[nodeCount]))
    for (i, f) in flows.enumerated() where f.o >= 0 && f.d >= 0 { members[Int(fill[Int(f.o)])] = Int32(i); fill[Int(f.o)] += 1 }
    let origins = (0..<nodeCount).filter { start[$0 + 1] > start[$0] }.map { Int32($0) }
    let memberStart = start, groups = members
    nonisolated(unsafe) let metres = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
    nonisolated(unsafe) let cost = UnsafeMutableBufferPointer<Double>.allocate(capacity: max(n, 1))
    nonisolated(unsafe) let touched = UnsafeMutableBufferPointer<Bool>.allocate(capacity: max(n, 1))
    nonisolated(unsafe) let cross = UnsafeMutableBufferPointer<[Int32]>.allocate(capacity: max(n, 1))
    metres.initialize(repeating: .nan); cost.initialize(repeating: .infinity); touched.initialize(repeating: false); cross.initialize(repeating: [])
    defer { metres.deallocate(); cost.deallocate(); touched.deallocate(); _ = cross.deinitialize(); cross.deallocate() }
    var crossingLine = [Bool](repeating: false, count: lineCount)
    for k in xs.byLine.keys { crossingLine[Int(k)] = true }
    var watched = [Bool](repeating: false, count: lineCount)
    for k in watch { watched[Int(k)] = true }
    let hasCrossing = crossingLine, isWatched = watched
    let anyCrossing = !xs.byLine.isEmpty
    let byLength = net.cost == .length
    let needForward = anyCrossing || !watch.isEmpty || !byLength
    // Blocks of origins: their count depends on the input only.
    let blocks = min(origins.count, 16)
    let threads = max(1, min(workers, blocks))
    struct Merge { var next = 0; var pending: [Int: ([Int32], [Double])] = [:]; var routes: [Int32]; var weight: [Double] }
    let merge = Locked(Merge(routes: [Int32](repeating: 0, count: lineCount), weight: [Double](repeating: 0, count: lineCount)))
    let nextBlock = Locked(0)
    DispatchQueue.concurrentPerform(iterations: threads) { _ in
        let s = PathSearcher(net)
        // Per node, for the current tree: length from the origin, whether a watched line leads to it, the
        // nearest node at or above it whose line in has crossings, and the flows (count, weight) ending below it.
        var met = [Double](repeating: 0, count: nodeCount), hit = [Bool](repeating: false, count: nodeCount)
        var xAnc = [Int32](repeating: -1, count: nodeCount)
        var cnt = [Int32](repeating: 0, count: nodeCount), wsum = [Double](repeating: 0, count: nodeCount)
        while true {
            let b = nextBlock.withLock { v -> Int in defer { v += 1 }; return v }
            if b >= blocks { break }
            var routes = [Int32](repeating: 0, count: lineCount), weight = [Double](repeating: 0, count: lineCount)
            routes.withUnsafeMutableBufferPointer { routes in
            weight.withUnsafeMutableBufferPointer { weight in
            met.withUnsafeMutableBufferPointer { met in
            hit.withUnsafeMutableBufferPointer { hit in
            xAnc.withUnsafeMutableBufferPointer { xAnc in
            cnt.withUnsafeMutableBufferPointer { cnt in
            wsum.withUnsafeMutableBufferPointer { wsum in
            net.arcLine.withUnsafeBufferPointer { arcLine in
            net.lineFrom.withUnsafeBufferPointer { lineFrom in
            net.lineTo.withUnsafeBufferPointer { lineTo in
            net.lineMetres.withUnsafeBufferPointer { lineMetres in
            net.arcSource.withUnsafeBufferPointer { arcSource in
            for k in (b * origins.count / blocks)..<((b + 1) * origins.count / blocks) {
                let o = origins[k]
                let mine = groups[Int(memberStart[Int(o)])..<Int(memberStart[Int(o) + 1])]
                s.tree(from: o, targets: mine.lazy.map { flows[Int($0)].d })
                let order = s.order, pred = s.pred, dist = s.dist
                met[Int(o)] = 0; hit[Int(o)] = false; xAnc[Int(o)] = -1
                // Under --cost length a node's length is its distance (the same sums in the same order).
                if needForward {
                    for i in 1..<max(1, s.orderCount) {
                        let v = Int(order[i])
                        let a = Int(pred[v])
                        let li = Int(arcLine[a]), u = Int(arcSource[a])
                        met[v] = met[u] + lineMetres[li]
                        hit[v] = hit[u] || isWatched[li]
                        xAnc[v] = hasCrossing[li] ? Int32(v) : xAnc[u]
                    }
                }
                for fi32 in mine {
                    let fi = Int(fi32)
                    let d = Int(flows[fi].d)
                    guard dist[d] < .infinity else { continue }
                    metres[fi] = byLength ? dist[d] : met[d]; cost[fi] = dist[d]; touched[fi] = needForward && hit[d]
                    cnt[d] += 1; wsum[d] += flows[fi].weight
                    guard anyCrossing else { continue }
                    var cs: [Int32] = []
                    var v = xAnc[d]
                    while v >= 0 {
                        let li = Int(arcLine[Int(pred[Int(v)])])
                        let forward = lineTo[li] == v
                        if let list = xs.byLine[Int32(li)] {
                            // Walking backwards from the destination: append in reverse travel order.
                            for c in (forward ? list.reversed() : list) { cs.append(Int32(c) * 2 + (forward ? 0 : 1)) }
                        }
                        v = xAnc[forward ? Int(lineFrom[li]) : Int(lineTo[li])]
                    }
                    cross[fi] = cs.reversed()
                }
                // Leaves first: each node hands its flows to the line into it and to its parent.
                var i = s.orderCount - 1
                while i >= 1 {
                    let v = Int(order[i])
                    i -= 1
                    let c = cnt[v]
                    guard c != 0 else { continue }
                    let a = Int(pred[v])
                    let li = Int(arcLine[a]), u = Int(arcSource[a])
                    routes[li] += c; weight[li] += wsum[v]
                    cnt[u] += c; wsum[u] += wsum[v]
                    cnt[v] = 0; wsum[v] = 0
                }
                cnt[Int(o)] = 0; wsum[Int(o)] = 0
            }
            } } } } } } } } } } } }
            merge.withLock { m in
                m.pending[b] = (routes, weight)
                while let (r, w) = m.pending.removeValue(forKey: m.next) {
                    for i in 0..<lineCount { m.routes[i] += r[i]; m.weight[i] += w[i] }
                    m.next += 1
                }
            }
        }
    }
    let (routes, weight) = merge.withLock { ($0.routes, $0.weight) }
    // Flows from a place to itself: a path of no lines.
    var m = Array(metres.prefix(n)), c = Array(cost.prefix(n))
    for (i, f) in flows.enumerated() where f.o >= 0 && f.o == f.d { m[i] = 0; c[i] = 0 }
    return FlowRun(metres: m, cost: c, crossings: Array(cross.prefix(n)), touched: Array(touched.prefix(n)), lineRoutes: routes, lineWeight: weight)
}

/// Reads the OD table: every row is kept, in order (a row whose places are unknown stays, with the geocoder's answer).
func readFlows(_ o: FlowOptions) throws -> [Flow] {
    let layer = try Dataset.open(o.od).layer(named: nil)
    let s = layer.schema
    func index(_ name: String, _ flag: String) throws -> Int {
        guard let i = s.index(of: name) else {
            throw GeoError(.invalidArgument, "no column '\(name)'; the columns are: \(s.names.joined(separator: ", "))", file: o.od, hint: "name it with \(flag)")
        }
        return i
    }
    let oi = try index(o.originColumn, "{originColumn}"), di = try index(o.destinationColumn, "{destinationColumn}")
    let wi = try o.weightColumn.map { try index($0, "{weightColumn}") } ?? s.index(of: "weight")
    var out: [Flow] = []
    var row = 0
    try layer.forEach { f in
        row += 1
        var w = 1.0
        if let wi {
            let v = f.values[wi]
            if v.isNull { w = 0 } else if let d = v.doubleValue ?? v.stringValue.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }), d.isFinite { w = d }
            else { throw GeoError(.invalidArgument, "the weight '\(v)' is not a number", file: o.od, index: row, hint: "fix the row, or name another column with {weightColumn}") }
        }
        out.append(Flow(row: row, origin: f.values[oi].stringValue ?? "", destination: f.values[di].stringValue ?? "", weight: w))
    }
    guard !out.isEmpty else { throw GeoError(.invalidArgument, "the table has no rows", file: o.od, hint: "check the file, and that its first line holds the column names") }
    return out
}

/// Lines closed by the scenario, with a description of each closure.
func resolveClosures(_ items: [String], net: RoadNetwork, crossings xs: NetworkCrossings, maxMetres: Double) throws -> ([Int32], [String]) {
    var lines: [Int32] = [], what: [String] = []
    func closePost(_ name: String) throws {
        let (post, near) = RoutePost.find(name, in: xs.posts)
        guard let post else {
            throw GeoError(.invalidArgument, "no border post named '\(name)'", hint: near.isEmpty ? "name a post of the posts layer" : "did you mean \(near.joined(separator: ", ")) (or give a file of closed points)?")
        }
        let hits = xs.crossings.filter { $0.post == post.name }
        guard !hits.isEmpty else {
            let nearest = xs.crossings.min { Geodesic.distance($0.location, post.location) < Geodesic.distance($1.location, post.location) }
            let hint = nearest.map { String(format: "the nearest crossing of the network is %@ (%@), %.0f km away; close that one, or check the network", $0.label, $0.pair, Geodesic.distance($0.location, post.location) / 1000) }
            throw GeoError(.invalidArgument, "the post '\(post.name)' is not on the network: no line of it crosses the border within 10 km of the post", hint: hint ?? "check the network")
        }
        let ls = Set(hits.map(\.line))
        lines += ls
        what.append("\(post.name) (\(ls.count) line\(ls.count == 1 ? "" : "s") closed)")
    }
    for item in items {
        guard FileManager.default.fileExists(atPath: item) else { try closePost(item); continue }
        let layer = try Dataset.open(item).layer(named: nil)
        let s = layer.schema
        let nameIndex = s.index(of: "name") ?? s.index(of: "post") ?? s.index(of: "crossing")
        let idIndex = s.index(of: "id") ?? s.index(of: "edge") ?? s.index(of: "line")
        let t = try (try layer.crs).map { try Transformer(from: $0, to: .wgs84) }
        var points: [(XY, Int64)] = []
        var byID: [String: [Int32]] = [:]
        for (i, l) in net.lines.enumerated() { byID[l.id, default: []].append(Int32(i)) }
        try layer.forEach { f in
            if let g = f.geometry, let p = g.points.first, g.type == .point || g.type == .multiPoint {
                points.append((try t?.transform(p) ?? p, f.fid))
            } else if let g = f.geometry, g.type.dimensionFamily == 1, let part = g.linework.first, !part.isEmpty {
                points.append((try t?.transform(part[part.count / 2]) ?? part[part.count / 2], f.fid))
            } else if let ni = nameIndex, let name = f.values[ni].stringValue, !name.isEmpty {
                try closePost(name)
            } else if let ii = idIndex, let id = f.values[ii].stringValue {
                guard let ls = byID[id] else {
                    throw GeoError(.invalidArgument, "no network line has id \(id)", file: item, featureID: f.fid, hint: "ids are the network's id field values")
                }
                lines += ls; what.append("line \(id)")
            } else {
                throw GeoError(.invalidArgument, "a closure row needs a point, a line, a post name or a line id", file: item, featureID: f.fid)
            }
        }
        if !points.isEmpty {
            for (p, lp) in zip(points, net.nearestLinePoints(points.map(\.0))) {
                guard let lp, lp.metres <= maxMetres else {
                    throw GeoError(.invalidArgument, String(format: "the closed point at %.5f, %.5f is %@ from the network", p.0.y, p.0.x, lp.map { "\(km($0.metres)) km" } ?? "far"),
                                   file: item, featureID: p.1, hint: "move it onto the road, or raise {maxSnap}")
                }
                lines.append(lp.line)
                what.append(String(format: "the line at %.4f, %.4f", lp.location.y, lp.location.x))
            }
        }
    }
    return (lines, what)
}

/// Load of origin–destination flows on a network, and with `closed` what happens when crossings close.
public func networkFlows(_ o: FlowOptions, geocoder: Geocoder? = nil, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let speeds = try SpeedTable.parse(o.speed)
    var g = Gazetteer.shared
    if geocoder == nil { for e in o.extra { g = try g.adding(extraFrom: e) } }
    let geo = geocoder ?? Geocoder(gazetteer: g)
    var flows = try readFlows(o)
    context.progress("geocoding places")
    // Every distinct place once.
    var places: [String] = []
    var placeIndex: [String: Int] = [:]
    for f in flows { for p in [f.origin, f.destination] where placeIndex[p] == nil { placeIndex[p] = places.count; places.append(p) } }
    let answers = geo.geocode(places.map { ($0, o.country) })
    context.progress("building the network")
    let base = try RoadNetwork.read(o.network, cost: o.cost, speeds: speeds, classField: o.classField, warnings: context.warnings)
    let located = answers.indices.filter { answers[$0].status == .matched && answers[$0].location != nil }
    let maxM = o.maxSnapMetres
    let (net0, snaps) = snapPoints(located.map { answers[$0].location!.xy }, on: base, mode: o.snap, maxMetres: maxM)
    var placeNode = [Int32](repeating: -1, count: places.count)
    var placeProblem = [String?](repeating: nil, count: places.count)
    var placeSnapM = [Double?](repeating: nil, count: places.count)
    for (k, pi) in located.enumerated() {
        if let s = snaps[k] {
            placeSnapM[pi] = s.metres
            if s.node >= 0 { placeNode[pi] = s.node } else { placeProblem[pi] = "\(km(s.metres)) km from the network (max \(km(maxM)) km)" }
        } else { placeProblem[pi] = "no network to join" }
    }
    let locatedSet = Set(located)
    for pi in places.indices where !locatedSet.contains(pi) { placeProblem[pi] = geocoderAnswer(answers[pi]) }
    for i in flows.indices {
        let a = placeIndex[flows[i].origin]!, b = placeIndex[flows[i].destination]!
        flows[i].o = placeNode[a]; flows[i].d = placeNode[b]
        let problems = [placeProblem[a].map { "origin '\(flows[i].origin)': \($0)" }, placeProblem[b].map { "destination '\(flows[i].destination)': \($0)" }].compactMap { $0 }
        if !problems.isEmpty { flows[i].problem = problems.joined(separator: "; ") }
    }
    let xs: NetworkCrossings
    if let c = o.countries {
        context.progress("finding the network's border crossings")
        xs = try NetworkCrossings.find(net0, countries: c, posts: try RoutePost.read(o.posts))
    } else { xs = .none }
    let (closedLines, closureText) = try resolveClosures(o.closed, net: net0, crossings: xs, maxMetres: maxM)
    let scenario = !o.closed.isEmpty
    context.progress("routing \(flows.count) flows")
    let baseRun = runFlows(flows, on: net0, crossings: xs, watch: Set(closedLines))
    let closedNet = scenario ? net0.closing(closedLines) : net0
    let closedRun = scenario ? runFlows(flows, on: closedNet, crossings: xs, watch: []) : nil

    // Figures.
    let totalWeight = flows.reduce(0) { $0 + $1.weight }
    let unknown = flows.filter { $0.problem != nil }
    let routedIdx = flows.indices.filter { flows[$0].problem == nil && baseRun.cost[$0] < .infinity }
    let noPath = flows.indices.filter { flows[$0].problem == nil && baseRun.cost[$0] == .infinity }
    func fmt(_ x: Double) -> String { x == x.rounded() && abs(x) < 1e15 ? Int(x).formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) : String(format: "%.1f", x) }
    var summary = ["\(fmt(Double(flows.count))) flows (total weight \(fmt(totalWeight))): \(fmt(Double(routedIdx.count))) routed, \(unknown.count) with a place not found or off the network, \(noPath.count) with no path (different components)"]
    var warnings = context.warnings.messages
    // Unknown places, each once with the geocoder's answer.
    var seenProblem: Set<Int> = []
    var placeFlows = [Int](repeating: 0, count: places.count)
    for f in flows { let a = placeIndex[f.origin]!, b = placeIndex[f.destination]!; placeFlows[a] += 1; if b != a { placeFlows[b] += 1 } }
    for f in flows { for p in [f.origin, f.destination] { let pi = placeIndex[p]!; if let pr = placeProblem[pi], seenProblem.insert(pi).inserted {
        let count = placeFlows[pi]
        warnings.append("place '\(p)' (\(count) flow\(count == 1 ? "" : "s")): \(pr); the flows are kept in the flows table with this status")
    } } }

    // Crossing groups: by post, or by the unlisted crossing point.
    var groupOf: [Int: Int] = [:]
    var groups: [(label: String, pair: String, location: LonLat, post: String?)] = []
    var labelIndex: [String: Int] = [:]
    for (i, c) in xs.crossings.enumerated() {
        let label = c.label
        if let g = labelIndex[label] { groupOf[i] = g } else {
            labelIndex[label] = groups.count; groupOf[i] = groups.count
            let loc = c.post.flatMap { name in xs.posts.first { $0.name == name }?.location } ?? c.location
            groups.append((label, c.pair, loc, c.post))
        }
    }
    struct Tally { var flows = 0; var weight = 0.0 }
    func tally(_ run: FlowRun, only: ((Int) -> Bool)? = nil) -> [Tally] {
        var t = [Tally](repeating: Tally(), count: groups.count)
        for (fi, cs) in run.crossings.enumerated() where !cs.isEmpty && (only?(fi) ?? true) {
            var seen: Set<Int> = []
            for c in cs { let gi = groupOf[Int(c / 2)]!; if seen.insert(gi).inserted { t[gi].flows += 1; t[gi].weight += flows[fi].weight } }
        }
        return t
    }
    let baseTally = tally(baseRun)
    let displaced = scenario ? flows.indices.filter { baseRun.touched[$0] } : []
    let displacedSet = Set(displaced)
    let closedTally = closedRun.map { tally($0) }
    let displacedTally = closedRun.map { r in tally(r) { displacedSet.contains($0) } }
    let stranded = closedRun.map { r in displaced.filter { r.cost[$0] == .infinity } } ?? []

    // Layers.
    let timed = o.cost == .time
    var loadFields = [ResultField("id", .string, role: .identifier, meaning: "the network line's id"),
                      ResultField("routes", .integer, role: .count, meaning: "flows whose shortest path uses the line"),
                      ResultField("weight", .real, role: .sum, meaning: "summed weight of those flows", width: 18, precision: 3),
                      ResultField("share_pct", .real, role: .measure, meaning: "weight as a share of all routed weight", unit: "%", width: 8, precision: 3)]
    if o.network.count > 1 { loadFields.insert(ResultField("network", .string, role: .category, meaning: "the layer the line comes from"), at: 1) }
    if scenario {
        loadFields += [ResultField("routes_closed", .integer, role: .count, meaning: "flows using the line with the crossings closed"),
                       ResultField("weight_closed", .real, role: .sum, meaning: "their summed weight", width: 18, precision: 3),
                       ResultField("change", .real, role: .measure, meaning: "weight_closed − weight", width: 18, precision: 3),
                       ResultField("closed", .integer, role: .category, meaning: "1 when the scenario closes the line")]
    }
    let routedWeight = routedIdx.reduce(0.0) { $0 + flows[$1].weight }
    let closedSet = Set(closedLines)
    let netForLayer = net0
    let multi = o.network.count > 1
    let br = baseRun, cr = closedRun
    let loadLayer = ResultLayer(
        name: "load", kind: .flows, title: scenario ? "Flow load on the network, and with \(closureText.joined(separator: ", ")) closed" : "Flow load on the network",
        crs: .wgs84, geometryType: .lineString, fields: loadFields, count: net0.lineCount,
        geometry: { i in .lineString(Array(netForLayer.vertices(of: i))) },
        values: { i in
            let l = netForLayer.lines[i]
            var v: [FieldValue] = [.string(l.id), .integer(Int64(br.lineRoutes[i])), .real(round3(br.lineWeight[i])),
                                   .real(routedWeight > 0 ? round3(100 * br.lineWeight[i] / routedWeight) : 0)]
            if multi { v.insert(.string((netForLayer.sources[Int(l.source)] as NSString).lastPathComponent), at: 1) }
            if let cr {
                v += [.integer(Int64(cr.lineRoutes[i])), .real(round3(cr.lineWeight[i])), .real(round3(cr.lineWeight[i] - br.lineWeight[i])),
                      .integer(closedSet.contains(Int32(i)) ? 1 : 0)]
            }
            return v
        }, metadata: ["cost": o.cost.rawValue])
    var xFields = [ResultField("crossing", .string, role: .name, meaning: "the known post, or an unlisted crossing of the network"),
                   ResultField("pair", .string, role: .category, meaning: "the border (ISO pair)"),
                   ResultField("flows", .integer, role: .count, meaning: "flows passing"),
                   ResultField("weight", .real, role: .sum, meaning: "their summed weight", width: 18, precision: 3),
                   ResultField("share_pct", .real, role: .measure, meaning: "share of all routed weight", unit: "%", width: 8, precision: 3)]
    if scenario {
        xFields += [ResultField("flows_closed", .integer, role: .count, meaning: "flows passing with the closure"),
                    ResultField("weight_closed", .real, role: .sum, meaning: "their summed weight", width: 18, precision: 3),
                    ResultField("change", .real, role: .measure, meaning: "weight_closed − weight", width: 18, precision: 3),
                    ResultField("displaced_flows", .integer, role: .count, meaning: "displaced flows that now pass here"),
                    ResultField("displaced_weight", .real, role: .sum, meaning: "their summed weight", width: 18, precision: 3)]
    }
    let used = groups.indices.filter { baseTally[$0].flows > 0 || (closedTally?[$0].flows ?? 0) > 0 }
        .sorted { max(baseTally[$0].weight, closedTally?[$0].weight ?? 0) > max(baseTally[$1].weight, closedTally?[$1].weight ?? 0) }
    var xRows: [[FieldValue]] = [], xGeoms: [Geometry?] = []
    for gi in used {
        let gr = groups[gi]
        var v: [FieldValue] = [.string(gr.label), .string(gr.pair), .integer(Int64(baseTally[gi].flows)), .real(round3(baseTally[gi].weight)),
                               .real(routedWeight > 0 ? round3(100 * baseTally[gi].weight / routedWeight) : 0)]
        if let ct = closedTally, let dt = displacedTally {
            v += [.integer(Int64(ct[gi].flows)), .real(round3(ct[gi].weight)), .real(round3(ct[gi].weight - baseTally[gi].weight)),
                  .integer(Int64(dt[gi].flows)), .real(round3(dt[gi].weight))]
        }
        xRows.append(v); xGeoms.append(.point(gr.location.xy))
    }
    let crossingLayer = ResultLayer(name: "crossing_flows", kind: .crossings, title: "Flows through border crossings", crs: .wgs84,
                                    geometryType: .point, fields: xFields, geometries: xGeoms, rows: xRows)
    let xsCopy = xs
    @Sendable func crossingList(_ cs: [Int32]) -> String {
        let xs = xsCopy
        var out: [String] = []
        for c in cs {
            var x = xs.crossings[Int(c / 2)]
            if c % 2 == 1 { swap(&x.from, &x.to) }
            let s = "\(x.from ?? "?")→\(x.to ?? "?") \(x.label)"
            if out.last != s { out.append(s) }
        }
        return out.joined(separator: "; ")
    }
    var fFields = [ResultField("row", .integer, role: .identifier, meaning: "row of the OD table"),
                   ResultField("origin", .string, role: .name, meaning: "origin as written"),
                   ResultField("destination", .string, role: .name, meaning: "destination as written"),
                   ResultField("weight", .real, role: .sum, meaning: "the flow's weight", width: 18, precision: 3),
                   ResultField("status", .string, role: .category, meaning: "routed, no path, or what is wrong with a place (the geocoder's answer)"),
                   ResultField("length_km", .real, role: .measure, meaning: "length along the network", unit: "km", width: 12, precision: 3)]
    if timed { fFields.append(ResultField("time_h", .real, role: .measure, meaning: "travel time", unit: "h", width: 12, precision: 3)) }
    fFields += [ResultField("snap_km", .string, role: .text, meaning: "how far origin and destination lie from the network (km)"),
                ResultField("crossings", .string, role: .text, meaning: "border crossings in order")]
    if scenario {
        fFields += [ResultField("displaced", .integer, role: .category, meaning: "1 when the closure cuts the flow's path"),
                    ResultField("status_closed", .string, role: .category, meaning: "routed or no remaining path"),
                    ResultField("length_closed_km", .real, role: .measure, meaning: "length with the closure", unit: "km", width: 12, precision: 3),
                    ResultField("detour_km", .real, role: .measure, meaning: "length_closed_km − length_km", unit: "km", width: 12, precision: 3),
                    ResultField("detour_pct", .real, role: .measure, meaning: "detour as a share of length_km", unit: "%", width: 10, precision: 2),
                    ResultField("crossings_closed", .string, role: .text, meaning: "border crossings in order with the closure")]
    }
    let fl = flows
    let placeLoc: [XY?] = answers.map { $0.status == .matched ? $0.location?.xy : nil }
    // Each place's snap distance formatted once (not once per flow).
    let pIndex = placeIndex, pSnap = placeSnapM.map { $0.map { String(format: "%.2f", $0 / 1000) } ?? "-" }
    let flowLayer = ResultLayer(
        name: "flows", kind: .flows, title: "Origin–destination flows", crs: .wgs84, geometryType: .lineString, fields: fFields, count: flows.count,
        geometry: { i in
            guard let a = placeLoc[pIndex[fl[i].origin]!], let b = placeLoc[pIndex[fl[i].destination]!] else { return nil }
            return .lineString([a, b])
        },
        values: { i in
            let f = fl[i]
            let routed = f.problem == nil && br.cost[i] < .infinity
            var v: [FieldValue] = [.integer(Int64(f.row)), .string(f.origin), .string(f.destination), .real(f.weight),
                                   .string(f.problem ?? (routed ? "routed" : "no path")), routed ? .real(round3(br.metres[i] / 1000)) : .null]
            if timed { v.append(routed ? .real(round3(br.cost[i] / 3600)) : .null) }
            let sn = pSnap[pIndex[f.origin]!] + " / " + pSnap[pIndex[f.destination]!]
            v += [.string(sn), routed ? .string(crossingList(br.crossings[i])) : .null]
            if let cr {
                let r2 = f.problem == nil && cr.cost[i] < .infinity
                let detour = routed && r2 ? cr.metres[i] - br.metres[i] : Double.nan
                v += [.integer(br.touched[i] ? 1 : 0), .string(f.problem != nil ? "not routed" : (r2 ? "routed" : "no remaining path")),
                      r2 ? .real(round3(cr.metres[i] / 1000)) : .null, detour.isNaN ? .null : .real(round3(detour / 1000)),
                      detour.isNaN || br.metres[i] == 0 ? .null : .real((10_000 * detour / br.metres[i]).rounded() / 100),
                      r2 ? .string(crossingList(cr.crossings[i])) : .null]
            }
            return v
        })

    // Tables for people.
    var tables: [ResultTable] = []
    if !groups.isEmpty {
        var rows: [[String]] = []
        for gi in used.prefix(12) {
            var r = [groups[gi].label, groups[gi].pair, fmt(Double(baseTally[gi].flows)), fmt(baseTally[gi].weight)]
            if let ct = closedTally { r += [fmt(Double(ct[gi].flows)), fmt(ct[gi].weight)] }
            rows.append(r)
        }
        tables.append(ResultTable(title: "Flows through border crossings (busiest first)",
                                  columns: ["crossing", "border", "flows", "weight"] + (scenario ? ["flows closed", "weight closed"] : []), rows: rows))
    }
    // The busiest lines, named by the nearest town.
    let busiest = net0.lines.indices.sorted { baseRun.lineWeight[$0] > baseRun.lineWeight[$1] }.prefix(8).filter { baseRun.lineWeight[$0] > 0 }
    if !busiest.isEmpty {
        tables.append(ResultTable(title: "Busiest network lines", columns: ["line id", "near", "flows", "weight"], rows: busiest.map { i in
            let v = net0.vertices(of: i)
            return [net0.lines[i].id, nearestPlaceName(v[v.startIndex + v.count / 2]) ?? "", fmt(Double(baseRun.lineRoutes[i])), fmt(baseRun.lineWeight[i])]
        }))
    }
    var figures: [String: Double] = ["flows": Double(flows.count), "routed": Double(routedIdx.count), "unknown": Double(unknown.count),
                                     "noPath": Double(noPath.count), "weight": totalWeight, "routedWeight": routedWeight,
                                     "crossingsUsed": Double(used.count), "lines": Double(net0.lineCount)]
    if let cr = closedRun {
        let rerouted = displaced.filter { cr.cost[$0] < .infinity }
        let dKm = rerouted.reduce(0.0) { $0 + (cr.metres[$1] - baseRun.metres[$1]) } / 1000
        let dW = displaced.reduce(0.0) { $0 + flows[$1].weight }
        let meanPct = rerouted.isEmpty ? 0 : rerouted.reduce(0.0) { $0 + 100 * (cr.metres[$1] - baseRun.metres[$1]) / max(baseRun.metres[$1], 1) } / Double(rerouted.count)
        figures["displaced"] = Double(displaced.count); figures["displacedWeight"] = dW
        figures["stranded"] = Double(stranded.count); figures["meanDetourKm"] = rerouted.isEmpty ? 0 : dKm / Double(rerouted.count)
        figures["meanDetourPct"] = meanPct; figures["closedLines"] = Double(Set(closedLines).count)
        summary.append("closed: \(closureText.joined(separator: ", "))")
        summary.append(String(format: "%@ flows (weight %@) used the closed crossing%@; %@ rerouted with a mean detour of %.0f km (+%.1f %%); %@ have no remaining path",
                              fmt(Double(displaced.count)), fmt(dW), o.closed.count == 1 ? "" : "s", fmt(Double(rerouted.count)),
                              rerouted.isEmpty ? 0 : dKm / Double(rerouted.count), meanPct, fmt(Double(stranded.count))))
        if let dt = displacedTally {
            let takers = groups.indices.filter { dt[$0].flows > 0 }.sorted { dt[$0].weight > dt[$1].weight }
            if !takers.isEmpty {
                summary.append("the displaced flows now cross at: " + takers.prefix(6).map { "\(groups[$0].label) (\(fmt(Double(dt[$0].flows))) flows, weight \(fmt(dt[$0].weight)))" }.joined(separator: ", "))
                tables.append(ResultTable(title: "Where the displaced flows go", columns: ["crossing", "border", "flows", "weight"],
                                          rows: takers.prefix(12).map { [groups[$0].label, groups[$0].pair, fmt(Double(dt[$0].flows)), fmt(dt[$0].weight)] }))
            }
        }
        if !stranded.isEmpty {
            tables.append(ResultTable(title: "Flows with no remaining path", columns: ["row", "origin", "destination", "weight"],
                                      rows: stranded.prefix(20).map { [String(flows[$0].row), flows[$0].origin, flows[$0].destination, fmt(flows[$0].weight)] }))
        }
    }
    if o.countries == nil { summary.append("crossings not computed: give the country polygons with {countries} (e.g. shapefiles/countries.shp)") }
    return AnalysisOutput(layers: [loadLayer, crossingLayer, flowLayer], summary: summary, tables: tables, figures: figures, warnings: warnings)
}
