import Foundation
import Logging
import MailKeysCore
import MailKeysDNS

/// Stage timings printed to standard error when `MAILKEYS_TIMING` is set (used by `make bench`).
enum Trace {
    nonisolated(unsafe) static var clock = StageClock()
    /// Marks may come from the zone writers' threads.
    private static let lock = NSLock()
    static let enabled = ProcessInfo.processInfo.environment["MAILKEYS_TIMING"] != nil

    /// Starts the clock: the first stage is timed from here (not from the first mark).
    static func begin() { clock = StageClock() }

    static func mark(_ stage: String) {
        if enabled || Log.logger.logLevel <= .debug { lock.withLock { clock.mark(stage) } }
    }
    static func add(_ stages: [(String, Double)]) { if enabled { lock.withLock { clock.append(stages) } } }
    static func print() {
        for (name, seconds) in clock.stages {
            Log.logger.debug("stage", metadata: ["stage": "\(name)", "seconds": "\(seconds)"])
        }
        guard enabled else { return }
        for (name, seconds) in clock.stages {
            FileHandle.standardError.write(Data(String(format: "timing: %-36@ %8.3f s\n", name, seconds).utf8))
        }
    }
}
