import Foundation

/// When a signed zone must be signed again.
public enum Resign {
    /// The signature expiration for a signing at `now`: `now + validity − jitter`, the jitter a
    /// stable function of the domain and serial (reproducible runs, spread across domains).
    public static func expiration(now: Date, policy: DNSSECPolicy, domain: DomainName, serial: UInt32) -> Date {
        let digest = SHA256.hash(Array("\(domain) \(serial)".utf8))
        let spread =
            policy.jitter == 0 ? 0 : Int(digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) % policy.jitter
        return now.addingTimeInterval(TimeInterval(policy.validity - spread))
    }

    /// When a zone whose signatures expire at `expiration` is due again.
    public static func due(expiration: Date, policy: DNSSECPolicy) -> Date {
        expiration.addingTimeInterval(-TimeInterval(policy.refresh))
    }

    /// The wake-up for a re-signing due at `due`: a run over many domains may put it off (to
    /// spread a day when many zones fall due) until half the refresh window is gone, so the
    /// signatures still have half of it left when they are renewed.
    public static func wake(due: Date, policy: DNSSECPolicy) -> Wake {
        Wake(at: due, reason: reason, deadline: due.addingTimeInterval(TimeInterval(policy.refresh / 2)))
    }

    /// The reason of a re-signing's wake-up.
    public static let reason = "signatures are renewed"
}
