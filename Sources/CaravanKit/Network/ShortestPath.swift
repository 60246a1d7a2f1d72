import Foundation

/// How a single origin–destination search runs. Both give the same lengths (Dijkstra's); A*
/// with the geodesic lower bound settles fewer nodes (measured in Benchmarks/results/network.md).
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
    var touched: [Int32] = []
    // Binary heap of (key, node), lazy deletion.
    var heapKey: UnsafeMutablePointer<Double>
    var heapNode: UnsafeMutablePointer<Int32>
    var heapCount = 0
    var heapCapacity = 1024
    /// How many nodes the searches settled (for measuring).
    var settledCount = 0

    init(_ net: RoadNetwork) {
        self.net = net
        n = net.nodeCount
        dist = .allocate(capacity: max(n, 1)); dist.initialize(repeating: .infinity, count: max(n, 1))
        pred = .allocate(capacity: max(n, 1)); pred.initialize(repeating: -1, count: max(n, 1))
        settled = .allocate(capacity: max(n, 1)); settled.initialize(repeating: false, count: max(n, 1))
        target = .allocate(capacity: max(n, 1)); target.initialize(repeating: 0, count: max(n, 1))
        heapKey = .allocate(capacity: heapCapacity); heapNode = .allocate(capacity: heapCapacity)
    }

    deinit {
        dist.deallocate(); pred.deallocate(); settled.deallocate(); target.deallocate()
        heapKey.deallocate(); heapNode.deallocate()
    }

    private func reset() {
        for v in touched { dist[Int(v)] = .infinity; pred[Int(v)] = -1; settled[Int(v)] = false }
        touched.removeAll(keepingCapacity: true)
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
        var i = heapCount
        heapCount += 1
        while i > 0 {
            let p = (i - 1) >> 1
            if heapKey[p] <= k { break }
            heapKey[i] = heapKey[p]; heapNode[i] = heapNode[p]; i = p
        }
        heapKey[i] = k; heapNode[i] = v
    }

    @inline(__always) private func pop() -> Int32 {
        let top = heapNode[0]
        heapCount -= 1
        let n = heapCount
        if n > 0 {
            let lastK = heapKey[n], lastV = heapNode[n]
            var i = 0
            while true {
                var c = 2 * i + 1
                if c >= n { break }
                if c + 1 < n && heapKey[c + 1] < heapKey[c] { c += 1 }
                if heapKey[c] >= lastK { break }
                heapKey[i] = heapKey[c]; heapNode[i] = heapNode[c]; i = c
            }
            heapKey[i] = lastK; heapNode[i] = lastV
        }
        return top
    }

    /// The shortest path cost from `s` to `t` (infinity: none); `path(to:)` then gives the path.
    func search(from s: Int32, to t: Int32, using method: PathSearch) -> Double {
        reset()
        let astar = method == .astar
        let scale = net.cost == .time ? 1 / net.maxSpeed : 1.0
        dist[Int(s)] = 0; touched.append(s)
        return net.firstArc.withUnsafeBufferPointer { first in
            net.arcTarget.withUnsafeBufferPointer { target in
                net.arcCost.withUnsafeBufferPointer { cost in
                    net.unit.withUnsafeBufferPointer { unit in
                        let gx = unit[3 * Int(t)], gy = unit[3 * Int(t) + 1], gz = unit[3 * Int(t) + 2]
                        // A* bound: the chord on the sphere of radius a(1−e²), never longer than the geodesic.
                        @inline(__always) func h(_ v: Int) -> Double {
                            let dx = unit[3 * v] - gx, dy = unit[3 * v + 1] - gy, dz = unit[3 * v + 2] - gz
                            return (dx * dx + dy * dy + dz * dz).squareRoot() * scale
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
                                let v = Int(target[a])
                                let nd = du + cost[a]
                                if nd < dist[v] {
                                    if dist[v] == .infinity { touched.append(Int32(v)) }
                                    dist[v] = nd; pred[v] = Int32(a)
                                    push(astar ? nd + h(v) : nd, Int32(v))
                                }
                            }
                        }
                        return .infinity
                    }
                }
            }
        }
    }

    /// Dijkstra from `s` until every node of `targets` is settled (or nothing is left). No targets: the whole component.
    func tree(from s: Int32, targets: [Int32]) {
        reset()
        targetMark &+= 1
        if targetMark == 0 { target.update(repeating: 0, count: n); targetMark = 1 }
        var remaining = 0
        for t in targets where target[Int(t)] != targetMark { target[Int(t)] = targetMark; remaining += 1 }
        let everything = targets.isEmpty
        dist[Int(s)] = 0; touched.append(s)
        push(0, s)
        net.firstArc.withUnsafeBufferPointer { first in
            net.arcTarget.withUnsafeBufferPointer { target in
                net.arcCost.withUnsafeBufferPointer { cost in
                    while heapCount > 0 {
                        let k = heapKey[0]
                        let u = pop()
                        let du = dist[Int(u)]
                        // A stale entry (the node was reached cheaper since): skip. Keys equal distances here.
                        if k > du || settled[Int(u)] { continue }
                        settled[Int(u)] = true
                        if !everything && self.target[Int(u)] == targetMark { remaining -= 1; if remaining == 0 { return } }
                        for a in Int(first[Int(u)])..<Int(first[Int(u) + 1]) {
                            let v = Int(target[a])
                            let nd = du + cost[a]
                            if nd < dist[v] {
                                if dist[v] == .infinity { touched.append(Int32(v)) }
                                dist[v] = nd; pred[v] = Int32(a)
                                push(nd, Int32(v))
                            }
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
        p.tree(from: s, targets: [])
        return Array(UnsafeBufferPointer(start: p.dist, count: nodeCount))
    }

    /// Many point-to-point searches on every core; results in input order.
    public func shortestPaths(_ pairs: [(Int32, Int32)], using method: PathSearch = .astar) -> [NetworkPath?] {
        let n = pairs.count
        guard n > 0 else { return [] }
        nonisolated(unsafe) let out = UnsafeMutableBufferPointer<NetworkPath?>.allocate(capacity: n)
        out.initialize(repeating: nil)
        defer { _ = out.deinitialize(); out.deallocate() }
        let workers = min(processorCount, max(1, n / 8))
        let chunk = (n + workers * 4 - 1) / (workers * 4)
        let net = self
        DispatchQueue.concurrentPerform(iterations: (n + chunk - 1) / chunk) { c in
            let searcher = PathSearcher(net)
            for i in (c * chunk)..<min(n, (c + 1) * chunk) {
                let (s, t) = pairs[i]
                if s == t { out[i] = NetworkPath(cost: 0, metres: 0, lines: [], reversed: [], fromNode: s, toNode: t); continue }
                if searcher.search(from: s, to: t, using: method) < .infinity { out[i] = searcher.path(to: t) }
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
