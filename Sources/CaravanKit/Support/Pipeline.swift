import Foundation

/// A bounded, blocking queue between one producer (the thread reading GDAL) and worker threads.
/// Bounded so a fast reader never holds more than `capacity` batches in memory.
final class WorkQueue<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks while full. Drops the item if the queue was closed.
    func push(_ item: T) {
        condition.lock()
        while items.count >= capacity && !closed { condition.wait() }
        if !closed { items.append(item) }
        condition.broadcast()
        condition.unlock()
    }

    /// Blocks until an item is available; nil once closed and drained.
    func pop() -> T? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// No more items will come; workers finish what is queued.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}

/// The workers' partial results, by batch number, until the calling thread merges them in order.
private final class PartialResults<Partial: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var ready: [Int: Partial] = [:]
    private var error: Error?

    var failed: Bool { lock.withLock { error != nil } }
    var firstError: Error? { lock.withLock { error } }

    func deposit(_ partial: Partial, for batch: Int) { lock.withLock { ready[batch] = partial } }
    func fail(_ e: Error) { lock.withLock { if error == nil { error = e } } }
    /// Removes and returns the partial result of `batch` if it is ready.
    func take(_ batch: Int) -> Partial? { lock.withLock { ready.removeValue(forKey: batch) } }
}

/// Runs `workers` threads beside the calling thread, which produces the batches (and keeps its
/// GDAL handles to itself).
///
/// - `make` builds a worker's state once, on the worker's own thread: its transformers, prepared
///   geometries and scratch arrays (which need not be `Sendable`: they never leave the thread).
/// - `consume` turns one batch into a partial result with that state.
/// - `merge` receives the partial results on the calling thread, one at a time, **in the order
///   the batches were produced** — never in the order workers finish — so a floating-point sum
///   comes out bit-identical whatever the number of workers and however the batches fell.
///
/// The caller's current `WarningLog` is installed on every worker thread. The first error of any
/// side stops everything and is rethrown.
func runPipeline<Batch: Sendable, State, Partial: Sendable>(
    workers: Int,
    queueCapacity: Int = 4,
    make: @escaping @Sendable () throws -> State,
    consume: @escaping @Sendable (inout State, Batch) throws -> Partial,
    merge: (Partial) throws -> Void,
    produce: (_ emit: (Batch) throws -> Void) throws -> Void
) throws {
    let queue = WorkQueue<(Int, Batch)>(capacity: queueCapacity)
    let results = PartialResults<Partial>()
    let group = DispatchGroup()
    let log = WarningLog.current
    for _ in 0..<max(1, workers) {
        group.enter()
        let t = Thread {
            defer { group.leave() }
            let scope = log?.begin()
            defer { scope?.end() }
            do {
                var state = try make()
                while let (n, batch) = queue.pop().map({ ($0.0, $0.1) }) {
                    if results.failed { continue }
                    results.deposit(try consume(&state, batch), for: n)
                }
            } catch {
                results.fail(error)
                queue.close()
            }
        }
        t.stackSize = 8 << 20
        t.start()
    }
    // `merge` runs on this thread only, between emits and at the end (never re-entered).
    try withoutActuallyEscaping(merge) { merge in
        var produced = 0, merged = 0
        func mergeReady() throws {
            while merged < produced, let p = results.take(merged) {
                try merge(p)
                merged += 1
            }
        }
        var failure: Error?
        do {
            try produce { batch in
                if results.failed { throw CancellationError() }
                queue.push((produced, batch))
                produced += 1
                try mergeReady()
            }
        } catch { failure = error }
        queue.close()
        group.wait()
        if let e = results.firstError { throw e }
        if let failure { throw failure }
        try mergeReady()
        if merged != produced {
            throw GeoError(.unsupported, "\(produced - merged) of \(produced) batches were not processed", operation: "runPipeline")
        }
    }
}

/// The number of worker threads to use: every core.
var processorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
