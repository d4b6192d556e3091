import Foundation
import MailKeysCore
import MailKeysStore

/// Domains the store holds that the policy no longer lists: taken out of `mailkeys.toml` (or
/// their `domains/` file deleted) without being taken down. Their keys stay, the zone stays on
/// the nameservers it was exported to and goes bogus when its signatures expire, and the parent
/// may still hold the DS. Every run that reads the whole policy says so, loudly, until the
/// domain is back in the policy.
enum RemovedDomains {
    /// One warning per domain of `missing` (held by the store, lacking from the policy, not yet
    /// off its nameservers); `removals` tells those being removed.
    static func warnings(_ missing: [DomainName], removals: [DomainName: DomainRemoval], store: Store) throws
        -> [String]
    {
        try missing.map { d in
            let expires = try store.signingState(d).expiresAt
            let zone =
                expires.map {
                    "its signed zone goes bogus on the nameservers still serving it at \(RunClock.format($0))"
                }
                ?? "its zone stays on the nameservers it was exported to"
            if removals[d] != nil {
                return "\(d) is being removed but is no longer in the policy: \(zone), as it is no longer re-signed "
                    + "or exported. Put its section back until `mailkeys status \(d)` says it is off every nameserver"
            }
            return "\(d) is in the store but not in the policy: \(zone), its keys stay and its parent may still hold "
                + "its DS. Put it back in the policy and run `mailkeys domain remove \(d)` (README: Removing a domain)"
        }
    }

    /// The error for `name`, which the policy lacks: the store's view when it holds the domain.
    static func unknown(_ name: DomainName, store: Store) throws -> CoreError? {
        guard try store.holds(name) else { return nil }
        return CoreError(
            .invalidPolicy,
            "unknown domain '\(name)': the store holds it, but the policy no longer lists it (removed?); "
                + "its keys and zones are kept (README: Removing a domain)"
        )
    }
}
