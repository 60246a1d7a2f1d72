import Foundation

/// A value made once, on another thread, that callers either wait for or ask whether it is
/// ready yet: the gazetteer's phonetic index is made while a table's exact names are answered.
///
/// The value is made by whichever comes first, the background start or a caller that needs it,
/// so a caller never waits on work that has not begun (no deadlock however busy the thread pool).
///
/// ```swift
/// let index = Pending { buildIndex() }
/// index.start()                    // begin on another thread
/// if let i = index.ifReady { … }   // nil while it is being made
/// let i = index.value              // waits, or makes it now
/// ```
final class Pending<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var made: Value?
    private var started = false
    private var make: (@Sendable () -> Value)?

    init(_ make: @escaping @Sendable () -> Value) { self.make = make }

    /// Starts making the value on another thread (nothing if it is made or being made).
    func start() {
        DispatchQueue.global().async { _ = self.value }
    }

    /// The value if it is made, without waiting.
    var ifReady: Value? {
        condition.lock(); defer { condition.unlock() }
        return made
    }

    /// The value: made now on this thread if nobody has begun, else waited for.
    var value: Value {
        condition.lock()
        if let made { condition.unlock(); return made }
        if !started, let make {
            started = true
            condition.unlock()
            let v = make()
            condition.lock()
            made = v
            self.make = nil
            condition.broadcast()
            condition.unlock()
            return v
        }
        while true {
            if let made { condition.unlock(); return made }
            condition.wait()
        }
    }
}
