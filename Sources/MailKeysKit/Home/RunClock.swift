import Foundation
import MailKeysCore
import MailKeysDNS

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
