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

    /// A planner's wake-up (if any), its reason prefixed with the domain.
    mutating func wake(_ wake: Wake?, domain: DomainName) {
        if let wake { wakes.append(Wake(at: wake.at, reason: "\(domain): \(wake.reason)")) }
    }
}
