import Foundation
import MailKeysCore
import MailKeysStore

/// What every step of one run reads: the home, its store and policy, the mode, the time, and the
/// changes planned so far (``Pending``), which the steps add to.
struct StepContext {
    let home: Home
    let store: Store
    let policy: Policy
    let digest: PolicyDigest
    /// Every domain that signs with DKIM (the run may hold only some of them in `policy`).
    let signerDomains: [SignerDomain]
    let mode: MailKeys.Mode
    let now: Date
    let acceptClock: Bool
    let pending: Pending

    var advancing: Bool { mode.advances }

    /// The hash the zone map of `name` records (``PolicyDigest/zone(_:_:)``).
    func zoneHash(_ name: DomainName) -> String { digest.zone(name, policy) }
}
