import MailKeysCore

/// A domain as the DKIM signers' configuration sees it: its name and the group its keys are
/// handed to (`dkim.group`); only domains with DKIM enabled are listed.
struct SignerDomain: Sendable, Equatable {
    let name: DomainName
    let group: String?

    /// The domains of `policy` that sign.
    static func all(_ policy: Policy) -> [SignerDomain] {
        policy.domains.filter(\.dkim.enabled).map { SignerDomain(name: $0.name, group: $0.dkim.group) }
    }
}
