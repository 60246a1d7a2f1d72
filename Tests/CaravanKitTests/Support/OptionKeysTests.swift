import Foundation
import Testing
@testable import CaravanKit

@Suite("Option keys in the library's messages")
struct OptionKeysTests {
    /// Lines of the library that may hold a literal `--flag`, and why: none of them is a message.
    static let allowed: [(file: String, contains: String, why: String)] = [
        ("Reports/BulletinPage.swift", "\"--headless\"", "Chromium's own command line"),
        ("Reports/BulletinPage.swift", "\"--print-to-pdf=", "Chromium's own command line"),
        ("Recipes/Plan.swift", "args.append(\"--overwrite\")", "a recipe step's command line, run by the CLI's parser"),
        ("Render/MapFurniture.swift", "(--attribution)", "text drawn on the map picture itself, not a message"),
        ("Reports/BulletinPage.swift", "(--report)", "text inside the bulletin document, not a message"),
    ]

    @Test("no message of the library names a command-line flag: options are {keys} each front end shows its own way")
    func noFlagsInLibraryMessages() throws {
        let root = repositoryRoot + "/Sources/CaravanKit"
        let flag = try NSRegularExpression(pattern: #"(?<![-\w])--[a-z]"#)
        var found: [String] = []
        var scanned = 0
        for case let rel as String in FileManager.default.enumerator(atPath: root)! where rel.hasSuffix(".swift") {
            scanned += 1
            let text = try String(contentsOfFile: root + "/" + rel, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(line)
                if l.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }   // comments describe the CLI
                guard flag.firstMatch(in: l, range: NSRange(l.startIndex..., in: l)) != nil else { continue }
                if Self.allowed.contains(where: { rel == $0.file && l.contains($0.contains) }) { continue }
                found.append("\(rel):\(n + 1): \(l.trimmingCharacters(in: .whitespaces))")
            }
        }
        #expect(scanned > 100)
        #expect(found.isEmpty, "write the option as {camelCaseKey}:\n\(found.joined(separator: "\n"))")
    }

    @Test("a library hint shows as the CLI's flag, as a recipe's key, and a recipe's ${name} stays as written")
    func rendering() throws {
        #expect { try DensityOptions(routes: "r.shp", output: "o.tif").validate() } throws: { e in
            guard let hint = (e as? GeoError)?.hint else { return false }
            return hint.contains("{cell}") && OptionKeys.render(hint, OptionKeys.flag).contains("--cell (e.g. --cell 10km)")
                && OptionKeys.render(hint, { OptionKeys.kebab($0) + ":" }).contains("cell: (e.g. cell: 10km)")
        }
        #expect(OptionKeys.render("use ${name} or {maxSnap}", OptionKeys.flag) == "use ${name} or --max-snap")
    }

    @Test("every {key} the library's messages use is a known key, and a {word} of the user's stays as written")
    func knownKeys() throws {
        let root = repositoryRoot + "/Sources/CaravanKit"
        let key = try NSRegularExpression(pattern: #"(?<!\$)\{([a-z][A-Za-z0-9]*)\}"#)
        var unknown: [String] = [], used = Set<String>()
        for case let rel as String in FileManager.default.enumerator(atPath: root)! where rel.hasSuffix(".swift") {
            let text = try String(contentsOfFile: root + "/" + rel, encoding: .utf8)
            for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let l = String(line)
                if l.trimmingCharacters(in: .whitespaces).hasPrefix("//") { continue }
                for m in key.matches(in: l, range: NSRange(l.startIndex..., in: l)) {
                    let k = String(l[Range(m.range(at: 1), in: l)!])
                    used.insert(k)
                    if !OptionKeys.known.contains(k) { unknown.append("\(rel):\(n + 1): {\(k)}") }
                }
            }
        }
        #expect(unknown.isEmpty, "add the key to OptionKeys.known:\n\(unknown.joined(separator: "\n"))")
        #expect(used.count > 50)
        #expect(OptionKeys.known.subtracting(used).isEmpty, "keys no message uses: \(OptionKeys.known.subtracting(used).sorted())")
        #expect(OptionKeys.render("/data/{abc}/{cellSize}.csv: give {cell}", OptionKeys.flag) == "/data/{abc}/{cellSize}.csv: give --cell")
    }
}
