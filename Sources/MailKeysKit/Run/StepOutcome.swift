import Foundation
import MailKeysCore

/// What one step of a run did: lines for the report, warnings, and when a run is next due.
struct StepOutcome {
    var lines: [String] = []
    var warnings: [String] = []
    var wakes: [Wake] = []

    mutating func add(_ other: StepOutcome) {
        lines += other.lines
        warnings += other.warnings
        wakes += other.wakes
    }

    /// A wake-up at `at` (if any) for `reason`.
    mutating func wake(_ at: Date?, _ reason: @autoclosure () -> String) {
        if let at { wakes.append(Wake(at: at, reason: reason())) }
    }
}
