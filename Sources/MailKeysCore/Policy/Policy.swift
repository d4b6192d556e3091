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

    /// The policy of `name`, or an error listing the domains the policy has.
    public func domain(_ name: String) throws -> DomainPolicy {
        let wanted = try DomainName(name)
        guard let found = domains.first(where: { $0.name == wanted }) else {
            let known = domains.map(\.name.description).joined(separator: ", ")
            throw CoreError(
                .invalidPolicy,
                "unknown domain '\(wanted)': the policy has \(known.isEmpty ? "no domains" : known)"
            )
        }
        return found
    }

    /// Validates a parsed document: `[domains."NAME"]` tables, nothing else at the top level.
    public init(document: [String: PolicyValue]) throws {
        try PolicyValue.checkLimits(document)
        let root = PolicyTable(document, path: "")
        guard let domains = try root.table("domains"), !domains.keys.isEmpty else {
            throw CoreError(.invalidPolicy, "policy: no [domains.\"NAME\"] table; run 'mailkeys init' to write one")
        }
        var list: [DomainPolicy] = []
        for key in domains.keys {
            let name = try domains.within(key) { try DomainName(key) }
            guard name.labels.count >= 2 else {
                throw CoreError(.invalidPolicy, "domains.\(key): a mail domain needs at least two labels")
            }
            guard let table = try domains.table(key) else { continue }
            list.append(try DomainPolicy(name: name, table: table))
        }
        signers = try SignerPolicy(opendkim: try root.table("opendkim"), rspamd: try root.table("rspamd"))
        try root.finish()
        let names = list.map(\.name)
        guard Set(names).count == names.count else {
            throw CoreError(
                .invalidPolicy,
                "policy: a domain is listed twice (names differ only in case or a trailing dot)"
            )
        }
        self.domains = list.sorted { $0.name.description < $1.name.description }
        reportAuthorisations = ReportAuthorisations(list)
    }
}
