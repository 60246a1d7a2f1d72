import Foundation

/// Exact traversal of a straight segment across a square grid: calls `body(col, row, fraction)`
/// for each cell the segment runs through, with the fraction of the segment's length inside it.
///
/// Cells are half-open (cell col covers x ∈ [col·s, (col+1)·s)), so a segment lying on a grid
/// line belongs to the cell above or to the right of it, and the fractions always sum to 1. The
/// crossings with the vertical and the horizontal grid lines are two arithmetic sequences in
/// the segment parameter t; merging them gives the pieces in order, and each piece's cell is
/// the cell of its midpoint. No allocation, no sorting.
@inline(__always)
func traverseSquare(_ a: XY, _ b: XY, size s: Double, _ body: (Int, Int, Double) -> Void) {
    let c0 = (a.x / s).rounded(.down), r0 = (a.y / s).rounded(.down)
    let c1 = (b.x / s).rounded(.down), r1 = (b.y / s).rounded(.down)
    if c0 == c1 && r0 == r1 {
        // Half-open intervals are convex: both ends in one cell means the whole segment is.
        body(Int(c0), Int(r0), 1)
        return
    }
    let dx = b.x - a.x, dy = b.y - a.y
    // Next crossing parameters and steps along each axis.
    var tx = Double.infinity, stepX = Double.infinity
    if dx != 0 {
        let k = dx > 0 ? c0 + 1 : (a.x / s).rounded(.up) - 1
        tx = (k * s - a.x) / dx
        stepX = s / abs(dx)
    }
    var ty = Double.infinity, stepY = Double.infinity
    if dy != 0 {
        let k = dy > 0 ? r0 + 1 : (a.y / s).rounded(.up) - 1
        ty = (k * s - a.y) / dy
        stepY = s / abs(dy)
    }
    var t0 = 0.0
    while t0 < 1 {
        let t1 = min(tx, ty, 1)
        if t1 > t0 {
            let tm = (t0 + t1) * 0.5
            let mx = a.x + tm * dx, my = a.y + tm * dy
            body(Int((mx / s).rounded(.down)), Int((my / s).rounded(.down)), t1 - t0)
        }
        if tx <= t1 { tx += stepX }
        if ty <= t1 { ty += stepY }
        t0 = t1
    }
}

/// Length of the segment a→b inside the disc of radius r centred on c (planar).
@inline(__always)
func chordLength(_ a: XY, _ b: XY, center c: XY, radius r: Double) -> Double {
    let dx = b.x - a.x, dy = b.y - a.y
    let fx = a.x - c.x, fy = a.y - c.y
    let A = dx * dx + dy * dy
    guard A > 0 else { return 0 }
    let B = 2 * (fx * dx + fy * dy)
    let C = fx * fx + fy * fy - r * r
    let disc = B * B - 4 * A * C
    guard disc > 0 else { return 0 }
    let sq = disc.squareRoot()
    let t0 = max(0, (-B - sq) / (2 * A)), t1 = min(1, (-B + sq) / (2 * A))
    return t1 > t0 ? (t1 - t0) * A.squareRoot() : 0
}
