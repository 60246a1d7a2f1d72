import Foundation
import Synchronization

/// Warnings raised while Caravan works: C library warnings (GDAL's `CE_Warning`,
/// GEOS notices) and Caravan's own (a Shapefile without `.prj`, skipped rows...).
///
/// Warnings are never thrown and never printed behind the caller's back: they are
/// collected here and the caller (the CLI) decides how to show them.
///
/// ```swift
/// let warnings = Diagnostics.drain()
/// for w in warnings { print("warning:", w) }
/// ```
public enum Diagnostics {
    private static let buffer = Mutex<[String]>([])

    /// Records one warning. Thread-safe; callable from C callbacks on any thread.
    public static func warn(_ message: String) {
        let m = message.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !m.isEmpty else { return }
        buffer.withLock { list in
            // The same message repeated per feature would drown the user: keep at most one copy
            // of the last one and cap the list.
            if list.last == m { return }
            if list.count < 1000 { list.append(m) }
        }
    }

    /// Returns and clears all warnings collected so far.
    public static func drain() -> [String] {
        buffer.withLock { list in defer { list.removeAll() }; return list }
    }
}
