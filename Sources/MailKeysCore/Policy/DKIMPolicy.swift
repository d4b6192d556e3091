import Foundation

/// The DKIM part of a domain's policy (`[domains."x".dkim]`).
public struct DKIMPolicy: Sendable, Equatable {
    public var enabled: Bool
    /// The algorithms that sign (both by default: dual signing).
    public var algorithms: [DKIMAlgorithm]
    public var rsaBits: Int
    /// How long a key signs before its successor is started.
    public var rotateEvery: Int
    /// How long a new key is in DNS before it may sign.
    public var publishAhead: Int
    /// How long a retired key stays in DNS (mail in transit, queued retries).
    public var overlap: Int
    /// How long a retired key is published revoked (`p=`) before removal; 0 removes it directly.
    public var revokedFor: Int
    /// Where removed private keys are published (dkim-rotate's "reveal"); nil keeps them secret
    /// (they are deleted at removal).
    public var revealDir: String?
    /// `t=s`: the key may not sign for subdomains.
    public var strict: Bool
    /// `t=y`: verifiers treat failures as testing.
    public var testing: Bool
    /// A group that may read the private keys (e.g. `opendkim`).
    public var group: String?
    /// After removal, how long the record may still sit in caches (TXT TTL + propagation): a
    /// private key is revealed only then.
    public var revealAfter: Int = 0

    /// Defaults for a domain whose TXT TTL is `txtTTL` and whose zone reaches every server within
    /// `propagation` seconds.
    public static func defaults(txtTTL: UInt32, propagation: Int) -> DKIMPolicy {
        DKIMPolicy(
            enabled: true,
            algorithms: [.rsa, .ed25519],
            rsaBits: 2048,
            rotateEvery: 90 * 86400,
            publishAhead: minimumPublishAhead(txtTTL: txtTTL, propagation: propagation),
            overlap: 7 * 86400,
            revokedFor: 0,
            revealDir: nil,
            strict: false,
            testing: false,
            group: nil,
            revealAfter: Int(txtTTL) + propagation
        )
    }

    /// 2 × the TXT TTL plus the propagation delay: the least time a new key must be in DNS.
    public static func minimumPublishAhead(txtTTL: UInt32, propagation: Int) -> Int { 2 * Int(txtTTL) + propagation }

    /// Validates `[domains."x".dkim]` (absent: the defaults).
    public init(table: PolicyTable?, txtTTL: UInt32, propagation: Int) throws {
        self = .defaults(txtTTL: txtTTL, propagation: propagation)
        guard let t = table else { return }
        enabled = try t.bool("enabled") ?? true
        if let names = try t.strings("algorithms") {
            algorithms = try names.map { n in
                guard let a = DKIMAlgorithm(rawValue: n.lowercased()) else {
                    throw CoreError(.invalidPolicy, "\(t.path).algorithms: \(Quote.short(n)) is not rsa or ed25519")
                }
                return a
            }
            guard !algorithms.isEmpty, Set(algorithms).count == algorithms.count else {
                throw CoreError(.invalidPolicy, "\(t.path).algorithms: list rsa, ed25519 or both, once each")
            }
        }
        rsaBits = try t.int("rsa_bits") ?? 2048
        guard [2048, 3072, 4096].contains(rsaBits) else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).rsa_bits: \(rsaBits) is not allowed; use 2048, 3072 or 4096 (RFC 8301: signers SHOULD use 2048 bits)"
            )
        }
        let minimum = Self.minimumPublishAhead(txtTTL: txtTTL, propagation: propagation)
        publishAhead = try t.seconds("publish_ahead") ?? minimum
        guard publishAhead >= minimum else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).publish_ahead: \(TimeSpan.format(publishAhead)) is less than 2 × TXT TTL + propagation delay (\(TimeSpan.format(minimum)))"
            )
        }
        overlap = try t.seconds("overlap") ?? 7 * 86400
        guard overlap >= Int(txtTTL) + propagation else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).overlap: \(TimeSpan.format(overlap)) is shorter than the TXT TTL + propagation delay; messages in transit would fail"
            )
        }
        rotateEvery = try t.seconds("rotate_every") ?? 90 * 86400
        guard rotateEvery > publishAhead else {
            throw CoreError(
                .invalidPolicy,
                "\(t.path).rotate_every: must be longer than publish_ahead (\(TimeSpan.format(publishAhead)))"
            )
        }
        revokedFor = try t.seconds("revoked_for") ?? 0
        revealDir = try t.string("reveal_dir")
        if let dir = revealDir, !dir.hasPrefix("/") {
            throw CoreError(.invalidPolicy, "\(t.path).reveal_dir: \(Quote.short(dir)) must be an absolute path")
        }
        strict = try t.bool("strict") ?? false
        testing = try t.bool("testing") ?? false
        group = try t.string("group")
        if let g = group { try GroupName.check(g, at: "\(t.path).group") }
        try t.finish()
    }

    public init(
        enabled: Bool,
        algorithms: [DKIMAlgorithm],
        rsaBits: Int,
        rotateEvery: Int,
        publishAhead: Int,
        overlap: Int,
        revokedFor: Int,
        revealDir: String?,
        strict: Bool,
        testing: Bool,
        group: String?,
        revealAfter: Int = 0
    ) {
        self.enabled = enabled
        self.algorithms = algorithms
        self.rsaBits = rsaBits
        self.rotateEvery = rotateEvery
        self.publishAhead = publishAhead
        self.overlap = overlap
        self.revokedFor = revokedFor
        self.revealDir = revealDir
        self.strict = strict
        self.testing = testing
        self.group = group
        self.revealAfter = revealAfter
    }
}
