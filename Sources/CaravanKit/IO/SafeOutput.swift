import Foundation

/// An output written beside its target in a private temporary folder and moved into place
/// only when complete: a crash or an error never leaves a half-written file, an input is
/// never overwritten, and an existing output is kept unless overwriting was asked for.
final class SafeOutput {
    let target: String
    let tempDirectory: String
    /// Where the writer should create its file.
    let temporaryPath: String
    private var done = false

    init(target: String, overwrite: Bool, inputs: [String] = []) throws {
        let fm = FileManager.default
        self.target = target
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw GeoError(.write, "the folder '\(dir)' does not exist", file: target, hint: "create it first: mkdir -p \(dir)")
        }
        let real = SafeOutput.resolved(target)
        for input in inputs where !Dataset.isConnectionString(input) {
            if SafeOutput.resolved(input) == real {
                throw GeoError(.write, "refusing to overwrite the input", file: target, hint: "choose another output name")
            }
        }
        if fm.fileExists(atPath: target) {
            guard overwrite else {
                throw GeoError(.write, "the output already exists", file: target, hint: "pass --overwrite to replace it, or choose another name")
            }
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: target, isDirectory: &isDir), isDir.boolValue {
                throw GeoError(.write, "the output is a folder; refusing to replace it", file: target)
            }
        }
        tempDirectory = dir + "/.caravan-tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do { try fm.createDirectory(atPath: tempDirectory, withIntermediateDirectories: false) }
        catch { throw GeoError(.write, "cannot write in '\(dir)': \(error.localizedDescription)", file: target) }
        temporaryPath = tempDirectory + "/" + url.lastPathComponent
    }

    static func resolved(_ p: String) -> String {
        URL(fileURLWithPath: p).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Moves every file the writer made (a Shapefile makes several) into the target's folder.
    func commit() throws {
        let fm = FileManager.default
        let dir = URL(fileURLWithPath: target).deletingLastPathComponent().path
        let files = (try? fm.contentsOfDirectory(atPath: tempDirectory)) ?? []
        // A Shapefile being replaced may leave stale parts (.cpg, .prj, .qix): drop them first.
        if (target as NSString).pathExtension.lowercased() == "shp" {
            let base = (target as NSString).deletingPathExtension
            for ext in ["shp", "shx", "dbf", "prj", "cpg", "qix", "sbn", "sbx"] { try? fm.removeItem(atPath: base + "." + ext) }
        }
        for f in files {
            if rename(tempDirectory + "/" + f, dir + "/" + f) != 0 {
                throw GeoError(.write, "cannot move the finished output into place: \(String(cString: strerror(errno)))", file: target)
            }
        }
        done = true
        try? fm.removeItem(atPath: tempDirectory)
    }

    /// Deletes the temporary files.
    func abandon() {
        guard !done else { return }
        done = true
        try? FileManager.default.removeItem(atPath: tempDirectory)
    }

    deinit { abandon() }
}
