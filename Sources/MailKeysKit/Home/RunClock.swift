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
        // As ISO8601DateFormatter writes it (whole seconds, UTC), without making one per call:
        // a run over thousands of domains formats a few dates for each.
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var tm = tm()
        guard gmtime_r(&t, &tm) != nil else { return ISO8601DateFormatter().string(from: date) }
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        let year = String(1900 + Int(tm.tm_year))
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + two(tm.tm_mon + 1) + "-"
            + two(tm.tm_mday) + "T" + two(tm.tm_hour) + ":" + two(tm.tm_min) + ":" + two(tm.tm_sec) + "Z"
    }
}
