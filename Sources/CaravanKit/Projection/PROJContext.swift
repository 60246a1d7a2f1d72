internal import CPROJ
import Foundation

/// One PROJ context per thread (`ThreadLocal`), holding the thread's transformations by CRS pair.
///
/// A PROJ context opens PROJ's database (proj.db) and `proj_create_crs_to_crs` searches it for an
/// operation — tens of milliseconds each. Caravan used to pay both for every `CRS(...)`,
/// `isEquivalent` and `Transformer`; now a thread makes its context once and searches a pair
/// once, and CRS values and equivalences are remembered process-wide (`CRS.cache`).
/// PROJ objects never leave the thread whose context made them.
final class PROJContext {
    let handle: OpaquePointer
    /// The thread's normalised (lon/lat order) operations, by pair number (`CRSPair.id`).
    private var operations: [Int: PROJOperation] = [:]

    private init() throws {
        guard let h = proj_context_create() else {
            throw GeoError(.projection, "cannot create a PROJ context", library: .proj, operation: "proj_context_create")
        }
        proj_log_level(h, PJ_LOG_NONE)
        handle = h
    }

    deinit {
        operations.removeAll()   // every PJ of this context before the context itself
        proj_context_destroy(handle)
    }

    private static let perThread = ThreadLocal<PROJContext>()

    /// The calling thread's context, made on the thread's first use.
    static func current() throws -> PROJContext { try perThread.get { try PROJContext() } }

    /// The message of PROJ's last error on this context.
    var lastErrorMessage: String {
        let no = proj_context_errno(handle)
        return no == 0 ? "unknown error" : String(cString: proj_context_errno_string(handle, no))
    }

    /// The thread's operation from `pair.source` to `pair.target`, searched once per thread.
    func operation(_ pair: CRSPair) throws -> PROJOperation {
        if let op = operations[pair.id] { return op }
        let (source, target) = (pair.source, pair.target)
        guard let raw = proj_create_crs_to_crs(handle, source.wkt, target.wkt, nil) else {
            throw GeoError(.projection, "no transformation from \(source) to \(target): \(lastErrorMessage)", library: .proj,
                           code: Int(proj_context_errno(handle)), operation: "proj_create_crs_to_crs")
        }
        let normalized = proj_normalize_for_visualization(handle, raw)
        proj_destroy(raw)
        guard let normalized else {
            throw GeoError(.projection, "cannot normalise axis order from \(source) to \(target)", library: .proj,
                           operation: "proj_normalize_for_visualization")
        }
        let op = PROJOperation(normalized)
        operations[pair.id] = op
        return op
    }
}

/// A PROJ object owned by one thread's `PROJContext` (destroyed before the context).
final class PROJOperation {
    let pj: OpaquePointer
    init(_ pj: OpaquePointer) { self.pj = pj }
    deinit { proj_destroy(pj) }
}

@available(*, unavailable, message: "PROJ objects belong to the thread that made them")
extension PROJOperation: Sendable {}

@available(*, unavailable, message: "a PROJ context belongs to its thread")
extension PROJContext: Sendable {}

/// A source and target CRS, numbered once per process so threads find their operation for the
/// pair by a small integer rather than by hashing two WKTs on every call.
struct CRSPair: Sendable {
    let source: CRS
    let target: CRS
    let id: Int

    private struct Key: Hashable { let source: String; let target: String }
    private static let numbers = Locked<[Key: Int]>([:])

    init(_ source: CRS, _ target: CRS) {
        self.source = source
        self.target = target
        let key = Key(source: source.wkt, target: target.wkt)
        id = CRSPair.numbers.withLock { n in
            if let i = n[key] { return i }
            let i = n.count
            n[key] = i
            return i
        }
    }
}
