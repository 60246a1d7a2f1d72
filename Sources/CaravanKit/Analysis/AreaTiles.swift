internal import CGEOS
import Foundation

/// A study area cut once into a uniform grid of tiles of a few thousand vertices each, so that
/// clipping a route line or a grid cell to it touches only the small tiles near it, never the
/// whole area (a 1 M-vertex area was re-encoded for GEOS per route line and per boundary cell).
///
/// The area is encoded for GEOS once; each level of a quadtree splits every piece into four by
/// intersecting it with the quadrant rectangles, so the cost is about depth × the area's size.
/// Tiles entirely inside the area are marked `full` (no geometry operation needed), tiles
/// outside it are absent.
struct AreaTiles: Sendable {
    enum Tile: Sendable {
        case empty
        /// The whole tile rectangle lies inside the area.
        case full
        /// The part of the area inside the tile rectangle.
        case partial(Geometry)
    }
    let area: Geometry
    let envelope: Envelope
    /// Tiles per side (a power of two).
    let side: Int
    let tiles: [Tile]
    let tileWidth: Double, tileHeight: Double

    /// Splits `area` into tiles so that each holds about `verticesPerTile` vertices (at most
    /// 64 × 64 tiles).
    init(_ area: Geometry, verticesPerTile: Int = 2_000) throws {
        self.area = area
        let e = area.envelope
        envelope = e
        let vertices = area.vertexCount
        var depth = 0
        while depth < 6 && vertices > verticesPerTile * (1 << (2 * depth)) { depth += 1 }
        let side = 1 << depth
        self.side = side
        tileWidth = max(e.width, 1e-9) / Double(side)
        tileHeight = max(e.height, 1e-9) / Double(side)
        var tiles = [Tile](repeating: .empty, count: side * side)
        let c = try GEOSContext.current()
        let root = try c.make(area)
        defer { c.destroy(root) }
        let (tw, th) = (tileWidth, tileHeight)
        // Recursively: the piece of the area inside the square of tiles [col0, col0+n) × [row0, row0+n).
        func split(_ piece: OpaquePointer, col0: Int, row0: Int, n: Int) throws {
            if n == 1 {
                let g = try c.value(piece)
                if g.isEmpty { return }
                let rect = Envelope(minX: e.minX + Double(col0) * tw, minY: e.minY + Double(row0) * th,
                                    maxX: e.minX + Double(col0 + 1) * tw, maxY: e.minY + Double(row0 + 1) * th)
                var a = 0.0
                guard GEOSArea_r(c.handle, piece, &a) == 1 else { throw c.failure("GEOSArea_r") }
                tiles[row0 * side + col0] = a >= rect.width * rect.height * (1 - 1e-12) ? .full : a > 0 ? .partial(g) : .empty
                return
            }
            let h = n / 2
            for (dc, dr) in [(0, 0), (h, 0), (0, h), (h, h)] {
                let r = Envelope(minX: e.minX + Double(col0 + dc) * tw, minY: e.minY + Double(row0 + dr) * th,
                                 maxX: e.minX + Double(col0 + dc + h) * tw, maxY: e.minY + Double(row0 + dr + h) * th)
                let rectangle = try c.make(.polygon([r.ring]))
                defer { c.destroy(rectangle) }
                c.reset()
                guard let child = GEOSIntersection_r(c.handle, piece, rectangle) else { throw c.failure("GEOSIntersection_r") }
                defer { c.destroy(child) }
                if GEOSisEmpty_r(c.handle, child) == 1 { continue }
                try split(child, col0: col0 + dc, row0: row0 + dr, n: h)
            }
        }
        if side == 1 {
            tiles[0] = .partial(area)
        } else {
            try split(root, col0: 0, row0: 0, n: side)
        }
        self.tiles = tiles
    }

    /// The rectangle of tile (col, row).
    func rect(_ col: Int, _ row: Int) -> Envelope {
        Envelope(minX: envelope.minX + Double(col) * tileWidth, minY: envelope.minY + Double(row) * tileHeight,
                 maxX: envelope.minX + Double(col + 1) * tileWidth, maxY: envelope.minY + Double(row + 1) * tileHeight)
    }

    /// The tiles an envelope meets, as (col, row).
    func tiles(meeting box: Envelope) -> [(Int, Int)] {
        guard box.intersects(envelope) else { return [] }
        func clamp(_ v: Double) -> Int { v < 0 ? 0 : v >= Double(side - 1) ? side - 1 : Int(v) }
        let c0 = clamp((box.minX - envelope.minX) / tileWidth), c1 = clamp((box.maxX - envelope.minX) / tileWidth)
        let r0 = clamp((box.minY - envelope.minY) / tileHeight), r1 = clamp((box.maxY - envelope.minY) / tileHeight)
        var out: [(Int, Int)] = []
        for r in r0...r1 { for c in c0...c1 { out.append((c, r)) } }
        return out
    }

    /// The parts of `g` inside the area, tile by tile (pieces split at tile edges): `nil` when
    /// `g` lies wholly inside the area (keep it as it is). `prepared` caches the partial tiles
    /// prepared for GEOS on the calling thread.
    func clip(_ g: Geometry, prepared: PreparedTiles? = nil) throws -> [Geometry]? {
        let box = g.envelope
        let touched = tiles(meeting: box)
        if touched.isEmpty { return [] }
        if touched.count == 1, let prepared, case .partial = tiles[touched[0].1 * side + touched[0].0] {
            let p = try prepared.tile(touched[0].1 * side + touched[0].0)
            if try p.contains(g) { return nil }
            if !(try p.intersects(g)) { return [] }
        }
        var allFull = true
        for (c, r) in touched { if case .full = tiles[r * side + c] {} else { allFull = false; break } }
        if allFull && envelope.contains(box) { return nil }
        var out: [Geometry] = []
        for (c, r) in touched {
            switch tiles[r * side + c] {
            case .empty: continue
            case .full:
                let rect = self.rect(c, r)
                if rect.contains(box) { return nil }
                let piece = try g.intersection(.polygon([rect.ring]))
                if !piece.isEmpty { out.append(piece) }
            case .partial(let t):
                guard t.envelope.intersects(box) else { continue }
                let piece = try g.intersection(t)
                if !piece.isEmpty { out.append(piece) }
            }
        }
        return out
    }

    /// The area of the polygon `cell` inside the study area.
    func areaInside(_ cell: Geometry, prepared: PreparedTiles? = nil) throws -> Double {
        guard let pieces = try clip(cell, prepared: prepared) else { return try cell.area }
        var a = 0.0
        for p in pieces { a += try p.area }
        return a
    }

    /// The polygon `cell` cut to the study area (one geometry, pieces from several tiles unioned).
    func cut(_ cell: Geometry, prepared: PreparedTiles? = nil) throws -> Geometry {
        guard let pieces = try clip(cell, prepared: prepared) else { return cell }
        let polys = pieces.flatMap(\.polygons)
        if polys.count == 1 { return .polygon(polys[0]) }
        return try Geometry.multiPolygon(polys).unaryUnion()
    }
}

/// The partial tiles of an `AreaTiles`, prepared for GEOS when first needed, on one thread.
final class PreparedTiles {
    let tiles: AreaTiles
    private var cache: [Int: PreparedGeometry] = [:]
    init(_ tiles: AreaTiles) { self.tiles = tiles }
    func tile(_ i: Int) throws -> PreparedGeometry {
        if let p = cache[i] { return p }
        guard case .partial(let g) = tiles.tiles[i] else { throw GeoError(.geometry, "tile \(i) of the study area is not partial") }
        let p = try PreparedGeometry(g)
        cache[i] = p
        return p
    }
}

extension Geometry {
    /// The polygons of a polygon, multipolygon or collection (other parts dropped).
    var polygons: [[[XY]]] {
        switch self {
        case .polygon(let r): return [r]
        case .multiPolygon(let p): return p
        case .collection(let g): return g.flatMap(\.polygons)
        default: return []
        }
    }
}

extension Envelope {
    /// Whether `o` lies inside (boundaries included).
    func contains(_ o: Envelope) -> Bool { o.minX >= minX && o.maxX <= maxX && o.minY >= minY && o.maxY <= maxY }
    /// The closed ring of the rectangle, counter-clockwise.
    var ring: [XY] { [XY(minX, minY), XY(maxX, minY), XY(maxX, maxY), XY(minX, maxY), XY(minX, minY)] }
}
