import Foundation

/// Options of `networkInfo` (`caravan network info ROADS`).
public struct NetworkInfoOptions: AnalysisOptions {
    public static let command = "network info"
    /// Line layers making one network.
    public var network: [String]
    /// Optional: write the nodes an analyst should look at (dangling ends, nodes of the smaller components).
    public var output: String?
    public var overwrite = false
    public init(network: [String], output: String? = nil) { self.network = network; self.output = output }

    public func validate() throws {
        if network.isEmpty { throw GeoError(.invalidArgument, "no network given", hint: "e.g. caravan network info shapefiles/roads.shp") }
    }
    public var inputPaths: [String] { network }
    public var outputPaths: [String] { output.map { [$0] } ?? [] }
}

/// The structure of a network.
public struct NetworkStructure: Sendable {
    public var nodes = 0
    public var lines = 0
    /// Lines routed on (no loops, one per pair of nodes).
    public var routedEdges = 0
    /// Component of each node, and the components' node counts, largest first (ids renumbered so).
    public var component: [Int32] = []
    public var componentSizes: [Int] = []
    public var componentLines: [Int] = []
    public var componentMetres: [Double] = []
    public var degree: [Int32] = []
    public var danglingEnds = 0
    /// Pairs of nodes joined by two or more lines; of them, by lines of different lengths.
    public var duplicatePairs = 0
    public var duplicatePairsDifferentLength = 0
    public var duplicateLines = 0
    public var closedLoops = 0
    public var zeroLength = 0
    /// Straight single-segment lines longer than 100 km.
    public var longStraight = 0
    public var totalKm = 0.0
}

extension RoadNetwork {
    /// Components (union–find over every line), degrees, duplicates, loops and zero-length lines.
    public func structure() -> NetworkStructure {
        var s = NetworkStructure()
        s.nodes = nodeCount; s.lines = lineCount
        s.routedEdges = routed.filter { $0 }.count
        var parent = Array(0..<Int32(nodeCount))
        func find(_ x: Int32) -> Int32 {
            var x = x
            while parent[Int(x)] != x { parent[Int(x)] = parent[Int(parent[Int(x)])]; x = parent[Int(x)] }
            return x
        }
        var degree = [Int32](repeating: 0, count: nodeCount)
        var pairs: [Int64: (count: Int, minM: Double, maxM: Double)] = [:]
        for (i, l) in lines.enumerated() {
            degree[Int(l.from)] += 1; degree[Int(l.to)] += 1
            s.totalKm += l.metres / 1000
            if l.metres == 0 { s.zeroLength += 1 }
            if lineStart[i + 1] - lineStart[i] == 2 && l.metres > 100_000 { s.longStraight += 1 }
            if l.from == l.to { s.closedLoops += 1; continue }
            let a = find(l.from), b = find(l.to)
            if a != b { parent[Int(max(a, b))] = min(a, b) }
            let key = Int64(min(l.from, l.to)) << 32 | Int64(max(l.from, l.to))
            if let p = pairs[key] { pairs[key] = (p.count + 1, min(p.minM, l.metres), max(p.maxM, l.metres)) }
            else { pairs[key] = (1, l.metres, l.metres) }
        }
        for p in pairs.values where p.count > 1 {
            s.duplicatePairs += 1
            s.duplicateLines += p.count - 1
            if p.maxM > p.minM { s.duplicatePairsDifferentLength += 1 }
        }
        s.danglingEnds = degree.filter { $0 == 1 }.count
        s.degree = degree
        var root = [Int32](repeating: 0, count: nodeCount)
        var size: [Int32: Int] = [:]
        for v in 0..<nodeCount { root[v] = find(Int32(v)); size[root[v], default: 0] += 1 }
        // Renumber: largest first, ties by lowest node.
        let order = size.keys.sorted { size[$0]! != size[$1]! ? size[$0]! > size[$1]! : $0 < $1 }
        var newID: [Int32: Int32] = [:]
        for (k, r) in order.enumerated() { newID[r] = Int32(k) }
        s.component = root.map { newID[$0]! }
        s.componentSizes = order.map { size[$0]! }
        s.componentLines = [Int](repeating: 0, count: order.count)
        s.componentMetres = [Double](repeating: 0, count: order.count)
        for l in lines { let c = Int(s.component[Int(l.from)]); s.componentLines[c] += 1; s.componentMetres[c] += l.metres }
        return s
    }
}

/// The populated place nearest a point (for naming components and gaps), e.g. "Zahedan (IR)".
func nearestPlaceName(_ p: XY, gazetteer: Gazetteer = .shared) -> String? {
    var best: (Place, Double)? = nil
    for place in gazetteer.places where place.population >= 5_000 {
        let d = localMetres(p, place.location.xy)
        if best == nil || d < best!.1 { best = (place, d) }
    }
    guard let (place, d) = best else { return nil }
    return d < 15_000 ? "\(place.name) (\(place.country))" : String(format: "%.0f km from %@ (%@)", d / 1000, place.name, place.country)
}

/// `caravan network info`: the checks an analyst runs before trusting a network.
public func networkInfo(_ o: NetworkInfoOptions, context: AnalysisContext = AnalysisContext()) throws -> AnalysisOutput {
    let warningScope = context.warnings.begin(); defer { warningScope.end() }
    try o.validate()
    let net = try RoadNetwork.read(o.network, warnings: context.warnings)
    let s = net.structure()
    func n(_ x: Int) -> String { x.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_US"))) }
    let largest = s.componentSizes.first ?? 0
    let share = s.nodes > 0 ? 100 * Double(largest) / Double(s.nodes) : 0
    var summary = [
        "\(o.network.joined(separator: " + ")): \(n(s.lines)) lines (\(n(Int(s.totalKm.rounded()))) km), \(n(s.nodes)) nodes (line endpoints, within 1 m one node), \(n(s.routedEdges)) routed edges",
        String(format: "%@ connected component%@; the largest holds %@ nodes (%.1f %%)", n(s.componentSizes.count), s.componentSizes.count == 1 ? "" : "s", n(largest), share),
        "\(n(s.danglingEnds)) dangling ends (nodes with one line)",
        "\(n(s.duplicatePairs)) node pairs joined by more than one line (\(n(s.duplicatePairsDifferentLength)) of different lengths; the shorter is routed on)",
        "\(n(s.closedLoops)) closed loops (both ends one node; never routed on), \(n(s.zeroLength)) zero-length lines",
        "\(n(s.longStraight)) straight single-segment lines over 100 km (their cost is the geodesic between their ends)",
    ]
    if s.componentSizes.count > 1 {
        summary.append("a route between different components has no path: check the smaller ones (table below) before trusting gaps")
    }
    var rows: [[String]] = []
    for c in 0..<min(s.componentSizes.count, 50) {
        let first = s.component.firstIndex(of: Int32(c)) ?? 0
        rows.append([String(c + 1), n(s.componentSizes[c]), String(format: "%.2f", 100 * Double(s.componentSizes[c]) / Double(max(1, s.nodes))),
                     n(s.componentLines[c]), n(Int((s.componentMetres[c] / 1000).rounded())), nearestPlaceName(net.nodes[first]) ?? ""])
    }
    let table = ResultTable(title: "Connected components (largest first)", columns: ["component", "nodes", "% nodes", "lines", "km", "near"], rows: rows)
    var layers: [ResultLayer] = []
    if o.output != nil {
        var geoms: [Geometry?] = [], vals: [[FieldValue]] = []
        for v in 0..<s.nodes {
            let c = s.component[v]
            let issue = s.degree[v] == 1 ? "dangling end" : (c > 0 ? "small component" : nil)
            guard let issue else { continue }
            geoms.append(.point(net.nodes[v]))
            vals.append([.integer(Int64(v)), .integer(Int64(s.degree[v])), .integer(Int64(c + 1)), .integer(Int64(s.componentSizes[Int(c)])), .string(issue)])
        }
        layers.append(ResultLayer(name: "network_checks", kind: .generic, title: "Network nodes to check", crs: .wgs84, geometryType: .point,
                                  fields: [ResultField("node", .integer, role: .identifier, meaning: "node number (order of first appearance)"),
                                           ResultField("degree", .integer, role: .count, meaning: "lines ending at the node"),
                                           ResultField("component", .integer, role: .category, meaning: "connected component, 1 = largest"),
                                           ResultField("comp_nodes", .integer, role: .count, meaning: "nodes in the component"),
                                           ResultField("issue", .string, role: .category, meaning: "dangling end, or node of a smaller component")],
                                  geometries: geoms, rows: vals))
    }
    let figures: [String: Double] = [
        "nodes": Double(s.nodes), "lines": Double(s.lines), "routedEdges": Double(s.routedEdges), "components": Double(s.componentSizes.count),
        "largestComponent": Double(largest), "largestComponentShare": share, "danglingEnds": Double(s.danglingEnds),
        "duplicatePairs": Double(s.duplicatePairs), "duplicatePairsDifferentLength": Double(s.duplicatePairsDifferentLength),
        "closedLoops": Double(s.closedLoops), "zeroLength": Double(s.zeroLength), "longStraight": Double(s.longStraight), "km": s.totalKm,
    ]
    return AnalysisOutput(layers: layers, summary: summary, tables: [table], figures: figures, warnings: context.warnings.messages)
}
