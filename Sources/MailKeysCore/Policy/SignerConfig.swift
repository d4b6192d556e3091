/// The configuration files of the DKIM signers, rendered from the keys that may sign now.
public enum SignerConfig {
    /// One signing key: its domain, selector, algorithm, PKCS#8 PEM path, and for Ed25519 the
    /// path of the copy in rspamd's own format (rspamd 3.4 reads Ed25519 keys only that way).
    public struct Entry: Sendable, Equatable {
        public var domain: DomainName
        public var selector: String
        public var algorithm: DKIMAlgorithm
        public var keyPath: String
        public var rspamdKeyPath: String?
        public init(
            domain: DomainName,
            selector: String,
            algorithm: DKIMAlgorithm,
            keyPath: String,
            rspamdKeyPath: String? = nil
        ) {
            self.domain = domain
            self.selector = selector
            self.algorithm = algorithm
            self.keyPath = keyPath
            self.rspamdKeyPath = rspamdKeyPath
        }
    }

    static let header = "# Written by mailkeys: lists only the DKIM keys that may sign now. Do not edit.\n"

    /// OpenDKIM `KeyTable` of one algorithm: `<selector>._domainkey.<domain> <domain>:<selector>:<path>`.
    ///
    /// OpenDKIM 2.11 signs every signature of a message with its one `SignatureAlgorithm`, so a
    /// table mixing RSA and Ed25519 keys makes it fail every message ("EVP_PKEY_get1_RSA()
    /// failed"); each algorithm gets its own tables, read by its own OpenDKIM instance.
    public static func openDKIMKeyTable(_ entries: [Entry], algorithm: DKIMAlgorithm) -> String {
        header(algorithm)
            + entries.filter { $0.algorithm == algorithm }
            .map { "\($0.selector)._domainkey.\($0.domain) \($0.domain):\($0.selector):\($0.keyPath)\n" }.joined()
    }

    /// OpenDKIM `SigningTable` of one algorithm in `refile:` form; with `MultipleSignatures yes`
    /// every line of a domain signs (during a rollover's overlap only the active key is listed).
    public static func openDKIMSigningTable(_ entries: [Entry], algorithm: DKIMAlgorithm) -> String {
        header(algorithm)
            + entries.filter { $0.algorithm == algorithm }.map {
                "*@\($0.domain) \($0.selector)._domainkey.\($0.domain)\n"
            }.joined()
    }

    static func header(_ algorithm: DKIMAlgorithm) -> String {
        header
            + "# \(algorithm.rawValue) keys only: the OpenDKIM instance with SignatureAlgorithm \(algorithm == .rsa ? "rsa-sha256" : "ed25519-sha256").\n"
    }

    /// rspamd `dkim_signing` domain map (UCL) with one `selectors` list per domain: every key
    /// that may sign, so a message carries one signature per algorithm. Ed25519 entries name the
    /// copy in rspamd's format.
    public static func rspamdMap(_ entries: [Entry]) -> String {
        var out = header + "domain {\n"
        let domains = Dictionary(grouping: entries, by: \.domain).sorted { $0.key.description < $1.key.description }
        for (domain, list) in domains {
            out += "  \"\(domain)\" {\n    selectors [\n"
            for e in list {
                out += "      { path = \"\(e.rspamdKeyPath ?? e.keyPath)\"; selector = \"\(e.selector)\"; }\n"
            }
            out += "    ]\n  }\n"
        }
        return out + "}\n"
    }
}
