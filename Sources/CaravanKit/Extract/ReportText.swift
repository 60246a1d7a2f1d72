import Foundation

/// A report made plain: its text, and the items (news entries, field reports) it holds.
///
/// Offsets everywhere in `caravan extract` are counted in characters (Swift `Character`s, which
/// for these texts are Unicode code points) of this cleaned text: for a plain-text or Markdown
/// file that is the file's own text; for HTML it is the text with tags stripped.
public struct ReportDocument: Sendable {
    public var path: String
    public var text: String
    public var items: [ReportItem]
}

/// One item of a report: its number (1-based) and where it lies in the document's text.
public struct ReportItem: Sendable {
    public var number: Int
    public var sentences: [ReportSentence]
}

/// A sentence with its span in the document's cleaned text.
public struct ReportSentence: Sendable {
    public var text: String
    public var start: Int
    public var end: Int
}

public enum ReportText {
    /// The plain text of a file: HTML with tags stripped and entities decoded, Markdown without
    /// its markup (headings kept as `#` lines, which split items), anything else as it is.
    public static func clean(_ raw: String, path: String) -> String {
        let ext = (path as NSString).pathExtension.lowercased()
        let start = raw.prefix(600)
        // Every HTML mark looked for starts with "<".
        let head = start.utf8.contains(0x3C) ? start.lowercased() : ""
        if ext == "html" || ext == "htm" || head.contains("<html") || head.contains("<!doctype html") || head.contains("<body") || head.contains("<p>") {
            return html(raw)
        }
        if ext == "md" || ext == "markdown" { return markdown(raw) }
        return crlfToLF(raw)
    }

    /// "\r\n" line ends as "\n" (a text without a carriage return is returned as it is, unsearched).
    static func crlfToLF(_ s: String) -> String {
        s.utf8.contains(0x0D) ? s.replacingOccurrences(of: "\r\n", with: "\n") : s
    }

    static func replace(_ s: String, _ pattern: String, _ template: String, options: NSRegularExpression.Options = [.caseInsensitive]) -> String {
        guard let re = try? NSRegularExpression(pattern: pattern, options: options) else { return s }
        return re.stringByReplacingMatches(in: s, range: NSRange(s.startIndex..., in: s), withTemplate: template)
    }

    /// HTML to text: scripts and styles dropped, block ends become line breaks, headings become
    /// `#` lines, other tags removed, entities decoded.
    public static func html(_ raw: String) -> String {
        var s = crlfToLF(raw)
        s = replace(s, "<(script|style|noscript)\\b[^>]*>.*?</\\1>", " ", options: [.caseInsensitive, .dotMatchesLineSeparators])
        s = replace(s, "<!--.*?-->", " ", options: [.dotMatchesLineSeparators])
        s = replace(s, "\\s*\n\\s*", " ")
        s = replace(s, "<h[1-6]\\b[^>]*>", "\n\n# ")
        s = replace(s, "<hr\\b[^>]*>", "\n\n---\n\n")
        s = replace(s, "</(p|div|h[1-6]|li|tr|article|section|header|footer|blockquote)>|<br\\s*/?>", "\n\n")
        s = replace(s, "<[^>]+>", "")
        s = decodeEntities(s)
        s = replace(s, "[ \t\u{00A0}]+", " ")
        s = replace(s, " *\n *", "\n")
        s = replace(s, "\n{3,}", "\n\n")
        return s.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static let entities: [String: String] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": " ", "laquo": "«", "raquo": "»",
        "ndash": "–", "mdash": "—", "hellip": "…", "rsquo": "’", "lsquo": "‘", "rdquo": "”", "ldquo": "“", "bdquo": "„",
        "deg": "°", "prime": "′", "Prime": "″", "middot": "·", "shy": "", "thinsp": " ", "ensp": " ", "emsp": " ",
    ]

    /// `&amp;`, `&laquo;`, `&#1058;`, `&#x41;` decoded; unknown entities left as written.
    public static func decodeEntities(_ s: String) -> String {
        guard s.contains("&") else { return s }
        var out = "", i = s.startIndex
        while i < s.endIndex {
            if s[i] == "&", let semi = s[i...].prefix(12).firstIndex(of: ";") {
                let name = String(s[s.index(after: i)..<semi])
                var decoded: String?
                if name.hasPrefix("#x") || name.hasPrefix("#X") {
                    decoded = UInt32(name.dropFirst(2), radix: 16).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else if name.hasPrefix("#") {
                    decoded = UInt32(name.dropFirst()).flatMap(Unicode.Scalar.init).map { String(Character($0)) }
                } else { decoded = entities[name] }
                if let d = decoded { out += d; i = s.index(after: semi); continue }
            }
            out.append(s[i]); i = s.index(after: i)
        }
        return out
    }

    /// Markdown to text: emphasis, code marks, links and bullets dropped; headings kept as `# ` lines.
    public static func markdown(_ raw: String) -> String {
        var s = crlfToLF(raw)
        s = replace(s, "!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1")
        s = replace(s, "(\\*\\*|__|`)", "")
        s = replace(s, "(?m)^#{1,6}\\s*", "# ")
        s = replace(s, "(?m)^\\s*[-*+]\\s+", "")
        return s
    }

    /// Whether a line starts a new item: a separator ("Rate this item", `---`, `* * *`), or a heading.
    static func isSeparator(_ line: String) -> Bool {
        if line.utf8.count > 40 { return false }
        // Every separator's first character (after spaces) is r, R, о, О, -, *, _ or =: a line whose
        // first byte is another ASCII character that is no space is none.
        guard let b = line.utf8.first else { return false }
        if b < 0x80, b != 0x20, b != 0x09, b != 0x0B, b != 0x0C, b != 0x0D, !"rR-*_=".utf8.contains(b) { return false }
        let t = line.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "rate this item" || t == "оцените материал" { return true }
        if t.count >= 3, t.allSatisfy({ "-*_= ".contains($0) }) { return true }
        return false
    }

    static func isHeading(_ line: String) -> Bool { line.hasPrefix("# ") }

    /// Whether a line is nothing but a date (a dateline of a bulletin starts a new item).
    static func isDateLine(_ line: String) -> Bool {
        if line.utf8.count > 120 || !line.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }) { return false }
        let t = line.trimmingCharacters(in: .whitespaces)
        guard t.count >= 8, t.count <= 30 else { return false }
        let found = DateExpressions.find(in: t)
        guard let d = found.first else { return false }
        return d.length >= t.count - 3
    }

    /// A text as characters, with for each its only scalar (`Characters.several` when it has more
    /// than one) and where its UTF-8 starts: characters are tested by their scalar (no `String`
    /// comparison) and spans are made from the text's own bytes.
    struct Characters {
        static let several = UInt32.max
        let chars: [Character]
        let scalars: [UInt32]
        /// `offsets[i]`: the UTF-8 offset of character `i`; `offsets[count]` the text's length.
        let offsets: [Int]
        let bytes: [UInt8]
        var count: Int { chars.count }

        init(_ text: String) {
            bytes = Array(text.utf8)
            var chars: [Character] = [], scalars: [UInt32] = [], offsets: [Int] = [0]
            // At most one character per byte; one pass of grapheme breaking.
            chars.reserveCapacity(bytes.count); scalars.reserveCapacity(bytes.count); offsets.reserveCapacity(bytes.count + 1)
            var off = 0
            for ch in text {
                chars.append(ch)
                let n = ch.utf8.count
                let first = ch.unicodeScalars.first!
                scalars.append(UTF8.width(first) == n ? first.value : Self.several)
                off += n
                offsets.append(off)
            }
            self.chars = chars
            self.scalars = scalars
            self.offsets = offsets
        }

        /// Characters `a..<b` as a string (the same as `String(chars[a..<b])`).
        func string(_ a: Int, _ b: Int) -> String { String(decoding: bytes[offsets[a]..<offsets[b]], as: UTF8.self) }
    }

    /// Splits a cleaned text into items and sentences, with offsets in the text.
    public static func items(of text: String) -> [ReportItem] {
        let c = Characters(text)
        var items: [ReportItem] = []
        var current: [ReportSentence] = []
        var lineStart = 0
        func closeItem() {
            if !current.isEmpty { items.append(ReportItem(number: items.count + 1, sentences: current)) }
            current = []
        }
        var i = 0
        while i <= c.count {
            if i == c.count || c.scalars[i] == 0x0A {
                let line = c.string(lineStart, i)
                if isSeparator(line) { closeItem() }
                else {
                    if isHeading(line) || isDateLine(line) { closeItem() }
                    let body = isHeading(line) ? lineStart + 2 : lineStart
                    current += sentences(c, from: body, to: i)
                }
                lineStart = i + 1
            }
            i += 1
        }
        closeItem()
        return items
    }

    static let abbreviations: Set<String> = ["г", "гг", "обл", "ул", "р-н", "им", "т.е", "mr", "mrs", "dr", "no", "st", "gen", "maj", "col", "lt", "св", "пос", "с", "п", "tel", "etc", "vs", "e.g", "i.e", "см", "тыс", "млн", "руб", "т.д", "т.п"]

    /// Sentences of one line: split after `.`, `!`, `?` or `…` followed by a space and a capital
    /// letter, a digit or a quote, except after an initial ("R. Miralizoda") or a usual abbreviation.
    static func sentences(_ t: Characters, from: Int, to: Int) -> [ReportSentence] {
        var out: [ReportSentence] = []
        var start = from
        let c = t.chars, u = t.scalars
        func emit(_ end: Int) {
            var a = start, b = end
            while a < b, c[a].isWhitespace { a += 1 }
            while b > a, c[b - 1].isWhitespace { b -= 1 }
            if b - a >= 3 { out.append(ReportSentence(text: t.string(a, b), start: a, end: b)) }
        }
        var i = from
        while i < to {
            let ch = u[i]
            // . ! ? …
            if ch == 0x2E || ch == 0x21 || ch == 0x3F || ch == 0x2026, i + 2 < to || i + 1 == to {
                var j = i + 1
                // " ” » ' )
                while j < to, u[j] == 0x22 || u[j] == 0x201D || u[j] == 0xBB || u[j] == 0x27 || u[j] == 0x29 { j += 1 }
                guard j < to, c[j].isWhitespace else { i += 1; continue }
                var k = j
                while k < to, c[k].isWhitespace { k += 1 }
                // a capital, a digit, " “ « (
                guard k < to, c[k].isUppercase || c[k].isNumber || u[k] == 0x22 || u[k] == 0x201C || u[k] == 0xAB || u[k] == 0x28 else { i += 1; continue }
                if ch == 0x2E {
                    var w = i
                    while w > from, !c[w - 1].isWhitespace, u[w - 1] != 0x28 { w -= 1 }
                    let word = t.string(w, i).lowercased()
                    if word.count == 1 && c[w].isUppercase { i += 1; continue }
                    if abbreviations.contains(word) { i += 1; continue }
                }
                emit(j)
                start = j
                i = j
                continue
            }
            i += 1
        }
        emit(to)
        return out
    }

    /// Reads a report file: text, Markdown, HTML, or PDF through poppler's `pdftotext` when installed.
    public static func read(_ path: String) throws -> ReportDocument {
        let raw: String
        if (path as NSString).pathExtension.lowercased() == "pdf" {
            raw = try pdfText(path)
        } else {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw GeoError(.invalidArgument, "cannot read the report", file: path, hint: "check the path and its permissions")
            }
            raw = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .windowsCP1251) ?? String(decoding: data, as: UTF8.self)
        }
        let text = clean(raw, path: path)
        return ReportDocument(path: path, text: text, items: items(of: text))
    }

    static func pdfText(_ path: String) throws -> String {
        let candidates = ["/usr/bin/pdftotext", "/usr/local/bin/pdftotext"]
        guard let tool = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw GeoError(.invalidArgument, "reading a PDF needs poppler's pdftotext, which is not installed", file: path,
                           hint: "apt-get install poppler-utils, or give the report as text")
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = ["-enc", "UTF-8", "-layout", path, "-"]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw GeoError(.invalidArgument, "pdftotext could not read the PDF (status \(p.terminationStatus))", file: path, hint: "check the file is a PDF with text, not a scan")
        }
        // Page breaks (form feeds) and the layout's line breaks inside paragraphs.
        return String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\u{0C}", with: "\n\n")
    }
}
