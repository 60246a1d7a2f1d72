import Foundation

/// A value guarded by a lock, for the few places where threads share mutable state (a merge of
/// worker results in order, a cache).
///
/// Why not the standard library's `Synchronization.Mutex`: on Linux its contended path takes a
/// priority-inheriting futex in the kernel, which ThreadSanitizer cannot see, so every contended
/// `withLock` was reported as a race (`make sanitize`, flows and routes suites) and a real race
/// would have been lost among them. `NSLock` is a pthread mutex, which ThreadSanitizer
/// understands; uncontended it costs the same few nanoseconds.
public final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value

    public init(_ value: Value) { self.value = value }

    /// Runs `body` with the value, holding the lock; the value's changes are kept.
    public func withLock<R>(_ body: (inout Value) throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
