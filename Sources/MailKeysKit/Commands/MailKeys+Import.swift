import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// `mailkeys import`: adopting a domain that is live today, with the keys it is signed with.
/// DNSSEC keys come from BIND key files (`K<zone>.+<alg>+<tag>.key` and `.private`, as
/// `dnssec-keygen` writes them, with their timing metadata); DKIM keys from PEM files (RSA or
/// Ed25519, PKCS#1 or PKCS#8), named one by one or through an OpenDKIM KeyTable. The imported
/// keys keep signing and are rolled on the policy's schedule, so the switch to mailkeys needs no
/// KSK rollover at the registrar and no DKIM change. The files are staged and committed with the
/// store as every run's are.
extension MailKeys {
    /// Imports the DNSSEC keys of `domain` from BIND `.key` files (each `.private` beside it).
    /// They must be the keys the zone is signed with now (published and active by their
    /// metadata), of the policy's algorithm and scheme (one KSK/CSK, plus one ZSK for
    /// `ksk+zsk`), into a domain with no DNSSEC keys yet.
    public static func importDNSSEC(_ home: Home, domain: String, files: [String], now: Date, lockWait: Double)
        throws -> Report
    {
        let session = try Session(home, lockWait: lockWait, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        var report = try Journal.recover(home, store: store)
        try ClockGuard.check(now: now, store: store, home: home, simulate: false)
        let p = try importedDomain(home, store: store, domain)
        guard p.dnssec.enabled else {
            throw HomeError(.usage, "\(p.name) is not signed: set [dnssec] enabled = true to import its keys")
        }
        guard try store.dnssecKeys(domain: p.name).isEmpty else {
            throw HomeError(
                .usage,
                "\(p.name) already has DNSSEC keys in the store: import the keys of a live zone before its first tick"
            )
        }
        let keys = try files.map { try BINDKeyFile.read($0, zone: p.name, ttl: p.dnssec.dnskeyTTL, now: now) }
        try checkScheme(p, keys)
        let pending = Pending(home)
        for k in keys {
            let key = k.key(p, now: now)
            DNSSECKeyFiles.stage(
                home,
                p.name,
                key,
                privateText: k.privateText,
                origin: "imported by mailkeys",
                detail: "imported \(key.role.rawValue) \(key.tag) from \(k.source)",
                now: now,
                pending: pending
            )
            report.lines.append(
                "\(p.name): DNSSEC: imported \(key.role.rawValue) key \(key.tag) (algorithm \(key.algorithm), active since "
                    + "\(RunClock.format(key.active ?? now))) from \(k.source)"
            )
        }
        report.lines += try pending.commit(store, now: now)
        report.lines.append(
            "\(p.name): the parent's DS must be the one `mailkeys ds \(p.name)` prints; run `mailkeys tick` to sign "
                + "the zone with the imported keys, then export it in place of the old signer's"
        )
        return report
    }

    /// Imports DKIM keys of `domain`: `selectors` maps each selector to its PEM file, `keyTable`
    /// (an OpenDKIM KeyTable) adds the entries of this domain. Each key signs from now on and its
    /// record is published by the next tick; a domain that already has a key of the same
    /// algorithm in DNS is refused (import before the first tick).
    public static func importDKIM(
        _ home: Home,
        domain: String,
        selectors: [(String, String)],
        keyTable: String?,
        now: Date,
        lockWait: Double
    ) throws -> Report {
        let session = try Session(home, lockWait: lockWait, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        var report = try Journal.recover(home, store: store)
        try ClockGuard.check(now: now, store: store, home: home, simulate: false)
        let p = try importedDomain(home, store: store, domain)
        var wanted = selectors
        if let keyTable { wanted += try OpenDKIMKeyTable.entries(keyTable, domain: p.name) }
        guard !wanted.isEmpty else {
            throw HomeError(.usage, "nothing to import for \(p.name): give SELECTOR=FILE or a --keytable listing it")
        }
        let existing = (try store.dkimKeys(domains: [p.name]))[p.name] ?? []
        let pending = Pending(home)
        var seen = Set(existing.map(\.selector))
        var algorithms = Set(existing.filter(\.inDNS).map(\.algorithm))
        for (selector, file) in wanted {
            try checkSelector(selector, domain: p.name)
            guard seen.insert(selector).inserted else {
                throw HomeError(.usage, "\(p.name): selector \(selector) is given twice or already in the store")
            }
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else {
                throw HomeError(.missing, "cannot read \(file)")
            }
            let info: (algorithm: DKIMAlgorithm, bits: Int, publicKey: String)
            let pem: String
            do {
                info = try DKIMKeys.inspect(pem: text, name: file)
                pem = try DKIMKeys.pkcs8(pem: text, name: file)
            } catch let e as DNSError {
                throw HomeError(.usage, "\(file): \(e.reason)")
            }
            guard p.dkim.algorithms.contains(info.algorithm) else {
                throw HomeError(
                    .usage,
                    "\(file) holds an \(info.algorithm) key, which \(p.name)'s dkim.algorithms does not list"
                )
            }
            guard info.algorithm != .rsa || info.bits >= 1024 else {
                throw HomeError(
                    .usage,
                    "\(file): an RSA key of \(info.bits) bits; verifiers ignore keys under 1024 bits"
                )
            }
            guard algorithms.insert(info.algorithm).inserted else {
                throw HomeError(
                    .usage,
                    "\(p.name) already has an \(info.algorithm) key in DNS: import the keys of a live domain before its first tick"
                )
            }
            let key = DKIMKey(
                selector: selector,
                algorithm: info.algorithm,
                publicKey: info.publicKey,
                created: now,
                published: now,
                active: now
            )
            let target = DKIMKeyFiles.keyFile(home, p.name, selector)
            pending.stagings.append { journal in
                try Directory.make(DKIMKeyFiles.dir(home, p.name), mode: 0o700)
                try journal.stage(pem, to: target, mode: 0o600)
            }
            let name = p.name
            pending.storeOps.append { tx in
                try tx.ensureDomain(name, at: now)
                try tx.insertDKIM(key, domain: name)
                try tx.log(
                    "dkim",
                    domain: name,
                    detail: "imported \(selector) (\(info.algorithm)) from \(file)",
                    at: now
                )
            }
            report.lines.append(
                "\(p.name): DKIM: imported \(selector) (\(info.algorithm)\(info.algorithm == .rsa ? " \(info.bits)" : "")) "
                    + "from \(file); it signs from now on and is rolled on the policy's schedule"
            )
        }
        report.lines += try pending.commit(store, now: now)
        report.lines.append(
            "\(p.name): run `mailkeys tick` to publish the imported selectors in the zone and the signers' tables"
        )
        return report
    }

    /// The policy of the domain an import names (which must be listed).
    private static func importedDomain(_ home: Home, store: Store, _ domain: String) throws -> DomainPolicy {
        let name = try DomainName(domain)
        guard let p = try PolicyIndex.one(home, store: store, name: name)?.domains.first else {
            throw HomeError(
                .usage,
                "\(name) is not in the policy: add it first (`mailkeys domain add \(name) --mx …`)"
            )
        }
        return p
    }

    /// The imported keys are the policy's algorithm and scheme: one CSK, or one KSK and one ZSK.
    private static func checkScheme(_ p: DomainPolicy, _ keys: [BINDKeyFile]) throws {
        for k in keys where k.algorithm != p.dnssec.algorithm {
            throw HomeError(
                .usage,
                "\(k.source) is algorithm \(k.algorithm); set [dnssec] algorithm = \(k.algorithm) to import it"
            )
        }
        let ksk = keys.filter { $0.flags == 257 }.count
        let zsk = keys.filter { $0.flags == 256 }.count
        let expected = p.dnssec.scheme == .csk ? (1, 0) : (1, 1)
        guard (ksk, zsk) == expected else {
            let found = "\(ksk) key-signing and \(zsk) zone-signing key\(zsk == 1 ? "" : "s")"
            throw HomeError(
                .usage,
                "\(p.name): the keys given are \(found); scheme \"\(p.dnssec.scheme.rawValue)\" imports "
                    + (p.dnssec.scheme == .csk
                        ? "one CSK (flags 257; set scheme = \"ksk+zsk\" for a KSK and a ZSK)"
                        : "one KSK (257) and one ZSK (256)") + "; import only the keys the zone is signed with now"
            )
        }
    }

    /// A selector is one or more DNS labels of letters, digits and hyphens.
    private static func checkSelector(_ selector: String, domain: DomainName) throws {
        let labels = selector.split(separator: ".", omittingEmptySubsequences: false)
        let ok =
            !selector.isEmpty && selector.count <= 63
            && labels.allSatisfy { l in
                !l.isEmpty && l.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        guard ok else { throw HomeError(.usage, "\(domain): \(Quote.short(selector)) is not a DKIM selector") }
    }
}
