import Foundation

/// Border segments bucketed on a uniform square grid, for exact segment–segment intersection
/// tests against millions of route segments without a tree walk per segment.
struct SegmentIndex: Sendable {
    struct Segment: Sendable {
        var a: XY
        var b: XY
        /// Index of the line (border pair) the segment belongs to.
        var line: Int32
    }
    let bucket: Double
    let segments: [Segment]
    /// Buckets as a dense grid over the segments' extent: bucket (c, r) holds
    /// `members[offsets[r·cols+c] ..< offsets[r·cols+c+1]]`.
    let cols: Int, rows: Int
    let originX: Double, originY: Double
    let offsets: [Int32]
    let members: [Int32]
    let extent: Envelope

    init(lines: [[[XY]]], bucket: Double) {
        self.bucket = bucket
        var segs: [Segment] = []
        var e = Envelope.empty
        for (li, parts) in lines.enumerated() {
            for part in parts where part.count > 1 {
                for k in 1..<part.count where part[k - 1] != part[k] {
                    segs.append(Segment(a: part[k - 1], b: part[k], line: Int32(li)))
                    e.expand(part[k - 1]); e.expand(part[k])
                }
            }
        }
        segments = segs
        extent = e
        originX = e.isEmpty ? 0 : e.minX
        originY = e.isEmpty ? 0 : e.minY
        cols = e.isEmpty ? 1 : Int(e.width / bucket) + 1
        rows = e.isEmpty ? 1 : Int(e.height / bucket) + 1
        var lists = [[Int32]](repeating: [], count: cols * rows)
        for (i, s) in segs.enumerated() {
            let (c0, c1, r0, r1) = SegmentIndex.range(s.a, s.b, originX, originY, bucket, cols, rows)
            for r in r0...r1 { for c in c0...c1 { lists[r * cols + c].append(Int32(i)) } }
        }
        var off: [Int32] = [0]
        off.reserveCapacity(lists.count + 1)
        var mem: [Int32] = []
        for l in lists { mem += l; off.append(Int32(mem.count)) }
        offsets = off
        members = mem
    }

    @inline(__always)
    static func range(_ a: XY, _ b: XY, _ ox: Double, _ oy: Double, _ bucket: Double, _ cols: Int, _ rows: Int) -> (Int, Int, Int, Int) {
        func clamp(_ v: Double, _ n: Int) -> Int { v < 0 ? 0 : v >= Double(n - 1) ? n - 1 : Int(v) }
        return (clamp((min(a.x, b.x) - ox) / bucket, cols), clamp((max(a.x, b.x) - ox) / bucket, cols),
                clamp((min(a.y, b.y) - oy) / bucket, rows), clamp((max(a.y, b.y) - oy) / bucket, rows))
    }

    @inline(__always) static func key(_ c: Int, _ r: Int) -> Int64 { Int64(c) << 32 ^ Int64(UInt32(bitPattern: Int32(truncatingIfNeeded: r))) }

    /// Calls `body` with each border segment whose buckets the segment a→b's box meets (may repeat).
    @inline(__always)
    func candidates(_ a: XY, _ b: XY, _ body: (Int) -> Void) {
        let minX = min(a.x, b.x), maxX = max(a.x, b.x), minY = min(a.y, b.y), maxY = max(a.y, b.y)
        guard maxX >= extent.minX, minX <= extent.maxX, maxY >= extent.minY, minY <= extent.maxY else { return }
        let (c0, c1, r0, r1) = SegmentIndex.range(a, b, originX, originY, bucket, cols, rows)
        for r in r0...r1 {
            for c in c0...c1 {
                let k = r * cols + c
                var m = Int(offsets[k])
                let end = Int(offsets[k + 1])
                while m < end { body(Int(members[m])); m += 1 }
            }
        }
    }
}

/// Orientation of c relative to a→b: > 0 left, < 0 right, 0 collinear.
@inline(__always)
func orient(_ a: XY, _ b: XY, _ c: XY) -> Double {
    (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x)
}

/// The parameters (t along a→b, u along c→d) of a proper intersection (the segments cross at
/// a point interior to both), or nil.
@inline(__always)
func properIntersection(_ a: XY, _ b: XY, _ c: XY, _ d: XY) -> (t: Double, u: Double)? {
    let o1 = orient(a, b, c), o2 = orient(a, b, d)
    guard (o1 > 0 && o2 < 0) || (o1 < 0 && o2 > 0) else { return nil }
    let o3 = orient(c, d, a), o4 = orient(c, d, b)
    guard (o3 > 0 && o4 < 0) || (o3 < 0 && o4 > 0) else { return nil }
    let t = o3 / (o3 - o4)
    let u = o1 / (o1 - o2)
    return (t, u)
}

/// Whether p lies on segment c→d (collinear and within its box).
@inline(__always)
func onSegment(_ p: XY, _ c: XY, _ d: XY) -> Bool {
    orient(c, d, p) == 0 && p.x >= min(c.x, d.x) && p.x <= max(c.x, d.x) && p.y >= min(c.y, d.y) && p.y <= max(c.y, d.y)
}
