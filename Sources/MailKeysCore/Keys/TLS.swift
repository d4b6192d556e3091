import Foundation

/// The key type of a TLS certificate: RSA and ECDSA certificates of one host get their own TLSA
/// records, and Let's Encrypt issues each type from its own intermediates.
public enum TLSKeyType: String, Sendable, CaseIterable, Codable {
    case rsa, ecdsa
}

/// Let's Encrypt's issuing intermediates of generation Y (active YE1/YE2, YR1/YR2; backup
/// YE3/YR3, which may start issuing at any time): the SHA-256 of each SubjectPublicKeyInfo, the
/// data of a `2 1 1` record. The certificates are in `Data/letsencrypt-intermediates/`; a test
/// recomputes these values from them with openssl.
public enum LetsEncrypt {
    public static let intermediates: [(name: String, type: TLSKeyType, spki: String)] = [
        ("YE1", .ecdsa, "6ebcefb4210b088654a38b03fea3d7d1c711b4fb1ddc363a45f9b1a4e53da01e"),
        ("YE2", .ecdsa, "b3fb5d00e994cddf2cc9a4eea9f806bc5727e83cc0e4299bf956f2d524fe5376"),
        ("YE3", .ecdsa, "a698a20824be04e47a1a33c4fa488731be92011f23a31e900e2ca26c9c2acfce"),
        ("YR1", .rsa, "2e8307068b6db620e4a39d068b5dee5d6ef5788cbb2c0b6d23ead84fcc17178c"),
        ("YR2", .rsa, "9d637b3d27a9e570d07607b9ccadb80a70915c7af72afce12841b1b1da825fd1"),
        ("YR3", .rsa, "51aaa87d984b559ac69e929f888a022d832e089ff4dba0a412b5101bca4bc799"),
    ]

    /// The `2 1 1` data for each key type.
    public static var issuers: [TLSKeyType: [String]] {
        Dictionary(grouping: intermediates, by: \.type).mapValues { $0.map(\.spki) }
    }
}

/// The DANE part of a domain's policy (`[domains."x".tls]`).
public struct TLSPolicy: Sendable, Equatable {
    /// `current+issuer`: `3 1 1` of each served key plus `2 1 1` of every intermediate that may
    /// issue the next certificate of that key type.
    /// `current+next`: `3 1 1` of each served key plus `3 1 1` of a pre-generated next key that
    /// certbot is made to use at the next renewal (`certbot-hook --pre`).
    public enum Scheme: String, Sendable { case currentIssuer = "current+issuer", currentNext = "current+next" }

    public var enabled: Bool
    /// SMTP ports that get TLSA records: 25 (default), 465, 587.
    public var ports: [Int]
    public var scheme: Scheme
    /// `2 1 1` data per key type (default: Let's Encrypt's generation-Y intermediates).
    public var issuers: [TLSKeyType: [String]]
    /// certbot's configuration directory; lineages must lie in its `live/`.
    public var letsencryptDir: String
    /// Install a renewed certificate only once a TLSA record covering it has been published for
    /// at least 2 × TTL (default on).
    public var gate: Bool
    /// The mail server's reload command (argv, no shell), run after a certificate is installed.
    public var reload: [String]?
    /// Group that may read the installed private keys (the mail server's), else root only.
    public var group: String?

    public init(table t: PolicyTable?) throws {
        let path = t?.path ?? "tls"
        enabled = try t?.bool("enabled") ?? true
        ports = try t?.ints("ports") ?? [25]
        for p in ports where ![25, 465, 587].contains(p) {
            throw CoreError(.invalidPolicy, "\(path).ports: \(p) is not 25, 465 or 587")
        }
        guard !ports.isEmpty, Set(ports).count == ports.count else {
            throw CoreError(.invalidPolicy, "\(path).ports: list each of 25, 465, 587 at most once, at least one")
        }
        let schemeText = try t?.string("scheme") ?? Scheme.currentIssuer.rawValue
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw CoreError(.invalidPolicy, "\(path).scheme: \(Quote.short(schemeText)) is not current+issuer or current+next")
        }
        self.scheme = scheme
        var issuers = LetsEncrypt.issuers
        for type in TLSKeyType.allCases {
            guard let list = try t?.strings("issuers_\(type.rawValue)") else { continue }
            for h in list where h.count != 64 || !h.allSatisfy(\.isHexDigit) {
                throw CoreError(.invalidPolicy, "\(path).issuers_\(type.rawValue): \(Quote.short(h)) is not a SHA-256 in hex (64 digits)")
            }
            issuers[type] = list.map { $0.lowercased() }
        }
        self.issuers = issuers
        letsencryptDir = try t?.string("letsencrypt_dir") ?? "/etc/letsencrypt"
        guard letsencryptDir.hasPrefix("/") else {
            throw CoreError(.invalidPolicy, "\(path).letsencrypt_dir: \(Quote.short(letsencryptDir)) must be an absolute path")
        }
        gate = try t?.bool("gate") ?? true
        reload = try t?.strings("reload")
        if let r = reload, r.isEmpty { throw CoreError(.invalidPolicy, "\(path).reload: an empty command") }
        group = try t?.string("group")
        if let g = group { try GroupName.check(g, at: "\(path).group") }
        try t?.finish()
    }
}

/// A certificate mailkeys knows for an MX host: the one it serves, one waiting for its TLSA
/// record to age (the deploy gate), or one it served before.
public struct TLSCertificate: Sendable, Equatable {
    public enum State: String, Sendable { case pending, served, replaced }
    public var host: DomainName
    /// SHA-256 of the leaf's SubjectPublicKeyInfo (hex): the `3 1 1` data.
    public var spki: String
    public var keyType: TLSKeyType
    /// SHA-256 of each issuer's SubjectPublicKeyInfo in the chain, leaf's issuer first.
    public var issuers: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// SHA-256 of the certificate itself (DER), which tells renewals with the same key apart.
    public var fingerprint: String
    public var lineage: String?
    public var state: State
    public var imported: Date
    public var installed: Date?
    public var replaced: Date?

    public init(
        host: DomainName, spki: String, keyType: TLSKeyType, issuers: [String], notBefore: Date, notAfter: Date, fingerprint: String,
        lineage: String?, state: State, imported: Date
    ) {
        self.host = host
        self.spki = spki
        self.keyType = keyType
        self.issuers = issuers
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.fingerprint = fingerprint
        self.lineage = lineage
        self.state = state
        self.imported = imported
    }
}

/// A key generated ahead of the next certificate (scheme `current+next`): its `3 1 1` is
/// published long before certbot puts it into a certificate.
public struct TLSNextKey: Sendable, Equatable {
    public var host: DomainName
    public var keyType: TLSKeyType
    public var spki: String
    public var created: Date
    /// When a served certificate first carried it (then a new next key is made).
    public var used: Date?
    public init(host: DomainName, keyType: TLSKeyType, spki: String, created: Date, used: Date? = nil) {
        self.host = host
        self.keyType = keyType
        self.spki = spki
        self.created = created
        self.used = used
    }
}

/// TLSA records (RFC 6698, 7671, 7672) and the deploy gate, as pure functions.
public enum TLSA {
    /// The TLSA RRsets of one MX host: for each port, `3 1 1` of every served or pending key and
    /// `2 1 1` of every issuer the policy lists for those keys' types. Empty without a known
    /// certificate (no records rather than records that match nothing).
    public static func records(
        host: DomainName, certificates: [TLSCertificate], next: [TLSNextKey] = [], policy: TLSPolicy
    ) -> [(owner: DomainName, rdata: String)] {
        let live = certificates.filter { $0.host == host && $0.state != .replaced }
        guard policy.enabled, !live.isEmpty else { return [] }
        var keys = Set(live.map(\.spki))
        if policy.scheme == .currentNext {
            for k in next where k.host == host && k.used == nil { keys.insert(k.spki) }
        }
        var data = keys.sorted().map { "3 1 1 \($0)" }
        if policy.scheme == .currentIssuer {
            for type in TLSKeyType.allCases where live.contains(where: { $0.keyType == type }) {
                for h in policy.issuers[type] ?? [] where !data.contains("2 1 1 \(h)") { data.append("2 1 1 \(h)") }
            }
        }
        return policy.ports.flatMap { port in
            data.map { (DomainName(uncheckedLabels: ["_\(port)", "_tcp"] + host.labels), $0) }
        }
    }

    /// Whether a certificate with leaf key `spki` and issuer keys `issuers` matches a TLSA record
    /// that has been published since at least `2 × ttl` before `now` (RFC 7671 §8.1), given
    /// when each record (`3 1 1 …` / `2 1 1 …`) was first published.
    public static func covered(spki: String, issuers: [String], published: [String: Date], ttl: UInt32, now: Date) -> Bool {
        let since = now.addingTimeInterval(-2 * TimeInterval(ttl))
        if let t = published["3 1 1 \(spki)"], t <= since { return true }
        return issuers.contains { published["2 1 1 \($0)"].map { $0 <= since } ?? false }
    }

    /// When a pending certificate becomes covered by its own `3 1 1` record published at `at`.
    public static func coveredAt(publishedAt: Date, ttl: UInt32) -> Date {
        publishedAt.addingTimeInterval(2 * TimeInterval(ttl))
    }
}
