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
/// reset only where the last search touched them.
final class PathSearcher {
    let net: RoadNetwork
    var dist: [Double]
    var pred: [Int32]
    var settled: [Bool]
    var touched: [Int32] = []
    /// Settle order of the last tree search (for accumulating loads).
    var order: [Int32] = []
    // Binary heap of (key, node), lazy deletion.
    var heapKey: [Double] = []
    var heapNode: [Int32] = []
    /// How many nodes the searches settled (for measuring).
    var settledCount = 0

    init(_ net: RoadNetwork) {
        self.net = net
        dist = [Double](repeating: .infinity, count: net.nodeCount)
        pred = [Int32](repeating: -1, count: net.nodeCount)
        settled = [Bool](repeating: false, count: net.nodeCount)
        heapKey.reserveCapacity(1024); heapNode.reserveCapacity(1024)
    }

    private func reset() {
        for v in touched { dist[Int(v)] = .infinity; pred[Int(v)] = -1; settled[Int(v)] = false }
        touched.removeAll(keepingCapacity: true)
        heapKey.removeAll(keepingCapacity: true); heapNode.removeAll(keepingCapacity: true)
        order.removeAll(keepingCapacity: true)
    }

    @inline(__always) private func push(_ k: Double, _ v: Int32) {
        var i = heapKey.count
        heapKey.append(k); heapNode.append(v)
        heapKey.withUnsafeMutableBufferPointer { key in
            heapNode.withUnsafeMutableBufferPointer { node in
                while i > 0 {
                    let p = (i - 1) >> 1
                    if key[p] <= k { break }
                    key[i] = key[p]; node[i] = node[p]; i = p
                }
                key[i] = k; node[i] = v
            }
        }
    }

    @inline(__always) private func pop() -> (Double, Int32) {
        let topK = heapKey[0], topV = heapNode[0]
        let lastK = heapKey.removeLast(), lastV = heapNode.removeLast()
        let n = heapKey.count
        if n > 0 {
            heapKey.withUnsafeMutableBufferPointer { key in
                heapNode.withUnsafeMutableBufferPointer { node in
                    var i = 0
                    while true {
                        var c = 2 * i + 1
                        if c >= n { break }
                        if c + 1 < n && key[c + 1] < key[c] { c += 1 }
                        if key[c] >= lastK { break }
                        key[i] = key[c]; node[i] = node[c]; i = c
                    }
                    key[i] = lastK; node[i] = lastV
                }
            }
        }
        return (topK, topV)
    }

    /// The shortest path cost from `s` to `t` (infinity: none); `path(to:)` then gives the path.
    func search(from s: Int32, to t: Int32, using method: PathSearch) -> Double {
        reset()
        let goal = net.nodes[Int(t)]
        let astar = method == .astar
        dist[Int(s)] = 0; touched.append(s)
        push(astar ? net.lowerBound(net.nodes[Int(s)], goal) : 0, s)
        return net.firstArc.withUnsafeBufferPointer { first in
            net.arcTarget.withUnsafeBufferPointer { target in
                net.arcCost.withUnsafeBufferPointer { cost in
                    net.nodes.withUnsafeBufferPointer { nodes in
                        while !heapKey.isEmpty {
                            let (_, u) = pop()
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
                                    push(astar ? nd + net.lowerBound(nodes[v], goal) : nd, Int32(v))
                                }
                            }
                        }
                        return .infinity
                    }
                }
            }
        }
    }

    /// Dijkstra from `s` until every node of `targets` is settled (or nothing is left); the
    /// settle order is kept in `order`.
    func tree(from s: Int32, targets: Set<Int32>) {
        reset()
        var remaining = targets.count
        dist[Int(s)] = 0; touched.append(s)
        push(0, s)
        net.firstArc.withUnsafeBufferPointer { first in
            net.arcTarget.withUnsafeBufferPointer { target in
                net.arcCost.withUnsafeBufferPointer { cost in
                    while !heapKey.isEmpty {
                        let (_, u) = pop()
                        if settled[Int(u)] { continue }
                        settled[Int(u)] = true
                        order.append(u)
                        if targets.contains(u) { remaining -= 1; if remaining == 0 { return } }
                        let du = dist[Int(u)]
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
            let li = net.arcLine[a]
            let l = net.lines[Int(li)]
            // The arc reaches v; it runs along the line's direction when v is the line's end.
            let forward = l.to == v
            lines.append(li); rev.append(!forward)
            v = forward ? l.from : l.to
        }
        lines.reverse(); rev.reverse()
        for li in lines { metres += net.lines[Int(li)].metres }
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
        return p.dist
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
