import Foundation

extension Tessellation {
    /// Calls `body(cell, fraction)` for each hexagon the segment a→b runs through, with the
    /// fraction of its length inside (Cyrus–Beck clipping against each candidate hexagon).
    /// A segment lying exactly on an edge shared by two hexagons is split between them.
    func traverseHexagons(_ a: XY, _ b: XY, side: Double, _ body: (CellIndex, Double) -> Void) {
        let ca = cell(containing: a), cb = cell(containing: b)
        if ca == cb { body(ca, 1); return }
        var e = Envelope.empty
        e.expand(a); e.expand(b)
        let (cols, rows) = range(covering: e)
        var pieces: [(CellIndex, Double)] = []
        var total = 0.0
        for col in cols {
            for row in rows {
                let c = CellIndex(col: col, row: row)
                let f = clipFraction(a, b, hexCenter: center(c), side: side)
                if f > 0 { pieces.append((c, f)); total += f }
            }
        }
        guard total > 0 else { return }
        for (c, f) in pieces { body(c, f / total) }
    }

    /// Fraction of a→b inside the flat-topped hexagon of side `side` centred on `o`.
    private func clipFraction(_ a: XY, _ b: XY, hexCenter o: XY, side: Double) -> Double {
        let apothem = side * 3.0.squareRoot() / 2
        var t0 = 0.0, t1 = 1.0
        let dx = b.x - a.x, dy = b.y - a.y
        // Outward normals of the six edges of a flat-topped hexagon: at 30°, 90°, ..., 330°.
        for k in 0..<6 {
            let ang = (30.0 + 60.0 * Double(k)) * .pi / 180
            let nx = cos(ang), ny = sin(ang)
            let num = apothem - ((a.x - o.x) * nx + (a.y - o.y) * ny)
            let den = dx * nx + dy * ny
            if den == 0 {
                if num < 0 { return 0 }
            } else {
                let t = num / den
                if den > 0 { t1 = min(t1, t) } else { t0 = max(t0, t) }
                if t0 >= t1 { return 0 }
            }
        }
        return t1 - t0
    }
}
