import Foundation

/// A cell of a regular grid, by column and row.
public struct CellIndex: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var col: Int
    public var row: Int
    public init(col: Int, row: Int) { self.col = col; self.row = row }
    public static func < (a: CellIndex, b: CellIndex) -> Bool { (a.row, a.col) < (b.row, b.col) }
    public var description: String { "(\(col), \(row))" }
}

/// A regular tessellation of a projected CRS, aligned to the CRS origin so the same cell has the
/// same index whatever the data: square cells or flat-topped hexagons.
///
/// Square: cell (col, row) covers x ∈ [col·s, (col+1)·s) and y ∈ [row·s, (row+1)·s).
///
/// Hexagon (flat top and bottom, "odd-q" offset columns): side a; the centre of (col, row) is
/// x = 1.5·a·col, y = √3·a·(row + ½·(col mod 2)). Column 0, row 0 is centred on the origin; odd
/// columns are shifted up by half a cell. Area = (3√3/2)·a².
public enum Tessellation: Hashable, Sendable {
    case square(size: Double)
    case hexagon(side: Double)

    /// A hexagon tessellation whose cells have this area (m²), as ArcGIS's Generate Tessellation sizes them.
    public static func hexagon(area: Double) -> Tessellation { .hexagon(side: (2 * area / (3 * 3.0.squareRoot())).squareRoot()) }

    public var cellArea: Double {
        switch self {
        case .square(let s): s * s
        case .hexagon(let a): 1.5 * 3.0.squareRoot() * a * a
        }
    }

    public var isSquare: Bool { if case .square = self { true } else { false } }

    /// The cell containing a point (half-open square cells; nearest centre for hexagons).
    @inline(__always)
    public func cell(containing p: XY) -> CellIndex {
        switch self {
        case .square(let s):
            return CellIndex(col: Int((p.x / s).rounded(.down)), row: Int((p.y / s).rounded(.down)))
        case .hexagon(let a):
            // Axial coordinates of a flat-top layout, cube-rounded, then to odd-q offset.
            let q = (2.0 / 3.0 * p.x) / a
            let r = (-1.0 / 3.0 * p.x + 3.0.squareRoot() / 3.0 * p.y) / a
            var rx = q.rounded(), rz = r.rounded()
            let ry = (-q - r).rounded()
            let dx = abs(rx - q), dy = abs(ry - (-q - r)), dz = abs(rz - r)
            if dx > dy && dx > dz { rx = -ry - rz } else if dy <= dz { rz = -rx - ry }
            let col = Int(rx)
            let row = Int(rz) + (col - (col & 1)) / 2
            return CellIndex(col: col, row: row)
        }
    }

    /// The centre of a cell.
    public func center(_ c: CellIndex) -> XY {
        switch self {
        case .square(let s): return XY((Double(c.col) + 0.5) * s, (Double(c.row) + 0.5) * s)
        case .hexagon(let a):
            return XY(1.5 * a * Double(c.col), 3.0.squareRoot() * a * (Double(c.row) + (c.col & 1 == 1 ? 0.5 : 0)))
        }
    }

    /// The corners of a cell, counter-clockwise, closed.
    public func ring(_ c: CellIndex) -> [XY] {
        switch self {
        case .square(let s):
            let x0 = Double(c.col) * s, y0 = Double(c.row) * s
            return [XY(x0, y0), XY(x0 + s, y0), XY(x0 + s, y0 + s), XY(x0, y0 + s), XY(x0, y0)]
        case .hexagon(let a):
            let o = center(c)
            var r = (0..<6).map { k -> XY in
                let ang = Double(k) * .pi / 3
                return XY(o.x + a * cos(ang), o.y + a * sin(ang))
            }
            r.append(r[0])
            return r
        }
    }

    /// The cells whose area meets a rectangle, as a column and row range (squares) or a
    /// covering range of offset indices (hexagons).
    public func range(covering e: Envelope) -> (cols: ClosedRange<Int>, rows: ClosedRange<Int>) {
        switch self {
        case .square(let s):
            return (Int((e.minX / s).rounded(.down))...Int((e.maxX / s).rounded(.down)),
                    Int((e.minY / s).rounded(.down))...Int((e.maxY / s).rounded(.down)))
        case .hexagon(let a):
            let h = 3.0.squareRoot() * a
            let c0 = Int(((e.minX - a) / (1.5 * a)).rounded(.down)), c1 = Int(((e.maxX + a) / (1.5 * a)).rounded(.up))
            let r0 = Int(((e.minY - h) / h).rounded(.down)), r1 = Int(((e.maxY + h) / h).rounded(.up))
            return (c0...c1, r0...r1)
        }
    }
}

/// A finite window of a tessellation: the cells that cover an extent, stored row-major so
/// per-cell values live in flat arrays.
public struct GridWindow: Sendable {
    public let tessellation: Tessellation
    public let cols: ClosedRange<Int>
    public let rows: ClosedRange<Int>

    public init(tessellation: Tessellation, covering extent: Envelope) {
        self.tessellation = tessellation
        (cols, rows) = tessellation.range(covering: extent)
    }

    public init(tessellation: Tessellation, cols: ClosedRange<Int>, rows: ClosedRange<Int>) {
        self.tessellation = tessellation; self.cols = cols; self.rows = rows
    }

    public var width: Int { cols.count }
    public var height: Int { rows.count }
    public var cellCount: Int { width * height }

    /// Flat index of a cell, or nil outside the window.
    @inline(__always)
    public func index(_ c: CellIndex) -> Int? {
        let x = c.col - cols.lowerBound, y = c.row - rows.lowerBound
        guard x >= 0, y >= 0, x < width, y < height else { return nil }
        return y * width + x
    }

    @inline(__always)
    public func cell(at index: Int) -> CellIndex {
        CellIndex(col: cols.lowerBound + index % width, row: rows.lowerBound + index / width)
    }

    /// Refuses windows bigger than `maxCells`, with the number and a hint.
    public func check(maxCells: Int) throws {
        guard cellCount <= maxCells else {
            throw GeoError(.invalidArgument,
                           "the grid would have \(cellCount.formatted()) cells (\(width) × \(height)), more than the limit of \(maxCells.formatted())",
                           hint: "use a larger cell, a study area, or raise the limit with {maxCells}")
        }
    }
}

extension Int {
    /// 1,234,567 (thousands separated, locale-independent).
    func formatted() -> String {
        let s = String(abs(self))
        var out = ""
        for (i, ch) in s.reversed().enumerated() { if i > 0 && i % 3 == 0 { out.append(",") }; out.append(ch) }
        return (self < 0 ? "-" : "") + String(out.reversed())
    }
}
