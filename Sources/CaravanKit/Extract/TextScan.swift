import Foundation

/// A sentence's UTF-8 bytes with Latin and Cyrillic capitals lower-cased (`EventExtractor.folded`),
/// for cheap byte tests that tell a case-insensitive pattern cannot match before it is run.
///
/// The test is exact only for `plain` text: every character ASCII, Latin-1 punctuation
/// (U+00A0–U+00BF), basic Cyrillic (U+0400–U+04FF) or general punctuation (U+2000–U+206F). There,
/// a case-insensitive literal ("seiz", "изъя") can match only where its lower-cased bytes occur.
/// Outside it, case folding reaches further ("ſ" matches "s", "K" (Kelvin) "k", "ß" "ss",
/// combining marks), so `mayHold` answers yes and the pattern is run as before.
struct FoldedText {
    let bytes: [UInt8]
    var plain: Bool
    /// An ASCII digit somewhere.
    let hasDigit: Bool

    init(_ text: String) {
        bytes = EventExtractor.folded(text)
        var plain = true
        for u in text.unicodeScalars where u.value >= 0x80 {
            let v = u.value
            if !((0xA0...0xBF).contains(v) || (0x400...0x4FF).contains(v) || (0x2000...0x206F).contains(v)) { plain = false; break }
        }
        self.plain = plain
        hasDigit = bytes.contains { $0 >= 0x30 && $0 <= 0x39 }
    }

    func contains(_ needle: [UInt8]) -> Bool { EventExtractor.find(needle, in: bytes, from: 0) != nil }

    func contains(byte b: UInt8) -> Bool { bytes.contains(b) }

    /// Whether a pattern whose every match holds one of `needles` (lower-case) may match.
    func mayHold(_ needles: [[UInt8]]) -> Bool {
        if !plain { return true }
        for n in needles where contains(n) { return true }
        return false
    }

    /// Whether a pattern needing a digit (`\d`) may match: an ASCII digit, or a text where
    /// another script's digits may be.
    var mayHoldDigit: Bool { hasDigit || !plain }

    static func needles(_ words: [String]) -> [[UInt8]] { words.map { Array($0.utf8) } }
}

/// A regular expression compiled once, on first use; a pattern that does not compile (a bug,
/// caught by the tests) becomes a `GeoError` for the caller, never a crash.
final class CompiledPattern: @unchecked Sendable {
    let pattern: String
    let options: NSRegularExpression.Options
    private let compiled: Result<NSRegularExpression, GeoError>

    init(_ pattern: String, options: NSRegularExpression.Options = []) {
        self.pattern = pattern
        self.options = options
        do { compiled = .success(try NSRegularExpression(pattern: pattern, options: options)) }
        catch {
            compiled = .failure(GeoError(.invalidArgument, "an extract pattern does not compile: \(pattern)",
                                         hint: "this is a bug in caravan; report it with the pattern"))
        }
    }

    /// The compiled expression, or the error saying it does not compile.
    func regex() throws -> NSRegularExpression { try compiled.get() }

    /// Matches in `text` (none when the pattern does not compile: `regex()` tells why).
    func matches(in text: String, range: NSRange) -> [NSTextCheckingResult] {
        guard case .success(let re) = compiled else { return [] }
        return re.matches(in: text, range: range)
    }

    func firstMatch(in text: String, range: NSRange) -> NSTextCheckingResult? {
        guard case .success(let re) = compiled else { return nil }
        return re.firstMatch(in: text, range: range)
    }
}
