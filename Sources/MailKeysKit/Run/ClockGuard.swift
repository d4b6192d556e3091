import Foundation
import MailKeysCore
import MailKeysStore

/// Refuses a run that would write at a `--now` ahead of the clock on a live home: its keys and
/// events would move into the future, and the runs on the real clock after it would find every
/// key "after now" (DKIM frozen, signatures not yet valid) until the clock caught up. A home
/// marked a simulation (`init --simulate`, or `--simulate` on a run, recorded for good) may.
enum ClockGuard {
    /// How far ahead of the clock `--now` may be on a live home (clock skew between machines).
    static let slack: TimeInterval = 300

    /// Marks the home a simulation when `simulate`; else throws when `now` is ahead of `clock`
    /// by more than ``slack`` and the home is no simulation.
    static func check(now: Date, clock: Date = Date(), store: Store, home: Home, simulate: Bool) throws {
        if simulate {
            if try store.simulation() == nil { try store.transaction { tx in try tx.markSimulation(at: clock) } }
            return
        }
        let ahead = now.timeIntervalSince(clock)
        guard ahead > slack, try store.simulation() == nil else { return }
        throw HomeError(
            .usage,
            "--now \(RunClock.format(now)) is \(TimeSpan.format(Int(ahead))) ahead of the clock: on a live home, keys "
                + "and events would move into the future until the clock catches up; nothing was done. Simulate on "
                + "a copy: cp -a \(home.root.path) COPY, then run with --home COPY --simulate (marks it for good)"
        )
    }
}
