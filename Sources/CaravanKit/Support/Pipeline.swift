import Foundation

/// A bounded, blocking queue between one producer (the thread reading GDAL) and worker threads.
/// Bounded so a fast reader never holds more than `capacity` batches in memory.
final class WorkQueue<T: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [T] = []
    private var closed = false
    private let capacity: Int

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks while full. Returns false if the queue was closed.
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

/// What the workers of `runPipeline` hand back, under a lock.
final class PipelineResults<State>: @unchecked Sendable {
    let lock = NSLock()
    var states: [State] = []
    var error: Error?
    var failed: Bool { lock.lock(); defer { lock.unlock() }; return error != nil }
}

/// Runs `workers` threads that each build their own state with `make`, consume batches with
/// `consume`, and return their state; the caller produces batches on its own thread (where its
/// GDAL handles live). The first error of any side stops everything and is rethrown.
func runPipeline<Batch: Sendable, State: Sendable>(
    workers: Int,
    queueCapacity: Int = 4,
    make: @escaping @Sendable () throws -> State,
    consume: @escaping @Sendable (inout State, Batch) throws -> Void,
    produce: (_ emit: (Batch) throws -> Void) throws -> Void
) throws -> [State] {
    let queue = WorkQueue<Batch>(capacity: queueCapacity)
    let results = PipelineResults<State>()
    let group = DispatchGroup()
    for _ in 0..<max(1, workers) {
        group.enter()
        let t = Thread {
            defer { group.leave() }
            do {
                var state = try make()
                while let batch = queue.pop() {
                    if results.failed { continue }
                    try consume(&state, batch)
                }
                results.lock.lock(); results.states.append(state); results.lock.unlock()
            } catch {
                results.lock.lock(); if results.error == nil { results.error = error }; results.lock.unlock()
                queue.close()
            }
        }
        t.stackSize = 8 << 20
        t.start()
    }
    var produceError: Error?
    do {
        try produce { batch in
            if results.failed { throw CancellationError() }
            queue.push(batch)
        }
    } catch { produceError = error }
    queue.close()
    group.wait()
    if let e = results.error { throw e }
    if let e = produceError { throw e }
    return results.states
}

/// The number of worker threads to use: every core.
var processorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }
