import ArgumentParser
import CaravanKit
import Foundation

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a recipe: a batch of commands, skipping what is up to date.",
        discussion: """
        A recipe (YAML) names its inputs, parameters with defaults and steps; a
        step is a caravan command whose options have exactly the names of its
        flags (positional arguments by their name in the command's --help;
        true/false for switches):
          params:  { until: 2023-12-31 }
          inputs:  { seizures: samples/events/seizures.csv }
          steps:
            geocode: { input: "${seizures}", column: place, output: s.gpkg }
            week:
              step: convert
              source: ${steps.geocode.output}
              output: week.gpkg
              where: "date >= '${until - 6d}' AND date <= '${until}'"
        References: ${name} (a parameter or input), ${steps.NAME.output}
        (or .report), ${out} (the output folder), ${until - 7d} and
        ${until + 2w} (dates). Steps run one at a time, each after the steps
        it reads from. A step whose inputs (SHA-256), options and caravan
        version are unchanged is skipped. OUTDIR/manifest.json records, per
        step, the options, the inputs and outputs with SHA-256 and feature
        counts, warnings, times, and caravan/GDAL/GEOS/PROJ versions.
        Examples:
          caravan run samples/recipes/weekly-bulletin.yaml -o out/bulletin
          caravan run samples/recipes/weekly-bulletin.yaml -o out/bulletin \\
              --set until=2023-12-24 --dry-run
          caravan run samples/recipes/weekly-bulletin.yaml -o out/bulletin \\
              --only bulletin --force
          caravan run samples/recipes/training-day.yaml
        """
    )

    @Argument(help: "The recipe (YAML).") var recipe: String
    @Option(name: .customLong("set"), help: "Set a parameter: --set until=2023-12-31 (may repeat).") var set: [String] = []
    @Option(help: "Run only this step (may repeat); its inputs must exist.") var only: [String] = []
    @Flag(help: "Run every step, even those that are up to date.") var force = false
    @Flag(name: .customLong("dry-run"), help: "Print what would run and why; run nothing.") var dryRun = false
    @Option(name: .shortAndLong, help: "The output folder (default: the recipe's output:, else out/<recipe>).") var output: String?

    func run() throws {
        var overrides: [String: String] = [:]
        for s in set {
            guard let eq = s.firstIndex(of: "="), eq != s.startIndex else { throw ValidationError("--set takes name=value, e.g. --set until=2023-12-31") }
            overrides[String(s[..<eq])] = String(s[s.index(after: eq)...])
        }
        let r = try Recipe.load(recipe)
        let plan = try RecipePlan.make(r, schemas: try RecipeCommands.schemas(), set: overrides, outputDirectory: output)
        // Every step must parse as its command before anything runs.
        for step in plan.steps { _ = try RecipeCommands.parse(step, recipe: r) }

        let runner = RecipeRunner(plan: plan, caravanVersion: CaravanCommand.configuration.version) { Console.line($0) }
        let interrupt = RecipeCommands.onInterrupt(outputDirectory: plan.outputDirectory)
        defer { interrupt.cancel() }
        Console.line("caravan: recipe \(r.name): \(plan.steps.count) steps → \(plan.outputDirectory)" +
                     (plan.params.isEmpty ? "" : " (" + plan.params.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ") + ")"))
        let s = try runner.run(.init(force: force, only: only, dryRun: dryRun)) { step in
            try RecipeCommands.execute(step, recipe: r)
        }
        if dryRun { return }
        Console.line(String(format: "caravan: %d ran, %d up to date, in %.2f s; manifest: %@", s.ran.count, s.skipped.count, s.seconds, s.manifestPath))
    }
}

/// The recipe runner's view of the CLI: every command's arguments as its parser declares them,
/// and running a step as the command itself.
enum RecipeCommands {
    /// Commands a recipe cannot use.
    static let excluded: Set<String> = ["run", "gazetteer"]

    static func schemas() throws -> [String: CommandSchema] {
        var r: [String: CommandSchema] = [:]
        for c in CaravanCommand.configuration.subcommands {
            guard let name = c.configuration.commandName, !excluded.contains(name) else { continue }
            r[name] = try schema(of: name)
        }
        return r
    }

    /// The command's arguments, from ArgumentParser's own description of it (`--experimental-dump-help`).
    static func schema(of name: String) throws -> CommandSchema {
        let text: String
        do {
            _ = try CaravanCommand.parseAsRoot([name, "--experimental-dump-help"])
            throw GeoError(.unsupported, "caravan \(name) did not describe its arguments")
        } catch let e as GeoError { throw e } catch {
            text = CaravanCommand.message(for: error)
        }
        struct Info: Decodable {
            struct Command: Decodable { var arguments: [Arg]? }
            struct Arg: Decodable {
                struct Name: Decodable { var kind: String; var name: String }
                var kind: String; var names: [Name]?; var preferredName: Name?; var valueName: String?
                var isOptional: Bool; var isRepeating: Bool
            }
            var command: Command
        }
        let info: Info
        do { info = try JSONDecoder().decode(Info.self, from: Data(text.utf8)) }
        catch { throw GeoError(.unsupported, "cannot read the arguments of caravan \(name): \(error)") }
        var args: [CommandSchema.Argument] = []
        for a in info.command.arguments ?? [] {
            let kind: CommandSchema.Kind = a.kind == "positional" ? .positional : a.kind == "flag" ? .flag : .option
            let long = a.names?.first { $0.kind.hasPrefix("long") }?.name
            guard let main = kind == .positional ? a.valueName : (long ?? a.preferredName?.name ?? a.valueName) else { continue }
            let aliases = (a.names ?? []).map(\.name).filter { $0 != main }
            args.append(.init(name: main, aliases: aliases, kind: kind, repeating: a.isRepeating, optional: a.isOptional))
        }
        return CommandSchema(command: name, arguments: args.filter { $0.name != "help" && $0.name != "version" })
    }

    /// The step as its command, parsed and validated exactly as `caravan <command> ...` would be.
    static func parse(_ step: RecipePlan.Step, recipe: Recipe) throws -> ParsableCommand {
        do { return try CaravanCommand.parseAsRoot(step.arguments) } catch {
            let message = CaravanCommand.message(for: error).replacingOccurrences(of: "Error: ", with: "")
            throw GeoError(.invalidArgument, "line \(step.line): step '\(step.name)' (caravan \(step.command)): \(message)", file: recipe.file,
                           hint: "the step's options are those of 'caravan \(step.command) --help'")
        }
    }

    /// Runs a step in this process, its output shown indented under the step; returns its warnings.
    static func execute(_ step: RecipePlan.Step, recipe: Recipe) throws -> [String] {
        var command = try parse(step, recipe: recipe)
        let log = WarningLog()   // the step's warnings that no library call returned (e.g. while writing)
        let capture = OutputCapture()
        var failure: Error?
        // The step's messages name its options as the recipe does (`cell-area:`), not as flags.
        let recipeKey: (String) -> String = { OptionKeys.kebab($0) + ":" }
        Console.optionName = recipeKey
        do { try log.collecting { try command.run() } } catch { failure = error }
        Console.optionName = OptionKeys.flag
        let lines = capture.finish()
        var warnings: [String] = []
        for l in lines {
            Console.line("    " + l)
            if let r = l.range(of: "warning: ") { warnings.append(String(l[r.upperBound...])) }
        }
        for w in log.messages {
            let text = OptionKeys.render(w, recipeKey)
            Console.line("    caravan: warning: \(text)"); warnings.append(text)
        }
        if let failure {
            if var e = failure as? GeoError {
                e.message = OptionKeys.render(e.message, recipeKey); e.hint = e.hint.map { OptionKeys.render($0, recipeKey) }
                throw e
            }
            throw GeoError(.invalidArgument, CaravanCommand.message(for: failure).replacingOccurrences(of: "Error: ", with: ""))
        }
        return warnings
    }

    /// Ctrl-C: remove this run's temporary files in the output folder and stop (exit 130); the
    /// manifest already holds every step that completed.
    static func onInterrupt(outputDirectory: String) -> DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            RecipeRunner.removeLeftovers(in: outputDirectory, includingOwn: true)
            let manifest = outputDirectory + "/manifest.json"
            if var m = Manifest.read(manifest), m.status == "running" {
                m.status = "interrupted"
                try? m.write(to: manifest)
            }
            let message = "\ncaravan: interrupted; the steps that completed are kept (run again to continue)\n"
            let fd = OutputCapture.realStderr.withLock { $0 } ?? 2
            _ = message.withCString { write(fd, $0, strlen($0)) }
            OutputCapture.removeCurrent()
            Foundation.exit(130)
        }
        source.resume()
        return source
    }
}

/// Sends this process's stdout and stderr to a temporary file while a step runs.
final class OutputCapture {
    private let path = NSTemporaryDirectory() + "caravan-step-\(getpid())-\(UInt32.random(in: 0 ... .max)).log"
    private let savedOut = dup(1), savedErr = dup(2)
    private var fd: Int32

    /// While a step runs: the terminal's stderr and the capture file (for Ctrl-C).
    static let realStderr = Locked<Int32?>(nil)
    static let currentPath = Locked<String?>(nil)
    static func removeCurrent() { if let p = currentPath.withLock({ $0 }) { unlink(p) } }

    init() {
        fflush(nil)
        fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        let (err, p) = (savedErr, path)
        OutputCapture.realStderr.withLock { $0 = err }
        OutputCapture.currentPath.withLock { $0 = p }
        if fd >= 0 { dup2(fd, 1); dup2(fd, 2) }
    }

    func finish() -> [String] {
        fflush(nil)
        if fd >= 0 { dup2(savedOut, 1); dup2(savedErr, 2); close(fd); fd = -1 }
        OutputCapture.realStderr.withLock { $0 = nil }
        OutputCapture.currentPath.withLock { $0 = nil }
        close(savedOut); close(savedErr)
        defer { unlink(path) }
        let text = (FileManager.default.contents(atPath: path)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { l in
            String(l.split(separator: "\r").last ?? "")
        }.filter { !$0.isEmpty }
    }
}
