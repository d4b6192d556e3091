/// The configuration files of the DKIM signers, rendered from the keys that may sign now.
public enum SignerConfig {
    /// One signing key: its domain, selector and private key path.
    public struct Entry: Sendable, Equatable {
        public var domain: DomainName
        public var selector: String
        public var keyPath: String
        public init(domain: DomainName, selector: String, keyPath: String) {
            self.domain = domain
            self.selector = selector
            self.keyPath = keyPath
        }
    }

    static let header = "# Written by mailkeys: lists only the DKIM keys that may sign now. Do not edit.\n"

    /// OpenDKIM `KeyTable`: `<selector>._domainkey.<domain> <domain>:<selector>:<path>`.
    public static func openDKIMKeyTable(_ entries: [Entry]) -> String {
        header + entries.map { "\($0.selector)._domainkey.\($0.domain) \($0.domain):\($0.selector):\($0.keyPath)\n" }.joined()
    }

    /// OpenDKIM `SigningTable` in `refile:` form; with `MultipleSignatures yes` every line of a
    /// domain signs (RSA and Ed25519 side by side).
    public static func openDKIMSigningTable(_ entries: [Entry]) -> String {
        header + entries.map { "*@\($0.domain) \($0.selector)._domainkey.\($0.domain)\n" }.joined()
    }

    /// rspamd `dkim_signing` domain map (UCL) with one `selectors` list per domain.
    public static func rspamdMap(_ entries: [Entry]) -> String {
        var out = header + "domain {\n"
        let domains = Dictionary(grouping: entries, by: \.domain).sorted { $0.key.description < $1.key.description }
        for (domain, list) in domains {
            out += "  \"\(domain)\" {\n    selectors [\n"
            for e in list { out += "      { path = \"\(e.keyPath)\"; selector = \"\(e.selector)\"; }\n" }
            out += "    ]\n  }\n"
        }
        return out + "}\n"
    }
}
