import Foundation

/// RFC 7946 §3.1.9 for geometries reprojected to WGS84 lon/lat: a line or polygon that crosses
/// the antimeridian is cut into parts on either side of it (a grid cell over 180°E becomes a
/// MultiPolygon of two valid, counter-clockwise parts, not a ring spanning the globe the wrong
/// way), and a polygon around a pole is closed along the pole and cut at 180°.
///
/// Used by the writers when they reproject to lon/lat (FeatureEncoder, VectorWriter).
public enum Antimeridian {
    /// Whether consecutive positions jump more than 180° of longitude (a crossing, or parts of a
    /// multi-geometry on either side of 180°; `cut` tells them apart).
    public static func mayCross(_ s: ArraySlice<XY>) -> Bool {
        var i = s.startIndex
        while i + 1 < s.endIndex {
            if abs(s[i + 1].x - s[i].x) > 180 { return true }
            i += 1
        }
        return false
    }

    /// The geometry, in lon/lat, cut at ±180° where it crosses; the same value when it does not.
    public static func cut(_ g: Geometry) throws -> Geometry {
        switch g {
        case .point, .multiPoint: return g
        case .lineString(let c):
            guard mayCross(c[...]) else { return g }
            let parts = cutLine(c)
            return parts.count == 1 ? .lineString(parts[0]) : .multiLineString(parts)
        case .multiLineString(let ls):
            guard ls.contains(where: { mayCross($0[...]) }) else { return g }
            return .multiLineString(ls.flatMap { cutLine($0) })
        case .polygon(let rings):
            guard rings.contains(where: { mayCross($0[...]) }) else { return g }
            let parts = try cutPolygon(rings)
            return parts.count == 1 ? .polygon(parts[0]) : .multiPolygon(parts)
        case .multiPolygon(let polys):
            guard polys.contains(where: { $0.contains { mayCross($0[...]) } }) else { return g }
            var out: [[[XY]]] = []
            for p in polys { out += p.contains(where: { mayCross($0[...]) }) ? try cutPolygon(p) : [p] }
            return .multiPolygon(out)
        case .collection(let gs): return .collection(try gs.map(cut))
        }
    }

    /// Longitudes made continuous (each within 180° of the one before).
    static func unwrap(_ r: [XY]) -> [XY] {
        guard var prev = r.first?.x else { return r }
        var out = r
        for i in 1 ..< r.count {
            var x = r[i].x
            while x - prev > 180 { x -= 360 }
            while x - prev < -180 { x += 360 }
            out[i].x = x
            prev = x
        }
        return out
    }

    /// The "sheet" of an unwrapped longitude: 0 for [-180, 180), 1 for [180, 540)…
    static func sheet(_ x: Double) -> Int { Int(((x + 180) / 360).rounded(.down)) }

    static func cutLine(_ line: [XY]) -> [[XY]] {
        let u = unwrap(line)
        guard u.count > 1 else { return [line] }
        var parts: [[XY]] = []
        var current: [XY] = []
        var k = sheet(u[0].x)
        func shifted(_ p: XY, _ k: Int) -> XY { XY(p.x - 360 * Double(k), p.y) }
        current.append(shifted(u[0], k))
        for i in 1 ..< u.count {
            let a = u[i - 1], b = u[i]
            var kb = sheet(b.x)
            // A vertex exactly on 180° stays with the part it ends.
            if b.x == -180 + 360 * Double(kb), kb > k { kb = k }
            while kb != k {
                let boundary = kb > k ? 180 + 360 * Double(k) : -180 + 360 * Double(k)
                let t = (boundary - a.x) / (b.x - a.x)
                let y = a.y + t * (b.y - a.y)
                current.append(XY(boundary - 360 * Double(k), y))
                parts.append(current)
                k += kb > k ? 1 : -1
                current = [XY(boundary - 360 * Double(k), y)]
            }
            current.append(shifted(b, k))
        }
        parts.append(current)
        return parts.filter { $0.count > 1 }
    }

    static func cutPolygon(_ rings: [[XY]]) throws -> [[[XY]]] {
        guard var shell = rings.first.map(unwrap), shell.count >= 4 else { return rings.isEmpty ? [] : [rings] }
        // A shell that does not close once unwrapped goes around a pole: close it along the pole.
        let drift = shell[shell.count - 1].x - shell[0].x
        if abs(drift) > 180 {
            guard abs(abs(drift) - 360) < 1e-6 else {
                throw GeoError(.geometry, "a polygon winds \(Int((drift / 360).rounded())) times around a pole: lon/lat cannot hold it",
                               hint: "write it in a projected CRS (.gpkg keeps the analysis CRS)")
            }
            let meanLat = shell.reduce(0) { $0 + $1.y } / Double(shell.count)
            let pole = meanLat >= 0 ? 90.0 : -90.0
            let last = shell[shell.count - 1], first = shell[0]
            shell += [XY(last.x, pole), XY(first.x, pole), first]
        }
        let centre = shell.reduce(0) { $0 + $1.x } / Double(shell.count)
        var unwrapped = [shell]
        for hole in rings.dropFirst() {
            var h = unwrap(hole)
            guard !h.isEmpty else { continue }
            let c = h.reduce(0) { $0 + $1.x } / Double(h.count)
            let shift = ((centre - c) / 360).rounded() * 360
            if shift != 0 { for i in h.indices { h[i].x += shift } }
            unwrapped.append(h)
        }
        var plane = Geometry.polygon(unwrapped)
        // An invalid input polygon is repaired first (GEOS cannot intersect it as it is).
        if !((try? plane.isValid) ?? false) { plane = try plane.madeValid() }
        let env = plane.envelope
        var out: [[[XY]]] = []
        for k in sheet(env.minX) ... sheet(env.maxX) {
            let west = -180 + 360 * Double(k)
            let box = Geometry.polygon([[XY(west, -90), XY(west + 360, -90), XY(west + 360, 90), XY(west, 90), XY(west, -90)]])
            let part = try plane.intersection(box)
            let polys: [[[XY]]]
            switch part {
            case .polygon(let r): polys = [r]
            case .multiPolygon(let p): polys = p
            case .collection(let gs): polys = gs.flatMap { g -> [[[XY]]] in
                if case .polygon(let r) = g { return [r] }
                if case .multiPolygon(let p) = g { return p }
                return []
            }
            default: polys = []
            }
            for p in polys {
                // RFC 7946 winding: shells counter-clockwise, holes clockwise (GEOS gives the other way).
                out.append(p.enumerated().map { i, ring in
                    let r = ring.map { XY($0.x - 360 * Double(k), $0.y) }
                    return (signedArea(r) > 0) == (i == 0) ? r : r.reversed()
                })
            }
        }
        return out
    }

    /// Twice the signed area of a closed ring (positive: counter-clockwise).
    static func signedArea(_ r: [XY]) -> Double {
        var a = 0.0
        for i in 0 ..< max(0, r.count - 1) { a += r[i].x * r[i + 1].y - r[i + 1].x * r[i].y }
        return a
    }

    /// Rebuilds `g` with the positions of `flat` from `cursor` on (in `forEachSequence` order).
    public static func rebuild(_ g: Geometry, from flat: [XY], cursor: inout Int) -> Geometry {
        func take(_ n: Int) -> [XY] { defer { cursor += n }; return Array(flat[cursor ..< cursor + n]) }
        switch g {
        case .point(let p): return p.x.isNaN ? g : .point(take(1)[0])
        case .lineString(let c): return .lineString(take(c.count))
        case .multiPoint(let c): return .multiPoint(take(c.count))
        case .polygon(let rings): return .polygon(rings.map { take($0.count) })
        case .multiLineString(let ls): return .multiLineString(ls.map { take($0.count) })
        case .multiPolygon(let ps): return .multiPolygon(ps.map { $0.map { take($0.count) } })
        case .collection(let gs): return .collection(gs.map { rebuild($0, from: flat, cursor: &cursor) })
        }
    }
}
