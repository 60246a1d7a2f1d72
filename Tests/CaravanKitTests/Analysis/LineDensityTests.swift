import Foundation
import Testing
@testable import CaravanKit

/// Route density against GEOS (the reference) on hand-made and random inputs.
@Suite("Line density")
struct LineDensityTests {
    static let utm = try! CRS("EPSG:32642")
    static let s = 1000.0

    /// Writes lines (UTM 42N metres) to a GeoPackage with an optional weight field and runs lineDensity.
    static func density(_ lines: [Geometry], weights: [Double]? = nil, tessellation: Tessellation = .square(size: s),
                        method: LineDensityMethod = .length, workers: Int = 2) throws -> DensityGrid {
        let dir = TempDir()
        let w = try VectorWriter(path: dir.file("l.gpkg"), geometryType: .unknown, crs: utm, fields: [FieldDefinition("w", .real)])
        for (i, g) in lines.enumerated() { try w.write(geometry: g, values: [weights.map { .real($0[i]) } ?? .null]) }
        try w.commit()
        var o = LineDensityOptions(tessellation: tessellation)
        o.crs = utm
        o.method = method
        o.workers = workers
        if weights != nil { o.weightField = "w" }
        return try lineDensity(Dataset.open(dir.file("l.gpkg")).layer(named: nil), options: o)
    }

    /// The GEOS reference for half-open square cells: |line ∩ closed cell| minus the part lying
    /// on the cell's right and top edges, which belongs to the neighbours.
    static func reference(_ lines: [Geometry], cell c: CellIndex, size: Double) throws -> Double {
        let x0 = Double(c.col) * size, y0 = Double(c.row) * size
        let cellPoly = square(x0, y0, size)
        let rightTop = Geometry.lineString([XY(x0 + size, y0), XY(x0 + size, y0 + size), XY(x0, y0 + size)])
        // Segment by segment: GEOS overlay dissolves a line's overlaps with itself, while a route
        // that passes twice counts twice.
        var total = 0.0
        for l in lines {
            for part in l.linework where part.count > 1 {
                for k in 1..<part.count {
                    let seg = Geometry.lineString([part[k - 1], part[k]])
                    total += try seg.intersection(cellPoly).planarLength
                    total -= try seg.intersection(rightTop).planarLength
                }
            }
        }
        return total
    }

    static func compareWithGEOS(_ lines: [Geometry], file: String = #fileID, line: Int = #line) throws {
        let grid = try density(lines)
        let total = lines.reduce(0) { $0 + $1.planarLength }
        var sum = 0.0
        for i in 0..<grid.window.cellCount {
            let c = grid.window.cell(at: i)
            let expected = try reference(lines, cell: c, size: s)
            #expect(abs(grid.length[i] - expected) <= 1e-9 * max(total, 1), "cell \(c): \(grid.length[i]) vs GEOS \(expected)")
            sum += grid.length[i]
        }
        #expect(abs(sum - total) <= 1e-9 * total)
    }

    // Coordinates around (500 km, 4,500 km) of UTM 42N; cells are 1 km, so grid lines are at whole km.
    static let x = 500_000.0, y = 4_500_000.0

    @Test("a line along a cell edge belongs to the cell above it (half-open cells), as GEOS measures")
    func alongEdge() throws {
        try Self.compareWithGEOS([.lineString([XY(Self.x + 200, Self.y), XY(Self.x + 2700, Self.y)])])
        let g = try Self.density([.lineString([XY(Self.x + 200, Self.y), XY(Self.x + 700, Self.y)])])
        let above = g.window.index(CellIndex(col: 500, row: 4500))!
        #expect(abs(g.length[above] - 500) < 1e-9)
    }

    @Test("a line through a cell corner, a vertex exactly on a grid line, a line inside one cell")
    func specialCases() throws {
        try Self.compareWithGEOS([.lineString([XY(Self.x - 500, Self.y - 500), XY(Self.x + 1500, Self.y + 1500)])])
        try Self.compareWithGEOS([.lineString([XY(Self.x + 300, Self.y + 300), XY(Self.x + 1000, Self.y + 600), XY(Self.x + 1800, Self.y + 900)])])
        try Self.compareWithGEOS([.lineString([XY(Self.x + 100, Self.y + 100), XY(Self.x + 900, Self.y + 800)])])
        // Leaving a grid line in the negative direction.
        try Self.compareWithGEOS([.lineString([XY(Self.x + 2000, Self.y + 2000), XY(Self.x + 300, Self.y + 1400)])])
    }

    @Test("a zero-length segment adds nothing; a multi-line adds its parts")
    func zeroAndMulti() throws {
        let zero = Geometry.lineString([XY(Self.x + 100, Self.y + 100), XY(Self.x + 100, Self.y + 100), XY(Self.x + 2500, Self.y + 100)])
        try Self.compareWithGEOS([zero])
        let multi = Geometry.multiLineString([[XY(Self.x, Self.y + 10), XY(Self.x + 3000, Self.y + 2010)], [XY(Self.x + 50, Self.y + 2999), XY(Self.x + 2999, Self.y + 50)]])
        try Self.compareWithGEOS([multi])
        #expect(try Self.density([multi]).routes.max() == 1)
    }

    @Test("random polylines: every cell equals GEOS, the total equals the input length (30 seeded cases)")
    func random() throws {
        var rng = SeededRNG(seed: 2024)
        for _ in 0..<30 {
            var lines: [Geometry] = []
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                var p = XY(Self.x + Double.random(in: 0...5000, using: &rng), Self.y + Double.random(in: 0...5000, using: &rng))
                var pts = [p]
                for _ in 0..<Int.random(in: 1...12, using: &rng) {
                    // Some steps land exactly on grid lines.
                    p = Bool.random(using: &rng)
                        ? XY(p.x + Double.random(in: -1500...1500, using: &rng), p.y + Double.random(in: -1500...1500, using: &rng))
                        : XY((p.x / 1000).rounded() * 1000, p.y + Double.random(in: -900...900, using: &rng))
                    pts.append(p)
                }
                lines.append(.lineString(pts))
            }
            try Self.compareWithGEOS(lines)
        }
    }

    @Test("routes counts distinct features; weights multiply lengths; one or two workers agree")
    func routesAndWeights() throws {
        let a = Geometry.lineString([XY(Self.x + 100, Self.y + 100), XY(Self.x + 900, Self.y + 100), XY(Self.x + 900, Self.y + 900)])
        let b = Geometry.lineString([XY(Self.x + 500, Self.y + 50), XY(Self.x + 500, Self.y + 1500)])
        let g = try Self.density([a, b], weights: [2, 0.5])
        let i = g.window.index(CellIndex(col: 500, row: 4500))!
        #expect(g.routes[i] == 2)
        #expect(abs(g.length[i] - (1600 + 950)) < 1e-9)
        #expect(abs(g.weighted[i] - (1600 * 2 + 950 * 0.5)) < 1e-9)
        #expect(abs(g.density(i) - (1600 * 2 + 950 * 0.5) / 1e6 * 1000) < 1e-12)  // km per km²
        let one = try Self.density([a, b], weights: [2, 0.5], workers: 1)
        #expect(one.length == g.length && one.routes == g.routes)
    }

    @Test("hexagons: per-cell lengths equal GEOS intersections with each hexagon (20 random cases)")
    func hexagons() throws {
        var rng = SeededRNG(seed: 5)
        let t = Tessellation.hexagon(side: 700)
        for _ in 0..<20 {
            let pts = (0..<6).map { _ in XY(Self.x + Double.random(in: 0...4000, using: &rng), Self.y + Double.random(in: 0...4000, using: &rng)) }
            let line = Geometry.lineString(pts)
            let g = try Self.density([line], tessellation: t)
            for i in 0..<g.window.cellCount {
                let hex = Geometry.polygon([t.ring(g.window.cell(at: i))])
                let expected = try line.intersection(hex).planarLength
                #expect(abs(g.length[i] - expected) <= 1e-7 * line.planarLength)
            }
            #expect(abs(g.totalLength - line.planarLength) <= 1e-9 * line.planarLength)
        }
    }

    @Test("a hexagon's cell(containing:) is the one with the nearest centre (2,000 random points)")
    func hexIndexing() {
        var rng = SeededRNG(seed: 9)
        let t = Tessellation.hexagon(side: 1000)
        for _ in 0..<2000 {
            let p = XY(Double.random(in: -1e5...1e5, using: &rng), Double.random(in: -1e5...1e5, using: &rng))
            let c = t.cell(containing: p)
            let d = hypot(t.center(c).x - p.x, t.center(c).y - p.y)
            for dc in -1...1 { for dr in -1...1 {
                let n = CellIndex(col: c.col + dc, row: c.row + dr)
                #expect(hypot(t.center(n).x - p.x, t.center(n).y - p.y) >= d - 1e-9)
            } }
        }
        #expect(abs(Tessellation.hexagon(area: 500e6).cellArea - 500e6) < 1e-3)
    }

    @Test("kernel density by hand: a line through a cell centre gives 2r/(πr²); one at distance d gives 2√(r²−d²)/(πr²)")
    func kernel() throws {
        let r = 2000.0
        // Horizontal line through the centre of cell (500, 4500): y = 4,500,500.
        let g = try Self.density([.lineString([XY(Self.x - 10_000, Self.y + 500), XY(Self.x + 10_000, Self.y + 500)])], method: .kernel(radius: r))
        let centre = g.window.index(CellIndex(col: 500, row: 4500))!
        #expect(abs(g.length[centre] - 2 * r) < 1e-6)
        #expect(abs(g.density(centre) - 2 * r / (Double.pi * r * r) * 1000) < 1e-9)
        // The cell above: its centre is 1,000 m from the line.
        let above = g.window.index(CellIndex(col: 500, row: 4501))!
        #expect(abs(g.length[above] - 2 * (r * r - 1000 * 1000).squareRoot()) < 1e-6)
        // Two rows above (2,000 m = r): tangent, nothing.
        #expect(g.length[g.window.index(CellIndex(col: 500, row: 4502))!] < 1e-6)
    }
}
