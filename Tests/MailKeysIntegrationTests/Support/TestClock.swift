import Foundation
import MailKeysKit

/// The one notion of "today" for tests that inject time with `--now`.
///
/// A test takes every instant it passes to mailkeys, every instant it asserts, and the validity
/// of every fixture it makes (certificates) from here, so all of them move together. Tests that
/// run on the real clock (pebble, `delv`, `dnssec-verify`) take ``real`` for all of those instead;
/// no test mixes the two.
///
/// `MAILKEYS_TEST_SHIFT_DAYS=N` moves every injected instant N days (negative: back). `make test`
/// runs the date-sensitive suites again at +400 and +1461 days: a test that compares an injected
/// instant with something made on the wall clock fails there, whatever the date of the run.
enum TestClock {
    /// The shift in days, from `MAILKEYS_TEST_SHIFT_DAYS` (0 when unset).
    static let shiftDays: Int = {
        guard let text = ProcessInfo.processInfo.environment["MAILKEYS_TEST_SHIFT_DAYS"], !text.isEmpty else {
            return 0
        }
        guard let days = Int(text), abs(days) <= 20_000 else {
            fatalError("MAILKEYS_TEST_SHIFT_DAYS must be a whole number of days, not '\(text)'")
        }
        return days
    }()

    static var shift: TimeInterval { TimeInterval(shiftDays) * 86_400 }

    /// The instant written as `iso` (as the tests were written, e.g. `2026-11-21T11:00:00Z`),
    /// moved by the shift.
    static func date(_ iso: String) -> Date {
        guard let d = ISO8601DateFormatter().date(from: iso) else { fatalError("not an ISO 8601 instant: \(iso)") }
        return d.addingTimeInterval(shift)
    }

    /// ``date(_:)`` formatted for `--now` and for comparing with mailkeys' output.
    static func at(_ iso: String) -> String { RunClock.format(date(iso)) }

    /// The wall clock to the second, for tests that run on the real clock throughout.
    static var real: Date { Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down)) }
}
