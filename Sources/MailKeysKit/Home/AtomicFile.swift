import Foundation
import MailKeysCore
import MailKeysDNS

/// Whole-file writes that never leave a partial file: a temporary file, fsync, rename over the
/// target, fsync of the directory. The temporary file is made in `tempDir` when given (a home's
/// staging directory, which every run sweeps, so a killed write leaves nothing behind), else next
/// to the target. Every step passes a ``FaultPoint``.
public enum AtomicFile {
    nonisolated(unsafe) static var sequence = 0

    public static func write(
        _ text: String,
        to url: URL,
        mode: mode_t = 0o644,
        group: gid_t? = nil,
        tempDir: URL? = nil
    ) throws {
        var text = text
        try text.withUTF8 {
            try write(bytes: UnsafeRawBufferPointer($0), to: url, mode: mode, group: group, tempDir: tempDir)
        }
    }

    static func write(bytes: [UInt8], to url: URL, mode: mode_t = 0o644, tempDir: URL? = nil) throws {
        try bytes.withUnsafeBytes { try write(bytes: $0, to: url, mode: mode, group: nil, tempDir: tempDir) }
    }

    /// A new temporary path for `url`: in `tempDir` when given, else next to the target.
    static func tempPath(for url: URL, in tempDir: URL?) -> String {
        sequence += 1
        return tempDir.map { "\($0.path)/\(getpid()).\(sequence).\(url.lastPathComponent)" }
            ?? "\(url.deletingLastPathComponent().path)/.\(url.lastPathComponent).tmp.\(getpid())"
    }

    static func write(bytes: UnsafeRawBufferPointer, to url: URL, mode: mode_t, group: gid_t?, tempDir: URL?) throws {
        let tmp = tempPath(for: url, in: tempDir)
        try writeFile(bytes: bytes, at: tmp, mode: mode, group: group, shown: url.path)
        if FaultPoint.hit("rename") || rename(tmp, url.path) != 0 {
            let e = errno
            unlink(tmp)
            throw HomeError(.io, "cannot replace \(url.path): \(String(cString: strerror(e)))")
        }
        syncDirectory(url.deletingLastPathComponent().path)
    }

    /// One file of ``writeAll(_:)``.
    struct Item {
        var text: String
        var url: URL
        var mode: mode_t
        var group: gid_t?
        var tempDir: URL?
    }

    /// Many whole files written as ``write(_:to:mode:group:tempDir:)`` writes one, the cost of
    /// durability shared: every temporary file written, one `syncfs` of the file system for all
    /// of them, the renames, one more `syncfs` (instead of an fsync of each file and of its
    /// directory: 20,000 fsyncs for the rspamd copies of 10,000 domains). Fewer than
    /// ``batchFrom`` files are written one by one. On a failure the files not yet renamed keep
    /// their old content and no temporary file is left.
    static func writeAll(_ items: [Item]) throws {
        guard items.count >= batchFrom else {
            for i in items { try write(i.text, to: i.url, mode: i.mode, group: i.group, tempDir: i.tempDir) }
            return
        }
        var temps: [String] = []
        do {
            for i in items {
                let tmp = tempPath(for: i.url, in: i.tempDir)
                var text = i.text
                try text.withUTF8 {
                    try writeFile(
                        bytes: UnsafeRawBufferPointer($0),
                        at: tmp,
                        mode: i.mode,
                        group: i.group,
                        shown: i.url.path,
                        sync: false
                    )
                }
                temps.append(tmp)
            }
            try syncFileSystem(of: items[0].url)
        } catch {
            for t in temps { unlink(t) }
            throw error
        }
        for (n, i) in items.enumerated() where FaultPoint.hit("rename") || rename(temps[n], i.url.path) != 0 {
            let e = errno
            for t in temps[n...] { unlink(t) }
            throw HomeError(.io, "cannot replace \(i.url.path): \(String(cString: strerror(e)))")
        }
        try syncFileSystem(of: items[0].url)
    }

    /// glibc's `syncfs(2)` (Swift's Glibc module leaves out this GNU function), or `sync` where
    /// it is missing.
    static let syncfsCall: @convention(c) (Int32) -> Int32 = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "syncfs") else {
            return { _ in
                sync()
                return 0
            }
        }
        return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)
    }()

    /// The fewest files ``writeAll(_:)`` writes with `syncfs` (a few fsyncs cost less than
    /// flushing whatever else the file system holds).
    static let batchFrom = 16

    /// `syncfs` of the file system holding `url`'s directory: its data and renames on disk.
    static func syncFileSystem(of url: URL) throws {
        let path = url.deletingLastPathComponent().path
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw HomeError(.io, "cannot open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        if FaultPoint.hit("fsync") || syncfsCall(fd) != 0 {
            throw HomeError(.io, "cannot sync the file system of \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Creates `path` (truncating a leftover) with `bytes`, its mode and group, and fsyncs it
    /// (unless `sync` is false: the caller syncs); on failure the file is removed and the error
    /// names `shown`.
    static func writeFile(
        bytes: UnsafeRawBufferPointer,
        at path: String,
        mode: mode_t,
        group: gid_t?,
        shown: String,
        sync: Bool = true
    )
        throws
    {
        let fd = FaultPoint.hit("create") ? -1 : open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw HomeError(.io, "cannot write \(shown): \(String(cString: strerror(errno)))") }
        var ok = true
        var offset = 0
        if FaultPoint.hit("write") { ok = false }
        while ok && offset < bytes.count {
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n <= 0 {
                ok = false
                break
            }
            offset += n
        }
        if ok, let group, fchown(fd, uid_t.max, group) != 0 { ok = false }
        if ok && fchmod(fd, mode) != 0 { ok = false }
        if ok && sync && (FaultPoint.hit("fsync") || fsync(fd) != 0) { ok = false }
        let err = errno
        close(fd)
        guard ok else {
            unlink(path)
            throw HomeError(.io, "cannot write \(shown): \(String(cString: strerror(err)))")
        }
    }

    /// fsync of a directory, so a rename in it survives a power loss.
    static func syncDirectory(_ path: String) {
        let dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }

    /// The file's octets, or nil if it does not exist (large files: no copy through `Data`).
    public static func readBytes(_ url: URL) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw HomeError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw HomeError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))")
        }
        // Read straight into the array (no zero fill, no second copy); a file that grew since
        // fstat is read on in chunks.
        var failed = false
        var out = [UInt8](unsafeUninitializedCapacity: Int(st.st_size) + 1) { buffer, count in
            while count < buffer.count {
                let n = Glibc.read(fd, buffer.baseAddress! + count, buffer.count - count)
                if n == 0 { return }
                guard n > 0 else {
                    failed = true
                    return
                }
                count += n
            }
        }
        if !failed && out.count == Int(st.st_size) + 1 {
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
                if n == 0 { break }
                guard n > 0 else {
                    failed = true
                    break
                }
                out += chunk[0..<n]
            }
        }
        guard !failed else { throw HomeError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))") }
        return out
    }

    /// The file's contents, or nil if it does not exist.
    public static func read(_ url: URL) throws -> String? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw HomeError(.io, "cannot read \(url.path)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
