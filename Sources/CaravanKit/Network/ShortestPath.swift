import Foundation

/// How a single origin–destination search runs. Both give the same lengths (Dijkstra's); A*
/// with the geodesic lower bound settles fewer nodes, and from 64 searches on it adds the bounds of
/// 16 ALT landmarks (measured in Benchmarks/results/network.md: 8, 24, 32 and 48 landmarks paid less).
public enum PathSearch: String, Codable, Sendable, CaseIterable {
    case astar, dijkstra
}

/// A shortest path: the lines it follows in order, with the direction of each.
public struct NetworkPath: Sendable, Hashable {
    /// Sum of the routed lines' costs (metres, or seconds under `--cost time`).
    public var cost: Double
    /// Sum of the lines' geodesic lengths in metres.
    public var metres: Double
    /// Line indices from origin to destination.
    public var lines: [Int32]
    /// Per line: true when travelled from its last vertex to its first.
    public var reversed: [Bool]
    public var nodes: (from: Int32, to: Int32) { (fromNode, toNode) }
    var fromNode: Int32
    var toNode: Int32

    public static func == (a: NetworkPath, b: NetworkPath) -> Bool { a.lines == b.lines && a.reversed == b.reversed && a.cost == b.cost }
    public func hash(into h: inout Hasher) { h.combine(lines) }
}

/// Per-thread search state over one network: distances, predecessor arcs and a binary heap,
/// reset only where the last search touched them. Raw buffers: no copy-on-write checks in the
/// inner loop.
final class PathSearcher {
    let net: RoadNetwork
    let n: Int
    let dist: UnsafeMutablePointer<Double>
    let pred: UnsafeMutablePointer<Int32>
    let settled: UnsafeMutablePointer<Bool>
    /// Per node: the mark of the tree search whose targets include it.
    let target: UnsafeMutablePointer<UInt32>
    var targetMark: UInt32 = 0
    /// Nodes the last search reached (to reset), and the nodes it settled in settle order.
    let touched: UnsafeMutablePointer<Int32>
    var touchedCount = 0
    let order: UnsafeMutablePointer<Int32>
    var orderCount = 0
    /// Per reached node: its A* bound in the current search.
    let bound: UnsafeMutablePointer<Double>
    // Binary heap of (key, node), lazy deletion.
    var heapKey: UnsafeMutablePointer<Double>
    var heapNode: UnsafeMutablePointer<Int32>
    var heapCount = 0
    var heapCapacity = 1024
    /// How many nodes the searches settled (for measuring).
    var settledCount = 0
    /// Landmark bounds (ALT), when given: shared, read-only.
    let landmarks: Landmarks?

    init(_ net: RoadNetwork, landmarks: Landmarks? = nil) {
        self.net = net
        self.landmarks = landmarks
        n = net.nodeCount
        let c = max(n, 1)
        dist = .allocate(capacity: c); dist.initialize(repeating: .infinity, count: c)
        pred = .allocate(capacity: c); pred.initialize(repeating: -1, count: c)
        settled = .allocate(capacity: c); settled.initialize(repeating: false, count: c)
        target = .allocate(capacity: c); target.initialize(repeating: 0, count: c)
        touched = .allocate(capacity: c); order = .allocate(capacity: c)
        bound = .allocate(capacity: c); bound.initialize(repeating: 0, count: c)
        heapKey = .allocate(capacity: heapCapacity); heapNode = .allocate(capacity: heapCapacity)
    }

    deinit {
        dist.deallocate(); pred.deallocate(); settled.deallocate(); target.deallocate()
        touched.deallocate(); order.deallocate(); bound.deallocate()
        heapKey.deallocate(); heapNode.deallocate()
    }

    private func reset() {
        for i in 0..<touchedCount { let v = Int(touched[i]); dist[v] = .infinity; pred[v] = -1; settled[v] = false }
        touchedCount = 0
        orderCount = 0
        heapCount = 0
    }

    @inline(__always) private func push(_ k: Double, _ v: Int32) {
        if heapCount == heapCapacity {
            let c = heapCapacity * 2
            let nk = UnsafeMutablePointer<Double>.allocate(capacity: c), nn = UnsafeMutablePointer<Int32>.allocate(capacity: c)
            nk.moveInitialize(from: heapKey, count: heapCount); nn.moveInitialize(from: heapNode, count: heapCount)
            heapKey.deallocate(); heapNode.deallocate()
            heapKey = nk; heapNode = nn; heapCapacity = c
        }
        let hk = heapKey, hn = heapNode
        var i = heapCount
        heapCount += 1
        while i > 0 {
            let p = (i - 1) >> 1
            if hk[p] <= k { break }
            hk[i] = hk[p]; hn[i] = hn[p]; i = p
        }
        hk[i] = k; hn[i] = v
    }

    @inline(__always) private func pop() -> Int32 {
        let hk = heapKey, hn = heapNode
        let top = hn[0]
        heapCount -= 1
        let n = heapCount
        if n > 0 {
            let lastK = hk[n], lastV = hn[n]
            var i = 0
            while true {
                var c = 2 * i + 1
                if c >= n { break }
                if c + 1 < n && hk[c + 1] < hk[c] { c += 1 }
                if hk[c] >= lastK { break }
                hk[i] = hk[c]; hn[i] = hn[c]; i = c
            }
            hk[i] = lastK; hn[i] = lastV
        }
        return top
    }

    /// The shortest path cost from `s` to `t` (infinity: none); `path(to:)` then gives the path.
    /// A*: the chord bound, and with landmarks the larger of it and the landmark bound.
    func search(from s: Int32, to t: Int32, using method: PathSearch) -> Double {
        reset()
        if let lm = landmarks, lm.component[Int(s)] != lm.component[Int(t)] { return .infinity }
        let astar = method == .astar
        let scale = net.cost == .time ? 1 / net.maxSpeed : 1.0
        let lm = astar ? landmarks : nil
        let k = lm?.count ?? 0
        // The target's landmark distances (finite: the landmark is in the target's component).
        var tl = [Double](repeating: .nan, count: k)
        if let lm { for j in 0..<k { tl[j] = lm.dist[Int(t) * k + j] } }
        let slack = lm?.slack ?? 0
        let bound = self.bound
        dist[Int(s)] = 0; touched[0] = s; touchedCount = 1
        return net.firstArc.withUnsafeBufferPointer { first in
            net.arcs.withUnsafeBufferPointer { arcs in
                    net.unit.withUnsafeBufferPointer { unit in
                        tl.withUnsafeBufferPointer { tl in
                        (lm?.dist ?? []).withUnsafeBufferPointer { ld in
                        let gx = unit[3 * Int(t)], gy = unit[3 * Int(t) + 1], gz = unit[3 * Int(t) + 2]
                        // A* bound: the chord on the sphere of radius a(1−e²), never longer than the geodesic;
                        // landmarks: |d(L, t) − d(L, v)| ≤ d(v, t) by the triangle inequality, less a slack for rounding.
                        @inline(__always) func h(_ v: Int) -> Double {
                            let dx = unit[3 * v] - gx, dy = unit[3 * v + 1] - gy, dz = unit[3 * v + 2] - gz
                            var b = (dx * dx + dy * dy + dz * dz).squareRoot() * scale
                            if k > 0 {
                                var m = 0.0
                                let base = v * k
                                for j in 0..<k {
                                    let d = abs(tl[j] - ld[base + j])
                                    if d > m && d.isFinite { m = d }
                                }
                                b = max(b, m - slack)
                            }
                            return b
                        }
                        push(astar ? h(Int(s)) : 0, s)
                        while heapCount > 0 {
                            let u = pop()
                            if settled[Int(u)] { continue }
                            settled[Int(u)] = true
                            settledCount += 1
                            if u == t { return dist[Int(t)] }
                            let du = dist[Int(u)]
                            for a in Int(first[Int(u)])..<Int(first[Int(u) + 1]) {
                                let v = Int(arcs[a].target)
                                let nd = du + arcs[a].cost
                                if nd < dist[v] {
                                    // A node's bound is worked out once per search, when it is first reached.
                                    if dist[v] == .infinity { touched[touchedCount] = Int32(v); touchedCount += 1; if astar { bound[v] = h(v) } }
                                    dist[v] = nd; pred[v] = Int32(a)
                                    push(astar ? nd + bound[v] : nd, Int32(v))
                                }
                            }
                        }
                        return .infinity
                        }
                        }
                    }
            }
        }
    }

    /// Dijkstra from `s` until every node of `targets` is settled (or nothing is left). No targets: the whole component.
    /// The settled nodes are `order[0..<orderCount]` in settle order (the source first); each one's `pred` is settled before it.
    func tree(from s: Int32, targets: some Collection<Int32>) {
        reset()
        targetMark &+= 1
        if targetMark == 0 { target.update(repeating: 0, count: n); targetMark = 1 }
        let mark = targetMark
        var remaining = 0
        for t in targets where target[Int(t)] != mark { target[Int(t)] = mark; remaining += 1 }
        let everything = targets.isEmpty
        dist[Int(s)] = 0; touched[0] = s; touchedCount = 1
        push(0, s)
        let marks = self.target, dist = self.dist, pred = self.pred, settled = self.settled, touched = self.touched, order = self.order
        var tc = touchedCount, oc = 0
        defer { touchedCount = tc; orderCount = oc }
        net.firstArc.withUnsafeBufferPointer { first in
            net.arcs.withUnsafeBufferPointer { arcs in
                while heapCount > 0 {
                    let k = heapKey[0]
                    let u = pop()
                    let du = dist[Int(u)]
                    // A stale entry (the node was reached cheaper since): skip. Keys equal distances here, and
                    // a node's live entry is unique (a settled node is never improved: costs are ≥ 0).
                    if k > du { continue }
                    settled[Int(u)] = true
                    order[oc] = u; oc += 1
                    if !everything && marks[Int(u)] == mark { remaining -= 1; if remaining == 0 { return } }
                    for a in Int(first[Int(u)])..<Int(first[Int(u) + 1]) {
                        let v = Int(arcs[a].target)
                        let nd = du + arcs[a].cost
                        if nd < dist[v] {
                            if dist[v] == .infinity { touched[tc] = Int32(v); tc += 1 }
                            dist[v] = nd; pred[v] = Int32(a)
                            push(nd, Int32(v))
                        }
                    }
                }
            }
        }
    }

    /// The path of the last search from its source to `t` (nil when `t` was not reached).
    func path(to t: Int32) -> NetworkPath? {
        guard dist[Int(t)] < .infinity else { return nil }
        var lines: [Int32] = [], rev: [Bool] = []
        var v = t
        var metres = 0.0
        while pred[Int(v)] >= 0 {
            let a = Int(pred[Int(v)])
            let li = Int(net.arcLine[a])
            // The arc reaches v; it runs along the line's direction when v is the line's end.
            let forward = net.lineTo[li] == v
            lines.append(Int32(li)); rev.append(!forward)
            v = forward ? net.lineFrom[li] : net.lineTo[li]
        }
        lines.reverse(); rev.reverse()
        for li in lines { metres += net.lineMetres[Int(li)] }
        return NetworkPath(cost: dist[Int(t)], metres: metres, lines: lines, reversed: rev, fromNode: v, toNode: t)
    }
}

extension RoadNetwork {
    /// The shortest path between two nodes (nil: no path).
    public func shortestPath(from s: Int32, to t: Int32, using method: PathSearch = .astar) -> NetworkPath? {
        let p = PathSearcher(self)
        guard p.search(from: s, to: t, using: method) < .infinity else { return nil }
        return p.path(to: t)
    }

    /// Shortest path costs from `s` to every node (infinity where unreachable): plain Dijkstra.
    public func costs(from s: Int32) -> [Double] {
        let p = PathSearcher(self)
        p.tree(from: s, targets: [Int32]())
        return Array(UnsafeBufferPointer(start: p.dist, count: nodeCount))
    }

    /// Many point-to-point searches on `workers` threads (one searcher each, built once); results in input order,
    /// the same for any number of workers. `landmarks`: how many ALT landmarks A* uses (nil: 16 when there are
    /// at least 64 pairs — their Dijkstra trees then pay for themselves —, else none).
    public func shortestPaths(_ pairs: [(Int32, Int32)], using method: PathSearch = .astar, workers: Int? = nil,
                              landmarks: Int? = nil) -> [NetworkPath?] {
        let workers = workers ?? processorCount
        let n = pairs.count
        guard n > 0 else { return [] }
        let k = method == .astar ? (landmarks ?? (n >= 64 ? 16 : 0)) : 0
        let lm = k > 0 ? Landmarks(self, count: k, workers: workers) : nil
        nonisolated(unsafe) let out = UnsafeMutableBufferPointer<NetworkPath?>.allocate(capacity: n)
        out.initialize(repeating: nil)
        defer { _ = out.deinitialize(); out.deallocate() }
        let threads = max(1, min(workers, n / 8))
        let chunk = max(1, min(64, n / (threads * 8)))
        let chunks = (n + chunk - 1) / chunk
        let nextChunk = Locked(0)
        let net = self
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            let searcher = PathSearcher(net, landmarks: lm)
            while true {
                let c = nextChunk.withLock { v -> Int in defer { v += 1 }; return v }
                if c >= chunks { break }
                for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                    let (s, t) = pairs[i]
                    if s == t { out[i] = NetworkPath(cost: 0, metres: 0, lines: [], reversed: [], fromNode: s, toNode: t); continue }
                    if searcher.search(from: s, to: t, using: method) < .infinity { out[i] = searcher.path(to: t) }
                }
            }
        }
        return Array(out)
    }

    /// The geometry of a path: its lines' vertices in travel order, each junction once.
    public func geometry(of path: NetworkPath) -> [XY] {
        var out: [XY] = []
        for (li, rev) in zip(path.lines, path.reversed) {
            let v = vertices(of: Int(li))
            let seq: [XY] = rev ? v.reversed() : Array(v)
            for p in seq where out.last != p { out.append(p) }
        }
        if out.isEmpty { out = [nodes[Int(path.fromNode)]] }
        return out
    }
}

/// ALT landmarks: Dijkstra distances from a few nodes spread around the largest component's rim, so that
/// |d(L, t) − d(L, v)| ≤ d(v, t) bounds A* far better than the chord alone; and every node's component
/// (a pair in two components has no path, found without a search).
final class Landmarks: Sendable {
    let count: Int
    /// Node-major: `dist[v * count + j]` is the cost from landmark j to node v (infinity: another component).
    let dist: [Double]
    let component: [Int32]
    let nodes: [Int32]
    /// Subtracted from every landmark bound: more than the rounding of the summed costs.
    let slack: Double

    /// Landmarks in `count` sectors around the largest component's centre (the node farthest out in each),
    /// their trees grown on `workers` threads.
    init(_ net: RoadNetwork, count want: Int, workers: Int = processorCount) {
        let n = net.nodeCount
        // Components over the routed arcs.
        var comp = [Int32](repeating: -1, count: n)
        var sizes: [Int] = []
        var stack: [Int32] = []
        for s in 0..<n where comp[s] < 0 {
            let c = Int32(sizes.count)
            comp[s] = c; stack.append(Int32(s))
            var size = 0
            while let u = stack.popLast() {
                size += 1
                for a in Int(net.firstArc[Int(u)])..<Int(net.firstArc[Int(u) + 1]) {
                    let v = Int(net.arcTarget[a])
                    if comp[v] < 0 { comp[v] = c; stack.append(Int32(v)) }
                }
            }
            sizes.append(size)
        }
        component = comp
        let largest = Int32(sizes.indices.max { sizes[$0] < sizes[$1] } ?? 0)
        // The centre (mean of unit vectors) and an east/north basis there.
        var cx = 0.0, cy = 0.0, cz = 0.0
        for v in 0..<n where comp[v] == largest { cx += net.unit[3 * v]; cy += net.unit[3 * v + 1]; cz += net.unit[3 * v + 2] }
        let norm = max((cx * cx + cy * cy + cz * cz).squareRoot(), 1e-300)
        cx /= norm; cy /= norm; cz /= norm
        var ex = -cy, ey = cx, ez = 0.0
        let en = max((ex * ex + ey * ey).squareRoot(), 1e-300)
        ex /= en; ey /= en
        let nx = cy * ez - cz * ey, ny = cz * ex - cx * ez, nz = cx * ey - cy * ex
        var best = [(node: Int32, d: Double)](repeating: (-1, -.infinity), count: max(want, 1))
        for v in 0..<n where comp[v] == largest && net.firstArc[v + 1] > net.firstArc[v] {
            let px = net.unit[3 * v], py = net.unit[3 * v + 1], pz = net.unit[3 * v + 2]
            let x = px * ex + py * ey + pz * ez, y = px * nx + py * ny + pz * nz
            let out = -(px * cx + py * cy + pz * cz)      // larger: farther from the centre
            let sector = min(want - 1, max(0, Int((atan2(y, x) + .pi) / (2 * .pi) * Double(want))))
            if out > best[sector].d { best[sector] = (Int32(v), out) }
        }
        let picked = best.filter { $0.node >= 0 }.map(\.node)
        nodes = picked
        let k = picked.count
        count = k
        var d = [Double](repeating: .infinity, count: n * k)
        d.withUnsafeMutableBufferPointer { buf in
            nonisolated(unsafe) let out = buf
            DispatchQueue.concurrentPerform(iterations: max(1, min(workers, k))) { w in
                let s = PathSearcher(net)
                var j = w
                while j < k {
                    s.tree(from: picked[j], targets: EmptyCollection())
                    for i in 0..<s.orderCount { let v = Int(s.order[i]); out[v * k + j] = s.dist[v] }
                    j += max(1, min(workers, k))
                }
            }
        }
        dist = d
        slack = 1e-9 * (d.lazy.filter { $0.isFinite }.max() ?? 0) + 1e-9
    }
}
