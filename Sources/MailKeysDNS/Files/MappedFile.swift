import COpenSSL
import Foundation
import MailKeysCore

/// A file's octets mapped read-only into memory (no copy, no zero fill), unmapped when released.
/// Used for the previous signed zone, which a splice copies almost whole into the next one.
/// mailkeys replaces its files by rename, so a mapping it holds is never truncated under it.
public final class MappedFile: @unchecked Sendable {
    public let bytes: UnsafeBufferPointer<UInt8>

    /// The file at `path`, or nil when it does not exist.
    public static func open(_ path: String) throws -> MappedFile? {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw DNSError(.io, "cannot read \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw DNSError(.io, "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        guard st.st_size > 0 else { return MappedFile(UnsafeBufferPointer(start: nil, count: 0)) }
        let p = mmap(nil, Int(st.st_size), PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0)
        guard let p, p != MAP_FAILED else {
            throw DNSError(.io, "cannot map \(path): \(String(cString: strerror(errno)))")
        }
        return MappedFile(UnsafeBufferPointer(start: p.assumingMemoryBound(to: UInt8.self), count: Int(st.st_size)))
    }

    private init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    deinit { if let base = bytes.baseAddress { munmap(UnsafeMutableRawPointer(mutating: base), bytes.count) } }

    /// The SHA-256 of the octets, in lower-case hex.
    public var sha256Hex: String { Digest.sha256Hex(bytes) }
}
