internal import CGEOS
import Foundation

/// An STRtree over envelopes (GEOSSTRtree_*), answering "which items may intersect this box".
///
/// Insert everything first: GEOS 3.11 builds the tree at the first query and refuses
/// inserts afterwards, so `insert` after a query throws. Not `Sendable`: one per thread.
///
/// ```swift
/// let index = try SpatialIndex()
/// for (i, g) in countries.enumerated() { try index.insert(g.envelope, item: i) }
/// let hits = try index.query(Envelope(minX: 68, minY: 40, maxX: 70, maxY: 42))
/// ```
public final class SpatialIndex {
    private let context: GEOSContext
    private let tree: OpaquePointer
    private var built = false
    public private(set) var count = 0

    public init(nodeCapacity: Int = 10) throws {
        context = try GEOSContext.current()
        context.reset()
        guard let t = GEOSSTRtree_create_r(context.handle, nodeCapacity) else { throw context.failure("GEOSSTRtree_create_r") }
        tree = t
    }

    deinit {
        GEOSSTRtree_destroy_r(context.handle, tree)
    }

    private func box(_ e: Envelope) throws -> OpaquePointer {
        context.reset()
        guard let b = GEOSGeom_createRectangle_r(context.handle, e.minX, e.minY, e.maxX, e.maxY) else {
            throw context.failure("GEOSGeom_createRectangle_r")
        }
        return b
    }

    /// Adds an item (any non-negative integer id) with its envelope.
    public func insert(_ envelope: Envelope, item: Int) throws {
        guard !built else { throw GeoError(.unsupported, "the spatial index was already queried; GEOS 3.11 cannot insert after the first query") }
        guard !envelope.isEmpty else { return }
        let b = try box(envelope)
        // GEOS >= 3.9 copies the envelope and keeps no reference to the geometry.
        GEOSSTRtree_insert_r(context.handle, tree, b, UnsafeMutableRawPointer(bitPattern: item + 1))
        GEOSGeom_destroy_r(context.handle, b)
        count += 1
    }

    /// Ids of the items whose envelopes intersect `envelope`, in no particular order.
    public func query(_ envelope: Envelope) throws -> [Int] {
        built = true
        final class Sink { var items: [Int] = [] }
        let sink = Sink()
        let q = try box(envelope)
        defer { GEOSGeom_destroy_r(context.handle, q) }
        withExtendedLifetime(sink) {
            GEOSSTRtree_query_r(context.handle, tree, q, { item, data in
                let s = Unmanaged<Sink>.fromOpaque(data!).takeUnretainedValue()
                s.items.append(Int(bitPattern: item) - 1)
            }, Unmanaged.passUnretained(sink).toOpaque())
        }
        return sink.items
    }
}

@available(*, unavailable, message: "a spatial index holds GEOS handles of the thread that made it")
extension SpatialIndex: Sendable {}
