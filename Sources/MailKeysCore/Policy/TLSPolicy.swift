import Foundation

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
            throw CoreError(
                .invalidPolicy,
                "\(path).scheme: \(Quote.short(schemeText)) is not current+issuer or current+next"
            )
        }
        self.scheme = scheme
        var issuers = LetsEncrypt.issuers
        for type in TLSKeyType.allCases {
            guard let list = try t?.strings("issuers_\(type.rawValue)") else { continue }
            for h in list where h.count != 64 || !h.allSatisfy(\.isHexDigit) {
                throw CoreError(
                    .invalidPolicy,
                    "\(path).issuers_\(type.rawValue): \(Quote.short(h)) is not a SHA-256 in hex (64 digits)"
                )
            }
            issuers[type] = list.map { $0.lowercased() }
        }
        self.issuers = issuers
        letsencryptDir = try t?.string("letsencrypt_dir") ?? "/etc/letsencrypt"
        guard letsencryptDir.hasPrefix("/") else {
            throw CoreError(
                .invalidPolicy,
                "\(path).letsencrypt_dir: \(Quote.short(letsencryptDir)) must be an absolute path"
            )
        }
        gate = try t?.bool("gate") ?? true
        reload = try t?.strings("reload")
        if let r = reload, r.isEmpty { throw CoreError(.invalidPolicy, "\(path).reload: an empty command") }
        group = try t?.string("group")
        if let g = group { try GroupName.check(g, at: "\(path).group") }
        try t?.finish()
    }
}
