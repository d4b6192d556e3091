import Foundation
import MailKeysCore

/// When a domain next needs a run, and what its last complete run read: the store's answer to
/// "which domains have something due", so that a run over many domains touches only those.
///
/// `inputs` is a fingerprint of everything a run of the domain reads besides the store (its
/// policy, the report authorisations it publishes, its template and zone files as found on
/// disk, the program); a domain whose fingerprint differs has changed and is run. It is a cache:
/// a lost or stale row only makes a domain run again.
public struct DomainSchedule: Sendable, Equatable {
    public var domain: DomainName
    public var inputs: String
    /// The earliest time-based event (a key transition, signatures to renew), nil when none.
    public var nextAt: Date?
    /// Why `nextAt` falls due, for the `next:` line.
    public var reason: String?
    /// The latest the domain may be run for `nextAt` (a re-signing a run may put off to spread
    /// the work); nil: at `nextAt`.
    public var deadline: Date?
    /// Whether every run looks at the domain (it waits for something outside: its DS at the
    /// parent's servers).
    public var poll: Bool

    public init(
        domain: DomainName,
        inputs: String,
        nextAt: Date?,
        reason: String?,
        poll: Bool,
        deadline: Date? = nil
    ) {
        self.domain = domain
        self.inputs = inputs
        self.nextAt = nextAt
        self.reason = reason
        self.poll = poll
        self.deadline = deadline
    }
}
