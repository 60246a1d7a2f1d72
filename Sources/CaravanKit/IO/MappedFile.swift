import Foundation

/// A file's bytes mapped read-only, for readers that pass over a whole file once: the pages
/// behind the reader can be given back (`release`), so a file of any size costs a few
/// megabytes of memory. (Foundation's `Data(contentsOf:options: .alwaysMapped)` maps too, but
/// may fall back to reading into memory, where giving pages back would zero them.)
enum MappedFile {
    /// `body` with the bytes of `path`; nil when it is not a regular file that can be mapped.
    static func withBytes<R>(_ path: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) throws -> R? {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        let n = Int(st.st_size)
        guard n > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
        guard let map = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0), map != MAP_FAILED else { return nil }
        defer { munmap(map, n) }
        _ = madvise(map, n, MADV_SEQUENTIAL)
        return try body(UnsafeBufferPointer(start: map.assumingMemoryBound(to: UInt8.self), count: n))
    }

    /// Gives back the pages of `bytes[from..<upTo]` (of a buffer from `withBytes`; the page
    /// `upTo` falls in is kept). Nothing is lost: reading them again maps them again from the file.
    static func release(_ bytes: UnsafeBufferPointer<UInt8>, from: Int, upTo: Int) {
        guard let base = bytes.baseAddress else { return }
        let page = Int(getpagesize())
        let a = from / page * page, b = upTo / page * page
        guard b > a else { return }
        _ = madvise(UnsafeMutableRawPointer(mutating: base + a), b - a, MADV_DONTNEED)
    }
}
