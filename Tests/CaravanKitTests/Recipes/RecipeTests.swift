import Foundation
import Testing
@testable import CaravanKit

/// A temporary folder for one test.
private final class Scratch {
    let path = NSTemporaryDirectory() + "caravan-recipe-\(UUID().uuidString)"
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    @discardableResult func write(_ name: String, _ text: String) -> String {
        let p = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: p, contents: Data(text.utf8))
        return p
    }
    func read(_ p: String) -> String { String(decoding: FileManager.default.contents(atPath: p) ?? Data(), as: UTF8.self) }
}

private func sha256sum(_ path: String) throws -> String? {
    guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
    p.arguments = [path]
    let pipe = Pipe()
    p.standardOutput = pipe
    try p.run()
    let out = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return String(decoding: out, as: UTF8.self).split(separator: " ").first.map(String.init)
}

/// Two toy commands: `copy INPUT -o OUTPUT [--suffix S] [--fail]` (writes the input, then the
/// suffix) and `join A B -o OUTPUT`.
private let schemas: [String: CommandSchema] = [
    "copy": CommandSchema(command: "copy", arguments: [
        .init(name: "input", kind: .positional, optional: false),
        .init(name: "output", aliases: ["o"], kind: .option, optional: false),
        .init(name: "suffix", kind: .option),
        .init(name: "cell-area", kind: .option),
        .init(name: "fail", kind: .flag),
        .init(name: "overwrite", kind: .flag)]),
    "join": CommandSchema(command: "join", arguments: [
        .init(name: "first", kind: .positional, optional: false),
        .init(name: "second", kind: .positional, optional: false),
        .init(name: "output", aliases: ["o"], kind: .option, optional: false),
        .init(name: "overwrite", kind: .flag)]),
]

/// Runs the toy commands from their arguments, as the CLI runs the real ones.
private func execute(_ step: RecipePlan.Step) throws -> [String] {
    var positional: [String] = [], options: [String: String] = [:], flags = Set<String>()
    var afterDashes = false
    for a in step.arguments.dropFirst() {
        if afterDashes { positional.append(a); continue }
        if a == "--" { afterDashes = true; continue }
        if let eq = a.firstIndex(of: "=") { options[String(a[a.index(a.startIndex, offsetBy: 2) ..< eq])] = String(a[a.index(after: eq)...]) }
        else { flags.insert(String(a.dropFirst(2))) }
    }
    if flags.contains("fail") { throw GeoError(.invalidArgument, "told to fail") }
    let text = positional.map { String(decoding: FileManager.default.contents(atPath: $0) ?? Data(), as: UTF8.self) }.joined() + (options["suffix"] ?? "")
    guard let out = options["output"], FileManager.default.createFile(atPath: out, contents: Data(text.utf8)) else { throw GeoError(.write, "no output") }
    return options["suffix"] == "warn" ? ["a warning"] : []
}

private let chain = """
    recipe: chain
    params:
      suffix: "-x"
      until: 2024-03-01
    inputs:
      source: a.txt
    steps:
      last:
        step: join
        first: ${steps.first.output}
        second: ${steps.dated.output}
        o: last.txt
      first:
        step: copy
        input: ${source}
        suffix: ${suffix}
        output: first.txt
      dated:
        step: copy
        input: ${source}
        suffix: "${until - 1d}/${until - 2w}/${until + 0d}"
        output: sub/dated.txt

    """

@Suite("Recipes: parsing, planning, checksums, skipping")
struct RecipeTests {
    @Test("SHA-256 agrees with sha256sum at every padding boundary and across chunks")
    func sha() throws {
        let s = Scratch()
        #expect(SHA256.hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        var rng = SystemRandomNumberGenerator()
        for n in [1, 55, 56, 57, 63, 64, 65, 119, 120, 1000, (1 << 20) + 3] {
            let bytes = (0 ..< n).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            let p = s.path + "/r\(n)"
            FileManager.default.createFile(atPath: p, contents: Data(bytes))
            guard let expected = try sha256sum(p) else { return }
            #expect(try SHA256.hex(file: p) == expected, "length \(n)")
            #expect(SHA256.hex(Data(bytes)) == expected, "length \(n) in memory")
        }
    }

    @Test("dates: day and week arithmetic across months and leap years")
    func dates() throws {
        #expect(RecipeDate("2024-03-01")?.adding(days: -1).description == "2024-02-29")
        #expect(RecipeDate("2023-03-01")?.adding(days: -1).description == "2023-02-28")
        #expect(RecipeDate("2023-12-31")?.adding(days: -91).description == "2023-10-01")
        #expect(RecipeDate("2000-01-01")?.days == 10957)
        #expect(RecipeDate("2023-02-29") == nil && RecipeDate("31.12.2023") == nil)
    }

    @Test("a broken recipe names its line and the nearest valid name")
    func broken() throws {
        func message(_ yaml: String, set: [String: String] = [:]) -> String {
            do {
                let r = try Recipe.parse(yaml, file: "r.yaml")
                _ = try RecipePlan.make(r, schemas: schemas, set: set, outputDirectory: NSTemporaryDirectory() + "unused")
                return "no error"
            } catch let e as GeoError { return e.description + " | " + (e.hint ?? "") } catch { return "\(error)" }
        }
        let unknownOption = message("steps:\n  a:\n    step: copy\n    input: x\n    outptu: y.txt\n")
        #expect(unknownOption.contains("r.yaml: line 5: step 'a': 'copy' has no option 'outptu'") && unknownOption.contains("did you mean 'output'?"))
        let unknownCommand = message("steps:\n  a:\n    step: coyp\n    input: x\n")
        #expect(unknownCommand.contains("line 3: step 'a': no command 'coyp'") && unknownCommand.contains("did you mean 'copy'?"))
        let unknownStep = message("steps:\n  a:\n    step: copy\n    input: x\n    output: a.txt\n  b:\n    step: copy\n    input: ${steps.aa.output}\n    output: b.txt\n")
        #expect(unknownStep.contains("line 8: ${steps.aa.output}: no step 'aa'") && unknownStep.contains("did you mean 'a'?"))
        let unknownParam = message("params:\n  until: 2023-12-31\nsteps:\n  a:\n    step: copy\n    input: x\n    suffix: ${untl - 7d}\n    output: a.txt\n")
        #expect(unknownParam.contains("line 7: no parameter 'untl'") && unknownParam.contains("did you mean 'until'?"))
        let yaml = message("steps:\n  a:\n    step: copy\n   input: x\n")
        #expect(yaml.contains("r.yaml: line 4: not valid YAML"), "\(yaml)")
        let top = message("stpes:\n  a: {}\n")
        #expect(top.contains("line 1: unknown key 'stpes'") && top.contains("did you mean 'steps'?"))
        let cycle = message("steps:\n  a:\n    step: copy\n    input: ${steps.b.output}\n    output: a.txt\n  b:\n    step: copy\n    input: ${steps.a.output}\n    output: b.txt\n")
        #expect(cycle.contains("line 2: steps 'a', 'b' refer to each other's outputs in a circle"))
        #expect(message(chain.replacingOccurrences(of: "source: a.txt", with: "source: /nonexistent/a.txt")).contains("line 6: input 'source': no such file"))
        let set = message("params:\n  until: 2023-12-31\nsteps:\n  a:\n    step: copy\n    input: x\n    output: a.txt\n", set: ["untill": "2024-01-01"])
        #expect(set.contains("{set} untill=2024-01-01: the recipe has no parameter 'untill'") && set.contains("did you mean 'until'?"))
        #expect(message("params:\n  until: 2023-12-31\nsteps:\n  a:\n    step: copy\n    input: x\n    output: a.txt\n", set: ["until": "31.12.2023"]).contains("'until' is a date"))
        #expect(message("steps:\n  a:\n    step: copy\n    input: x\n    output: a.txt\n  b:\n    step: copy\n    input: x\n    output: a.txt\n").contains("steps 'a' and 'b' both write"))
        // Found by fuzzing: deeply nested brackets overflowed the stack inside Yams.
        let deep = message("steps:\n  a:\n    " + String(repeating: "{", count: 200_000) + "a:\n")
        #expect(deep.contains("r.yaml: line 3: the YAML nests collections 65 levels deep"), "\(deep.prefix(200))")
        let indented = message("steps:\n" + (1...300).map { String(repeating: " ", count: $0) + "a\($0):\n" }.joined())
        #expect(indented.contains("levels deep"), "\(indented.prefix(200))")
        // Brackets in quotes and comments are not nesting.
        #expect(Recipe.deepestNesting("a: '" + String(repeating: "{", count: 100) + "'\nb: 1 # " + String(repeating: "[", count: 100) + "\n", limit: 64) == nil)
    }

    @Test("the plan: order from references, arguments as the command takes them, dates computed")
    func plan() throws {
        let s = Scratch()
        s.write("a.txt", "A")
        let r = try Recipe.parse(chain, file: s.path + "/chain.yaml")
        let p = try RecipePlan.make(r, schemas: schemas, outputDirectory: s.path + "/out")
        #expect(p.steps.map(\.name) == ["first", "dated", "last"])
        let last = try #require(p.steps.last)
        #expect(last.dependencies == ["first", "dated"])
        #expect(last.arguments == ["join", "--output=\(s.path)/out/last.txt", "--overwrite", "--", "\(s.path)/out/first.txt", "\(s.path)/out/sub/dated.txt"])
        #expect(p.steps[1].arguments.contains("--suffix=2024-02-29/2024-02-16/2024-03-01"))
        #expect(p.steps[0].inputs == ["\(s.path)/a.txt"] && p.steps[0].params == ["suffix"])
        // camelCase spellings of the flags are the same option.
        let camel = try RecipePlan.make(try Recipe.parse("steps:\n  a:\n    step: copy\n    input: x\n    cellArea: 5km2\n    output: a.txt\n", file: s.path + "/c.yaml"),
                                        schemas: schemas, outputDirectory: s.path + "/out")
        #expect(camel.steps[0].arguments.contains("--cell-area=5km2"))
    }

    @Test("a second run skips every step; a parameter re-runs only the steps that use it; hashes match the files")
    func skipping() throws {
        let s = Scratch()
        s.write("a.txt", "A")
        let r = try Recipe.parse(chain, file: s.path + "/chain.yaml")
        func run(_ set: [String: String] = [:], _ sel: RecipeRunner.Selection = .init()) throws -> RecipeRunner.Summary {
            let p = try RecipePlan.make(r, schemas: schemas, set: set, outputDirectory: s.path + "/out")
            return try RecipeRunner(plan: p, caravanVersion: "test").run(sel, execute: execute)
        }
        let first = try run()
        #expect(first.ran == ["first", "dated", "last"])
        #expect(s.read(s.path + "/out/last.txt") == "A-xA2024-02-29/2024-02-16/2024-03-01")
        let second = try run()
        #expect(second.ran.isEmpty && second.skipped == ["first", "dated", "last"])
        let changed = try run(["suffix": "-y"])
        #expect(changed.ran == ["first", "last"] && changed.skipped == ["dated"])
        #expect(try run(["suffix": "-y"]).ran.isEmpty)
        #expect(try run(["suffix": "-y"], .init(only: ["dated"])).ran == ["dated"])
        #expect(try run(["suffix": "-y"], .init(force: true)).ran.count == 3)
        // An input changed by content re-runs what reads it.
        Thread.sleep(forTimeInterval: 0.01)
        s.write("a.txt", "B")
        #expect(try run(["suffix": "-y"]).ran == ["first", "dated", "last"])
        // An output edited by hand is made again.
        s.write("out/first.txt", "edited")
        #expect(try run(["suffix": "-y"]).ran == ["first"])
        // The manifest's checksums are the files'.
        let m = try #require(Manifest.read(s.path + "/out/manifest.json"))
        #expect(m.status == "complete" && m.params["suffix"] == "-y" && m.caravan == "test" && m.gdal.hasPrefix("3."))
        for step in m.steps {
            for f in step.outputs { #expect(try SHA256.hex(file: s.path + "/out/" + f.path) == f.sha256) }
            for f in step.inputs { #expect(try SHA256.hex(file: s.path + "/" + f.path) == f.sha256) }
        }
        #expect(m.steps.first { $0.name == "dated" }?.outputs.first?.path == "sub/dated.txt")
    }

    @Test("a failing step names the step and line, keeps what completed; the next run continues from there")
    func failure() throws {
        let s = Scratch()
        s.write("a.txt", "A")
        let yaml = chain.replacingOccurrences(of: "    output: sub/dated.txt", with: "    output: sub/dated.txt\n    fail: ${broken}")
            .replacingOccurrences(of: "  until: 2024-03-01", with: "  until: 2024-03-01\n  broken: true")
        let r = try Recipe.parse(yaml, file: s.path + "/chain.yaml")
        func plan(_ set: [String: String]) throws -> RecipePlan { try RecipePlan.make(r, schemas: schemas, set: set, outputDirectory: s.path + "/out") }
        var message = ""
        do { _ = try RecipeRunner(plan: try plan([:]), caravanVersion: "t").run(execute: execute) } catch let e as GeoError { message = e.description }
        #expect(message.contains("step 'dated' (line 19, caravan copy) failed: told to fail"), "\(message)")
        #expect(FileManager.default.fileExists(atPath: s.path + "/out/first.txt"))
        #expect(!FileManager.default.fileExists(atPath: s.path + "/out/sub/dated.txt") && !FileManager.default.fileExists(atPath: s.path + "/out/last.txt"))
        let m = try #require(Manifest.read(s.path + "/out/manifest.json"))
        #expect(m.status == "failed" && m.failedStep == "dated" && m.steps.map(\.status) == ["ran", "failed"])
        let next = try RecipeRunner(plan: try plan(["broken": "false"]), caravanVersion: "t").run(execute: execute)
        #expect(next.skipped == ["first"] && next.ran == ["dated", "last"])
    }
}
