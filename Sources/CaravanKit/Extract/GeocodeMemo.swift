import Foundation

/// The geocoder's answers kept per query text (and country hint), shared by the threads that
/// extract reports: a page of news names the same towns, institutions and capitalised words
/// again and again, and each costs the geocoder a full look-up (case forms, fuzzy search).
/// Bounded: after `capacity` distinct texts it answers new ones without keeping them.
/// (A wrapper on the extract side; the geocoder itself is unchanged.)
final class GeocodeMemo: @unchecked Sendable {
    let geocoder: Geocoder
    let capacity: Int
    private var answers: [String: GeocodeResult] = [:]
    private let lock = NSLock()

    init(_ geocoder: Geocoder, capacity: Int = 100_000) {
        self.geocoder = geocoder
        self.capacity = capacity
    }

    func geocode(_ query: String, countryHint: String? = nil) -> GeocodeResult {
        let key = countryHint.map { query + "\u{1F}" + $0 } ?? query
        lock.lock()
        if let r = answers[key] { lock.unlock(); return r }
        lock.unlock()
        let r = geocoder.geocode(query, countryHint: countryHint)
        lock.lock()
        if answers.count < capacity { answers[key] = r }
        lock.unlock()
        return r
    }
}
