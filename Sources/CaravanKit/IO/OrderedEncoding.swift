import Foundation

/// Encodes chunks of features on worker threads and writes the bytes to one file in the order
/// the chunks were submitted: the output is byte-identical whatever the number of workers.
///
/// Each worker builds its own `FeatureEncoder` (and PROJ transformer) once. The caller's thread
/// submits chunks and writes finished ones; at most `2 × workers + 2` chunks are in flight, so
/// memory stays bounded on a fast producer. The first error anywhere stops the work and is
/// rethrown by the next `submit` or by `finish`.
final class OrderedEncoder: @unchecked Sendable {
    typealias Job = @Sendable (FeatureEncoder, inout [UInt8]) throws -> Void

    private let spec: EncoderSpec
    private let file: OutputFile
    private let workers: Int
    private let condition = NSCondition()
    private var queue: [(Int, Job?)] = []
    private var queueHead = 0
    private var results: [Int: [UInt8]] = [:]
    private var failure: Error?
    private var closed = false
    private var submitted = 0
    private var written = 0
    private var running = 0
    private var inline: FeatureEncoder?
    private var inlineBuffer: [UInt8] = []

    init(spec: EncoderSpec, file: OutputFile, workers: Int) {
        self.spec = spec
        self.file = file
        self.workers = max(1, workers)
    }

    /// Queues a chunk (or encodes it here when there is one worker).
    func submit(_ job: @escaping Job) throws {
        if workers == 1 {
            if inline == nil { inline = try FeatureEncoder(spec) }
            inlineBuffer.removeAll(keepingCapacity: true)
            try job(inline!, &inlineBuffer)
            try file.write(inlineBuffer)
            return
        }
        if running == 0 { startWorkers() }
        condition.lock()
        if let failure { condition.unlock(); throw failure }
        queue.append((submitted, job))
        submitted += 1
        condition.broadcast()
        condition.unlock()
        try drain(all: false)
    }

    /// Waits for every chunk, writes it, and stops the workers.
    func finish() throws {
        defer { stop() }
        try drain(all: true)
    }

    /// Stops the workers without writing what is left (after an error).
    func stop() {
        condition.lock()
        closed = true
        condition.broadcast()
        while running > 0 { condition.wait() }
        condition.unlock()
    }

    private func drain(all: Bool) throws {
        condition.lock()
        while true {
            if let failure { condition.unlock(); throw failure }
            if let bytes = results.removeValue(forKey: written) {
                written += 1
                condition.unlock()
                do { try file.write(bytes) } catch {
                    condition.lock(); if failure == nil { failure = error }; condition.broadcast(); condition.unlock()
                    throw error
                }
                condition.lock()
                continue
            }
            let inFlight = submitted - written
            if inFlight == 0 || (!all && inFlight < 2 * workers + 2) { break }
            condition.wait()
        }
        condition.unlock()
    }

    private func startWorkers() {
        running = workers
        for _ in 0..<workers {
            let t = Thread { [self] in work() }
            t.stackSize = 8 << 20
            t.start()
        }
    }

    private func work() {
        var encoder: FeatureEncoder?
        var buffer: [UInt8] = []
        condition.lock()
        while true {
            while queueHead == queue.count && !closed && failure == nil { condition.wait() }
            if failure != nil || queueHead == queue.count { break }
            let (seq, taken) = queue[queueHead]
            queue[queueHead].1 = nil   // the chunk's features are freed once encoded
            queueHead += 1
            if queueHead > 64 && queueHead * 2 > queue.count { queue.removeFirst(queueHead); queueHead = 0 }
            guard let job = taken else { continue }
            condition.unlock()
            var outcome: Error?
            do {
                if encoder == nil { encoder = try FeatureEncoder(spec) }
                buffer = []
                buffer.reserveCapacity(1 << 16)
                try job(encoder!, &buffer)
            } catch { outcome = error }
            condition.lock()
            if let outcome { if failure == nil { failure = outcome } } else { results[seq] = buffer }
            condition.broadcast()
        }
        running -= 1
        condition.broadcast()
        condition.unlock()
    }

    deinit { if running > 0 { stop() } }
}
