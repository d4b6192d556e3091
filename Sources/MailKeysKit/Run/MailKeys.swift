import Foundation
import MailKeysCore

/// The use cases behind the subcommands. Each takes the home and `now`, validates everything
/// before it writes anything, and changes the store in one transaction. The run pipeline is in
/// ``Pipeline``; the other commands are in `Commands/`.
public enum MailKeys {
    /// This mailkeys' version, as `mailkeys --version` prints it.
    public static let version = "0.1.0"

    /// The pipeline behind `tick`, `zone build|sign|export`, `rotate`, `ds seen`, `tls import` and
    /// `certbot-hook` (see ``Pipeline``).
    public static func run(
        _ home: Home,
        mode: Mode,
        now: Date,
        lockWait: Double,
        acceptClock: Bool = false,
        simulate: Bool = false
    ) throws -> Report {
        try Pipeline(home: home, mode: mode, now: now, acceptClock: acceptClock, simulate: simulate).run(
            lockWait: lockWait
        )
    }

    /// Selects the domains named on the command line (all when nil).
    static func select(_ policy: Policy, _ domain: String?) throws -> [DomainPolicy] {
        guard let domain else { return policy.domains }
        return [try policy.domain(domain)]
    }
}
