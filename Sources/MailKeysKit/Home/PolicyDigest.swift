import Foundation
import MailKeysCore
import MailKeysDNS

/// Hashes of what each domain's zone and keys are made from in the policy: the domain's own
/// table with `[defaults]` merged in (from `mailkeys.toml` or `domains/<domain>.toml`),
/// together with the signer tables, so that a change anywhere else leaves a domain's hash
/// alone. Zone maps and the schedule record them.
struct PolicyDigest: Sendable {
    /// SHA-256 of the tables outside `[domains]` and `[defaults]`.
    let global: String
    /// SHA-256 of `global` and the domain's merged table, by domain.
    let domains: [DomainName: String]

    init(global: String, domains: [DomainName: String]) {
        self.global = global
        self.domains = domains
    }

    /// SHA-256 of the tables of `document` outside `[domains]` and `[defaults]`.
    static func global(_ document: [String: PolicyValue]) -> String {
        var rest = document
        rest["domains"] = nil
        rest["defaults"] = nil
        return Digest.sha256Hex(PolicyValue.table(rest).canonical)
    }

    /// For a document ``Policy`` has accepted (with the same `files`).
    init(document: [String: PolicyValue], files: [String: [String: PolicyValue]] = [:]) throws {
        let global = Self.global(document)
        var defaults: [String: PolicyValue] = [:]
        if case .table(let t)? = document["defaults"] { defaults = t }
        var tables = files
        if case .table(let inline)? = document["domains"] {
            for case (let key, .table(let t)) in inline { tables[key] = t }
        }
        var domains: [DomainName: String] = [:]
        for (key, t) in tables {
            let merged = PolicyValue.table(PolicyValue.merged(t, over: defaults))
            domains[try DomainName(key)] = Digest.sha256Hex(global + "\n" + merged.canonical)
        }
        self.global = global
        self.domains = domains
    }

    /// The hash a domain's zone map records: the domain's policy hash and the DMARC report
    /// authorisations other domains need in its zone.
    func zone(_ name: DomainName, _ policy: Policy) -> String { zone(name, policy.reportAuthorisations) }

    func zone(_ name: DomainName, _ authorisations: ReportAuthorisations) -> String {
        Digest.sha256Hex(zoneText(name, authorisations))
    }

    /// What ``zone(_:_:)`` hashes (for a fingerprint that hashes it with more).
    func zoneText(_ name: DomainName, _ authorisations: ReportAuthorisations) -> String {
        let entries = authorisations.needed(in: name).map { "\($0.source) \($0.target)\n" }
        return (domains[name] ?? "") + "\n" + entries.joined()
    }
}
