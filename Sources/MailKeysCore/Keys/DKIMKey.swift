import Foundation

/// A DKIM key as the store records it.
public struct DKIMKey: Sendable, Equatable {
    public var selector: String
    public var algorithm: DKIMAlgorithm
    /// The `p=` value: base64 DER SubjectPublicKeyInfo (RSA) or raw 32-byte key (Ed25519).
    public var publicKey: String
    public var created: Date
    public var published: Date?
    public var active: Date?
    public var retired: Date?
    public var revoked: Date?
    public var removed: Date?
    public var revealed: Date?

    public init(
        selector: String,
        algorithm: DKIMAlgorithm,
        publicKey: String,
        created: Date,
        published: Date? = nil,
        active: Date? = nil,
        retired: Date? = nil,
        revoked: Date? = nil,
        removed: Date? = nil,
        revealed: Date? = nil
    ) {
        self.selector = selector
        self.algorithm = algorithm
        self.publicKey = publicKey
        self.created = created
        self.published = published
        self.active = active
        self.retired = retired
        self.revoked = revoked
        self.removed = removed
        self.revealed = revealed
    }

    /// The state at `now` from the timestamps that are not after `now`.
    public func state(at now: Date) -> DKIMState {
        func passed(_ d: Date?) -> Bool { d.map { $0 <= now } ?? false }
        if passed(removed) { return .removed }
        if passed(revoked) { return .revoked }
        if passed(retired) { return .retired }
        if passed(active) { return .active }
        if passed(published) { return .published }
        return .created
    }

    /// Whether the key's record is in the zone (published, not removed).
    public var inDNS: Bool { published != nil && removed == nil }

    /// Whether the key may sign (active, not retired).
    public var signing: Bool { active != nil && retired == nil && removed == nil }

    /// The latest timestamp the key carries.
    public var lastEvent: Date {
        [created, published, active, retired, revoked, removed, revealed].compactMap { $0 }.max()!
    }

    /// The TXT text of its `_domainkey` record (revoked: empty `p=`).
    public func recordText(policy: DKIMPolicy) -> String {
        var tags = ["v=DKIM1", "k=\(algorithm.rawValue)"]
        var flags: [String] = []
        if policy.testing { flags.append("y") }
        if policy.strict { flags.append("s") }
        if !flags.isEmpty { tags.append("t=\(flags.joined(separator: ":"))") }
        tags.append("p=\(revoked == nil ? publicKey : "")")
        return tags.joined(separator: "; ")
    }
}
