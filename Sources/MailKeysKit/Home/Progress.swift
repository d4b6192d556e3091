import Foundation

/// What a long run is doing, on one line of standard error, when standard error is a terminal
/// (an operator running `tick` or `zone sign` by hand on many domains or a large zone): each
/// stage replaces the line, and the line is cleared before the report is printed. Nothing is
/// written under systemd, to a pipe or a file, with `TERM=dumb` or `MAILKEYS_NO_PROGRESS` set.
enum Progress {
    static let enabled: Bool = {
        let env = ProcessInfo.processInfo.environment
        return isatty(STDERR_FILENO) == 1 && env["TERM"] != "dumb" && env["MAILKEYS_NO_PROGRESS"] == nil
    }()
    private static let lock = NSLock()
    nonisolated(unsafe) private static var shown = false

    /// Shows `text` as the current stage.
    static func show(_ text: @autoclosure () -> String) {
        guard enabled else { return }
        let line = "\r\u{1B}[Kmailkeys: " + text()
        lock.withLock {
            FileHandle.standardError.write(Data(line.utf8))
            shown = true
        }
    }

    /// Clears the line (the run's report follows).
    static func clear() {
        guard enabled else { return }
        lock.withLock {
            if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
            shown = false
        }
    }
}
