import Foundation

/// How a waypoint joins the network.
public enum SnapMode: String, Codable, Sendable, CaseIterable {
    /// To the nearest node (a line endpoint).
    case node
    /// To the nearest point on a line, which is split there.
    case line
}

/// Where a point joined the network.
public struct Snap: Sendable, Hashable {
    /// The node (after splitting, with `--snap line`).
    public var node: Int32
    /// The point on the network.
    public var location: XY
    /// Geodesic distance from the point to it, metres.
    public var metres: Double
}

/// A uniform grid over points or segments in lon/lat, searched ring by ring outwards; distances
/// are compared in local metres (longitude scaled by the cosine of the latitude) and the winner
/// measured on the ellipsoid.
struct GridIndex: Sendable {
    let cell: Double
    let originX: Double, originY: Double
    let cols: Int, rows: Int
    let offsets: [Int32]
    let members: [Int32]

    /// Items given by their envelopes.
    init(envelopes: [Envelope], cell: Double) {
        var e = Envelope.empty
        for x in envelopes { e.expand(x) }
        let ox = e.isEmpty ? 0 : e.minX, oy = e.isEmpty ? 0 : e.minY
        let nc = e.isEmpty ? 1 : min(4096, Int(e.width / cell) + 1)
        let nr = e.isEmpty ? 1 : min(4096, Int(e.height / cell) + 1)
        var counts = [Int32](repeating: 0, count: nc * nr + 1)
        func clampC(_ v: Double) -> Int { let c = Int(floor((v - ox) / cell)); return max(0, min(nc - 1, c)) }
        func clampR(_ v: Double) -> Int { let r = Int(floor((v - oy) / cell)); return max(0, min(nr - 1, r)) }
        func range(_ x: Envelope) -> (Int, Int, Int, Int) { (clampC(x.minX), clampC(x.maxX), clampR(x.minY), clampR(x.maxY)) }
        for x in envelopes { let (c0, c1, r0, r1) = range(x); for r in r0...r1 { for c in c0...c1 { counts[r * nc + c + 1] += 1 } } }
        for k in 0..<(nc * nr) { counts[k + 1] += counts[k] }
        var fill = Array(counts[0..<(nc * nr)])
        var mem = [Int32](repeating: 0, count: Int(counts[nc * nr]))
        for (i, x) in envelopes.enumerated() {
            let (c0, c1, r0, r1) = range(x)
            for r in r0...r1 { for c in c0...c1 { let k = r * nc + c; mem[Int(fill[k])] = Int32(i); fill[k] += 1 } }
        }
        self.cell = cell
        originX = ox; originY = oy; cols = nc; rows = nr
        offsets = counts; members = mem
    }

    /// Calls `visit` with the items of the cells in ring `k` around `p` (ring 0 is p's cell).
    func ring(_ k: Int, around p: XY, _ visit: (Int32) -> Void) {
        let pc = Int(floor((p.x - originX) / cell)), pr = Int(floor((p.y - originY) / cell))
        func cellItems(_ r: Int, _ c: Int) {
            let i = r * cols + c
            for m in Int(offsets[i])..<Int(offsets[i + 1]) { visit(members[m]) }
        }
        let r0 = max(0, pr - k), r1 = min(rows - 1, pr + k)
        guard r0 <= r1 else { return }
        let c0 = max(0, pc - k), c1 = min(cols - 1, pc + k)
        guard c0 <= c1 else { return }
        for r in r0...r1 {
            if abs(r - pr) == k || k == 0 {
                for c in c0...c1 { cellItems(r, c) }
            } else {
                if pc - k >= 0 && pc - k < cols { cellItems(r, pc - k) }
                if pc + k >= 0 && pc + k < cols && k > 0 { cellItems(r, pc + k) }
            }
        }
    }

    /// How many rings from p's cell to the farthest cell of the grid.
    func lastRing(_ p: XY) -> Int {
        let pc = Int(floor((p.x - originX) / cell)), pr = Int(floor((p.y - originY) / cell))
        return max(abs(pc), abs(pc - cols + 1), abs(pr), abs(pr - rows + 1))
    }

    /// The nearest item by `distance` (local metres), searching rings until no nearer item can lie outside.
    func nearest(to p: XY, distance: (Int32) -> Double) -> (Int32, Double)? {
        var best: (Int32, Double)? = nil
        let metresPerCell = cell * 111_000 * max(cos(min(abs(p.y) + cell, 89.9) * .pi / 180), 0.01)
        let pc = Int(floor((p.x - originX) / cell)), pr = Int(floor((p.y - originY) / cell))
        // Start at the first ring that touches the grid.
        let dc = pc < 0 ? -pc : (pc >= cols ? pc - cols + 1 : 0), dr = pr < 0 ? -pr : (pr >= rows ? pr - rows + 1 : 0)
        var k = max(dc, dr)
        let last = lastRing(p)
        while k <= last {
            ring(k, around: p) { i in
                let d = distance(i)
                if best == nil || d < best!.1 || (d == best!.1 && i < best!.0) { best = (i, d) }
            }
            // Everything beyond ring k is at least k cells away.
            if let b = best, b.1 <= Double(k) * metresPerCell { return b }
            k += 1
        }
        return best
    }
}

/// Planar distance in local metres between lon/lat points (for ranking candidates only).
@inline(__always)
func localMetres(_ a: XY, _ b: XY) -> Double {
    let k = cos((a.y + b.y) * 0.5 * .pi / 180)
    let dx = (b.x - a.x) * k * 111_320, dy = (b.y - a.y) * 110_574
    return (dx * dx + dy * dy).squareRoot()
}

extension RoadNetwork {
    /// An index of the nodes that carry routed lines, for nearest-node snapping.
    func nodeGrid() -> (GridIndex, [Int32]) {
        var used: [Int32] = []
        for v in 0..<nodeCount where firstArc[v + 1] > firstArc[v] { used.append(Int32(v)) }
        let envs = used.map { Envelope(minX: nodes[Int($0)].x, minY: nodes[Int($0)].y, maxX: nodes[Int($0)].x, maxY: nodes[Int($0)].y) }
        return (GridIndex(envelopes: envs, cell: 0.1), used)
    }

    /// The nearest routed node to each point (nil for a network without routed lines).
    public func snapToNodes(_ points: [XY]) -> [Snap?] {
        let (grid, used) = nodeGrid()
        return points.map { p in
            guard let (i, _) = grid.nearest(to: p, distance: { localMetres(p, nodes[Int(used[Int($0)])]) }) else { return nil }
            let v = used[Int(i)]
            return Snap(node: v, location: nodes[Int(v)], metres: Geodesic.distance(LonLat(p), LonLat(nodes[Int(v)])))
        }
    }

    /// A point on a line: segment `segment` (from vertex `segment` to `segment + 1`) at fraction `t`.
    public struct LinePoint: Sendable, Hashable {
        public var line: Int32
        public var segment: Int
        public var t: Double
        public var location: XY
        public var metres: Double
    }

    /// The nearest point on a routed line to each point.
    public func nearestLinePoints(_ points: [XY]) -> [LinePoint?] {
        var segLine: [Int32] = [], segIndex: [Int32] = [], envs: [Envelope] = []
        for li in 0..<lineCount where routed[li] {
            let s = lineStart[li], e = lineStart[li + 1]
            for k in s..<(e - 1) {
                let a = coords[k], b = coords[k + 1]
                segLine.append(Int32(li)); segIndex.append(Int32(k - s))
                envs.append(Envelope(minX: min(a.x, b.x), minY: min(a.y, b.y), maxX: max(a.x, b.x), maxY: max(a.y, b.y)))
            }
            if e - s == 1 {
                segLine.append(Int32(li)); segIndex.append(0)
                envs.append(Envelope(minX: coords[s].x, minY: coords[s].y, maxX: coords[s].x, maxY: coords[s].y))
            }
        }
        let grid = GridIndex(envelopes: envs, cell: 0.1)
        return points.map { p in
            var bestT = 0.0
            var tFor: [Int32: Double] = [:]
            guard let (i, _) = grid.nearest(to: p, distance: { si in
                let li = Int(segLine[Int(si)]), k = lineStart[li] + Int(segIndex[Int(si)])
                let a = coords[k], b = k + 1 < lineStart[li + 1] ? coords[k + 1] : coords[k]
                let (t, q) = closestPoint(p, a, b)
                tFor[si] = t
                return localMetres(p, q)
            }) else { return nil }
            bestT = tFor[i] ?? 0
            let li = Int(segLine[Int(i)]), k = lineStart[li] + Int(segIndex[Int(i)])
            let a = coords[k], b = k + 1 < lineStart[li + 1] ? coords[k + 1] : coords[k]
            let q = XY(a.x + bestT * (b.x - a.x), a.y + bestT * (b.y - a.y))
            return LinePoint(line: Int32(li), segment: Int(segIndex[Int(i)]), t: bestT, location: q,
                             metres: Geodesic.distance(LonLat(p), LonLat(q)))
        }
    }

    /// The network with lines split at the given points; returns it with the node of each point.
    /// Pieces keep their line's id, class and source, and know where along it they start.
    public func splitting(at points: [LinePoint]) -> (RoadNetwork, [Int32]) {
        var cuts: [Int32: [(segment: Int, t: Double, location: XY)]] = [:]
        for p in points { cuts[p.line, default: []].append((p.segment, p.t, p.location)) }
        var b = Builder()
        for li in 0..<lineCount {
            let l = lines[li]
            let v = Array(vertices(of: li))
            guard var cs = cuts[Int32(li)] else {
                b.add(v, source: l.source, fid: l.fid, id: l.id, roadClass: l.roadClass, origin: l.origin, originOffset: l.originOffset)
                continue
            }
            cs.sort { ($0.segment, $0.t) < ($1.segment, $1.t) }
            var piece: [XY] = [v[0]]
            var nextVertex = 1
            var offset = l.originOffset
            for c in cs {
                while nextVertex <= c.segment && nextVertex < v.count { if piece.last != v[nextVertex] { piece.append(v[nextVertex]) }; nextVertex += 1 }
                if piece.last != c.location { piece.append(c.location) }
                if piece.count >= 2 {
                    b.add(piece, source: l.source, fid: l.fid, id: l.id, roadClass: l.roadClass, origin: l.origin, originOffset: offset)
                    offset += Geodesic.length(of: piece)
                }
                piece = [c.location]
            }
            while nextVertex < v.count { if piece.last != v[nextVertex] { piece.append(v[nextVertex]) }; nextVertex += 1 }
            if piece.count >= 2 { b.add(piece, source: l.source, fid: l.fid, id: l.id, roadClass: l.roadClass, origin: l.origin, originOffset: offset) }
        }
        var net = RoadNetwork(builder: b, sources: sources, cost: cost, speeds: speeds)
        // A closed line stays closed in every piece.
        if !closed.isEmpty {
            let closedOrigins = Set(closed.map { lines[Int($0)].origin })
            net = net.closing(net.lines.indices.filter { closedOrigins.contains(net.lines[$0].origin) }.map { Int32($0) })
        }
        let ids = points.map { net.node(at: $0.location) ?? -1 }
        return (net, ids)
    }
}

/// The closest point to p on segment a–b (planar in local metres): its fraction and position.
@inline(__always)
func closestPoint(_ p: XY, _ a: XY, _ b: XY) -> (Double, XY) {
    let k = cos(p.y * .pi / 180)
    let ax = (a.x - p.x) * k, ay = a.y - p.y, bx = (b.x - p.x) * k, by = b.y - p.y
    let dx = bx - ax, dy = by - ay
    let len2 = dx * dx + dy * dy
    var t = len2 > 0 ? -(ax * dx + ay * dy) / len2 : 0
    t = max(0, min(1, t))
    return (t, XY(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y)))
}
