import Foundation

/// How the library's messages name an option: by its key in braces, `{sSrs}` — the
/// `AnalysisOptions` property, which is the command-line flag in camelCase — never by a flag.
/// Each front end shows the key its own way: the CLI as `--s-srs`, a recipe as `s-srs:`.
///
/// ```swift
/// OptionKeys.render("give it with {sSrs}", OptionKeys.flag)   // "give it with --s-srs"
/// ```
public enum OptionKeys {
    /// The keys the library's messages use. Only these are shown as flags: a `{word}` inside a
    /// user's path or value (`/data/{abc}/x.csv`) stays as written. A test keeps the list in step
    /// with the messages.
    public static let known: Set<String> = [
        "assignBy", "at", "band", "basemapOpacity", "boundaries", "by", "cellArea", "cell", "chord",
        "classField", "column", "compare", "cost", "countries", "crs", "dateColumn", "dateField",
        "destinationColumn", "dpi", "extent", "focus", "force", "format", "from", "grid", "idField", "knn",
        "labels", "layer", "maxCells", "maxSnap", "merge", "method", "network", "only", "orderColumn",
        "originColumn", "overwrite", "paper", "pdf", "period", "placeColumn", "polygons", "posts", "radius",
        "region", "report", "restoreShx", "routeColumn", "sSrs", "select", "set", "size", "snap", "speed",
        "step", "studyArea", "studyWhere", "timeWindow", "to", "unlisted", "update", "weightColumn", "weight",
        "where"
    ]

    /// `text` with each known `{key}` (a camelCase word in braces) replaced by `render(key)`; a
    /// recipe's `${name}` stays as written.
    public static func render(_ text: String, _ render: (String) -> String) -> String {
        guard text.contains("{") else { return text }
        var out = "", rest = text[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            let after = rest.index(after: open)
            guard out.last != "$", let close = rest[after...].firstIndex(of: "}"), close > after,
                  rest[after..<close].allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber) }),
                  rest[after].isLowercase, known.contains(String(rest[after..<close])) else {
                out.append("{"); rest = rest[after...]; continue
            }
            out += render(String(rest[after..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }

    /// A key as the command line's flag: `sSrs` → `--s-srs`.
    public static func flag(_ key: String) -> String { "--" + kebab(key) }

    /// A key as a recipe's step key: `sSrs` → `s-srs`.
    public static func kebab(_ key: String) -> String {
        var s = ""
        for c in key {
            if c.isUppercase { s += "-" + c.lowercased() } else { s.append(c) }
        }
        return s
    }
}
