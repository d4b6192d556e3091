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

    static func write(bytes: UnsafeRawBufferPointer, to url: URL, mode: mode_t, group: gid_t?, tempDir: URL?) throws {
        sequence += 1
        let tmp =
            tempDir.map { "\($0.path)/\(getpid()).\(sequence).\(url.lastPathComponent)" }
            ?? "\(url.deletingLastPathComponent().path)/.\(url.lastPathComponent).tmp.\(getpid())"
        try writeFile(bytes: bytes, at: tmp, mode: mode, group: group, shown: url.path)
        if FaultPoint.hit("rename") || rename(tmp, url.path) != 0 {
            let e = errno
            unlink(tmp)
            throw HomeError(.io, "cannot replace \(url.path): \(String(cString: strerror(e)))")
        }
        syncDirectory(url.deletingLastPathComponent().path)
    }

    /// Creates `path` (truncating a leftover) with `bytes`, its mode and group, and fsyncs it;
    /// on failure the file is removed and the error names `shown`.
    static func writeFile(bytes: UnsafeRawBufferPointer, at path: String, mode: mode_t, group: gid_t?, shown: String)
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
        if ok && (FaultPoint.hit("fsync") || fsync(fd) != 0) { ok = false }
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
