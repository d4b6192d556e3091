import Foundation

/// Fault injection for the crash and I/O-error tests: every file-system step that changes the
/// home (create, write, fsync, rename, unlink, symlink, mkdir, the store's commit) passes through
/// ``hit(_:)``, which counts it. `MAILKEYS_FAULT=kill@N` kills the process with SIGKILL at the
/// Nth step (before it is taken); `eio@N` and `enospc@N` make that step fail with the error.
/// `MAILKEYS_FAULT=count` prints the number of steps taken to standard error at exit, so a test
/// knows how many crash points a command has. Without the variable, a step costs one branch.
public enum FaultPoint {
    enum Plan {
        case none
        case kill(Int)
        case fail(Int, Int32)
        case count
    }

    nonisolated(unsafe) static var steps = 0
    static let plan: Plan = {
        guard let spec = ProcessInfo.processInfo.environment["MAILKEYS_FAULT"], !spec.isEmpty else { return .none }
        if spec == "count" {
            atexit { FileHandle.standardError.write(Data("mailkeys-fault-steps: \(FaultPoint.steps)\n".utf8)) }
            return .count
        }
        let parts = spec.split(separator: "@")
        guard parts.count == 2, let n = Int(parts[1]), n > 0 else { return .none }
        switch parts[0] {
        case "kill": return .kill(n)
        case "eio": return .fail(n, EIO)
        case "enospc": return .fail(n, ENOSPC)
        default: return .none
        }
    }()

    /// Whether a plan is set: callers that could take steps on several threads take them on
    /// one, so step N is the same step in every run.
    public static var active: Bool {
        if case .none = plan { return false }
        return true
    }

    /// Counts one step named `what`; true when the step must fail (errno is set), and never
    /// returns when the plan kills here.
    public static func hit(_ what: String) -> Bool {
        switch plan {
        case .none: return false
        case .count:
            steps += 1
            return false
        case .kill(let n):
            steps += 1
            if steps == n {
                FileHandle.standardError.write(Data("mailkeys-fault: killed at step \(n) (\(what))\n".utf8))
                kill(getpid(), SIGKILL)
            }
            return false
        case .fail(let n, let code):
            steps += 1
            guard steps == n else { return false }
            errno = code
            return true
        }
    }
}
