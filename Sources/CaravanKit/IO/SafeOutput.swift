import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An output written beside its target in a private temporary folder and moved into place
/// only when complete: a crash or an error never leaves a half-written file, an input is
/// never overwritten, and an existing output is kept unless overwriting was asked for.
///
/// What it guarantees:
/// - an output is compared with every input by file identity (device and inode), the parts of
///   a Shapefile by name without regard to case, so `a.SHP` is `a.shp` and `-o a.shp` is the
///   input `a.dbf`'s own Shapefile;
/// - the final move never replaces a file that appeared meanwhile (a hard link, which fails
///   if the name exists), unless overwriting was asked for;
/// - only files Caravan wrote are moved, and a Shapefile's other parts are left alone unless
///   they belong to the Shapefile being replaced (`--overwrite`);
/// - SIGINT, SIGTERM and SIGHUP remove the temporary folders of the running process, and the
///   next run in a folder removes the `.caravan-tmp-PID-*` folders of processes that died.
public final class SafeOutput {
    let target: String
    let tempDirectory: String
    /// Where the writer should create its file.
    let temporaryPath: String
    private let overwrite: Bool
    private let targetExisted: Bool
    private var done = false

    static let shapefileParts = ["shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx", "qmd", "xml", "atx", "fix", "aih", "ain", "ixs", "mxs"]
    static let tempPrefix = ".caravan-tmp-"

    init(target: String, overwrite: Bool, inputs: [String] = [], keepExisting: Bool = false) throws {
        let fm = FileManager.default
        self.target = target
        self.overwrite = overwrite
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw GeoError(.write, "the folder '\(dir)' does not exist", file: target, hint: "create it first: mkdir -p \(dir)")
        }
        try SafeOutput.checkDistinct(outputs: [target], inputs: inputs)
        if fm.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
            throw GeoError(.write, "the output is a folder; refusing to replace it", file: target)
        }
        let existing = SafeOutput.parts(of: target).filter { fm.fileExists(atPath: $0) }
        targetExisted = fm.fileExists(atPath: target)
        if !existing.isEmpty && !overwrite {
            let which = existing.contains(target) ? "the output already exists" : "'\((existing[0] as NSString).lastPathComponent)', a part of this Shapefile, already exists"
            throw GeoError(.write, which, file: target, hint: "pass {overwrite} to replace it, or choose another name")
        }
        _ = keepExisting
        SafeOutput.removeStaleTemporaries(in: dir)
        SafeOutput.installSignalCleanup()
        tempDirectory = dir + "/" + SafeOutput.tempPrefix + "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try fm.createDirectory(atPath: tempDirectory, withIntermediateDirectories: false) }
        catch { throw GeoError(.write, "cannot write in '\(dir)': \(error.localizedDescription)", file: target) }
        temporaryPath = tempDirectory + "/" + url.lastPathComponent
        TemporaryRegistry.shared.add(tempDirectory)
    }

    static func resolved(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The files an output occupies: itself, and for a Shapefile every part that exists beside
    /// it under the same name in any case (`a.SHX`, `a.dbf`…) plus the lower-case names GDAL writes.
    static func parts(of path: String) -> [String] {
        let ext = (path as NSString).pathExtension.lowercased()
        guard ext == "shp" || ext == "dbf" || ext == "shx" else { return [path] }
        let dir = (path as NSString).deletingLastPathComponent
        let base = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        var out = [path]
        let folder = dir.isEmpty ? "." : dir
        for e in ["shp", "shx", "dbf", "prj", "cpg"] {
            let p = (dir.isEmpty ? "" : dir + "/") + base + "." + e
            if !out.contains(p) { out.append(p) }
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let b = (name as NSString).deletingPathExtension, e = (name as NSString).pathExtension.lowercased()
            guard b.lowercased() == base.lowercased(), shapefileParts.contains(e) else { continue }
            let p = (dir.isEmpty ? "" : dir + "/") + name
            if !out.contains(p) { out.append(p) }
        }
        return out
    }

    struct Identity: Hashable { var device: UInt64; var inode: UInt64 }

    static func identity(_ path: String) -> Identity? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    /// The files an input is made of: itself, its Shapefile parts, or the files of a folder.
    private static func inputFiles(_ input: String) -> [String] {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: input, isDirectory: &isDir), isDir.boolValue {
            return ((try? FileManager.default.contentsOfDirectory(atPath: input)) ?? []).map { input + "/" + $0 }
        }
        return parts(of: input)
    }

    /// Refuses outputs that would overwrite an input or each other: by file identity where the
    /// files exist (a hard link or another spelling is the same file), by resolved path and by
    /// case-insensitive Shapefile part names otherwise. Commands call it before any work.
    ///
    /// ```swift
    /// try SafeOutput.checkDistinct(outputs: ["out/p.csv", "out/p_report.csv"], inputs: ["places.csv"])
    /// ```
    public static func checkDistinct(outputs: [String], inputs: [String]) throws {
        var inputIDs: [Identity: String] = [:]
        var inputPaths: [String: String] = [:]
        for input in inputs where !Dataset.isConnectionString(input) {
            for f in inputFiles(input) {
                if let id = identity(f) { inputIDs[id] = input }
                inputPaths[resolved(f)] = input
            }
        }
        var seenIDs: [Identity: Int] = [:]
        var seenPaths: [String: Int] = [:]
        for (n, output) in outputs.enumerated() {
            for part in parts(of: output) {
                let key = resolved(part)
                let id = identity(part)
                if let input = id.flatMap({ inputIDs[$0] }) ?? inputPaths[key] {
                    let same = part == output ? "" : " (its part \((part as NSString).lastPathComponent) is a file of that input)"
                    throw GeoError(.write, "refusing to overwrite the input \(input)\(same)", file: output,
                                   hint: "choose another output name")
                }
                if let other = id.flatMap({ seenIDs[$0] }) ?? seenPaths[key], other != n {
                    throw GeoError(.write, "this output is the same file as the output \(outputs[other])", file: output,
                                   hint: "give each output its own name")
                }
                if let id { seenIDs[id] = n }
                seenPaths[key] = n
            }
        }
    }

    /// Removes `.caravan-tmp-PID-*` folders left by processes that no longer run.
    static func removeStaleTemporaries(in dir: String) {
        let me = getpid()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] where name.hasPrefix(tempPrefix) {
            let rest = name.dropFirst(tempPrefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid != me, pid > 0 else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: dir + "/" + name)
            }
        }
    }

    /// Moves every file the writer made (a Shapefile makes several) into the target's folder.
    func commit() throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let files = (try? fm.contentsOfDirectory(atPath: tempDirectory)) ?? []
        var placed: [String] = []
        func rollback() { for p in placed { unlink(p) } }
        for f in files {
            let from = tempDirectory + "/" + f, to = dir + "/" + f
            if overwrite {
                if rename(from, to) != 0 {
                    throw GeoError(.write, "cannot move the finished output into place: \(String(cString: strerror(errno)))", file: target)
                }
                continue
            }
            // No replacing: link() fails if the name appeared since the start.
            if link(from, to) == 0 { placed.append(to); continue }
            let e = errno
            if e == EEXIST {
                rollback()
                throw GeoError(.write, "'\(f)' appeared while caravan was writing (another run?); it was kept and this output dropped",
                               file: target, hint: "run again with another name, or pass {overwrite} to replace it")
            }
            // A file system without hard links: check, then rename.
            if fm.fileExists(atPath: to) {
                rollback()
                throw GeoError(.write, "'\(f)' appeared while caravan was writing; it was kept", file: target)
            }
            if rename(from, to) != 0 {
                rollback()
                throw GeoError(.write, "cannot move the finished output into place: \(String(cString: strerror(errno)))", file: target)
            }
        }
        // The Shapefile being replaced may have parts the new one does not (.cpg, .prj, .qix):
        // they describe the old file, so they go with it. Nothing else beside it is touched.
        if overwrite && targetExisted && (target as NSString).pathExtension.lowercased() == "shp" {
            let base = ((target as NSString).lastPathComponent as NSString).deletingPathExtension
            for ext in ["prj", "cpg", "qix", "sbn", "sbx"] where !files.contains(base + "." + ext) {
                unlink(dir + "/" + base + "." + ext)
            }
        }
        done = true
        try? fm.removeItem(atPath: tempDirectory)
        TemporaryRegistry.shared.remove(tempDirectory)
    }

    /// Deletes the temporary files.
    func abandon() {
        guard !done else { return }
        done = true
        try? FileManager.default.removeItem(atPath: tempDirectory)
        TemporaryRegistry.shared.remove(tempDirectory)
    }

    deinit { abandon() }

    nonisolated(unsafe) private static let signalSources: [DispatchSourceSignal] = {
        [SIGINT, SIGTERM, SIGHUP].map { sig in
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                TemporaryRegistry.shared.removeAll()
                // Die of the signal, as without the handler: the signal is blocked on this
                // thread (Dispatch reads it from a signalfd), so unblock it first.
                signal(sig, SIG_DFL)
                var set = sigset_t()
                sigemptyset(&set)
                sigaddset(&set, sig)
                pthread_sigmask(SIG_UNBLOCK, &set, nil)
                raise(sig)
                _exit(128 + sig)
            }
            source.resume()
            return source
        }
    }()

    /// A file-size limit (`ulimit -f`) must come back to GDAL, SQLite and our own writes as
    /// EFBIG (an error that names the file), not kill the process and leave its temporaries.
    private static let ignoreFileSizeSignal: Void = { _ = signal(SIGXFSZ, SIG_IGN) }()

    /// On SIGINT, SIGTERM or SIGHUP: remove this process's temporaries, then die of the signal.
    static func installSignalCleanup() { _ = signalSources; _ = ignoreFileSizeSignal }
}

/// The temporary folders of the running process, for the signal handler.
final class TemporaryRegistry: @unchecked Sendable {
    static let shared = TemporaryRegistry()
    private let lock = NSLock()
    private var paths = Set<String>()
    func add(_ p: String) { lock.lock(); paths.insert(p); lock.unlock() }
    func remove(_ p: String) { lock.lock(); paths.remove(p); lock.unlock() }
    func removeAll() {
        lock.lock(); let all = paths; paths.removeAll(); lock.unlock()
        for p in all { try? FileManager.default.removeItem(atPath: p) }
    }
}
