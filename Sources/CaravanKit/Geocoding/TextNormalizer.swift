import Foundation

/// Turns place names as people type them into comparable keys.
///
/// `normalize` gives the *normal form*: Unicode NFKC, case-folded, Cyrillic (Russian, Kazakh,
/// Kyrgyz, Uzbek, Tajik letters) transliterated to Latin, diacritics removed, apostrophes
/// dropped (Uzbek o‘ → o), punctuation and hyphens as single spaces.
/// `phoneticKey` collapses the usual competing spellings of that normal form (kh/h/x, ch/c,
/// sh/s, zh/j, yo/e, y/i, ts/c, q/k, gh/g, -skiy/-sky, doubled letters) and removes spaces, so
/// "Chimkent", "Shymkent" and "Шымкент" meet, and "Akhshabad" comes within an edit of "Ashkhabad".
public enum TextNormalizer {
    static let cyrillic: [Character: String] = [
        "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
        "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
        "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
        // Kazakh, Kyrgyz, Uzbek, Tajik, Ukrainian letters.
        "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "і": "i", "ў": "o", "ҳ": "h",
        "ӣ": "i", "ӯ": "u", "ҷ": "j", "є": "ye", "ї": "yi", "ґ": "g", "ҝ": "k", "ӈ": "ng",
    ]
    static let special: [Character: String] = [
        "ı": "i", "ø": "o", "ß": "ss", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ŋ": "ng", "ə": "a",
    ]

    /// The normal form of a name (see the type's documentation).
    public static func normalize(_ s: String) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(s.utf8.count + 8)
        if normalize(s, into: &bytes) { return String(decoding: bytes, as: UTF8.self) }
        return normalizeByUnicode(s)
    }

    /// What one character becomes in a normal form.
    struct Mapping {
        enum Kind: UInt8 { case letters, separator, vanishes, unknown }
        var kind: Kind
        /// Up to 4 lower-case ASCII letters, the first in the low byte.
        var bytes: UInt32
        var count: UInt8
    }

    /// The blocks the table covers: Latin-1, Latin Extended-A and B, Cyrillic and its supplement,
    /// Latin Extended Additional, general punctuation. Anything else takes the Unicode path.
    static let tableBlocks: [ClosedRange<UInt32>] = [0x80...0x24F, 0x2B0...0x2FF, 0x400...0x52F, 0x1E00...0x1EFF, 0x2000...0x206F]

    /// Each covered character's mapping, derived from `normalizeByUnicode` itself: "a" + c + "a"
    /// is normalised, and c is a separator ("a a"), vanishes ("aa") or becomes letters ("a…a").
    /// Combining marks (they change the letter before them), digits and anything context-dependent
    /// stay `unknown`. So the table can only agree with the Unicode path, never differ from it.
    static let table: [UInt32: Mapping] = {
        var t: [UInt32: Mapping] = [:]
        for block in tableBlocks {
            for v in block {
                guard let scalar = Unicode.Scalar(v) else { continue }
                var m = Mapping(kind: .unknown, bytes: 0, count: 0)
                // Marks and joiners attach to the character before them: context, so not in the table.
                if scalar.properties.canonicalCombiningClass == .notReordered && !scalar.properties.isGraphemeExtend
                    && v != 0x200D && !scalar.properties.isEmojiModifier {
                    let n = Array(normalizeByUnicode("a" + String(Character(scalar)) + "a").utf8)
                    if n == [97, 32, 97] { m.kind = .separator }
                    else if n == [97, 97] { m.kind = .vanishes }
                    else if n.count >= 3, n.count <= 6, n.first == 97, n.last == 97, n[1..<(n.count - 1)].allSatisfy({ (97...122).contains($0) }) {
                        m.kind = .letters
                        for (i, b) in n[1..<(n.count - 1)].enumerated() { m.bytes |= UInt32(b) << (8 * UInt32(i)) }
                        m.count = UInt8(n.count - 2)
                    }
                }
                if m.kind != .unknown { t[v] = m }
            }
        }
        return t
    }()

    /// The normal form of `s` into `out`, through the character table; false (and `out`
    /// undefined) when a character is not in it.
    static func normalize(_ s: String, into out: inout [UInt8]) -> Bool {
        out.removeAll(keepingCapacity: true)
        var lastSpace = true
        var table: [UInt32: Mapping]? = nil
        for scalar in s.unicodeScalars {
            let v = scalar.value
            if v < 128 {
                let c = UInt8(v)
                switch c {
                case 65...90: out.append(c + 32); lastSpace = false
                case 97...122, 48...57: out.append(c); lastSpace = false
                case 39, 96: continue                      // apostrophes and backquotes vanish
                default: if !lastSpace { out.append(32); lastSpace = true }
                }
                continue
            }
            if table == nil { table = TextNormalizer.table }
            guard let m = table![v] else { return false }
            switch m.kind {
            case .letters:
                var b = m.bytes
                for _ in 0..<m.count { out.append(UInt8(b & 0xFF)); b >>= 8 }
                lastSpace = false
            case .separator: if !lastSpace { out.append(32); lastSpace = true }
            case .vanishes: continue
            case .unknown: return false
            }
        }
        if out.last == 32 { out.removeLast() }
        return true
    }

    /// The normal form by Unicode's own rules (NFKC, case folding, decomposition): the
    /// definition the character table is derived from, and the path for characters outside it.
    static func normalizeByUnicode(_ s: String) -> String {
        let folded = s.precomposedStringWithCompatibilityMapping.lowercased()
        var latin = ""
        latin.reserveCapacity(folded.utf8.count)
        for ch in folded {
            if let t = cyrillic[ch] ?? special[ch] { latin += t; continue }
            // A letter with a mark that does not compose with it ("ё́", stressed): the letter's
            // transliteration (the marks go with the other diacritics below).
            if ch.unicodeScalars.count > 1, let base = ch.unicodeScalars.first, let t = cyrillic[Character(base)] ?? special[Character(base)] {
                latin += t; continue
            }
            latin.append(ch)
        }
        // Strip diacritics: decompose and drop combining marks.
        var out = ""
        var lastSpace = true
        for var scalar in latin.decomposedStringWithCanonicalMapping.unicodeScalars {
            var v = scalar.value
            if (0x300...0x36F).contains(v) { continue }                       // combining marks
            if (0x600...0x6FF).contains(v) {                                  // Arabic script: one form per letter
                guard let a = arabic(v), let u = Unicode.Scalar(a) else { continue }
                v = a; scalar = u
            }
            if scalar == "'" || scalar == "`" || (0x2018...0x201B).contains(v) || v == 0x2BB || v == 0x2BC || v == 0x2B9 || v == 0xB4 { continue }
            if v == 0x200C { continue }   // zero-width non-joiner (Persian): inside a word, not a space
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                out.unicodeScalars.append(scalar)
                lastSpace = false
            } else if !lastSpace {
                out.append(" ")
                lastSpace = true
            }
        }
        if out.hasSuffix(" ") { out.removeLast() }
        return out
    }

    /// One form of an Arabic-script letter as Dari, Pashto, Persian, Uyghur and Arabic write it:
    /// yeh (ي ى ی) as ی, kaf (ك ک) as ک, alef with hamza or madda as ا, teh marbuta and heh goal
    /// (ة ۀ) as ه, waw with hamza as و; tatweel, vowel marks (harakat, superscript alef) and
    /// Quranic marks vanish (nil). Other letters stay as they are.
    static func arabic(_ v: UInt32) -> UInt32? {
        switch v {
        case 0x640, 0x64B...0x65F, 0x670, 0x6D6...0x6ED: return nil
        case 0x64A, 0x649: return 0x6CC
        case 0x643: return 0x6A9
        case 0x622, 0x623, 0x625, 0x671: return 0x627
        case 0x629, 0x6C0: return 0x647
        case 0x624: return 0x648
        default: return v
        }
    }

    /// The spelling-insensitive key of a normal form (ASCII letters and digits only), in one
    /// pass: shch/sh→s, dzh/dj/zh→j, kh/x→h, gh→g, ch→c, ts/tz→c, yo/ye→e, yu→u, ya→a, iy/y→i,
    /// q→k, w→v, ou/oo→u, ee→i, ph→f; doubled letters once; spaces removed.
    public static func phoneticKey(_ normal: String) -> String {
        var out: [UInt8] = []
        var s = normal
        s.withUTF8 { phoneticKey($0, into: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// The phonetic key of UTF-8 bytes, into a reusable buffer.
    static func phoneticKey(_ b: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        let needed = max(b.count, 1)
        if out.count < needed { out.append(contentsOf: repeatElement(0, count: needed - out.count)) }
        let n = out.withUnsafeMutableBufferPointer { phoneticKey(b, writingTo: $0.baseAddress!) }
        out.removeLast(out.count - n)
    }

    /// The phonetic key of UTF-8 bytes into `out` (room for `b.count` bytes: a key is never
    /// longer than its text); returns its length.
    static func phoneticKey(_ b: UnsafeBufferPointer<UInt8>, writingTo out: UnsafeMutablePointer<UInt8>) -> Int {
        var len = 0
        do {
            let n = b.count
            var i = 0
            @inline(__always) func at(_ k: Int) -> UInt8 { k < n ? b[k] : 0 }
            while i < n {
                let c = b[i], d = at(i + 1)
                var o: UInt8 = c, step = 1
                switch c {
                case 32: i += 1; continue
                case 115: if d == 104 { o = 115; step = at(i + 2) == 99 && at(i + 3) == 104 ? 4 : 2 }          // sh, shch
                case 100: if d == 122 && at(i + 2) == 104 { o = 106; step = 3 } else if d == 106 { o = 106; step = 2 } // dzh, dj
                case 122: if d == 104 { o = 106; step = 2 }                                                        // zh
                case 107: if d == 104 { o = 104; step = 2 }                                                        // kh
                case 120: o = 104                                                                                  // x
                case 103: if d == 104 { step = 2 }                                                                 // gh
                case 99: if d == 104 { step = 2 }                                                                  // ch
                case 116: if d == 115 || d == 122 { o = 99; step = 2 }                                             // ts, tz
                case 121:                                                                                          // y…
                    switch d {
                    case 111, 101: o = 101; step = 2
                    case 117: o = 117; step = 2
                    case 97: o = 97; step = 2
                    default: o = 105
                    }
                case 105: if d == 121 { step = 2 }                                                                 // iy
                case 113: o = 107                                                                                  // q
                case 119: o = 118                                                                                  // w
                case 111: if d == 117 || d == 111 { o = 117; step = 2 }                                            // ou, oo
                case 101: if d == 101 { o = 105; step = 2 }                                                        // ee
                case 112: if d == 104 { o = 102; step = 2 }                                                        // ph
                default: break
                }
                if len == 0 || out[len - 1] != o { out[len] = o; len += 1 }
                i += step
            }
        }
        return len
    }

    /// Whether a normal form is plain Latin (worth indexing: officers type Latin or Cyrillic).
    static func isLatin(_ normal: String) -> Bool {
        normal.unicodeScalars.allSatisfy { $0.isASCII }
    }

    /// Whether a normal form is written in Arabic script (Dari, Pashto, Persian, Uyghur, Urdu) and spaces.
    static func isArabicScript(_ normal: String) -> Bool {
        normal.unicodeScalars.contains { (0x600...0x6FF).contains($0.value) }
            && normal.unicodeScalars.allSatisfy { $0 == " " || (0x600...0x6FF).contains($0.value) || (0x750...0x77F).contains($0.value) }
    }

    /// Whether a normal form is written in Chinese characters (Han) only.
    static func isHan(_ normal: String) -> Bool {
        !normal.isEmpty && normal.unicodeScalars.allSatisfy { isHan($0) }
    }

    static func isHan(_ s: Unicode.Scalar) -> Bool {
        (0x4E00...0x9FFF).contains(s.value) || (0x3400...0x4DBF).contains(s.value) || (0x20000...0x2A6DF).contains(s.value)
    }
}

/// Edit distances for fuzzy matching.
enum EditDistance {
    /// Optimal string alignment (Damerau–Levenshtein with adjacent transpositions), bounded:
    /// returns `limit + 1` as soon as the distance must exceed `limit`.
    static func damerauLevenshtein(_ a: [UInt8], _ b: [UInt8], limit: Int) -> Int {
        let n = a.count, m = b.count
        if abs(n - m) > limit { return limit + 1 }
        if n == 0 { return m }
        if m == 0 { return n }
        var prev2 = [Int](repeating: 0, count: m + 1)
        var prev = Array(0...m)
        var cur = [Int](repeating: 0, count: m + 1)
        for i in 1...n {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...m {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { v = min(v, prev2[j - 2] + 1) }
                cur[j] = v
                rowMin = min(rowMin, v)
            }
            if rowMin > limit { return limit + 1 }
            (prev2, prev, cur) = (prev, cur, prev2)
        }
        return prev[m]
    }
}

/// A pattern (up to 64 bytes) prepared for Hyyrö's bit-parallel optimal string alignment
/// distance (2003): one 64-bit step per byte of the other string, no allocation, the same
/// distance as `EditDistance.damerauLevenshtein`.
final class BitParallelPattern {
    /// For each byte value, the positions where it occurs in the pattern.
    private var masks: UnsafeMutablePointer<UInt64>
    private(set) var count = 0
    private var bytes: [UInt8] = []

    init() {
        masks = .allocate(capacity: 256)
        masks.initialize(repeating: 0, count: 256)
    }

    deinit { masks.deallocate() }

    /// Prepares `p` (false when it is longer than 64 bytes).
    @discardableResult
    func set(_ p: [UInt8]) -> Bool {
        for b in bytes { masks[Int(b)] = 0 }
        bytes = p
        count = p.count
        guard p.count <= 64 else { bytes = []; return false }
        for (i, b) in p.enumerated() { masks[Int(b)] |= 1 << UInt64(i) }
        return true
    }

    /// The optimal string alignment distance between the pattern and `t`.
    func distance(_ t: [UInt8]) -> Int { t.withUnsafeBufferPointer { distance($0) } }

    func distance(_ t: UnsafeBufferPointer<UInt8>) -> Int {
        let m = count
        if m == 0 { return t.count }
        var vp: UInt64 = m == 64 ? ~0 : (1 << UInt64(m)) - 1
        var vn: UInt64 = 0, d0: UInt64 = 0, pmOld: UInt64 = 0
        let last: UInt64 = 1 << UInt64(m - 1)
        var dist = m
        do {
            for c in t {
                let pm = masks[Int(c)]
                let tr = (((~d0) & pm) &<< 1) & pmOld
                d0 = ((((pm & vp) &+ vp) ^ vp) | pm | vn) | tr
                var hp = vn | ~(d0 | vp)
                var hn = d0 & vp
                if hp & last != 0 { dist += 1 } else if hn & last != 0 { dist -= 1 }
                hp = (hp &<< 1) | 1
                hn = hn &<< 1
                vp = hn | ~(d0 | hp)
                vn = hp & d0
                pmOld = pm
            }
        }
        return dist
    }
}
