import Foundation

/// Which zones must be built at `now`: the pure function `tick` and `status` run, from the
/// desired zone contents, the store's snapshot and what is on disk. Key rollovers are planned
/// by ``DKIMPlanner`` and ``DNSSECPlanner``.
public enum ZoneBuildPlanner {
    /// The reason of a rebuild whose content changed, when the caller cannot say what changed.
    public static let contentChanged = "policy or template changed"

    /// The reason of a rebuild whose content changed because of `what` (e.g. `["DKIM records"]`),
    /// the generic ``contentChanged`` when nothing is named.
    public static func changed(_ what: [String]) -> String {
        what.isEmpty ? contentChanged : "\(what.joined(separator: ", ")) changed"
    }

    /// - Parameters:
    ///   - desired: content hash of each domain's zone as the policy and template say now.
    ///   - stored: the store's state per domain (absent: never built).
    ///   - onDisk: hash of each zone file as it is on disk (nil: missing).
    public static func plan(
        desired: [DomainName: String],
        stored: [DomainName: ZoneState],
        onDisk: [DomainName: String?],
        now: Date
    ) -> ZoneBuildPlan {
        var actions: [ZoneBuildAction] = []
        for domain in desired.keys.sorted(by: { $0.description < $1.description }) {
            let state = stored[domain] ?? ZoneState()
            let disk = onDisk[domain] ?? nil
            if state.contentHash == nil {
                actions.append(.buildZone(domain: domain, reason: "first build"))
            } else if state.contentHash != desired[domain] {
                actions.append(.buildZone(domain: domain, reason: contentChanged))
            } else if disk == nil {
                actions.append(.buildZone(domain: domain, reason: "zone file is missing"))
            } else if disk != state.fileHash {
                actions.append(.buildZone(domain: domain, reason: "zone file was changed outside mailkeys"))
            }
        }
        return ZoneBuildPlan(actions: actions)
    }
}
