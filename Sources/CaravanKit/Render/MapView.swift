import Foundation

/// The map's window: a CRS, the part of it shown (`world`, in CRS units) and where it lands on
/// the canvas (`frame`). One scale on both axes, so the picture is georeferenced by a world file.
struct MapView {
    let crs: CRS
    let world: Envelope
    let frame: Box
    /// Canvas units per CRS unit.
    let k: Double
    let toLonLat: Transformer
    let fromLonLat: Transformer

    init(crs: CRS, around wanted: Envelope, frame: Box) throws {
        self.crs = crs; self.frame = frame
        // Grow the wanted window to the frame's aspect ratio.
        let kx = frame.w / max(wanted.width, 1e-9), ky = frame.h / max(wanted.height, 1e-9)
        k = min(kx, ky)
        let w = frame.w / k, h = frame.h / k, c = wanted.center
        world = Envelope(minX: c.x - w / 2, minY: c.y - h / 2, maxX: c.x + w / 2, maxY: c.y + h / 2)
        toLonLat = try TransformerCache.shared.get(from: crs, to: .wgs84)
        fromLonLat = try TransformerCache.shared.get(from: .wgs84, to: crs)
    }

    @inline(__always) func x(_ X: Double) -> Double { frame.x + (X - world.minX) * k }
    @inline(__always) func y(_ Y: Double) -> Double { frame.y + (world.maxY - Y) * k }
    @inline(__always) func canvas(_ p: XY) -> (Double, Double) { (x(p.x), y(p.y)) }

    /// The world coordinate of a canvas point.
    func world(_ cx: Double, _ cy: Double) -> XY { XY(world.minX + (cx - frame.x) / k, world.maxY - (cy - frame.y) / k) }

    /// The transformer from `crs` into the map's CRS (nil when they are the same).
    mutating func transformer(from source: CRS) throws -> Transformer? {
        let t = try TransformerCache.shared.get(from: source, to: crs)
        return t.isIdentity ? nil : t
    }

    /// Map units (metres) per metre on the ground at `p`, east-west (the scale bar's factor).
    func groundMetresPerUnit(at p: XY) -> Double? {
        let d = world.width / 50
        guard let a = try? toLonLat.transform(XY(p.x - d / 2, p.y)), let b = try? toLonLat.transform(XY(p.x + d / 2, p.y)) else { return nil }
        let ground = Geodesic.distance(LonLat(a), LonLat(b))
        return ground / d
    }

    /// The direction of north at canvas point (radians from canvas up, clockwise positive).
    func northAngle(at cx: Double, _ cy: Double) -> Double {
        let p = world(cx, cy)
        guard let ll = try? toLonLat.transform(p), let q = try? fromLonLat.transform(XY(ll.x, min(89.9, ll.y + 0.5))) else { return 0 }
        let dx = x(q.x) - cx, dy = y(q.y) - cy
        return atan2(dx, -dy)
    }

    /// The lon/lat box of the window (its outline sampled).
    func lonLatEnvelope() -> Envelope {
        var pts: [XY] = []
        for i in 0...20 {
            let f = Double(i) / 20
            pts += [XY(world.minX + f * world.width, world.minY), XY(world.minX + f * world.width, world.maxY),
                    XY(world.minX, world.minY + f * world.height), XY(world.maxX, world.minY + f * world.height)]
        }
        var e = Envelope.empty
        for p in pts { if let q = try? toLonLat.transform(p) { e.expand(q) } }
        return e
    }
}

/// Transformers by source and target: each opens PROJ's database, which costs more than
/// drawing a map's base layer, so one map makes each only once. Per thread (a Transformer
/// belongs to the thread that uses it).
final class TransformerCache: @unchecked Sendable {
    nonisolated(unsafe) static let shared = TransformerCache()
    private var cache: [String: Transformer] = [:]
    private let lock = NSLock()
    func get(from s: CRS, to t: CRS) throws -> Transformer {
        lock.lock(); defer { lock.unlock() }
        let key = "\(pthread_self())\u{0}" + s.wkt + "\u{0}" + t.wkt
        if let x = cache[key] { return x }
        let x = try Transformer(from: s, to: t)
        if cache.count > 16 { cache.removeAll() }
        cache[key] = x
        return x
    }
}

/// The regional CRS a map is drawn in when no layer is projected: Albers equal-area for
/// Central Asia (standard parallels 33.7°N and 52.3°N, centred on 67°E).
/// (Should PROJ's database be missing, WGS 84; the first transformation then says why.)
let regionalMapCRS: CRS = (try? CRS("+proj=aea +lat_0=43 +lon_0=67 +lat_1=33.7 +lat_2=52.3 +datum=WGS84 +units=m +type=crs",
                                    name: "Albers equal-area, Central Asia (33.7°N, 52.3°N, 67°E)")) ?? .wgs84
