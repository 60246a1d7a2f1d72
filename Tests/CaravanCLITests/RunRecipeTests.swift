import CaravanKit
import Foundation
import Testing

/// `caravan run` end to end with the real commands.
@Suite("caravan run — recipes over the real commands", .serialized)
struct RunRecipeTests {
    static let recipe = """
        recipe: small
        root: \(packageRoot)
        params:
          role: focus
          cell: 100km
        inputs:
          countries: shapefiles/countries.shp
          railways: shapefiles/railways.shp
        steps:
          rail:
            step: density
            routes: ${railways}
            cell: ${cell}
            output: rail.geojson
          focus:
            step: convert
            source: ${countries}
            output: focus.gpkg
            where: "role = '${role}'"
          rail-focus:
            step: density
            routes: ${railways}
            cell: 100km
            study-area: ${steps.focus.output}
            output: maps/rail_focus.geojson

        """

    func features(_ path: String) throws -> Int {
        let d = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        return (d?["features"] as? [Any])?.count ?? -1
    }

    @Test("a step's error names its options as the recipe writes them (study-area:), the same error on the command line as flags (--study-area)")
    func stepMessagesUseRecipeKeys() throws {
        let dir = TempFolder()
        let r = dir.write("bad.yaml", """
            recipe: bad
            root: \(packageRoot)
            steps:
              rail:
                step: density
                routes: shapefiles/railways.shp
                cell: 100km
                study-where: "role = 'focus'"
                output: rail.geojson

            """)
        let run = try caravan(["run", r, "-o", dir.file("out")])
        #expect(run.status == 1 && run.stderr.contains("add study-area: LAYER, or drop study-where:") && !run.stderr.contains("--study-area"), "\(run.stderr)")
        let cli = try caravan(["density", packageRoot + "/shapefiles/railways.shp", "--cell", "100km", "--study-where", "role = 'focus'", "-o", dir.file("x.geojson")])
        #expect(cli.status == 1 && cli.stderr.contains("add --study-area LAYER, or drop --study-where"), "\(cli.stderr)")
    }

    @Test("a second run skips every step; --set re-runs only the steps that use the parameter; the manifest's hashes and counts are the files'")
    func skipAndManifest() throws {
        let dir = TempFolder()
        let r = dir.write("small.yaml", Self.recipe + "map-package: all.gpkg\n")
        let out = dir.file("out")
        let first = try caravan(["run", r, "-o", out])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("3 ran, 0 up to date"))
        let second = try caravan(["run", r, "-o", out])
        #expect(second.status == 0 && second.stderr.contains("0 ran, 3 up to date"), "\(second.stderr)")
        #expect(!second.stderr.contains("▶"))
        let dry = try caravan(["run", r, "-o", out, "--set", "role=neighbour", "--dry-run"])
        #expect(dry.stderr.contains("rail: up to date") && dry.stderr.contains("focus: would run (options changed"), "\(dry.stderr)")
        let changed = try caravan(["run", r, "-o", out, "--set", "role=neighbour"])
        #expect(changed.status == 0, "\(changed.stderr)")
        #expect(changed.stderr.contains("▶ focus") && changed.stderr.contains("▶ rail-focus") && !changed.stderr.contains("▶ rail "))
        #expect(changed.stderr.contains("2 ran, 1 up to date"))

        let m = try #require(Manifest.read(out + "/manifest.json"))
        #expect(m.params == ["role": "neighbour", "cell": "100km"] && m.status == "complete")
        #expect(m.gdal == "3.6.2" || m.gdal.hasPrefix("3."))
        for step in m.steps {
            for f in step.outputs {
                let path = out + "/" + f.path
                #expect(try SHA256.hex(file: path) == f.sha256)
                if let sum = try shell("/usr/bin/sha256sum", [path]) { #expect(sum.hasPrefix(f.sha256)) }
                if path.hasSuffix(".geojson") { #expect(f.features == (try features(path))) }
            }
            for f in step.inputs { #expect(try SHA256.hex(file: f.path.hasPrefix("/") ? f.path : packageRoot + "/" + f.path) == f.sha256, "\(f.path)") }
        }
        let rf = try #require(m.steps.first { $0.name == "rail-focus" })
        #expect(rf.inputs.map(\.path).contains("shapefiles/railways.dbf") && rf.inputs.map(\.path).contains(out + "/focus.gpkg"))
        #expect(rf.options["study-area"] == ["focus.gpkg"] && rf.arguments.contains("--study-area=${out}/focus.gpkg"))
        // The map package: every vector layer of the run, named after its file, with the same features.
        #expect(m.mapPackageLayers == ["rail", "focus", "rail_focus"])
        let pkg = try Dataset.open(out + "/all.gpkg")
        #expect(pkg.layerNames.sorted() == ["focus", "rail", "rail_focus"])
        #expect(try pkg.layer(named: "rail_focus").featureCount() == (try features(out + "/maps/rail_focus.geojson")))
        #expect(m.mapPackage?.sha256 == (try SHA256.hex(file: out + "/all.gpkg")))
        let focus = try #require(m.steps.first { $0.name == "focus" })
        let countries = try Dataset.open(packageRoot + "/shapefiles/countries.shp").layer(named: nil)
        try countries.setAttributeFilter("role = 'neighbour'")
        #expect(focus.outputs.first?.features == (try countries.featureCount()))
    }

    @Test("a recipe with an unknown option, command or reference is refused before anything runs, with the line and the nearest name")
    func refused() throws {
        let dir = TempFolder()
        let bad = dir.write("bad.yaml", Self.recipe.replacingOccurrences(of: "    cell: ${cell}", with: "    cel: ${cell}"))
        let r = try caravan(["run", bad, "-o", dir.file("out")])
        #expect(r.status == 1)
        #expect(r.stderr.contains("bad.yaml: line 13: step 'rail': 'density' has no option 'cel'") && r.stderr.contains("did you mean 'cell'?"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
        let cmd = dir.write("cmd.yaml", Self.recipe.replacingOccurrences(of: "step: convert", with: "step: convrt"))
        let c = try caravan(["run", cmd, "-o", dir.file("out")])
        #expect(c.stderr.contains("line 16: step 'focus': no command 'convrt'") && c.stderr.contains("did you mean 'convert'?"), "\(c.stderr)")
        // A step its command would refuse (a required argument missing) is refused before anything runs.
        let missing = dir.write("missing.yaml", Self.recipe.replacingOccurrences(of: "    routes: ${railways}\n    cell: ${cell}\n", with: "    cell: ${cell}\n"))
        let mr = try caravan(["run", missing, "-o", dir.file("out")])
        #expect(mr.status == 1 && mr.stderr.contains("line 10: step 'rail' (caravan density)") && mr.stderr.contains("routes"), "\(mr.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }

    @Test("a failing step names the step and its line, keeps what completed, leaves no partial file; the next run continues")
    func failingStep() throws {
        let dir = TempFolder()
        let yaml = Self.recipe.replacingOccurrences(of: "    study-area: ${steps.focus.output}", with: "    study-area: ${steps.focus.output}\n    study-where: \"${where}\"")
            .replacingOccurrences(of: "  cell: 100km\ninputs:", with: "  cell: 100km\n  where: \"no_such_field = 1\"\ninputs:")
        let r = dir.write("fail.yaml", yaml)
        let out = dir.file("out")
        let run = try caravan(["run", r, "-o", out])
        #expect(run.status == 1)
        #expect(run.stderr.contains("step 'rail-focus' (line 21, caravan density) failed"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: out + "/rail.geojson") && FileManager.default.fileExists(atPath: out + "/focus.gpkg"))
        #expect(!FileManager.default.fileExists(atPath: out + "/maps/rail_focus.geojson"))
        let leftovers = (FileManager.default.subpaths(atPath: out) ?? []).filter { $0.contains(".caravan-tmp") }
        #expect(leftovers.isEmpty, "\(leftovers)")
        let m = try #require(Manifest.read(out + "/manifest.json"))
        #expect(m.status == "failed" && m.failedStep == "rail-focus")
        let next = try caravan(["run", r, "-o", out, "--set", "where=role = 'focus'"])
        #expect(next.status == 0 && next.stderr.contains("1 ran, 2 up to date"), "\(next.stderr)")
    }
}

func shell(_ tool: String, _ args: [String]) throws -> String? {
    guard FileManager.default.isExecutableFile(atPath: tool) else { return nil }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: tool)
    p.arguments = args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = FileHandle.nullDevice
    try p.run()
    let d = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return p.terminationStatus == 0 ? String(decoding: d, as: UTF8.self) : nil
}
