import Foundation

/// SOA serials in the YYYYMMDDnn convention that only ever increase.
public enum Serial {
    /// The serial to publish for a content change at `now`: today's first number
    /// (`YYYYMMDD01`) unless the previous serial is already at or past it, in which case the
    /// previous plus one (so a 100th change in a day, or a clock that went backwards, still
    /// moves forward; RFC 1982 arithmetic never sees a decrease).
    public static func next(after previous: UInt32?, now: Date) -> UInt32 {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let today = UInt32(c.year! * 1_000_000 + c.month! * 10_000 + c.day! * 100 + 1)
        guard let previous = previous else { return today }
        return previous >= today ? previous &+ 1 : today
    }
}
