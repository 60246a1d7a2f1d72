import Foundation

/// What a command accepts, as its argument parser declares it (the CLI lists it from the
/// commands themselves, so a recipe knows every command and option there is, and no option is
/// defined twice).
public struct CommandSchema: Sendable, Hashable {
    public enum Kind: String, Sendable, Hashable { case positional, option, flag }
    public struct Argument: Sendable, Hashable {
        /// The long name (`cell-area`) or, for a positional argument, its name in `--help` (`events`).
        public var name: String
        /// Other spellings: short names (`o`).
        public var aliases: [String]
        public var kind: Kind
        public var repeating: Bool
        public var optional: Bool
        public init(name: String, aliases: [String] = [], kind: Kind, repeating: Bool = false, optional: Bool = true) {
            self.name = name; self.aliases = aliases; self.kind = kind; self.repeating = repeating; self.optional = optional
        }
    }
    public var command: String
    public var arguments: [Argument]
    public init(command: String, arguments: [Argument]) { self.command = command; self.arguments = arguments }

    /// The argument a recipe key names: the flag's name (`cell-area`), a short name (`o`), or
    /// the library's camelCase spelling of it (`cellArea`).
    public func argument(named key: String) -> Argument? {
        let kebab = RecipePlan.kebab(key)
        return arguments.first { $0.name == key || $0.name == kebab || $0.aliases.contains(key) }
    }
}

/// A recipe resolved against the commands: every reference followed, every path made absolute,
/// the steps in an order where each comes after the steps it reads from.
public struct RecipePlan: Sendable {
    public struct Step: Sendable, Hashable {
        public var name: String
        public var command: String
        public var line: Int
        /// The command's arguments, as `caravan <command> ...` takes them.
        public var arguments: [String]
        /// The options as resolved (key as written in the recipe → value), for the manifest.
        public var options: [String: [String]]
        /// The files this step reads (absolute), those made by earlier steps included.
        public var inputs: [String]
        /// The files this step writes, by option (`output`, `report`).
        public var outputs: [String: String]
        /// The steps whose outputs this step reads (or that it names in `after:`).
        public var dependencies: [String]
        /// The parameters its options use.
        public var params: [String]
    }

    public var recipe: Recipe
    public var outputDirectory: String
    public var params: [String: String]
    public var steps: [Step]

    /// The options whose values are files a step writes (relative values land in the output folder).
    public static let outputOptions: Set<String> = ["output", "report", "pdf", "map-package"]
    /// The flags the runner sets itself.
    static let runnerFlags: Set<String> = ["overwrite"]

    /// Plans a recipe: `schemas` are the commands there are, `set` the `--set name=value`
    /// overrides, `outputDirectory` the `-o` folder (default: the recipe's `output:`, else
    /// `out/<recipe name>`). Throws with the recipe line and the nearest valid name.
    public static func make(_ recipe: Recipe, schemas: [String: CommandSchema], set: [String: String] = [:],
                            outputDirectory: String? = nil) throws -> RecipePlan {
        func fail(_ line: Int, _ message: String, hint: String? = nil) -> GeoError {
            GeoError(.invalidArgument, "line \(line): " + message, file: recipe.file, hint: hint)
        }
        let cwd = FileManager.default.currentDirectoryPath
        let outRel = outputDirectory ?? recipe.output ?? "out/\(recipe.name)"
        let out = URL(fileURLWithPath: outRel.hasPrefix("/") ? outRel : cwd + "/" + outRel).standardizedFileURL.path

        // Parameters, with their overrides.
        var params: [String: String] = [:]
        for p in recipe.params { params[p.name] = p.value }
        for (k, v) in set {
            guard let p = recipe.params.first(where: { $0.name == k }) else {
                let names = recipe.params.map(\.name)
                throw GeoError(.invalidArgument, "{set} \(k)=\(v): the recipe has no parameter '\(k)'", file: recipe.file,
                               hint: nearest(k, in: names).map { "did you mean '\($0)'?" } ?? (names.isEmpty ? "this recipe has no parameters" : "its parameters are: \(names.joined(separator: ", "))"))
            }
            if RecipeDate(p.value) != nil && RecipeDate(v) == nil {
                throw GeoError(.invalidArgument, "{set} \(k)=\(v): '\(k)' is a date", file: recipe.file, hint: "write it as YYYY-MM-DD, e.g. {set} \(k)=\(p.value)")
            }
            params[k] = v
        }
        var inputs: [String: String] = [:]
        for i in recipe.inputs {
            let expanded = try Interpolation.expand(i.path, line: i.line, recipe: recipe, params: params, inputs: [:], out: out, stepOutputs: [:], stepNames: []).text
            let abs = absolute(expanded, root: recipe.root)
            if !isConnection(expanded) && !FileManager.default.fileExists(atPath: abs) {
                throw fail(i.line, "input '\(i.name)': no such file \(expanded) (looked in \(recipe.root))", hint: "fix the path; relative paths start at the recipe's root: folder")
            }
            inputs[i.name] = isConnection(expanded) ? expanded : abs
        }

        // Commands and option names, before anything else.
        let stepNames = recipe.steps.map(\.name)
        for s in recipe.steps {
            guard let schema = schemas[s.command] else {
                let known = schemas.keys.sorted()
                throw fail(s.commandLine, "step '\(s.name)': no command '\(s.command)'",
                           hint: nearest(s.command, in: known).map { "did you mean '\($0)'?" } ?? "the commands are: \(known.joined(separator: ", "))")
            }
            for o in s.options {
                guard let a = schema.argument(named: o.key), !runnerFlags.contains(a.name) else {
                    let names = schema.arguments.map(\.name).filter { !runnerFlags.contains($0) && $0 != "help" && $0 != "version" }
                    throw fail(o.line, "step '\(s.name)': '\(s.command)' has no option '\(o.key)'",
                               hint: nearest(o.key, in: names).map { "did you mean '\($0)'?" } ?? "its options are: \(names.joined(separator: ", "))")
                }
                if case .list = o.value, !a.repeating {
                    throw fail(o.line, "step '\(s.name)': '\(a.name)' takes one value, not a list")
                }
            }
            for a in s.after where !stepNames.contains(a) {
                throw fail(s.line, "step '\(s.name)': after: no step '\(a)'", hint: nearest(a, in: stepNames).map { "did you mean '\($0)'?" })
            }
        }

        // Outputs first (they may use parameters and ${out}, not other steps).
        var stepOutputs: [String: [String: String]] = [:]
        for s in recipe.steps {
            let schema = schemas[s.command]!
            for o in s.options {
                guard let a = schema.argument(named: o.key), outputOptions.contains(a.name), case .text(let t) = o.value else { continue }
                let e = try Interpolation.expand(t, line: o.line, recipe: recipe, params: params, inputs: inputs, out: out, stepOutputs: [:], stepNames: [])
                stepOutputs[s.name, default: [:]][a.name] = absolute(e.text, root: out)
            }
        }
        var writers: [String: String] = [:]
        for s in recipe.steps {
            for (_, p) in stepOutputs[s.name] ?? [:] {
                if let other = writers[p] { throw fail(s.line, "steps '\(other)' and '\(s.name)' both write \(p)", hint: "give one of them another output name") }
                writers[p] = s.name
            }
        }

        // Every option, resolved.
        var planned: [String: Step] = [:]
        for s in recipe.steps {
            let schema = schemas[s.command]!
            var options: [String: [String]] = [:]
            var byArgument: [String: [String]] = [:]
            var deps = Set(s.after), used = Set<String>(), reads: [String] = []
            for o in s.options {
                let a = schema.argument(named: o.key)!
                let raw: [String]
                switch o.value { case .text(let t): raw = [t]; case .list(let l): raw = l }
                var values: [String] = []
                for t in raw {
                    let e = try Interpolation.expand(t, line: o.line, recipe: recipe, params: params, inputs: inputs, out: out, stepOutputs: stepOutputs, stepNames: stepNames)
                    if e.steps.contains(s.name) { throw fail(o.line, "step '\(s.name)' refers to its own output") }
                    deps.formUnion(e.steps); used.formUnion(e.params)
                    if outputOptions.contains(a.name) {
                        values.append(stepOutputs[s.name]?[a.name] ?? absolute(e.text, root: out))
                    } else if a.kind == .flag {
                        guard let b = flagValue(e.text) else {
                            throw fail(o.line, "step '\(s.name)': '\(a.name)' is a switch: write true or false, not '\(e.text)'")
                        }
                        values.append(b ? "true" : "false")
                    } else if !e.isPath && !isConnection(e.text) && !e.text.hasPrefix("/") && FileManager.default.fileExists(atPath: recipe.root + "/" + e.text) && !e.text.isEmpty {
                        let p = absolute(e.text, root: recipe.root)
                        values.append(p); reads.append(p)
                    } else {
                        values.append(e.text)
                        if e.isPath || (e.text.hasPrefix("/") && FileManager.default.fileExists(atPath: e.text)) { if !isConnection(e.text) { reads.append(e.text) } }
                    }
                }
                options[o.key] = values
                byArgument[a.name] = values
            }
            // The command's arguments: options first, then `--` and the positional ones in order.
            var args = [s.command]
            var positionals: [String] = []
            for a in schema.arguments {
                guard let v = byArgument[a.name] else { continue }
                switch a.kind {
                case .flag: if v.first == "true" { args.append("--\(a.name)") }
                case .option: for x in v { args.append("--\(a.name)=\(x)") }
                case .positional: positionals += v
                }
            }
            if schema.arguments.contains(where: { $0.name == "overwrite" && $0.kind == .flag }) { args.append("--overwrite") }
            if !positionals.isEmpty { args += ["--"] + positionals }
            var seen = Set<String>()
            planned[s.name] = Step(name: s.name, command: s.command, line: s.line, arguments: args, options: options,
                                   inputs: reads.filter { seen.insert($0).inserted }, outputs: stepOutputs[s.name] ?? [:],
                                   dependencies: stepNames.filter { deps.contains($0) }, params: used.sorted())
        }

        // Order: each step after those it reads from; otherwise as written.
        var order: [Step] = []
        var done = Set<String>()
        while order.count < recipe.steps.count {
            guard let next = recipe.steps.first(where: { s in !done.contains(s.name) && planned[s.name]!.dependencies.allSatisfy { done.contains($0) } }) else {
                let stuck = recipe.steps.filter { !done.contains($0.name) }
                throw fail(stuck[0].line, "steps \(stuck.map { "'\($0.name)'" }.joined(separator: ", ")) refer to each other's outputs in a circle",
                           hint: "a step can only read what an earlier step wrote")
            }
            order.append(planned[next.name]!); done.insert(next.name)
        }
        return RecipePlan(recipe: recipe, outputDirectory: out, params: params, steps: order)
    }

    static func absolute(_ p: String, root: String) -> String {
        if p.hasPrefix("/") || isConnection(p) { return p }
        return URL(fileURLWithPath: root + "/" + p).standardizedFileURL.path
    }

    static func isConnection(_ s: String) -> Bool {
        guard let c = s.firstIndex(of: ":") else { return false }
        let scheme = s[..<c]
        return scheme.count >= 2 && scheme.allSatisfy { $0.isLetter || $0 == "_" } && !s.hasPrefix("/")
    }

    static func flagValue(_ s: String) -> Bool? {
        switch s.lowercased() {
        case "true", "yes", "on", "1": return true
        case "false", "no", "off", "0", "": return false
        default: return nil
        }
    }

    /// `cellArea` → `cell-area`.
    static func kebab(_ s: String) -> String {
        var r = ""
        for ch in s {
            if ch.isUppercase { r += "-" + ch.lowercased() } else { r.append(ch) }
        }
        return r
    }
}

/// A calendar date (YYYY-MM-DD) for parameters such as `until`, with day arithmetic.
public struct RecipeDate: Sendable, Hashable, CustomStringConvertible {
    public let year: Int, month: Int, day: Int
    public init?(_ s: String) {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (1 ... 12).contains(m), d >= 1, d <= RecipeDate.daysIn(y, m) else { return nil }
        year = y; month = m; day = d
    }
    init(days: Int) {
        // Days since 1970-01-01 → civil date (Howard Hinnant's algorithm).
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    }
    /// Days since 1970-01-01.
    public var days: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
    public func adding(days n: Int) -> RecipeDate { RecipeDate(days: days + n) }
    static func daysIn(_ y: Int, _ m: Int) -> Int {
        [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }
    public var description: String {
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

/// `${...}` in recipe values: `${name}` (a parameter or an input), `${inputs.name}`,
/// `${params.name}`, `${steps.NAME.output}` (or `.report`, …; `${steps.NAME}` is its output),
/// `${out}` (the output folder), and day arithmetic on date parameters: `${until - 6d}`,
/// `${until + 1d}`, `${until - 2w}`.
enum Interpolation {
    /// `until - 7d` → ("until", -1, 7, "d"); nil when the text is not day arithmetic.
    static func dayArithmetic(_ expr: String) -> (String, Int, Int, Character)? {
        guard let unit = expr.last, unit == "d" || unit == "w" else { return nil }
        let body = expr.dropLast()
        guard let op = body.lastIndex(where: { $0 == "+" || $0 == "-" }) else { return nil }
        let digits = body[body.index(after: op)...].trimmingCharacters(in: .whitespaces)
        let name = body[..<op].trimmingCharacters(in: .whitespaces)
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCII), let n = Int(digits), !name.isEmpty,
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "." || $0 == "-" }) else { return nil }
        return (name, body[op] == "-" ? -1 : 1, n, unit)
    }
    struct Result { var text: String; var steps: Set<String> = []; var params: Set<String> = []; var isPath = false }

    static func expand(_ s: String, line: Int, recipe: Recipe, params: [String: String], inputs: [String: String], out: String,
                       stepOutputs: [String: [String: String]], stepNames: [String]) throws -> Result {
        func fail(_ m: String, hint: String? = nil) -> GeoError { GeoError(.invalidArgument, "line \(line): " + m, file: recipe.file, hint: hint) }
        var r = Result(text: "")
        var rest = Substring(s)
        var whole = true
        while let open = rest.range(of: "${") {
            if open.lowerBound != rest.startIndex { whole = false }
            r.text += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstIndex(of: "}") else { throw fail("'${' without its closing '}' in \(s)") }
            let expr = rest[open.upperBound ..< close].trimmingCharacters(in: .whitespaces)
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty { whole = false }
            let names = recipe.params.map(\.name) + recipe.inputs.map(\.name) + ["out"]
            // Day arithmetic.
            if let (nameText, sign, n, unit) = dayArithmetic(expr) {
                var name = nameText
                if name.hasPrefix("params.") { name = String(name.dropFirst(7)) }
                guard let v = params[name] else { throw fail("no parameter '\(name)' in ${\(expr)}", hint: nearest(name, in: Array(params.keys)).map { "did you mean '\($0)'?" }) }
                guard let date = RecipeDate(v) else { throw fail("${\(expr)}: '\(name)' is \(v), not a date (YYYY-MM-DD)") }
                let days = (unit == "w" ? 7 : 1) * n * sign
                r.text += date.adding(days: days).description
                r.params.insert(name)
                continue
            }
            let parts = expr.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
            switch parts.first {
            case "steps" where parts.count == 2 || parts.count == 3:
                let step = parts[1], option = parts.count == 3 ? parts[2] : "output"
                guard stepNames.contains(step) else {
                    throw fail("${\(expr)}: no step '\(step)'", hint: nearest(step, in: stepNames).map { "did you mean '\($0)'?" } ?? "steps can refer to the outputs of other steps only")
                }
                guard let p = stepOutputs[step]?[RecipePlan.kebab(option)] else {
                    let has = (stepOutputs[step] ?? [:]).keys.sorted()
                    throw fail("${\(expr)}: step '\(step)' has no '\(option)' output", hint: has.isEmpty ? "step '\(step)' writes nothing" : "it writes: \(has.joined(separator: ", "))")
                }
                r.text += p; r.steps.insert(step); r.isPath = true
            case "inputs" where parts.count == 2:
                guard let p = inputs[parts[1]] else { throw fail("${\(expr)}: no input '\(parts[1])'", hint: nearest(parts[1], in: Array(inputs.keys)).map { "did you mean '\($0)'?" }) }
                r.text += p; r.isPath = true
            case "params" where parts.count == 2:
                guard let v = params[parts[1]] else { throw fail("${\(expr)}: no parameter '\(parts[1])'", hint: nearest(parts[1], in: Array(params.keys)).map { "did you mean '\($0)'?" }) }
                r.text += v; r.params.insert(parts[1])
            default:
                if expr == "out" { r.text += out; r.isPath = true }
                else if let v = params[expr] { r.text += v; r.params.insert(expr) }
                else if let p = inputs[expr] { r.text += p; r.isPath = true }
                else if recipe.inputs.contains(where: { $0.name == expr }) { throw fail("${\(expr)}: inputs cannot refer to other inputs") }
                else {
                    throw fail("unknown reference ${\(expr)}", hint: nearest(expr, in: names).map { "did you mean '${\($0)}'?" }
                                ?? "use ${name} for a parameter or input, ${steps.NAME.output} for an earlier step's output")
                }
            }
        }
        r.text += rest
        if !whole { r.isPath = false }
        return r
    }
}
