import Foundation

/// The whole policy file: one ``DomainPolicy`` per mail domain, sorted by name.
public struct Policy: Sendable, Equatable {
    public private(set) var domains: [DomainPolicy]
    /// Where the DKIM signers' configuration goes.
    public var signers: SignerPolicy
    /// The DMARC report authorisations the domains need in each other's zones, built once.
    public private(set) var reportAuthorisations: ReportAuthorisations

    public init(domains: [DomainPolicy], signers: SignerPolicy = SignerPolicy()) {
        self.domains = domains.sorted { $0.name.description < $1.name.description }
        self.signers = signers
        reportAuthorisations = ReportAuthorisations(domains)
    }

    /// Some of the policy's domains, with the report authorisations of all of them (a run that
    /// reads only the domains it works on; the others' report targets come from the store).
    public init(domains: [DomainPolicy], signers: SignerPolicy, reportAuthorisations: ReportAuthorisations) {
        self.domains = domains.sorted { $0.name.description < $1.name.description }
        self.signers = signers
        self.reportAuthorisations = reportAuthorisations
    }

    /// The policy of `name`, or an error listing the domains the policy has.
    public func domain(_ name: String) throws -> DomainPolicy {
        let wanted = try DomainName(name)
        guard let found = domains.first(where: { $0.name == wanted }) else {
            throw Self.unknownDomain(wanted, known: domains.map(\.name.description).joined(separator: ", "))
        }
        return found
    }

    /// The error for a domain the policy does not have; `known` says what it has ("" for none).
    public static func unknownDomain(_ wanted: DomainName, known: String) -> CoreError {
        CoreError(.invalidPolicy, "unknown domain '\(wanted)': the policy has \(known.isEmpty ? "no domains" : known)")
    }

    /// Validates a parsed document: `[domains."NAME"]` tables, `[defaults]` (keys every domain
    /// table takes, laid under each), the signer tables, nothing else at the top level; and
    /// `files`, one domain table per name (from `domains/NAME.toml`), merged over the defaults
    /// too. Errors about a domain of `files` name it `domains."NAME"` like the others.
    /// With `allowEmpty`, a document and files without any domain are a policy of none (a run
    /// that reads only the domains that changed).
    public init(
        document: [String: PolicyValue],
        files: [String: [String: PolicyValue]] = [:],
        allowEmpty: Bool = false
    ) throws {
        try PolicyValue.checkLimits(document)
        for (key, table) in files { try PolicyValue.checkLimits(table, path: PolicyTable.join("domains", key)) }
        let root = PolicyTable(document, path: "")
        let defaults = try Self.defaults(root)
        let domains = try root.table("domains")
        guard allowEmpty || !(domains?.keys.isEmpty ?? true) || !files.isEmpty else { throw Self.noDomains() }
        var tables: [(String, [String: PolicyValue])] = []
        for key in domains?.keys ?? [] {
            let value = domains!.value(key)
            guard case .table(let t)? = value else {
                throw CoreError(
                    .invalidPolicy,
                    "\(PolicyTable.join("domains", key)): expected a table, found \(value?.typeName ?? "nothing")"
                )
            }
            tables.append((key, t))
        }
        tables += files.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let list = try tables.map { key, t in
            try Self.domain(key, PolicyValue.merged(t, over: defaults))
        }
        signers = try SignerPolicy(opendkim: try root.table("opendkim"), rspamd: try root.table("rspamd"))
        try root.finish()
        let names = list.map(\.name)
        guard Set(names).count == names.count else {
            throw Self.listedTwice(Dictionary(grouping: names, by: { $0 }).filter { $0.value.count > 1 }.keys.sorted())
        }
        self.domains = list.sorted { $0.name.description < $1.name.description }
        reportAuthorisations = ReportAuthorisations(list)
    }

    /// The error for a policy without any domain.
    public static func noDomains() -> CoreError {
        CoreError(
            .invalidPolicy,
            "policy: no domains: no [domains.\"NAME\"] table and no domains/NAME.toml file; run 'mailkeys init' to write one"
        )
    }

    /// The error for domains given more than once.
    public static func listedTwice(_ names: [DomainName]) -> CoreError {
        CoreError(
            .invalidPolicy,
            "policy: a domain is listed twice: \(names.map(\.description).joined(separator: ", ")) (in mailkeys.toml and domains/, or names that differ only in case or a trailing dot)"
        )
    }

    /// The `[defaults]` table (empty when there is none).
    private static func defaults(_ root: PolicyTable) throws -> [String: PolicyValue] {
        guard let value = root.value("defaults") else { return [:] }
        guard case .table(let t) = value else { throw CoreError(.invalidPolicy, "defaults: expected a table") }
        return t
    }

    /// One domain's policy from its table (defaults merged in).
    private static func domain(_ key: String, _ table: [String: PolicyValue]) throws -> DomainPolicy {
        let path = PolicyTable.join("domains", key)
        let name: DomainName
        do { name = try DomainName(key) } catch let e as CoreError { throw CoreError(e.code, "\(path): \(e.reason)") }
        guard name.labels.count >= 2 else {
            throw CoreError(
                .invalidPolicy,
                "\(path): a mail domain needs at least two labels" + unquotedHint(key, table)
            )
        }
        return try DomainPolicy(name: name, table: PolicyTable(table, path: path))
    }

    /// The tables a domain's table may hold (a table under the domain named otherwise is the
    /// rest of a domain name whose header was not quoted).
    static let domainTables: Set = ["soa", "dmarc", "mta_sts", "tls_rpt", "caa", "dkim", "dnssec", "tls", "ttls"]

    /// For `[domains.example.org.dkim]` (TOML reads the dots as nesting: domain `example`, table
    /// `org`), a hint to quote the name; empty when the table does not look like that.
    static func unquotedHint(_ key: String, _ table: [String: PolicyValue]) -> String {
        var labels = [key]
        var t = table
        while t.count == 1 || labels.count == 1, let (k, v) = t.first(where: { !domainTables.contains($0.key) }),
            case .table(let inner) = v
        {
            labels.append(k)
            t = inner
            if labels.count > 8 { break }
        }
        guard labels.count >= 2 else { return "" }
        let name = labels.joined(separator: ".")
        return "; if the domain is \(name), quote it in the table headers: [domains.\"\(name)\"] (TOML reads "
            + "the dots of [domains.\(name)] as nested tables)"
    }
}
