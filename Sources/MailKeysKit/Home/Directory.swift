import Foundation
import MailKeysCore

/// Directories made with an explicit mode, whatever the umask.
enum Directory {
    /// Creates `url` and its missing parents, each with `mode` (set by chmod, so the umask does
    /// not matter); existing directories keep theirs.
    static func make(_ url: URL, mode: mode_t) throws {
        var missing: [URL] = []
        var dir = url.standardizedFileURL
        var st = stat()
        while stat(dir.path, &st) != 0 {
            guard errno == ENOENT, dir.path != "/" else {
                throw HomeError(.io, "cannot use directory \(dir.path): \(String(cString: strerror(errno)))")
            }
            missing.append(dir)
            dir = dir.deletingLastPathComponent()
        }
        for d in missing.reversed() {
            if FaultPoint.hit("mkdir") || (mkdir(d.path, mode) != 0 && errno != EEXIST) {
                throw HomeError(.io, "cannot create directory \(d.path): \(String(cString: strerror(errno)))")
            }
            chmod(d.path, mode)
        }
    }
}
