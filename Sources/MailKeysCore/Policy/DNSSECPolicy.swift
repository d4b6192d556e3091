import Foundation

/// The DNSSEC part of a domain's policy (`[domains."x".dnssec]`).
public struct DNSSECPolicy: Sendable, Equatable {
    /// Single combined key (flags 257) or a KSK (257) signing the DNSKEY RRset plus a ZSK (256).
    public enum Scheme: String, Sendable { case csk, kskzsk = "ksk+zsk" }

    public var enabled: Bool
    /// 13 ECDSAP256SHA256 (default), 15 Ed25519, 8 RSASHA256 (RFC 8624).
    public var algorithm: Int
    public var scheme: Scheme
    public var nsec3: Bool
    /// Signature validity.
    public var validity: Int
    /// Re-sign when less than this much validity is left.
    public var refresh: Int
    /// Signatures start this long before the signing time (clock skew).
    public var inceptionOffset: Int
    /// Expirations are spread over up to this much, so not every signature expires at once.
    public var jitter: Int
    public var dnskeyTTL: UInt32
    /// How long a ZSK signs before a successor is pre-published (0: only `rotate zsk`).
    public var zskLifetime: Int
    /// How long a KSK/CSK signs before `tick` starts its double-DS rollover (0, the default:
    /// only `rotate ksk`; otherwise at least 30 days).
    public var kskLifetime: Int
    /// TTLds: the TTL of the zone's DS RRset at the parent (default 1 day).
    public var parentDSTTL: Int
    /// DprpP: how long a DS change takes to reach every server of the parent (default 1 hour).
    public var parentPropagation: Int
    /// The parent zone's authoritative servers: when set, `tick` asks each for the zone's DS
    /// RRset and marks a new key's DS seen once every one of them serves it.
    public var parentServers: [ServerAddress]

    /// Validates `[domains."x".dnssec]`; absent: the defaults (enabled, 13, CSK, NSEC, 14 days
    /// validity, refresh 5 days, inception 1 hour back, jitter 12 hours).
    public init(table t: PolicyTable?, defaultTTL: UInt32) throws {
        enabled = try t?.bool("enabled") ?? true
        algorithm = try t?.int("algorithm") ?? 13
        guard [8, 13, 15].contains(algorithm) else {
            throw CoreError(
                .invalidPolicy,
                "\(t?.path ?? "dnssec").algorithm: \(algorithm) is not 13 (ECDSAP256SHA256), 15 (Ed25519) or 8 (RSASHA256)"
            )
        }
        let schemeText = try t?.string("scheme") ?? "csk"
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw CoreError(
                .invalidPolicy,
                "\(t?.path ?? "dnssec").scheme: \(Quote.short(schemeText)) is not csk or ksk+zsk"
            )
        }
        self.scheme = scheme
        nsec3 = try t?.bool("nsec3") ?? false
        validity = try t?.seconds("validity") ?? 14 * 86400
        refresh = try t?.seconds("refresh") ?? 5 * 86400
        inceptionOffset = try t?.seconds("inception_offset") ?? 3600
        jitter = try t?.seconds("jitter") ?? 12 * 3600
        dnskeyTTL = try t?.ttl("dnskey_ttl") ?? defaultTTL
        zskLifetime = try t?.seconds("zsk_lifetime") ?? 90 * 86400
        if zskLifetime != 0 && zskLifetime < 7 * 86400 {
            throw CoreError(
                .invalidPolicy,
                "\(t?.path ?? "dnssec").zsk_lifetime: at least 7d (or 0 for manual rollovers only)"
            )
        }
        kskLifetime = try t?.seconds("ksk_lifetime") ?? 0
        if kskLifetime != 0 && kskLifetime < 30 * 86400 {
            throw CoreError(
                .invalidPolicy,
                "\(t?.path ?? "dnssec").ksk_lifetime: at least 30d (or 0 for manual rollovers only)"
            )
        }
        parentDSTTL = Int(try t?.ttl("parent_ds_ttl") ?? 86400)
        parentPropagation = try t?.seconds("parent_propagation") ?? 3600
        parentServers = try (t?.strings("parent_servers") ?? []).map {
            do { return try ServerAddress($0) } catch let e as CoreError {
                throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").parent_servers: \(e.reason)")
            }
        }
        guard parentPropagation <= 2 * 86400 else {
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").parent_propagation: at most 2d")
        }
        let path = t?.path ?? "dnssec"
        guard validity >= 2 * 86400, validity <= 90 * 86400 else {
            throw CoreError(.invalidPolicy, "\(path).validity: \(TimeSpan.format(validity)) is out of range 2d...90d")
        }
        guard refresh > 0, Double(refresh) < 0.9 * Double(validity), refresh > jitter else {
            throw CoreError(.invalidPolicy, "\(path).refresh: must be above the jitter and below 0.9 × validity")
        }
        guard inceptionOffset <= 86400 else {
            throw CoreError(.invalidPolicy, "\(path).inception_offset: at most 1d")
        }
        try t?.finish()
    }
}
