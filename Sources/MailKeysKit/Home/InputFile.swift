import Foundation
import MailKeysCore

/// Reads an input file the operator points mailkeys at (the policy, PEM files) with a size
/// bound: a file over `limit` bytes fails with one line before it is read whole, and a device
/// such as `/dev/zero` given as `--cert` is read no further than the bound.
enum InputFile {
    /// The file's octets; nil if it does not exist. `name` is how messages show the file.
    static func read(_ url: URL, limit: Int, name: String) throws -> [UInt8]? {
        let fd = open(url.path, O_RDONLY | O_CLOEXEC)
        if fd < 0 && errno == ENOENT { return nil }
        guard fd >= 0 else { throw HomeError(.io, "cannot read \(name): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else {
            throw HomeError(.io, "cannot read \(name): \(String(cString: strerror(errno)))")
        }
        let bound = InputLimits.bytes(limit)
        if (st.st_mode & S_IFMT) == S_IFDIR { throw HomeError(.io, "cannot read \(name): it is a directory") }
        if (st.st_mode & S_IFMT) == S_IFREG && Int(st.st_size) > limit {
            throw HomeError(.io, "\(name) is \(st.st_size) bytes; the limit is \(bound)")
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while out.count <= limit {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n == 0 { return out }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw HomeError(.io, "cannot read \(name): \(String(cString: strerror(errno)))") }
            out += chunk[0..<n]
        }
        throw HomeError(.io, "\(name) is larger than \(bound), the limit")
    }
}
