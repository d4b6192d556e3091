import Foundation
import MailKeysCore
import MailKeysDNS

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
