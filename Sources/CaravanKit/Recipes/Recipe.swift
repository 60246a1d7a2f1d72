import Foundation
import Yams

/// A batch job: named inputs, parameters with defaults, and steps that are caravan commands
/// whose options have exactly the names of the command-line flags.
///
///     recipe: weekly-bulletin
///     root: ../..                 # paths are relative to this folder (itself relative to the recipe)
///     output: out/bulletin        # the default output folder (`caravan run -o DIR` overrides)
///     params:
///       until: 2023-12-31         # `--set until=2023-12-24`
///     inputs:
///       seizures: samples/events/seizures.csv
///     steps:
///       geocode:                  # the step's name; the command defaults to it
///         input: ${seizures}      # positional arguments by their name in `--help`
///         column: place
///         country-column: country
///         output: seizures.gpkg   # outputs are relative to the output folder
///       week:
///         step: convert           # the command, when the name is not one
///         source: ${steps.geocode.output}
///         output: week.gpkg
///         where: "date >= '${until - 6d}' AND date <= '${until}'"
public struct Recipe: Sendable {
    public struct Param: Sendable, Hashable {
        public var name: String
        public var value: String
        public var line: Int
        public var help: String?
    }
    public struct Input: Sendable, Hashable {
        public var name: String
        public var path: String
        public var line: Int
    }
    /// One option of a step as written: a text, or a list (a repeated option).
    public enum Value: Sendable, Hashable {
        case text(String)
        case list([String])
    }
    public struct Option: Sendable, Hashable {
        public var key: String
        public var value: Value
        public var line: Int
    }
    public struct Step: Sendable, Hashable {
        public var name: String
        public var command: String
        public var line: Int
        /// The line of the `step:` key (or of the name when there is none).
        public var commandLine: Int
        public var options: [Option]
        /// Steps to run before this one although no option refers to them.
        public var after: [String]
    }

    public var name: String
    public var description: String?
    /// The recipe file as given.
    public var file: String
    /// The recipe's text (for its checksum in the manifest).
    public var text: String
    /// The folder relative input paths are resolved against (absolute).
    public var root: String
    /// The default output folder, relative to the current folder (nil: `out/<name>`).
    public var output: String?
    /// A GeoPackage (relative to the output folder) to receive every vector layer the steps write.
    public var mapPackage: String?
    public var params: [Param]
    public var inputs: [Input]
    public var steps: [Step]

    /// The top-level keys a recipe may have.
    public static let topLevelKeys = ["recipe", "description", "root", "output", "map-package", "params", "inputs", "steps"]

    /// Reads a recipe file; every problem names the file and line.
    public static func load(_ path: String) throws -> Recipe {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw GeoError(.open, "cannot read the recipe", file: path, hint: "check the path (recipes shipped with caravan are in samples/recipes/)")
        }
        return try parse(String(decoding: data, as: UTF8.self), file: path)
    }

    /// Parses recipe text; `file` names it in errors and anchors `root`.
    /// The deepest nesting of collections a recipe may have (flow brackets and indentation levels).
    static let maxNesting = 64

    /// The first line where flow brackets (`{`, `[` outside quotes and comments) or block
    /// indentation nest deeper than `limit`, with the depth there; nil when none does.
    static func deepestNesting(_ text: String, limit: Int) -> (line: Int, depth: Int)? {
        var depth = 0, line = 1, atLineStart = true, indent = 0
        var quote: UInt8? = nil, comment = false, previous: UInt8 = 32
        for b in text.utf8 {
            if b == 10 {
                line += 1; atLineStart = true; indent = 0; comment = false   // a quoted scalar may go on
                previous = b
                continue
            }
            if atLineStart {
                if b == 32 { indent += 1; previous = b; continue }
                atLineStart = false
                // Block nesting: every level indents at least one more space.
                if indent > limit * 4 { return (line, indent) }
            }
            if comment { previous = b; continue }
            if let q = quote {
                if b == q { quote = nil }
            } else if b == 35 && (previous == 32 || previous == 9) {
                comment = true
            } else if b == 39 || b == 34 {
                quote = b
            } else if b == 123 || b == 91 {
                depth += 1
                if depth > limit { return (line, depth) }
            } else if b == 125 || b == 93 {
                depth = max(0, depth - 1)
            }
            previous = b
        }
        return nil
    }

    public static func parse(_ text: String, file: String) throws -> Recipe {
        func fail(_ line: Int?, _ message: String, hint: String? = nil) -> GeoError {
            GeoError(.invalidArgument, (line.map { "line \($0): " } ?? "") + message, file: file, hint: hint)
        }
        // Yams composes nested collections recursively: a few thousand unclosed '{' or '['
        // overflow the stack (found by fuzzing). A recipe nests a handful of levels.
        if let (line, depth) = Recipe.deepestNesting(text, limit: Recipe.maxNesting) {
            throw fail(line, "the YAML nests collections \(depth) levels deep (a recipe needs a few)",
                       hint: "close the '{' and '[' brackets, or write the step's options one per line")
        }
        let node: Node?
        do { node = try Yams.compose(yaml: text) } catch let e as YamlError {
            throw fail(Recipe.line(of: e), "not valid YAML: \(Recipe.problem(of: e))", hint: "check the indentation (spaces, not tabs) and the quotes around values holding ':' or '#'")
        } catch {
            throw fail(nil, "not valid YAML: \(error)")
        }
        guard let root = node, case .mapping(let top) = root else {
            throw fail(node?.mark?.line, "a recipe is a mapping with 'steps:' (and 'params:', 'inputs:')")
        }
        let recipeDir = URL(fileURLWithPath: file).deletingLastPathComponent().path
        var r = Recipe(name: URL(fileURLWithPath: file).deletingPathExtension().lastPathComponent, description: nil,
                       file: file, text: text, root: URL(fileURLWithPath: recipeDir).standardizedFileURL.path,
                       output: nil, mapPackage: nil, params: [], inputs: [], steps: [])
        var sawSteps = false
        for (k, v) in top {
            let key = k.string ?? ""
            let line = k.mark?.line ?? 0
            switch key {
            case "recipe": r.name = try scalar(v, key, fail)
            case "description": r.description = try scalar(v, key, fail)
            case "root":
                let p = try scalar(v, key, fail)
                r.root = URL(fileURLWithPath: p.hasPrefix("/") ? p : recipeDir + "/" + p).standardizedFileURL.path
            case "output": r.output = try scalar(v, key, fail)
            case "map-package":
                let p = try scalar(v, key, fail)
                guard (p as NSString).pathExtension.lowercased() == "gpkg" else {
                    throw fail(line, "the map package must be a GeoPackage (.gpkg), not '\(p)'")
                }
                r.mapPackage = p
            case "params":
                guard case .mapping(let m) = v else { throw fail(v.mark?.line, "'params:' holds name: default pairs") }
                for (pk, pv) in m {
                    let name = pk.string ?? ""
                    try checkName(name, pk.mark?.line, "parameter", fail)
                    if case .mapping(let pm) = pv {
                        var value: String?, help: String?
                        for (a, b) in pm {
                            switch a.string {
                            case "default": value = try scalar(b, "default", fail)
                            case "help", "description": help = try scalar(b, "help", fail)
                            default:
                                throw fail(a.mark?.line, "unknown key '\(a.string ?? "")' of parameter '\(name)'", hint: "a parameter has 'default:' and 'help:'")
                            }
                        }
                        guard let value else { throw fail(pk.mark?.line, "parameter '\(name)' has no 'default:'") }
                        r.params.append(Param(name: name, value: value, line: pk.mark?.line ?? 0, help: help))
                    } else {
                        r.params.append(Param(name: name, value: try scalar(pv, name, fail), line: pk.mark?.line ?? 0, help: nil))
                    }
                }
            case "inputs":
                guard case .mapping(let m) = v else { throw fail(v.mark?.line, "'inputs:' holds name: path pairs") }
                for (ik, iv) in m {
                    let name = ik.string ?? ""
                    try checkName(name, ik.mark?.line, "input", fail)
                    r.inputs.append(Input(name: name, path: try scalar(iv, name, fail), line: ik.mark?.line ?? 0))
                }
            case "steps":
                sawSteps = true
                guard case .mapping(let m) = v else {
                    throw fail(v.mark?.line, "'steps:' holds named steps, e.g.\n  steps:\n    geocode:\n      input: ...")
                }
                for (sk, sv) in m {
                    let name = sk.string ?? ""
                    let sline = sk.mark?.line ?? 0
                    try checkName(name, sline, "step", fail)
                    if r.steps.contains(where: { $0.name == name }) { throw fail(sline, "a second step named '\(name)'") }
                    guard case .mapping(let sm) = sv else {
                        throw fail(sline, "step '\(name)' holds its options as key: value lines")
                    }
                    var step = Step(name: name, command: name, line: sline, commandLine: sline, options: [], after: [])
                    for (ok, ov) in sm {
                        let key = ok.string ?? ""
                        let oline = ok.mark?.line ?? sline
                        if key == "step" || key == "command" {
                            step.command = try scalar(ov, key, fail); step.commandLine = oline; continue
                        }
                        if key == "after" {
                            switch ov {
                            case .sequence(let s): step.after = try s.map { try scalar($0, "after", fail) }
                            default: step.after = [try scalar(ov, "after", fail)]
                            }
                            continue
                        }
                        if step.options.contains(where: { $0.key == key }) { throw fail(oline, "option '\(key)' given twice in step '\(name)'") }
                        switch ov {
                        case .sequence(let s):
                            step.options.append(Option(key: key, value: .list(try s.map { try scalar($0, key, fail) }), line: oline))
                        case .mapping:
                            throw fail(oline, "option '\(key)' of step '\(name)' is a mapping; give a value or a list")
                        default:
                            step.options.append(Option(key: key, value: .text(try scalar(ov, key, fail)), line: oline))
                        }
                    }
                    r.steps.append(step)
                }
            default:
                throw fail(line, "unknown key '\(key)'", hint: nearest(key, in: topLevelKeys).map { "did you mean '\($0)'?" } ?? "a recipe has \(topLevelKeys.joined(separator: ", "))")
            }
        }
        guard sawSteps, !r.steps.isEmpty else { throw fail(nil, "the recipe has no steps", hint: "add 'steps:' with at least one command") }
        for p in r.params where r.inputs.contains(where: { $0.name == p.name }) {
            throw fail(p.line, "'\(p.name)' is both a parameter and an input", hint: "rename one of them")
        }
        return r
    }

    private static func scalar(_ n: Node, _ key: String, _ fail: (Int?, String, String?) -> GeoError) throws -> String {
        guard case .scalar(let s) = n else { throw fail(n.mark?.line, "'\(key)' must be a single value", nil) }
        return s.string
    }

    private static func checkName(_ name: String, _ line: Int?, _ what: String, _ fail: (Int?, String, String?) -> GeoError) throws {
        let ok = !name.isEmpty && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "_" || $0 == "-" }
        if !ok { throw fail(line, "the \(what) name '\(name)' may hold only letters, digits, '-' and '_'", nil) }
    }

    static func line(of e: YamlError) -> Int? {
        switch e {
        case .scanner(_, _, let m, _), .parser(_, _, let m, _), .composer(_, _, let m, _): return m.line
        default: return nil
        }
    }

    static func problem(of e: YamlError) -> String {
        switch e {
        case .scanner(let c, let p, _, _), .parser(let c, let p, _, _), .composer(let c, let p, _, _):
            return [c?.text, p].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        default: return "\(e)"
        }
    }
}

/// The closest name to `word` among `candidates` by optimal string alignment distance, if it
/// is close enough to be a slip (at most a third of the word's letters, and at most 3).
public func nearest(_ word: String, in candidates: [String]) -> String? {
    let w = Array(word.lowercased())
    var best: (String, Int)?
    for c in candidates {
        let d = editDistance(w, Array(c.lowercased()))
        if let b = best, d >= b.1 { continue }
        best = (c, d)
    }
    guard let (name, d) = best, d <= max(1, min(3, (w.count + 2) / 3)) else { return nil }
    return name
}

/// Optimal string alignment distance (Levenshtein with adjacent transpositions).
func editDistance(_ a: [Character], _ b: [Character]) -> Int {
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0 ... a.count { d[i][0] = i }
    for j in 0 ... b.count { d[0][j] = j }
    for i in 1 ... a.count {
        for j in 1 ... b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] { d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1) }
        }
    }
    return d[a.count][b.count]
}
