import Foundation

/// What an edge of the network costs: its geodesic length, or the time to drive it.
public enum NetworkCost: String, Codable, Sendable, CaseIterable {
    case length, time
}

/// Speeds (km/h) per road class for `--cost time`, read from the network's class field.
///
/// The shipped roads and railways have a `kind` field holding `road` or `rail`; OpenStreetMap
/// extracts have `highway`/`fclass` classes. Overrides (`--speed road=70`) replace entries;
/// a class the table does not know uses `fallback`.
public struct SpeedTable: Codable, Sendable, Hashable {
    /// The documented defaults (km/h): a loaded truck's average on Central Asian roads, not a limit.
    public static let defaults: [String: Double] = [
        "road": 60, "rail": 50,
        "motorway": 90, "motorway_link": 60, "trunk": 80, "trunk_link": 50, "primary": 70, "primary_link": 50,
        "secondary": 60, "secondary_link": 40, "tertiary": 50, "tertiary_link": 40, "unclassified": 40,
        "residential": 30, "living_street": 10, "service": 20, "track": 20, "path": 5, "ferry": 15,
    ]
    public var speeds: [String: Double]
    public var fallback: Double

    public init(overrides: [String: Double] = [:], fallback: Double = 50) {
        var s = SpeedTable.defaults
        for (k, v) in overrides { s[k.lowercased()] = v }
        speeds = s
        self.fallback = fallback
    }

    /// Parses `class=km/h` overrides, e.g. ["road=70", "rail=45"] (or one string "road=70,rail=45").
    public static func parse(_ items: [String]) throws -> SpeedTable {
        var o: [String: Double] = [:]
        var fallback = 50.0
        for item in items.flatMap({ $0.split(separator: ",").map(String.init) }) {
            let kv = item.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard kv.count == 2, let v = Double(kv[1].replacingOccurrences(of: "km/h", with: "")), v > 0, v.isFinite else {
                throw GeoError(.invalidArgument, "{speed} '\(item)' is not CLASS=KM/H", hint: "write it like {speed} road=70 or {speed} default=40")
            }
            if kv[0].lowercased() == "default" { fallback = v } else { o[kv[0]] = v }
        }
        return SpeedTable(overrides: o, fallback: fallback)
    }

    public func speed(of cls: String?) -> Double {
        guard let c = cls?.lowercased(), !c.isEmpty else { return fallback }
        return speeds[c] ?? fallback
    }
}

/// A routing network built from line layers: nodes are line endpoints (endpoints within 1 m are
/// one node), each line is an edge usable both ways whose length is its geodesic length on
/// WGS84 summed over its vertices. Parallel lines between the same two nodes: the cheaper is
/// routed on; closed loops (both ends one node) are kept as lines but never routed on.
///
/// Adjacency is held as compressed sparse rows (arrays, no per-node objects), so a network of
/// millions of lines costs a few arrays.
///
/// ```swift
/// let net = try RoadNetwork.read(["shapefiles/roads.shp"])
/// net.nodeCount   // 23,459
/// ```
public struct RoadNetwork: Sendable {
    /// One line as read (a part of a multi-line feature is its own line).
    public struct Line: Sendable {
        public var from: Int32
        public var to: Int32
        public var metres: Double
        public var cost: Double
        /// Which input (index into `sources`) and which feature it came from.
        public var source: Int32
        public var fid: Int64
        /// The value of the line's `id` field, or its fid.
        public var id: String
        public var roadClass: String?
        /// For a piece of a split line: the line it was cut from and where the piece starts along it (metres).
        public var origin: Int32
        public var originOffset: Double
    }

    public private(set) var sources: [String]
    public private(set) var lines: [Line]
    /// Coordinates of every line, lon/lat: line `i` is `coords[lineStart[i] ..< lineStart[i + 1]]`.
    public private(set) var coords: [XY]
    public private(set) var lineStart: [Int]
    public private(set) var nodes: [XY]
    public let cost: NetworkCost
    public let speeds: SpeedTable
    /// The fastest speed of the table in m/s (the A* bound under `--cost time`).
    let maxSpeed: Double

    // CSR adjacency of the routed arcs.
    var firstArc: [Int32] = []
    var arcTarget: [Int32] = []
    var arcCost: [Double] = []
    var arcLine: [Int32] = []
    /// The node each arc leaves.
    var arcSource: [Int32] = []
    /// Target and cost of each arc side by side (one cache line serves a node's arcs in the searches).
    var arcs: [Arc] = []
    /// Per line: whether it is routed on (false for loops, the dearer of parallel lines, closed lines).
    public private(set) var routed: [Bool] = []
    /// Lines removed by a closure scenario.
    public private(set) var closed: Set<Int32> = []

    var nodeIndex: EndpointIndex
    /// The lines' ends and lengths as plain arrays (for walking paths without copying `Line`s).
    var lineFrom: [Int32] = []
    var lineTo: [Int32] = []
    var lineMetres: [Double] = []
    /// Per node: x, y, z on the sphere of radius a(1−e²) (for the A* chord bound).
    var unit: [Double] = []

    public var nodeCount: Int { nodes.count }
    public var lineCount: Int { lines.count }

    /// The vertices of line `i` in its own direction.
    public func vertices(of i: Int) -> ArraySlice<XY> { coords[lineStart[i]..<lineStart[i + 1]] }

    // MARK: building

    /// Reads line layers into one network. Throws on a layer that is not lines and on an empty network.
    public static func read(_ paths: [String], cost: NetworkCost = .length, speeds: SpeedTable = SpeedTable(),
                            classField: String? = nil, warnings: WarningLog? = nil) throws -> RoadNetwork {
        guard !paths.isEmpty else {
            throw GeoError(.invalidArgument, "no network given", hint: "name a line layer with {network}, e.g. {network} shapefiles/roads.shp")
        }
        var b = Builder()
        for (si, path) in paths.enumerated() {
            let layer = try Dataset.open(path).layer(named: nil)
            let family = layer.geometryType.dimensionFamily
            if family != 1 && layer.geometryType != .unknown {
                throw GeoError(.invalidArgument, "a network is made of lines, and this layer holds \(layer.geometryType == .none ? "no geometry" : layer.geometryType.rawValue + "s")",
                               file: path, layer: layer.name, hint: "give a road or railway line layer, e.g. shapefiles/roads.shp")
            }
            let crs = try layer.crs ?? {
                throw GeoError(.projection, "the network has no CRS", file: path, layer: layer.name, hint: "add a .prj, or convert it to EPSG:4326 first")
            }()
            let toLonLat = try Transformer(from: crs, to: .wgs84)
            let schema = layer.schema
            let classIndex: Int?
            if let cf = classField {
                guard let i = schema.index(of: cf) else {
                    throw GeoError(.invalidArgument, "no field '\(cf)'; the fields are: \(schema.names.joined(separator: ", "))", file: path, layer: layer.name,
                                   hint: "name the road class field with {classField}")
                }
                classIndex = i
            } else {
                classIndex = ["kind", "class", "fclass", "highway", "type"].lazy.compactMap { schema.index(of: $0) }.first
            }
            let idIndex = schema.index(of: "id")
            let cursor = try layer.features(fields: [classIndex, idIndex].compactMap { $0 }.map { schema.fields[$0].name })
            var missing = 0
            while let f = try cursor.next() {
                guard let g = f.geometry, !g.isEmpty else { missing += 1; continue }
                if g.type.dimensionFamily != 1 {
                    throw GeoError(.invalidArgument, "a \(g.type.rawValue) where a network line is expected", file: path, layer: layer.name, featureID: f.fid,
                                   hint: "a network is made of lines only")
                }
                let cls = classIndex.flatMap { f.values[$0].stringValue }
                let id = idIndex.flatMap { f.values[$0].stringValue } ?? String(f.fid)
                for part in g.linework where !part.isEmpty {
                    var p = part
                    if !toLonLat.isIdentity { try toLonLat.transform(&p) }
                    b.add(p, source: Int32(si), fid: f.fid, id: id, roadClass: cls)
                }
            }
            if missing > 0 { warnings?.add("\(path): \(missing) feature\(missing == 1 ? "" : "s") without geometry left out of the network") }
        }
        guard !b.lines.isEmpty else {
            throw GeoError(.invalidArgument, "the network has no lines", file: paths.joined(separator: ", "), hint: "check the file and any filter")
        }
        return RoadNetwork(builder: b, sources: paths, cost: cost, speeds: speeds)
    }

    /// A network from lines in memory (lon/lat), e.g. for tests: each element one line.
    public init(lines input: [[XY]], classes: [String?]? = nil, cost: NetworkCost = .length, speeds: SpeedTable = SpeedTable()) {
        var b = Builder()
        for (i, l) in input.enumerated() { b.add(l, source: 0, fid: Int64(i), id: String(i), roadClass: classes?[i]) }
        self.init(builder: b, sources: ["memory"], cost: cost, speeds: speeds)
    }

    /// Accumulates lines and their end nodes.
    struct Builder {
        var lines: [Line] = []
        var coords: [XY] = []
        var lineStart: [Int] = [0]
        var index = EndpointIndex()

        mutating func add(_ part: [XY], source: Int32, fid: Int64, id: String, roadClass: String?,
                          origin: Int32? = nil, originOffset: Double = 0) {
            let a = index.node(part[0]), b = index.node(part[part.count - 1])
            let metres = Geodesic.length(of: part)
            lines.append(Line(from: a, to: b, metres: metres, cost: metres, source: source, fid: fid, id: id, roadClass: roadClass,
                              origin: origin ?? Int32(lines.count), originOffset: originOffset))
            coords.append(contentsOf: part)
            lineStart.append(coords.count)
        }
    }

    init(builder b: Builder, sources: [String], cost: NetworkCost, speeds: SpeedTable) {
        self.sources = sources
        self.lines = b.lines
        self.coords = b.coords
        self.lineStart = b.lineStart
        self.nodes = b.index.points
        self.nodeIndex = b.index
        self.cost = cost
        self.speeds = speeds
        self.maxSpeed = (speeds.speeds.values.max().map { max($0, speeds.fallback) } ?? speeds.fallback) / 3.6
        if cost == .time {
            for i in lines.indices { lines[i].cost = lines[i].metres / (speeds.speed(of: lines[i].roadClass) / 3.6) }
        }
        lineFrom = lines.map(\.from); lineTo = lines.map(\.to); lineMetres = lines.map(\.metres)
        unit = [Double](repeating: 0, count: 3 * nodes.count)
        for (i, p) in nodes.enumerated() { (unit[3 * i], unit[3 * i + 1], unit[3 * i + 2]) = RoadNetwork.sphere(p) }
        buildArcs()
    }

    /// Chooses the routed lines (no loops, the cheapest of parallel lines, none closed) and builds the CSR arrays.
    mutating func buildArcs() {
        var best: [Int64: Int32] = [:]
        best.reserveCapacity(lines.count)
        for (i, l) in lines.enumerated() where l.from != l.to && !closed.contains(Int32(i)) {
            let key = Int64(min(l.from, l.to)) << 32 | Int64(max(l.from, l.to))
            if let j = best[key] {
                let o = lines[Int(j)]
                if l.cost < o.cost || (l.cost == o.cost && l.metres < o.metres) { best[key] = Int32(i) }
            } else { best[key] = Int32(i) }
        }
        routed = [Bool](repeating: false, count: lines.count)
        for v in best.values { routed[Int(v)] = true }
        let n = nodes.count
        var degree = [Int32](repeating: 0, count: n + 1)
        for (i, l) in lines.enumerated() where routed[i] { degree[Int(l.from)] += 1; degree[Int(l.to)] += 1 }
        var first = [Int32](repeating: 0, count: n + 1)
        for v in 0..<n { first[v + 1] = first[v] + degree[v] }
        var fill = Array(first[0..<n])
        let m = Int(first[n])
        var target = [Int32](repeating: 0, count: m), cost = [Double](repeating: 0, count: m), line = [Int32](repeating: 0, count: m)
        for (i, l) in lines.enumerated() where routed[i] {
            var k = Int(fill[Int(l.from)]); fill[Int(l.from)] += 1
            target[k] = l.to; cost[k] = l.cost; line[k] = Int32(i)
            k = Int(fill[Int(l.to)]); fill[Int(l.to)] += 1
            target[k] = l.from; cost[k] = l.cost; line[k] = Int32(i)
        }
        var source = [Int32](repeating: 0, count: m)
        for v in 0..<n { for a in Int(first[v])..<Int(first[v + 1]) { source[a] = Int32(v) } }
        firstArc = first; arcTarget = target; arcCost = cost; arcLine = line; arcSource = source
        arcs = (0..<m).map { Arc(cost: cost[$0], target: target[$0]) }
    }

    /// The same network with these lines closed (never routed on).
    public func closing(_ lineIndices: some Sequence<Int32>) -> RoadNetwork {
        var n = self
        n.closed.formUnion(lineIndices)
        n.buildArcs()
        return n
    }

    /// The node at `p` (within 1 m), if any.
    public func node(at p: XY) -> Int32? { nodeIndex.find(p, nodes: nodes) }

    /// A point on the sphere of radius a(1−e²) = 6,335,439 m (shrunk by 1e-12 for rounding), in metres.
    /// Every curve on the WGS84 ellipsoid is at least as long as its image on that sphere (both
    /// radii of curvature are ≥ it), and a chord is shorter than its arc, so the chord between
    /// two such points never exceeds the geodesic: the A* bound.
    static func sphere(_ p: XY) -> (Double, Double, Double) {
        let r = 6_335_439.327 * (1 - 1e-12)
        let lat = p.y * .pi / 180, lon = p.x * .pi / 180
        return (r * cos(lat) * cos(lon), r * cos(lat) * sin(lon), r * sin(lat))
    }
}

/// An arc of the searches: where it leads and what it costs.
struct Arc: Sendable {
    var cost: Double
    var target: Int32
}

/// The A* bound between two lon/lat points (see `RoadNetwork.sphere`).
func chordLowerBound(_ a: XY, _ b: XY) -> Double {
    let p = RoadNetwork.sphere(a), q = RoadNetwork.sphere(b)
    return ((p.0 - q.0) * (p.0 - q.0) + (p.1 - q.1) * (p.1 - q.1) + (p.2 - q.2) * (p.2 - q.2)).squareRoot()
}

/// Endpoints hashed on a ~1 m grid; a new endpoint within 1 m (geodesic) of a known node is that
/// node (the nearest such), found by checking the neighbouring cells, not by rounding alone.
struct EndpointIndex: Sendable {
    static let tolerance = 1.0
    static let cell = 1e-5          // degrees: 1.1 m of latitude
    var head: [Int64: Int32] = [:]
    var next: [Int32] = []
    var points: [XY] = []

    @inline(__always) static func key(_ cx: Int, _ cy: Int) -> Int64 { Int64(cx) << 32 ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: cy))) }

    /// How many longitude cells 1 m can span at this latitude.
    @inline(__always) static func lonReach(_ lat: Double) -> Int {
        let c = max(cos(lat * .pi / 180), 0.02)
        return Int((tolerance / (cell * 111_000 * c)).rounded(.up))
    }

    func find(_ p: XY, nodes: [XY]) -> Int32? {
        let cx = Int(floor(p.x / Self.cell)), cy = Int(floor(p.y / Self.cell))
        let reach = Self.lonReach(p.y)
        var best: Int32 = -1
        var bestD = Self.tolerance
        for dy in -1...1 {
            for dx in -reach...reach {
                var n = head[Self.key(cx + dx, cy + dy)] ?? -1
                while n >= 0 {
                    let d = Geodesic.shortDistance(nodes[Int(n)], p)
                    if d <= bestD && (best < 0 || d < bestD || n < best) { best = n; bestD = d }
                    n = next[Int(n)]
                }
            }
        }
        return best >= 0 ? best : nil
    }

    mutating func node(_ p: XY) -> Int32 {
        if let n = find(p, nodes: points) { return n }
        let id = Int32(points.count)
        let k = Self.key(Int(floor(p.x / Self.cell)), Int(floor(p.y / Self.cell)))
        points.append(p)
        next.append(head[k] ?? -1)
        head[k] = id
        return id
    }
}
