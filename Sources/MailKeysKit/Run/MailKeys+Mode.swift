import MailKeysCore

extension MailKeys {
    /// What a run does.
    public enum Mode: Sendable, Equatable {
        /// `zone build [DOMAIN]`: zones only, from the store as it is.
        case zoneBuild(String?)
        /// `zone sign [DOMAIN]`: as `zoneBuild`, for domains whose policy signs.
        case zoneSign(String?)
        /// `tick`: every due transition, then zones and signer configuration.
        case tick
        /// `rotate dkim [DOMAIN]` (nil: all): start DKIM rollovers now, then as `tick`.
        case rotateDKIM(String?)
        /// `rotate zsk DOMAIN`: pre-publish a new ZSK now, then as `tick`.
        case rotateZSK(String)
        /// `rotate ksk DOMAIN`: publish a new KSK (or CSK) now and start the double-DS rollover.
        case rotateKSK(String)
        /// `ds seen DOMAIN TAG`: the operator saw the new key's DS at the parent; then as `tick`.
        case dsSeen(String, UInt16)
        /// `tls import` and `certbot-hook`: a certificate (chain PEM, optional key PEM) for MX
        /// `hosts`; `served` records it as what the server already serves (import), else it goes
        /// through the deploy gate. Then as `tick`.
        case certificate(hosts: [String], fullchain: String, key: String?, lineage: String?, served: Bool, name: String)
        /// `rotate tls HOST`: generate the next key of HOST now (scheme current+next); then as `tick`.
        case rotateTLS(String)
        /// `zone export [DOMAIN]`: as `zoneBuild` (signing where the policy signs), then export.
        case zoneExport(String?)
        /// `domain remove DOMAIN [--cancel | --confirm]`: start, stop or confirm taking the
        /// domain down (``DomainRemoval``); then as `tick`.
        case removeDomain(String, RemovalRequest)
        /// `ds gone DOMAIN`: the operator saw the parent without the DS of a domain being
        /// removed; then as `tick`.
        case dsGone(String)
    }

    /// What `domain remove` asks.
    public enum RemovalRequest: Sendable, Equatable {
        /// Start taking the domain down.
        case start
        /// Stop: the domain is served and signed as before.
        case cancel
        /// An unsigned domain may leave its nameservers now.
        case confirm
    }
}

extension MailKeys.Mode {
    /// The domains a run in this mode works on, after checking what the mode names: the domain
    /// given to `zone …` (all when none), every domain otherwise (a rollover or a certificate can
    /// change a record in another domain's zone, e.g. an MX host's TLSA).
    func domains(in policy: Policy) throws -> [DomainPolicy] {
        switch self {
        case .zoneBuild(let d), .zoneExport(let d): return try MailKeys.select(policy, d)
        case .zoneSign(let d):
            let selected = try MailKeys.select(policy, d)
            if let unsigned = selected.first(where: { !$0.dnssec.enabled }) {
                throw HomeError(.usage, "\(unsigned.name) is not signed: its policy has [dnssec] enabled = false")
            }
            return selected
        case .rotateDKIM(let d):
            _ = try MailKeys.select(policy, d)
        case .rotateZSK(let d):
            let p = try policy.domain(d)
            guard p.dnssec.enabled, p.dnssec.scheme == .kskzsk else {
                throw HomeError(
                    .usage,
                    "\(p.name) has no ZSK: set [dnssec] scheme = \"ksk+zsk\" (a CSK rolls with its KSK procedure)"
                )
            }
        case .removeDomain(let d, _): _ = try policy.domain(d)
        case .rotateKSK(let d), .dsSeen(let d, _), .dsGone(let d):
            let p = try policy.domain(d)
            guard p.dnssec.enabled else {
                throw HomeError(.usage, "\(p.name) is not signed: its policy has [dnssec] enabled = false")
            }
        case .certificate, .rotateTLS, .tick: break
        }
        return policy.domains
    }

    /// The domains this mode runs whatever their schedule (nil: every domain): the one it names,
    /// or, for a certificate, the domains that list one of its hosts as MX.
    func named(listing: (Set<DomainName>) -> Set<DomainName>) throws -> Set<DomainName>? {
        switch self {
        case .zoneBuild, .zoneSign, .zoneExport, .rotateDKIM(nil): return nil
        case .tick: return []
        case .rotateDKIM(let d?), .rotateZSK(let d), .rotateKSK(let d), .dsSeen(let d, _), .removeDomain(let d, _),
            .dsGone(let d):
            return [try DomainName(d)]
        case .certificate(let hosts, _, _, _, _, _): return listing(Set(try hosts.map { try DomainName($0) }))
        case .rotateTLS(let host): return listing([try DomainName(host)])
        }
    }

    /// The MX hosts of a certificate's run (nil for every other mode).
    func certificateHosts() throws -> Set<DomainName>? {
        switch self {
        case .certificate(let hosts, _, _, _, _, _): return Set(try hosts.map { try DomainName($0) })
        case .rotateTLS(let host): return [try DomainName(host)]
        default: return nil
        }
    }

    /// Whether a run in this mode works on the domains it names and no other: a certificate's
    /// (the domains that list its host as MX), so the certbot hook of one host costs what that
    /// host's domains cost. Events due elsewhere, edits of other domains and the permission
    /// sweep of every key are left to the next `tick`.
    var onlyNamed: Bool {
        switch self {
        case .certificate, .rotateTLS: return true
        default: return false
        }
    }

    /// The domain this mode names, if any.
    var namedDomain: String? {
        switch self {
        case .rotateDKIM(let d?), .rotateZSK(let d), .rotateKSK(let d), .dsSeen(let d, _), .removeDomain(let d, _),
            .dsGone(let d):
            return d
        default: return nil
        }
    }

    /// Whether key and certificate events fall due in this mode (the `zone` commands only build).
    var advances: Bool {
        switch self {
        case .zoneBuild, .zoneSign, .zoneExport: return false
        default: return true
        }
    }

    /// Whether this run starts a DKIM rollover of `name` now.
    func rotatesDKIM(_ name: DomainName) throws -> Bool {
        guard case .rotateDKIM(let d) = self else { return false }
        guard let d else { return true }
        return try DomainName(d) == name
    }

    /// Whether this run pre-publishes a new ZSK of `name`, or starts its KSK rollover.
    func rotatesZSK(_ name: DomainName) throws -> Bool {
        guard case .rotateZSK(let d) = self else { return false }
        return try DomainName(d) == name
    }

    func rotatesKSK(_ name: DomainName) throws -> Bool {
        guard case .rotateKSK(let d) = self else { return false }
        return try DomainName(d) == name
    }

    /// The key whose DS the operator saw at the parent of `name`, if this run records one.
    func dsSeen(_ name: DomainName) throws -> UInt16? {
        guard case .dsSeen(let d, let tag) = self, try DomainName(d) == name else { return nil }
        return tag
    }

    /// What this run asks of the removal of `name`, if anything.
    func removal(_ name: DomainName) throws -> MailKeys.RemovalRequest? {
        guard case .removeDomain(let d, let request) = self, try DomainName(d) == name else { return nil }
        return request
    }

    /// Whether this run records that the parent dropped the DS of `name`.
    func dsGone(_ name: DomainName) throws -> Bool {
        guard case .dsGone(let d) = self else { return false }
        return try DomainName(d) == name
    }
}
