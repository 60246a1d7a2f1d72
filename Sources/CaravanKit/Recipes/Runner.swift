import Foundation

/// Runs a planned recipe: each step whose inputs (by content), options and caravan version are
/// unchanged since the last run is skipped; the others run in order, one at a time (the
/// commands share GDAL's and caravan's process-wide warning state, so steps do not run side
/// by side). The manifest is rewritten after every step, so a failed or interrupted run keeps
/// what completed and the next run continues from there.
public final class RecipeRunner {
    public struct Selection: Sendable {
        public var force = false
        public var only: [String] = []
        public var dryRun = false
        public init(force: Bool = false, only: [String] = [], dryRun: Bool = false) {
            self.force = force; self.only = only; self.dryRun = dryRun
        }
    }
    public struct Summary: Sendable {
        public var ran: [String] = []
        public var skipped: [String] = []
        public var manifestPath: String
        public var manifest: Manifest
        public var seconds: Double
    }
    /// Runs one step (the CLI parses `step.arguments` into its command and runs it); returns its warnings.
    public typealias Execute = (RecipePlan.Step) throws -> [String]

    public let plan: RecipePlan
    public let caravanVersion: String
    public var log: (String) -> Void
    public var manifestPath: String { plan.outputDirectory + "/manifest.json" }
    private var hashCache: [String: Manifest.File] = [:]

    /// How the manifest names the run's own options (`{force}`, `{only}` in a step's reason):
    /// the options of `caravan run`, its front end, by default.
    public var optionName: @Sendable (String) -> String = OptionKeys.flag

    public init(plan: RecipePlan, caravanVersion: String, log: @escaping (String) -> Void = { _ in }) {
        self.plan = plan; self.caravanVersion = caravanVersion; self.log = log
    }

    public func run(_ selection: Selection = Selection(), execute: Execute) throws -> Summary {
        let t0 = Date()
        for o in selection.only where !plan.steps.contains(where: { $0.name == o }) {
            throw GeoError(.invalidArgument, "{only} \(o): the recipe has no step '\(o)'", file: plan.recipe.file,
                           hint: nearest(o, in: plan.steps.map(\.name)).map { "did you mean '\($0)'?" } ?? "its steps are: \(plan.steps.map(\.name).joined(separator: ", "))")
        }
        let fm = FileManager.default
        let previous = Manifest.read(manifestPath)
        for s in previous?.steps ?? [] {
            for f in s.inputs + s.outputs { hashCache[absoluteInput(f.path, output: s.outputs.contains(f))] = f }
        }
        if let p = previous?.mapPackage { hashCache[absoluteInput(p.path, output: true)] = p }
        var manifest = Manifest(recipe: plan.recipe.name, recipeFile: plan.recipe.file, recipeSHA256: SHA256.hex(plan.recipe.text),
                                params: plan.params, caravan: caravanVersion, gdal: LibraryVersions.gdal, geos: LibraryVersions.geos,
                                proj: LibraryVersions.proj, started: isoNow(), status: "running", steps: [])
        var summary = Summary(manifestPath: manifestPath, manifest: manifest, seconds: 0)
        if !selection.dryRun {
            do { try fm.createDirectory(atPath: plan.outputDirectory, withIntermediateDirectories: true) }
            catch { throw GeoError(.write, "cannot create the output folder: \(error.localizedDescription)", file: plan.outputDirectory) }
            RecipeRunner.removeLeftovers(in: plan.outputDirectory)
        }
        var willChange = Set<String>()   // dry run: steps that would run
        for step in plan.steps {
            let prev = previous?.steps.first { $0.name == step.name && ($0.status == "ran" || $0.status == "up to date") }
            let selected = selection.only.isEmpty || selection.only.contains(step.name)
            if !selected {
                if var p = prev { p.status = "up to date"; manifest.steps.append(p) }
                log("  \(step.name): not selected ({only})")
                continue
            }
            let args = canonical(step.arguments)
            // Inputs, by content.
            var inputs: [Manifest.File] = []
            var pending: [String] = []
            for path in expand(step.inputs) {
                if fm.fileExists(atPath: path) {
                    inputs.append(try record(path, output: false))
                } else if let maker = plan.steps.first(where: { $0.outputs.values.contains(path) }), selection.dryRun {
                    pending.append(maker.name)
                } else {
                    let maker = plan.steps.first { $0.outputs.values.contains(path) }
                    throw GeoError(.read, "step '\(step.name)' (line \(step.line)): its input \(display(path)) does not exist", file: plan.recipe.file,
                                   hint: maker.map { "it is made by step '\($0.name)'; run without {only}, or with {only} \($0.name) first" } ?? "check the path")
                }
            }
            var h = SHA256()
            h.update("caravan \(caravanVersion)\n" + args.joined(separator: "\u{1F}") + "\n")
            for i in inputs { h.update("\(i.path) \(i.sha256)\n") }
            let key = h.hexDigest()

            var reason: String?
            if selection.force { reason = "{force}" }
            else if !selection.only.isEmpty { reason = "{only}" }
            else if let p = prev, p.arguments != args { reason = whyChanged(p, args: args, inputs: inputs, previousVersion: previous?.caravan) }
            else if !pending.isEmpty || step.dependencies.contains(where: willChange.contains) {
                reason = "after \(Set(pending + step.dependencies.filter(willChange.contains)).sorted().joined(separator: ", ")), if its output changes"
            } else if let p = prev {
                if p.key != key { reason = whyChanged(p, args: args, inputs: inputs, previousVersion: previous?.caravan) }
                else {
                    for o in p.outputs {
                        let path = absoluteInput(o.path, output: true)
                        if !fm.fileExists(atPath: path) { reason = "\(o.path) is missing"; break }
                        if try record(path, output: true).sha256 != o.sha256 { reason = "\(o.path) was changed since it was made"; break }
                    }
                }
            } else { reason = "first run" }

            guard let why = reason else {
                log("  \(step.name): up to date")
                var p = prev!
                p.status = "up to date"; p.reason = nil; p.line = step.line
                manifest.steps.append(p)
                summary.skipped.append(step.name)
                continue
            }
            if selection.dryRun {
                log("  \(step.name): would run (\(why)): caravan \(display(step.arguments))")
                willChange.insert(step.name)
                continue
            }
            log("▶ \(step.name) (line \(step.line), \(why)): caravan \(display(step.arguments))")
            for out in step.outputs.values {
                try? fm.createDirectory(atPath: URL(fileURLWithPath: out).deletingLastPathComponent().path, withIntermediateDirectories: true)
            }
            let started = isoNow(), s0 = Date()
            var rec = Manifest.Step(name: step.name, command: step.command, line: step.line, status: "ran", reason: OptionKeys.render(why, optionName), key: key,
                                    options: relativeOptions(step.options), arguments: args, inputs: inputs, outputs: [], warnings: [],
                                    error: nil, started: started, seconds: nil)
            do {
                rec.warnings = try execute(step)
                rec.seconds = (Date().timeIntervalSince(s0) * 1000).rounded() / 1000
                for out in step.outputs.values.sorted() where fm.fileExists(atPath: out) {
                    var f = try record(out, output: true, fresh: true)
                    f.features = RecipeRunner.featureCount(out)
                    rec.outputs.append(f)
                }
                manifest.steps.append(rec)
                summary.ran.append(step.name)
                try manifest.write(to: manifestPath)
            } catch {
                rec.status = "failed"
                rec.error = (error as? GeoError)?.description ?? "\(error)"
                rec.key = nil
                rec.seconds = (Date().timeIntervalSince(s0) * 1000).rounded() / 1000
                manifest.steps.append(rec)
                manifest.status = "failed"; manifest.failedStep = step.name
                manifest.finished = isoNow()
                try? manifest.write(to: manifestPath)
                let e = error as? GeoError
                throw GeoError(e?.kind ?? .invalidArgument, "step '\(step.name)' (line \(step.line), caravan \(step.command)) failed: \(rec.error ?? "")",
                               file: plan.recipe.file,
                               hint: e?.hint ?? "the steps before it are kept; fix it and run again: the finished steps are skipped")
            }
        }
        if let pkg = plan.recipe.mapPackage, !selection.dryRun {
            let path = RecipePlan.absolute(pkg, root: plan.outputDirectory)
            let old = previous?.mapPackage
            let current = old.flatMap { o in fm.fileExists(atPath: path) ? (try? record(path, output: true)).flatMap { $0.sha256 == o.sha256 ? o : nil } : nil }
            if summary.ran.isEmpty, let current {
                manifest.mapPackage = current; manifest.mapPackageLayers = previous?.mapPackageLayers
            } else {
                let files = plan.steps.flatMap { s in s.outputs.keys.sorted().compactMap { s.outputs[$0] } }.filter { fm.fileExists(atPath: $0) && $0 != path }
                let layers = try MapPackage.write(files, to: path)
                if !layers.isEmpty {
                    var f = try record(path, output: true, fresh: true)
                    f.features = RecipeRunner.featureCount(path)
                    manifest.mapPackage = f; manifest.mapPackageLayers = layers
                    log("  map package: \(layers.count) layers in \(display(path))")
                }
            }
        }
        manifest.status = "complete"
        manifest.finished = isoNow()
        manifest.seconds = (Date().timeIntervalSince(t0) * 1000).rounded() / 1000
        if !selection.dryRun { try manifest.write(to: manifestPath) }
        summary.manifest = manifest
        summary.seconds = Date().timeIntervalSince(t0)
        return summary
    }

    // MARK: Paths and checksums

    /// A Shapefile is its .shp and the files beside it; a CSV its .csvt.
    func expand(_ paths: [String]) -> [String] {
        var r: [String] = []
        for p in paths {
            r.append(p)
            let ext = (p as NSString).pathExtension.lowercased()
            let stem = (p as NSString).deletingPathExtension
            let sidecars = ext == "shp" ? ["shx", "dbf", "prj", "cpg"] : ext == "csv" ? ["csvt"] : []
            for s in sidecars where FileManager.default.fileExists(atPath: stem + "." + s) { r.append(stem + "." + s) }
        }
        return r
    }

    func record(_ path: String, output: Bool, fresh: Bool = false) throws -> Manifest.File {
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        let bytes = (attrs?[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attrs?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let rel = output ? relative(path, to: plan.outputDirectory) : relative(path, to: plan.recipe.root)
        if !fresh, let c = hashCache[path], c.bytes == bytes, c.modified == modified {
            return Manifest.File(path: rel, sha256: c.sha256, bytes: bytes, modified: modified, features: c.features)
        }
        let f = Manifest.File(path: rel, sha256: try SHA256.hex(file: path), bytes: bytes, modified: modified, features: nil)
        hashCache[path] = f
        return f
    }

    func relative(_ path: String, to dir: String) -> String {
        path.hasPrefix(dir + "/") ? String(path.dropFirst(dir.count + 1)) : path
    }

    func absoluteInput(_ rel: String, output: Bool) -> String {
        rel.hasPrefix("/") || RecipePlan.isConnection(rel) ? rel : (output ? plan.outputDirectory : plan.recipe.root) + "/" + rel
    }

    /// Arguments with the output folder and the root written as `${out}` and `${root}`, so moving
    /// either does not make every step run again.
    func canonical(_ args: [String]) -> [String] {
        args.map { a in
            a.replacingOccurrences(of: plan.outputDirectory + "/", with: "${out}/").replacingOccurrences(of: plan.recipe.root + "/", with: "${root}/")
        }
    }

    func relativeOptions(_ o: [String: [String]]) -> [String: [String]] {
        o.mapValues { vs in vs.map { v in relative(relative(v, to: plan.outputDirectory), to: plan.recipe.root) } }
    }

    func display(_ args: [String]) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        func quote(_ s: String) -> String {
            guard s.isEmpty || s.contains(where: { " '\"$;&|<>()*?#".contains($0) }) else { return s }
            return s.contains("'") ? "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" : "'" + s + "'"
        }
        return args.map { a in
            let s = a.replacingOccurrences(of: cwd, with: "")
            if s.hasPrefix("--"), let eq = s.firstIndex(of: "=") { return String(s[..<eq]) + " " + quote(String(s[s.index(after: eq)...])) }
            return quote(s)
        }.joined(separator: " ")
    }
    func display(_ path: String) -> String { display([path]) }

    func whyChanged(_ p: Manifest.Step, args: [String], inputs: [Manifest.File], previousVersion: String?) -> String {
        if let v = previousVersion, v != caravanVersion { return "caravan \(v) → \(caravanVersion)" }
        if p.arguments != args {
            func byName(_ a: [String]) -> [String: [String]] {
                var r: [String: [String]] = [:]
                var positional = false
                for x in a.dropFirst() {
                    if x == "--" { positional = true; continue }
                    let name = positional ? "arguments" : String(x.dropFirst(2).prefix { $0 != "=" })
                    r[name, default: []].append(x)
                }
                return r
            }
            let old = byName(p.arguments), new = byName(args)
            let changed = Set(old.keys).union(new.keys).filter { old[$0] != new[$0] }.sorted()
            return "options changed: " + changed.joined(separator: ", ")
        }
        let before = Dictionary(p.inputs.map { ($0.path, $0.sha256) }, uniquingKeysWith: { a, _ in a })
        let changed = inputs.filter { before[$0.path] != $0.sha256 }.map(\.path)
        if !changed.isEmpty { return "input changed: " + changed.prefix(3).joined(separator: ", ") }
        return "inputs changed"
    }

    /// Features in a vector file (every layer), or nil for rasters, pages and pictures.
    public static func featureCount(_ path: String) -> Int? {
        let vector: Set<String> = ["geojson", "json", "gpkg", "shp", "csv", "kml", "fgb", "xlsx", "gml", "tab"]
        guard vector.contains((path as NSString).pathExtension.lowercased()) else { return nil }
        // Counting is no step of the recipe: its warnings (a .prj missing...) go to a log of its own.
        let scope = WarningLog().begin(); defer { scope.end() }
        guard let ds = try? Dataset.open(path) else { return nil }
        var n = 0
        for l in ds.layers { n += (try? l.featureCount()) ?? 0 }
        return n
    }

    /// Temporary folders left by an interrupted command (`.caravan-tmp-PID-…`) whose process is gone.
    public static func removeLeftovers(in dir: String, includingOwn: Bool = false) {
        let fm = FileManager.default
        guard let items = try? fm.subpathsOfDirectory(atPath: dir) else { return }
        for item in items {
            let name = (item as NSString).lastPathComponent
            guard name.hasPrefix(".caravan-tmp-") else { continue }
            let pid = Int32(name.dropFirst(13).split(separator: "-").first ?? "") ?? 0
            let alive = pid > 0 && kill(pid, 0) == 0 && !(includingOwn && pid == getpid())
            if !alive { try? fm.removeItem(atPath: dir + "/" + item) }
        }
    }
}
