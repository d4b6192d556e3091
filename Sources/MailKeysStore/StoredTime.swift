import Foundation

/// Times as the store keeps them: whole seconds since 1970 in INTEGER columns (fractions are
/// dropped on the way in, so a time read back is the time written, truncated to the second).
enum StoredTime {
    /// The column value for `date`.
    static func seconds(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970) }

    /// The column value for an optional time (NULL when nil).
    static func seconds(_ date: Date?) -> Int64? { date.map { seconds($0) } }

    /// The time a column value stands for.
    static func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }

    /// The time an optional column value stands for.
    static func date(_ seconds: Int64?) -> Date? { seconds.map { date($0) } }
}
