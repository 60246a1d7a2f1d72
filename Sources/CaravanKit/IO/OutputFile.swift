import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A file written with plain `write(2)` calls, every one checked (short writes retried,
/// `EINTR` retried, `ENOSPC`/`EFBIG`/`EIO` thrown), and a checked `close(2)`: a full disk or
/// a file-size limit is an error, never a cut-off file reported as written.
final class OutputFile {
    let path: String
    /// The name to put in errors (the final target, not the temporary file).
    let displayPath: String
    private var fd: Int32
    private(set) var bytesWritten = 0

    init(path: String, displayPath: String) throws {
        self.path = path
        self.displayPath = displayPath
        fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0 {
            throw GeoError(.write, "cannot create the output: \(String(cString: strerror(errno)))", file: displayPath)
        }
        // A file-size limit must come back as EFBIG, not kill the process.
        OutputFile.ignoreSIGXFSZ
    }

    private static let ignoreSIGXFSZ: Void = { _ = signal(SIGXFSZ, SIG_IGN) }()

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    func write(_ raw: UnsafeRawBufferPointer) throws {
        guard fd >= 0 else { throw GeoError(.write, "the output is closed", file: displayPath) }
        var offset = 0
        while offset < raw.count {
            let n = Glibc.write(fd, raw.baseAddress! + offset, raw.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputFile.error(errno, displayPath)
            }
            if n == 0 { throw OutputFile.error(EIO, displayPath) }
            offset += n
        }
        bytesWritten += raw.count
    }

    /// Closes, checking it. No `fsync`: every `write` was checked (a local disk reports a full
    /// disk or a size limit there), and waiting for the disk would cost seconds per 100 MB; a
    /// network file system reports late failures at `close`, which is checked.
    func close() throws {
        guard fd >= 0 else { return }
        let f = fd
        fd = -1
        if Glibc.close(f) != 0 { throw OutputFile.error(errno, displayPath) }
    }

    static func error(_ code: Int32, _ path: String) -> GeoError {
        let what = String(cString: strerror(code))
        let hint: String? = code == ENOSPC || code == EFBIG || code == EDQUOT
            ? "free some space (or raise the file-size limit) and run again; nothing was written at the output" : nil
        return GeoError(.write, "cannot write the output: \(what)", code: Int(code), operation: "write", file: path, hint: hint)
    }

    deinit { if fd >= 0 { _ = Glibc.close(fd) } }
}
