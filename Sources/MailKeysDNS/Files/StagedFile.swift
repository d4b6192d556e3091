import COpenSSL
import Foundation
import MailKeysCore

/// A file written in pieces under a temporary name next to its target and hashed as it goes, then
/// put in place by ``commit()`` (rename over the target, fsync of the directory). Until then the
/// target is untouched; a staged file that is never committed is removed when it goes away, so a
/// run that fails leaves nothing behind. Large signed zones are written this way, as the signing
/// threads finish them, instead of being held in memory whole.
public final class StagedFile: @unchecked Sendable {
    public let target: URL
    /// Where the file is written until it is renamed over `target`.
    public let temp: String
    private var fd: Int32
    private let digest: OpaquePointer
    private var committed = false
    /// The lower-case hex SHA-256 of everything written, once ``finish()`` has run.
    public private(set) var sha256Hex: String?
    /// Octets written so far.
    public private(set) var size = 0

    /// A file for `target` written at `temp` (default: a hidden name next to the target).
    public init(target: URL, temp: String? = nil, mode: mode_t = 0o644) throws {
        self.target = target
        self.temp =
            temp
            ?? target.deletingLastPathComponent().appendingPathComponent(
                ".\(target.lastPathComponent).staged.\(getpid())",
                isDirectory: false
            ).path
        fd = FaultPoint.hit("create") ? -1 : open(self.temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw DNSError(.io, "cannot write \(self.temp): \(String(cString: strerror(errno)))") }
        _ = fchmod(fd, mode)
        digest = EVP_MD_CTX_new()
        EVP_DigestInit_ex(digest, EVP_sha256(), nil)
    }

    deinit {
        if fd >= 0 { close(fd) }
        if !committed { unlink(temp) }
        EVP_MD_CTX_free(digest)
    }

    /// Appends `bytes` (one caller at a time).
    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard fd >= 0, sha256Hex == nil else { throw DNSError(.io, "\(temp) is already finished") }
        if FaultPoint.hit("write") { throw DNSError(.io, "cannot write \(temp): \(String(cString: strerror(errno)))") }
        // In pieces of 1 MiB, each hashed right after it is written (while it is still in cache).
        var offset = 0
        while offset < bytes.count {
            let end = min(bytes.count, offset + (1 << 20))
            var at = offset
            while at < end {
                let n = Glibc.write(fd, bytes.baseAddress! + at, end - at)
                guard n > 0 else { throw DNSError(.io, "cannot write \(temp): \(String(cString: strerror(errno)))") }
                at += n
            }
            EVP_DigestUpdate(digest, bytes.baseAddress! + offset, end - offset)
            offset = end
        }
        size += bytes.count
    }

    public func write(_ bytes: [UInt8]) throws { try bytes.withUnsafeBytes { try write($0) } }

    /// Flushes the file to disk and closes it; returns its SHA-256.
    @discardableResult
    public func finish() throws -> String {
        if let sha256Hex { return sha256Hex }
        guard !FaultPoint.hit("fsync"), fsync(fd) == 0 else {
            throw DNSError(.io, "cannot write \(temp): \(String(cString: strerror(errno)))")
        }
        close(fd)
        fd = -1
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(digest, &out, &length)
        let hex = Digest.hex(out)
        sha256Hex = hex
        return hex
    }

    /// Gives up ownership of the file: it was renamed into place by someone else (the run's
    /// journal), so going away must not remove anything.
    public func detach() { committed = true }

    /// Renames the finished file over its target.
    public func commit() throws {
        try finish()
        guard !FaultPoint.hit("rename"), rename(temp, target.path) == 0 else {
            throw DNSError(.io, "cannot replace \(target.path): \(String(cString: strerror(errno)))")
        }
        committed = true
        let dfd = open(target.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            fsync(dfd)
            close(dfd)
        }
    }
}
