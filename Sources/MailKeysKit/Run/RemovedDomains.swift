import Foundation
import MailKeysCore
import MailKeysStore

/// Domains the store holds that the policy no longer lists: taken out of `mailkeys.toml` (or
/// their `domains/` file deleted) without being taken down. Their keys stay, the zone stays on
/// the nameservers it was exported to and goes bogus when its signatures expire, and the parent
/// may still hold the DS. Every run that reads the whole policy says so, loudly, until the
/// domain is back in the policy.
enum RemovedDomains {
    /// One warning per domain of the store missing from `listed`.
    static func warnings(listed: [DomainName], store: Store) throws -> [String] {
        try store.domains(missingFrom: listed).map { d in
            let expires = try store.signingState(d).expiresAt
            let zone =
                expires.map {
                    "its signed zone goes bogus on the nameservers still serving it at \(RunClock.format($0))"
                }
                ?? "its zone stays on the nameservers it was exported to"
            return "\(d) is in the store but not in the policy: \(zone), its keys stay and its parent may still hold "
                + "its DS. Put it back in the policy, or take it down by hand (README: Removing a domain)"
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
