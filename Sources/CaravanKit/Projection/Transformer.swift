internal import CPROJ
import Foundation

/// Transforms coordinates between two CRSs, always taking and giving lon/lat (x = lon)
/// for geographic CRSs, whatever order the authority defines.
///
/// Safe to share between threads: each thread transforms with its own PROJ context and its own
/// operation for the pair (`PROJContext`), searched once per thread and pair, so making a
/// `Transformer` after the first for a pair costs next to nothing. Arrays are transformed in one
/// `proj_trans_generic` call.
///
/// ```swift
/// let t = try Transformer(from: .wgs84, to: CRS("EPSG:32642"))
/// let p = try t.transform(XY(69.2401, 41.2995))   // ≈ (519,900, 4,571,800)
/// ```
public final class Transformer: Sendable {
    public let source: CRS
    public let target: CRS
    /// True when source and target are the same CRS: transforms are no-ops.
    public let isIdentity: Bool
    private let pair: CRSPair

    public init(from source: CRS, to target: CRS) throws {
        self.source = source
        self.target = target
        isIdentity = source.isEquivalent(to: target)
        pair = CRSPair(source, target)
        // Search now, so a pair PROJ cannot transform fails here rather than at the first point.
        if !isIdentity { _ = try PROJContext.current().operation(pair) }
    }

    /// Transforms the coordinates in place with one PROJ call. Throws if any fails,
    /// naming the first failing point.
    public func transform(_ coords: inout [XY], direction: Direction = .forward) throws {
        guard !isIdentity, !coords.isEmpty else { return }
        let n = coords.count
        let context = try PROJContext.current()
        let pj = try context.operation(pair).pj
        proj_errno_reset(pj)
        coords.withUnsafeMutableBytes { raw in
            guard let base = raw.baseAddress?.assumingMemoryBound(to: Double.self) else { return }
            _ = proj_trans_generic(pj, direction == .forward ? PJ_FWD : PJ_INV,
                                   base, MemoryLayout<XY>.stride, n,
                                   base + 1, MemoryLayout<XY>.stride, n,
                                   nil, 0, 0, nil, 0, 0)
        }
        for i in 0..<n where !coords[i].x.isFinite || !coords[i].y.isFinite {
            let err = proj_errno(pj)
            let msg = err != 0 ? String(cString: proj_context_errno_string(context.handle, err)) : "coordinate outside the CRS's domain"
            throw GeoError(.projection, "cannot transform from \(source.identifier ?? source.name) to \(target.identifier ?? target.name): \(msg)",
                           library: .proj, code: Int(err), operation: "proj_trans_generic", vertex: i + 1)
        }
    }

    /// Transforms the coordinates in place, a slice per core, each slice on its thread's own
    /// PROJ context and operation (`PROJContext.current()`), with no copy of the coordinates.
    /// An error names the first failing point by its place in `coords` counted after
    /// `indexOffset` points (those of earlier batches).
    public func transformInParallel(_ coords: inout [XY], minimumSlice: Int = 50_000, indexOffset: Int = 0) throws {
        let n = coords.count
        guard !isIdentity, n > 0 else { return }
        let slices = min(processorCount, max(1, n / minimumSlice))
        if slices <= 1 {
            do { try transform(&coords) } catch var e as GeoError where indexOffset > 0 {
                e.vertex = e.vertex.map { $0 + indexOffset }
                throw e
            }
            return
        }
        var failures = [GeoError?](repeating: nil, count: slices)
        coords.withUnsafeMutableBufferPointer { buf in
            failures.withUnsafeMutableBufferPointer { f in
                nonisolated(unsafe) let base = buf.baseAddress!, out = f.baseAddress!
                DispatchQueue.concurrentPerform(iterations: slices) { k in
                    let a = n * k / slices
                    out[k] = failure(in: base + a, count: n * (k + 1) / slices - a, firstIndex: indexOffset + a)
                }
            }
        }
        if let e = failures.lazy.compactMap({ $0 }).first { throw e }
    }

    /// Transforms `count` points at `p` on the calling thread's context: nil, or the error for the
    /// first that failed (PROJ's message read on the same context that failed), numbered from `firstIndex`.
    private func failure(in p: UnsafeMutablePointer<XY>, count n: Int, firstIndex: Int) -> GeoError? {
        do {
            let context = try PROJContext.current()
            let pj = try context.operation(pair).pj
            proj_errno_reset(pj)
            let d = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Double.self)
            _ = proj_trans_generic(pj, PJ_FWD, d, MemoryLayout<XY>.stride, n, d + 1, MemoryLayout<XY>.stride, n, nil, 0, 0, nil, 0, 0)
            guard let i = (0..<n).first(where: { !p[$0].x.isFinite || !p[$0].y.isFinite }) else { return nil }
            let err = proj_errno(pj)
            let msg = err != 0 ? String(cString: proj_context_errno_string(context.handle, err)) : "coordinate outside the CRS's domain"
            return GeoError(.projection, "cannot transform point \(firstIndex + i + 1) from \(source.identifier ?? source.name) to \(target.identifier ?? target.name): \(msg)",
                            library: .proj, code: Int(err), operation: "proj_trans_generic", index: firstIndex + i)
        } catch {
            return error as? GeoError ?? GeoError(.projection, "\(error)", library: .proj)
        }
    }

    public enum Direction: Sendable { case forward, inverse }

    /// Transforms one point.
    public func transform(_ p: XY, direction: Direction = .forward) throws -> XY {
        var a = [p]
        try transform(&a, direction: direction)
        return a[0]
    }

    /// Transforms every coordinate of a geometry, one PROJ call per point sequence.
    public func transform(_ g: Geometry, direction: Direction = .forward) throws -> Geometry {
        if isIdentity { return g }
        func seq(_ c: [XY]) throws -> [XY] { var c = c; try transform(&c, direction: direction); return c }
        switch g {
        case .point(let p): return p.x.isNaN ? g : .point(try transform(p, direction: direction))
        case .lineString(let c): return .lineString(try seq(c))
        case .multiPoint(let c): return .multiPoint(try seq(c))
        case .polygon(let r): return .polygon(try r.map(seq))
        case .multiLineString(let l): return .multiLineString(try l.map(seq))
        case .multiPolygon(let p): return .multiPolygon(try p.map { try $0.map(seq) })
        case .collection(let gs): return .collection(try gs.map { try transform($0, direction: direction) })
        }
    }
}

/// The bounding box of an envelope's outline (21 points a side) after transformation.
func outlineExtent(_ e: Envelope, _ t: Transformer) throws -> Envelope {
    if t.isIdentity { return e }
    var pts: [XY] = []
    for i in 0...20 {
        let f = Double(i) / 20
        pts += [XY(e.minX + f * e.width, e.minY), XY(e.minX + f * e.width, e.maxY),
                XY(e.minX, e.minY + f * e.height), XY(e.maxX, e.minY + f * e.height)]
    }
    try t.transform(&pts)
    var out = Envelope.empty
    for p in pts { out.expand(p) }
    return out
}
