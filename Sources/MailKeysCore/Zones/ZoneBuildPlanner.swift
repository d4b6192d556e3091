import Foundation

/// What the store knows about a domain's last written zone.
public struct ZoneState: Sendable, Equatable {
    public var serial: UInt32?
    /// SHA-256 of the zone rendered with serial 0: what decides whether content changed.
    public var contentHash: String?
    /// SHA-256 of the file exactly as written, to notice a file edited or deleted behind our back.
    public var fileHash: String?

    public init(serial: UInt32? = nil, contentHash: String? = nil, fileHash: String? = nil) {
        self.serial = serial
        self.contentHash = contentHash
        self.fileHash = fileHash
    }
}

/// One zone build `tick` has to do now.
public enum ZoneBuildAction: Sendable, Equatable, CustomStringConvertible {
    /// Write the zone of `domain` (with a new serial when the content changed).
    case buildZone(domain: DomainName, reason: String)

    public var description: String {
        switch self {
        case .buildZone(let d, let reason): return "build zone \(d): \(reason)"
        }
    }
}

/// The zone-build planner's answer: builds due at `now`, in order, and when to run next (nil: nothing is
/// scheduled; only a policy or template change creates work).
public struct ZoneBuildPlan: Sendable, Equatable {
    public var actions: [ZoneBuildAction]
    public var nextWake: Date?
}

/// Which zones must be built at `now`: the pure function `tick` and `status` run, from the
/// desired zone contents, the store's snapshot and what is on disk. Key rollovers are planned
/// by ``DKIMPlanner`` and ``DNSSECPlanner``.
public enum ZoneBuildPlanner {
    /// - Parameters:
    ///   - desired: content hash of each domain's zone as the policy and template say now.
    ///   - stored: the store's state per domain (absent: never built).
    ///   - onDisk: hash of each zone file as it is on disk (nil: missing).
    public static func plan(
        desired: [DomainName: String], stored: [DomainName: ZoneState], onDisk: [DomainName: String?], now: Date
    ) -> ZoneBuildPlan {
        var actions: [ZoneBuildAction] = []
        for domain in desired.keys.sorted(by: { $0.description < $1.description }) {
            let state = stored[domain] ?? ZoneState()
            let disk = onDisk[domain] ?? nil
            if state.contentHash == nil {
                actions.append(.buildZone(domain: domain, reason: "first build"))
            } else if state.contentHash != desired[domain] {
                actions.append(.buildZone(domain: domain, reason: "policy or template changed"))
            } else if disk == nil {
                actions.append(.buildZone(domain: domain, reason: "zone file is missing"))
            } else if disk != state.fileHash {
                actions.append(.buildZone(domain: domain, reason: "zone file was changed outside mailkeys"))
            }
        }
        return ZoneBuildPlan(actions: actions, nextWake: nil)
    }
}
