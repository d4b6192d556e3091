import Foundation
import MailKeysCore
import MailKeysDNS

/// Errors of the use-case layer (home, files, lock, command line).
public struct HomeError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable { case exists, missing, locked, io, usage, verify, unsafe }
    public let code: Code
    public let reason: String
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { reason }
}

/// The paths of a mailkeys home directory.
///
/// ```
/// HOME/mailkeys.toml              the policy
/// HOME/Keys/            (0700)    the store and private keys
/// HOME/Keys/mailkeys.sqlite       the store
/// HOME/Keys/mailkeys.lock         serializes runs
/// HOME/Zones/<domain>.zone.in     user template (optional)
/// HOME/Zones/<domain>.zone        generated zone
/// HOME/Zones/<domain>.mta-sts.txt MTA-STS policy for the web server
/// ```
public struct Home: Sendable {
    public let root: URL

    /// `--home`, else `$MAILKEYS_HOME`, else `/var/lib/mailkeys`.
    public static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> Home {
        let path = option ?? environment["MAILKEYS_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? "/var/lib/mailkeys"
        return Home(root: URL(fileURLWithPath: path, isDirectory: true).standardizedFileURL)
    }

    public init(root: URL) { self.root = root }

    public var policyFile: URL { root.appendingPathComponent("mailkeys.toml") }
    public var keysDir: URL { root.appendingPathComponent("Keys", isDirectory: true) }
    public var zonesDir: URL { root.appendingPathComponent("Zones", isDirectory: true) }
    public var storeFile: URL { keysDir.appendingPathComponent("mailkeys.sqlite") }
    public var lockFile: URL { keysDir.appendingPathComponent("mailkeys.lock") }
    public func template(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).zone.in") }
    public func zoneFile(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).zone") }
    public func signedFile(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).zone.signed") }
    public func mtaSTSFile(_ d: DomainName) -> URL { zonesDir.appendingPathComponent("\(d).mta-sts.txt") }

    /// A path as shown to the operator: relative to the home.
    public func show(_ url: URL) -> String {
        let r = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return url.path.hasPrefix(r) ? String(url.path.dropFirst(r.count)) : url.path
    }
}

/// An exclusive (or shared) `flock` on the home's lock file, held until released or deinit.
public final class HomeLock {
    private var fd: Int32

    /// Locks `home`. With `wait` 0 a busy lock fails at once; otherwise it polls until `wait`
    /// seconds have passed. Readers (`status`) take a shared lock.
    public init(_ home: Home, wait: Double, shared: Bool = false) throws {
        guard FileManager.default.fileExists(atPath: home.keysDir.path) else {
            throw HomeError(.missing, "\(home.root.path) is not a mailkeys home (no Keys/); run 'mailkeys init' first")
        }
        fd = open(home.lockFile.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw HomeError(.io, "cannot open \(home.lockFile.path): \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                close(fd)
                throw HomeError(.io, "cannot lock \(home.lockFile.path): \(String(cString: strerror(errno)))")
            }
            if Date() >= deadline {
                close(fd)
                throw HomeError(
                    .locked,
                    "another mailkeys run holds the lock on \(home.root.path) (\(home.show(home.lockFile))); waited \(Int(wait)) s, try again later or raise --lock-wait"
                )
            }
            usleep(100_000)
        }
    }

    deinit { if fd >= 0 { close(fd) } }
}

/// Whole-file writes that never leave a partial file: a temporary file, fsync, rename over the
/// target, fsync of the directory. The temporary file is made in `tempDir` when given (a home's
/// staging directory, which every run sweeps, so a killed write leaves nothing behind), else next
/// to the target. Every step passes a ``FaultPoint``.
public enum AtomicFile {
    nonisolated(unsafe) static var sequence = 0

    public static func write(_ text: String, to url: URL, mode: mode_t = 0o644, group: gid_t? = nil, tempDir: URL? = nil) throws {
        var text = text
        try text.withUTF8 { try write(bytes: UnsafeRawBufferPointer($0), to: url, mode: mode, group: group, tempDir: tempDir) }
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
    static func writeFile(bytes: UnsafeRawBufferPointer, at path: String, mode: mode_t, group: gid_t?, shown: String) throws {
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
        guard fstat(fd, &st) == 0 else { throw HomeError(.io, "cannot read \(url.path): \(String(cString: strerror(errno)))") }
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

/// The moment a run acts at: `--now` (ISO 8601, `2026-11-21T10:00:00Z`, or a date) or the clock.
/// Read once per run.
public enum RunClock {
    /// The range `--now` may take: serials (YYYYMMDDnn) and DNSSEC times (32-bit) both fit.
    public static let range = Date(timeIntervalSince1970: 946_684_800)...Date(timeIntervalSince1970: 4_102_444_799)

    public static func now(_ option: String?) throws -> Date {
        guard let text = option else { return Date() }
        let date = try parse(text)
        guard range.contains(date) else {
            throw HomeError(.usage, "--now \(Quote.short(text)) is outside 2000-01-01...2099-12-31")
        }
        return date
    }

    static func parse(_ text: String) throws -> Date {
        let full = ISO8601DateFormatter()
        if let d = full.date(from: text) { return d }
        let frac = ISO8601DateFormatter()
        frac.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = frac.date(from: text) { return d }
        let day = ISO8601DateFormatter()
        day.formatOptions = [.withFullDate]
        if text.count == 10, let d = day.date(from: text) { return d }
        throw HomeError(.usage, "--now \(Quote.short(text)) is not an ISO 8601 time like 2026-11-21T10:00:00Z")
    }

    /// `2026-11-21T10:00:00Z`.
    public static func format(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: date)
    }
}
