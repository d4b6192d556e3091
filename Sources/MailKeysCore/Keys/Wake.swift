import Foundation

/// When a run is next due, and why: a key event, a certificate install, a re-sign.
public struct Wake: Sendable, Equatable {
    public var at: Date
    public var reason: String
    /// The latest the event may be handled, when a run may put it off (re-signing: until half
    /// the refresh window is gone); nil: at `at`.
    public var deadline: Date?

    public init(at: Date, reason: String, deadline: Date? = nil) {
        self.at = at
        self.reason = reason
        self.deadline = deadline
    }

    /// The earliest of `wakes` (the first given on a tie), nil when there is none.
    public static func earliest(_ wakes: [Wake]) -> Wake? {
        wakes.reduce(nil) { best, w in best.map { $0.at <= w.at ? $0 : w } ?? w }
    }
}
