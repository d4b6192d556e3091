import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

/// Options every subcommand takes.
struct CommonOptions: ParsableArguments {
    @Option(help: "The mailkeys home (else $MAILKEYS_HOME, else /var/lib/mailkeys).")
    var home: String?

    @Option(help: "Act as if it were this time (ISO 8601, e.g. 2026-11-21T10:00:00Z); default: the clock.")
    var now: String?

    @Option(help: "Seconds to wait for another run's lock on the home before giving up.")
    var lockWait: Double = 60

    @Flag(
        help:
            "Sign even though the clock is more than an hour behind the last signing (the earlier runs had the wrong time)."
    )
    var acceptClock = false

    @Flag(
        help:
            "Mark this home a simulation, for good: its runs may then act at a --now ahead of the clock (refused on a live home). Use it on a copy."
    )
    var simulate = false

    var resolvedHome: Home { Home.resolve(home) }

    /// The longest `--lock-wait`: a day (a timer run that waits longer has lost its purpose).
    static let maxLockWait: Double = 86_400

    func validate() throws {
        guard lockWait.isFinite, (0...Self.maxLockWait).contains(lockWait) else {
            throw ValidationError(
                "--lock-wait must be a number of seconds from 0 to \(Int(Self.maxLockWait)), not \(lockWait)"
            )
        }
    }

    /// Runs the pipeline in `mode` with these options (home, clock, lock wait, clock override).
    func run(_ mode: MailKeys.Mode) throws -> Report {
        try MailKeys.run(
            resolvedHome,
            mode: mode,
            now: try RunClock.now(now),
            lockWait: lockWait,
            acceptClock: acceptClock,
            simulate: simulate
        )
    }
}
