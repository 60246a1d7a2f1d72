import Foundation

/// One value per thread, released when its thread ends: the one home of caravan's per-thread
/// state (the GEOS and PROJ contexts, the warning log of the running call, the geocoder's
/// scratch buffers). C handles that must not cross threads live here, made on first use.
///
/// Declare instances as `static let` (each holds a pthread key, of which a process has ~1000).
///
/// ```swift
/// static let scratch = ThreadLocal<Scratch>()
/// let s = scratch.get { Scratch() }      // this thread's, made on first use
/// ```
final class ThreadLocal<Value>: @unchecked Sendable {
    private final class Box { var value: Value; init(_ value: Value) { self.value = value } }
    private let key: pthread_key_t

    init() {
        var k = pthread_key_t()
        pthread_key_create(&k) { p in if let p { Unmanaged<AnyObject>.fromOpaque(p).release() } }
        key = k
    }

    private var box: Box? {
        pthread_getspecific(key).map { Unmanaged<Box>.fromOpaque($0).takeUnretainedValue() }
    }

    /// The calling thread's value (nil until one is set or made). Setting nil releases it.
    var value: Value? {
        get { box?.value }
        set {
            if let b = box, let newValue { b.value = newValue; return }
            if let old = pthread_getspecific(key) { Unmanaged<Box>.fromOpaque(old).release() }
            pthread_setspecific(key, newValue.map { Unmanaged.passRetained(Box($0)).toOpaque() })
        }
    }

    /// The calling thread's value, made by `make` on the thread's first use.
    func get(_ make: () throws -> Value) rethrows -> Value {
        if let b = box { return b.value }
        let v = try make()
        value = v
        return v
    }
}
