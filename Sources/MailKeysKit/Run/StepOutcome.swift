import Foundation
import MailKeysCore

/// What one step of a run did: lines for the report, warnings, and when a run is next due.
struct StepOutcome {
    var lines: [String] = []
    var warnings: [String] = []
    var wakes: [Wake] = []
    /// The earliest wake-up of each domain, its reason as the planner gave it.
    var domainWakes: [DomainName: Wake] = [:]
    /// The latest each domain may be run: the earliest deadline (or time) of its wakes.
    var domainDeadlines: [DomainName: Date] = [:]
    /// Domains that wait for something outside mailkeys and are looked at on every run.
    var polled: Set<DomainName> = []

    mutating func add(_ other: StepOutcome) {
        lines += other.lines
        warnings += other.warnings
        wakes += other.wakes
        for (name, w) in other.domainWakes { wake(w, into: name) }
        for (name, d) in other.domainDeadlines { domainDeadlines[name] = min(d, domainDeadlines[name] ?? d) }
        polled.formUnion(other.polled)
    }

    /// A planner's wake-up (if any), its reason prefixed with the domain.
    mutating func wake(_ wake: Wake?, domain: DomainName) {
        guard let wake else { return }
        wakes.append(Wake(at: wake.at, reason: "\(domain): \(wake.reason)", deadline: wake.deadline))
        self.wake(wake, into: domain)
    }

    private mutating func wake(_ w: Wake, into domain: DomainName) {
        let deadline = w.deadline ?? w.at
        domainDeadlines[domain] = min(deadline, domainDeadlines[domain] ?? deadline)
        if let known = domainWakes[domain], known.at <= w.at { return }
        domainWakes[domain] = w
    }
}
