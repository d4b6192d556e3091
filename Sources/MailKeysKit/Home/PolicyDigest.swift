import Foundation
import MailKeysCore
import MailKeysDNS

/// Hashes of what each domain's zone and keys are made from in the policy: the domain's own
/// table together with every table outside `[domains]` (signers), so that a change anywhere
/// else in the file leaves a domain's hash alone. Zone maps and the schedule record them.
struct PolicyDigest: Sendable {
    /// SHA-256 of the tables outside `[domains]`.
    let global: String
    /// SHA-256 of `global` and the domain's table, by domain.
    let domains: [DomainName: String]

    init(document: [String: PolicyValue]) throws {
        var rest = document
        rest["domains"] = nil
        let global = Digest.sha256Hex(PolicyValue.table(rest).canonical)
        var domains: [DomainName: String] = [:]
        if case .table(let tables)? = document["domains"] {
            for (key, value) in tables {
                domains[try DomainName(key)] = Digest.sha256Hex(global + "\n" + value.canonical)
            }
        }
        self.global = global
        self.domains = domains
    }

    /// The hash a domain's zone map records: the domain's policy hash and the DMARC report
    /// authorisations other domains need in its zone.
    func zone(_ name: DomainName, _ policy: Policy) -> String {
        let entries = policy.reportAuthorisations.needed(in: name).map { "\($0.source) \($0.target)\n" }
        return Digest.sha256Hex((domains[name] ?? "") + "\n" + entries.joined())
    }
}
