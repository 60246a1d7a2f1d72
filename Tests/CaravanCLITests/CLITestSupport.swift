import Foundation

/// Runs the built `caravan` binary (built by `make test`'s `swift build --build-tests`).
struct CLIResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

let packageRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    while url.path != "/" {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url.path }
    }
    fatalError("no Package.swift above \(#filePath)")
}()

let caravanBinary: String = {
    // The test bundle sits in the same build folder as the executable.
    for dir in [Bundle.main.bundlePath, Bundle.main.bundleURL.deletingLastPathComponent().path,
                packageRoot + "/.build/debug", packageRoot + "/.build/release"] {
        let p = dir + "/caravan"
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return packageRoot + "/.build/debug/caravan"
}()

@discardableResult
func caravan(_ args: [String], cwd: String = packageRoot) throws -> CLIResult {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: caravanBinary)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: cwd)
    let out = Pipe(), err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: e, as: UTF8.self))
}

final class TempFolder {
    let path: String
    init() {
        path = NSTemporaryDirectory() + "caravan-cli-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    func file(_ n: String) -> String { path + "/" + n }
    func write(_ n: String, _ text: String) -> String { let p = file(n); try! text.write(toFile: p, atomically: false, encoding: .utf8); return p }
}

/// Whether this test run (and so the caravan binary built with it) is under ThreadSanitizer
/// (`make sanitize`). TSan's own runtime dies with SIGBUS at start under a small file-size limit
/// (`ulimit -f`), before caravan runs, so the disk-full tests cannot run under it; they run in
/// `make test` and under AddressSanitizer.
let underThreadSanitizer: Bool = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__tsan_init") != nil

/// Runs a shell script; its stderr goes through a file (a full pipe would block the child).
func sh(_ script: String) throws -> CLIResult {
    let errFile = NSTemporaryDirectory() + "caravan-sh-\(UUID().uuidString).txt"
    defer { try? FileManager.default.removeItem(atPath: errFile) }
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", script + " 2>'\(errFile)'"]
    let out = Pipe()
    p.standardOutput = out
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    let e = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
    return CLIResult(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: e)
}
