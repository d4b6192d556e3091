import Foundation

/// A domain being taken down (`mailkeys domain remove`), in the order that never leaves a
/// validator with a bogus answer: a signed zone goes insecure first (CDS/CDNSKEY "delete",
/// RFC 8078 §4; the parent drops the DS; caches forget it), and only then leaves its
/// nameservers; an unsigned zone leaves them once the operator confirms. Once off every
/// nameserver and out of the policy, its keys and files are archived.
public struct DomainRemoval: Sendable, Equatable {
    /// When `domain remove` started it.
    public var requested: Date
    /// When the parent was seen without the zone's DS (`ds gone`, or every `parent_servers`).
    public var dsGone: Date?
    /// When the operator confirmed that an unsigned zone may leave its nameservers.
    public var confirmed: Date?
    /// The export targets (their store names) that no longer serve the zone.
    public var left: Set<String>
    /// When the last export target stopped serving the zone.
    public var unexported: Date?

    public init(
        requested: Date,
        dsGone: Date? = nil,
        confirmed: Date? = nil,
        left: Set<String> = [],
        unexported: Date? = nil
    ) {
        self.requested = requested
        self.dsGone = dsGone
        self.confirmed = confirmed
        self.left = left
        self.unexported = unexported
    }

    /// Where a removal stands.
    public enum Phase: Sendable, Equatable {
        /// Signed: CDS/CDNSKEY "delete" published; the parent still has (or may have) the DS.
        case waitingForDSRemoval
        /// Signed: the DS is gone at the parent, but validators may hold it until `until`.
        case waitingForCaches(until: Date)
        /// Unsigned: served until the operator confirms (`domain remove NAME --confirm`).
        case waitingForConfirmation
        /// The zone may leave its nameservers now: each target is asked to drop it.
        case leavingNameservers
        /// Off every nameserver: archived once the policy no longer lists the domain.
        case offNameservers
    }

    /// How long validators may hold a DS after the parent dropped it: the parent's DS TTL +
    /// propagation + safety (``DNSSECTiming/dsSwapInterval``). Only the parent's figures count,
    /// so a lowered TTL of the zone's own records does not change it.
    public static func dsInterval(_ p: DomainPolicy) -> Int {
        DNSSECTiming(policy: p.dnssec, propagation: p.propagationDelay, maxZoneTTL: 0).dsSwapInterval
    }

    /// The phase at `now`, for a zone that is `signed` (it has a DS to lose), with the parent's
    /// DS TTL + propagation + safety as ``DNSSECTiming/dsSwapInterval`` gives it.
    public func phase(signed: Bool, dsInterval: Int, now: Date) -> Phase {
        if unexported != nil { return .offNameservers }
        if signed {
            guard let gone = dsGone else { return .waitingForDSRemoval }
            let insecure = gone.addingTimeInterval(TimeInterval(dsInterval))
            return now < insecure ? .waitingForCaches(until: insecure) : .leavingNameservers
        }
        return confirmed == nil ? .waitingForConfirmation : .leavingNameservers
    }

    /// Whether the zone still publishes its records (and is re-signed) at its nameservers.
    public var served: Bool { unexported == nil }

    /// When a run must look again (the end of the caches' wait), nil: it waits for someone.
    public func wake(signed: Bool, dsInterval: Int, now: Date) -> Wake? {
        guard case .waitingForCaches(let until) = phase(signed: signed, dsInterval: dsInterval, now: now) else {
            return nil
        }
        return Wake(at: until, reason: "removal: the parent's DS is out of every cache")
    }

    /// One line for `status` and the runs: where the removal stands and what comes next.
    public func describe(_ name: DomainName, signed: Bool, dsInterval: Int, now: Date, format: (Date) -> String)
        -> String
    {
        let since = "being removed since \(format(requested))"
        switch phase(signed: signed, dsInterval: dsInterval, now: now) {
        case .waitingForDSRemoval:
            return "\(name): \(since): CDS/CDNSKEY delete published; remove its DS at the registrar, then run "
                + "`mailkeys ds gone \(name)` (or list the parent's servers in dnssec.parent_servers)"
        case .waitingForCaches(let until):
            return "\(name): \(since): DS gone at the parent since \(format(dsGone!)); the zone stays signed on its "
                + "nameservers until every cache has forgotten the DS (\(format(until)))"
        case .waitingForConfirmation:
            return "\(name): \(since): its unsigned zone stays on the nameservers until you run "
                + "`mailkeys domain remove \(name) --confirm`"
        case .leavingNameservers:
            return "\(name): \(since): taking the zone off its nameservers"
        case .offNameservers:
            return "\(name): \(since): off every nameserver since \(format(unexported!)); delete its section from "
                + "the policy and the next run archives its keys"
        }
    }
}
