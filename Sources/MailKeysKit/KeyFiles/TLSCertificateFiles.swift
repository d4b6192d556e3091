import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Certificates of the MX hosts: the certbot deploy hook, `tls import`, the deploy gate and the
/// files the mail server reads (`Keys/tls/<host>/<rsa|ecdsa>/fullchain.pem` and `privkey.pem`).
enum TLSCertificateFiles {
    /// A certificate offered to mailkeys (by the hook or `tls import`), read and checked.
    struct Offer {
        var hosts: [DomainName]
        var fullchain: String
        var privateKey: String?
        var leaf: Certificates.Info
        var issuers: [String]
        var lineage: String?
    }

    /// Whether `p`'s zone publishes the TLSA records of `host`: the host is one of its MX hosts
    /// and lies in its zone. Only that domain keeps the host's certificates; another domain that
    /// lists the host (a shared MX) publishes its MX record and nothing else of it.
    static func publishesTLSA(_ p: DomainPolicy, host: DomainName) -> Bool {
        host.isSubdomain(of: p.name) && p.mx.contains { $0.host == host }
    }

    static func hostDir(_ home: Home, _ host: DomainName, _ type: TLSKeyType) -> URL {
        home.keysDir.appendingPathComponent("tls/\(host)/\(type.rawValue)", isDirectory: true)
    }

    static func pendingDir(_ home: Home, _ host: DomainName) -> URL {
        home.keysDir.appendingPathComponent("tls/\(host)/pending", isDirectory: true)
    }

    /// Characters refused in the hook's environment: nothing a shell would act on.
    static let unsafe = CharacterSet(charactersIn: ";|&$`<>(){}[]*?!~'\"\\\n\r\t")

    /// Reads and checks the deploy hook's environment: `RENEWED_LINEAGE` must be a directory
    /// `DIR/live/NAME` (no `..`, no symlink leading elsewhere, no shell metacharacters) with
    /// `fullchain.pem` and `privkey.pem`; `RENEWED_DOMAINS` a space-separated list of names.
    static func hookEnvironment(_ env: [String: String], letsencryptDir: String) throws -> (
        lineage: URL, domains: [DomainName]
    ) {
        guard let lineage = env["RENEWED_LINEAGE"], !lineage.isEmpty else {
            throw HomeError(.usage, "certbot-hook: RENEWED_LINEAGE is not set (run it as certbot's --deploy-hook)")
        }
        guard let domainsText = env["RENEWED_DOMAINS"], !domainsText.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw HomeError(.usage, "certbot-hook: RENEWED_DOMAINS is not set (run it as certbot's --deploy-hook)")
        }
        for (name, value) in [("RENEWED_LINEAGE", lineage), ("RENEWED_DOMAINS", domainsText)]
        where value.rangeOfCharacter(from: unsafe) != nil {
            throw HomeError(.usage, "certbot-hook: \(name) contains shell metacharacters; refused")
        }
        let live = URL(fileURLWithPath: letsencryptDir).appendingPathComponent("live", isDirectory: true)
            .standardizedFileURL
            .resolvingSymlinksInPath()
        let url = URL(fileURLWithPath: lineage).standardizedFileURL
        guard lineage.hasPrefix("/"), !lineage.split(separator: "/").contains(".."),
            url.resolvingSymlinksInPath().deletingLastPathComponent().path == live.path
        else {
            throw HomeError(
                .usage,
                "certbot-hook: RENEWED_LINEAGE \(Quote.short(lineage)) is not a lineage in \(live.path)/; refused"
            )
        }
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue else {
            throw HomeError(.missing, "certbot-hook: lineage \(Quote.short(lineage)) does not exist")
        }
        let domains = try domainsText.split(separator: " ").map { d in
            do { return try DomainName(String(d)) } catch let e as CoreError {
                throw HomeError(.usage, "certbot-hook: RENEWED_DOMAINS: \(e.reason)")
            }
        }
        return (url, domains)
    }

    /// Reads a certificate chain (and its key), checks it for `hosts` at `now`, and returns it.
    static func offer(
        fullchain: String,
        privateKey: String?,
        hosts: [DomainName],
        lineage: String?,
        name: String,
        now: Date
    ) throws -> Offer {
        let chain: [Certificates.Info]
        do { chain = try Certificates.read(pem: fullchain, name: name) } catch let e as DNSError {
            throw HomeError(.verify, wrapping: e)
        }
        let leaf = chain[0]
        guard leaf.keyType != nil else { throw HomeError(.verify, "\(name): the key is neither RSA nor ECDSA") }
        guard leaf.notAfter > now else {
            throw HomeError(
                .verify,
                "\(name): the certificate expired at \(RunClock.format(leaf.notAfter)); nothing was changed"
            )
        }
        guard leaf.notBefore <= now.addingTimeInterval(3600) else {
            throw HomeError(
                .verify,
                "\(name): the certificate is not valid before \(RunClock.format(leaf.notBefore)); nothing was changed"
            )
        }
        for host in hosts where try !Certificates.matches(pem: fullchain, host: host) {
            throw HomeError(
                .verify,
                "\(name): the certificate (\(leaf.subject)) is not valid for \(host); nothing was changed"
            )
        }
        guard try Certificates.chainIsOrdered(pem: fullchain) else {
            throw HomeError(.verify, "\(name): the chain is not in order (each certificate must be issued by the next)")
        }
        if let privateKey {
            let spki: String
            do { spki = try Certificates.privateKeySPKI(pem: privateKey, name: "\(name) key") } catch let e as DNSError
            {
                throw HomeError(.verify, wrapping: e)
            }
            guard spki == leaf.spki else {
                throw HomeError(.verify, "\(name): the private key does not belong to the certificate")
            }
        }
        return Offer(
            hosts: hosts,
            fullchain: fullchain,
            privateKey: privateKey,
            leaf: leaf,
            issuers: chain.dropFirst().map(\.spki),
            lineage: lineage
        )
    }

    /// Whether a key `spki` of `host` (with issuer keys `issuers`) is covered on every TLSA owner
    /// of the host by records published at least 2 × TTL ago.
    static func covered(
        host: DomainName,
        spki: String,
        issuers: [String],
        policy p: DomainPolicy,
        published: [String: Date],
        now: Date
    ) -> Bool {
        p.tls.ports.allSatisfy { port in
            let owner = "_\(port)._tcp.\(host.fqdn) "
            let here = Dictionary(
                uniqueKeysWithValues: published.compactMap { k, v in
                    k.hasPrefix(owner) ? (String(k.dropFirst(owner.count)), v) : nil
                }
            )
            return TLSA.covered(spki: spki, issuers: issuers, published: here, ttl: p.ttl(for: .tlsa), now: now)
        }
    }

    /// Whether a certificate is covered (its key or one of its issuers), as ``covered(host:spki:issuers:policy:published:now:)``.
    static func covered(_ c: TLSCertificate, policy p: DomainPolicy, published: [String: Date], now: Date) -> Bool {
        covered(host: c.host, spki: c.spki, issuers: c.issuers, policy: p, published: published, now: now)
    }

    /// Records an offered certificate for each of its hosts: served at once when the gate is off
    /// or TLSA records already cover it (files installed after the commit), else pending until
    /// its `3 1 1` record has aged 2 × TTL.
    static func accept(
        _ home: Home,
        _ p: DomainPolicy,
        offer: Offer,
        certs: [TLSCertificate],
        published: [String: Date],
        now: Date,
        served: Bool,
        pending: Pending
    ) throws -> (certs: [TLSCertificate], lines: [String]) {
        var out = certs
        var lines: [String] = []
        for host in offer.hosts where publishesTLSA(p, host: host) {
            var c = TLSCertificate(
                host: host,
                spki: offer.leaf.spki,
                keyType: offer.leaf.keyType!,
                issuers: offer.issuers,
                notBefore: offer.leaf.notBefore,
                notAfter: offer.leaf.notAfter,
                fingerprint: offer.leaf.fingerprint,
                lineage: offer.lineage,
                state: .pending,
                imported: now
            )
            if let known = out.first(where: { $0.host == host && $0.fingerprint == c.fingerprint }),
                known.state != .pending
            {
                lines.append("\(host): certificate \(c.fingerprint.prefix(16)) is already \(known.state.rawValue)")
                continue
            }
            out.removeAll { $0.host == host && $0.fingerprint == c.fingerprint }
            let ready = served || !p.tls.gate || covered(c, policy: p, published: published, now: now)
            if ready {
                out = install(home, p, &c, certs: out, offer: offer, now: now, pending: pending)
                lines.append(
                    "\(host): \(c.keyType.rawValue) certificate \(c.fingerprint.prefix(16)) (key \(c.spki.prefix(16))) \(served ? "recorded as served" : "installed"), valid until \(RunClock.format(c.notAfter))"
                )
            } else {
                try stage(home, host, offer: offer, fingerprint: c.fingerprint, pending: pending)
                out.append(c)
                lines.append(
                    "\(host): \(c.keyType.rawValue) certificate \(c.fingerprint.prefix(16)) has a new key \(c.spki.prefix(16)) that no TLSA record covers yet: its 3 1 1 is published now and tick installs it once it is 2 × TTL old (deploy gate)"
                )
            }
        }
        guard !lines.isEmpty else {
            throw HomeError(
                .usage,
                "the certificate is for \(offer.hosts.map(\.description).joined(separator: ", ")), none of them an MX host of \(p.name)"
            )
        }
        return (out, lines)
    }

    /// Marks `c` served (and the one it replaces, of the same host and key type, replaced), and
    /// schedules its files (when mailkeys manages them) after the commit.
    static func install(
        _ home: Home,
        _ p: DomainPolicy,
        _ c: inout TLSCertificate,
        certs: [TLSCertificate],
        offer: Offer?,
        now: Date,
        pending: Pending
    ) -> [TLSCertificate] {
        var out = certs
        for i in out.indices where out[i].host == c.host && out[i].keyType == c.keyType && out[i].state == .served {
            out[i].state = .replaced
            out[i].replaced = now
        }
        c.state = .served
        c.installed = now
        out.removeAll { $0.host == c.host && $0.fingerprint == c.fingerprint }
        out.append(c)
        let (host, type, fingerprint) = (c.host, c.keyType, c.fingerprint)
        let group = p.tls.group
        let dir = hostDir(home, host, type)
        let staged = pendingDir(home, host)
        let texts: (chain: String, key: String)? =
            offer.flatMap { o in o.privateKey.map { (o.fullchain, $0) } }
            ?? {
                guard
                    let chain = try? AtomicFile.read(
                        staged.appendingPathComponent("\(fingerprint).fullchain.pem", isDirectory: false)
                    ),
                    let key = try? AtomicFile.read(
                        staged.appendingPathComponent("\(fingerprint).privkey.pem", isDirectory: false)
                    )
                else { return nil }
                return (chain, key)
            }()
        guard let texts else { return out }  // recorded only (`tls import` without --key)
        // The files under their fingerprint first (removed again if the run fails), then, after
        // the commit, the names the mail server reads are switched to them by atomic renames.
        // The files under their fingerprint are staged; after the commit they are renamed into
        // place, then the names the mail server reads are switched to them (each by renaming a
        // new symlink over the old name, so a reader sees the old or the new file), then the
        // files of older certificates are deleted.
        for (suffix, text, secret) in [("privkey.pem", texts.key, true), ("fullchain.pem", texts.chain, false)] {
            pending.stagings.append { journal in
                let gid = try group.map(DKIMKeyFiles.groupID)
                try Directory.make(dir, mode: 0o711)
                chmod(home.keysDir.appendingPathComponent("tls", isDirectory: true).path, 0o711)
                chmod(dir.deletingLastPathComponent().path, 0o711)
                chmod(dir.path, 0o711)
                if gid != nil { chmod(home.keysDir.path, 0o711) }
                let url = dir.appendingPathComponent("\(fingerprint).\(suffix)", isDirectory: false)
                try journal.stage(
                    text,
                    to: url,
                    mode: secret ? (gid == nil ? 0o600 : 0o640) : 0o644,
                    group: secret ? gid : nil
                )
            }
        }
        for suffix in ["privkey.pem", "fullchain.pem"] {
            pending.journal.symlink(
                dir.appendingPathComponent(suffix, isDirectory: false),
                to: "\(fingerprint).\(suffix)"
            )
        }
        pending.journal.prune(dir, keeping: fingerprint)
        pending.journal.delete(staged.appendingPathComponent("\(fingerprint).fullchain.pem", isDirectory: false))
        pending.journal.delete(staged.appendingPathComponent("\(fingerprint).privkey.pem", isDirectory: false))
        return out
    }

    /// Keeps a gated certificate and its key under `Keys/tls/<host>/pending/` (0600) until tick installs it.
    static func stage(_ home: Home, _ host: DomainName, offer: Offer, fingerprint: String, pending: Pending) throws {
        guard let key = offer.privateKey else { return }
        let dir = pendingDir(home, host)
        let chain = offer.fullchain
        pending.stagings.append { journal in
            try Directory.make(dir, mode: 0o700)
            chmod(dir.path, 0o700)
            try journal.stage(
                key,
                to: dir.appendingPathComponent("\(fingerprint).privkey.pem", isDirectory: false),
                mode: 0o600
            )
            try journal.stage(
                chain,
                to: dir.appendingPathComponent("\(fingerprint).fullchain.pem", isDirectory: false),
                mode: 0o600
            )
        }
    }

    /// `tick`: installs every pending certificate that TLSA records now cover; returns when the
    /// next one will be covered.
    static func advance(
        _ home: Home,
        _ p: DomainPolicy,
        certs: [TLSCertificate],
        published: [String: Date],
        now: Date,
        pending: Pending
    ) -> (certs: [TLSCertificate], lines: [String], wake: Wake?) {
        var out = certs
        var lines: [String] = []
        var wakes: [Wake] = []
        for var c in certs where c.state == .pending {
            if !publishesTLSA(p, host: c.host) {
                // Recorded by an older mailkeys for a shared MX host: its own zone tracks it.
                c.state = .replaced
                c.replaced = now
                out.removeAll { $0.host == c.host && $0.fingerprint == c.fingerprint }
                out.append(c)
                lines.append(
                    "\(c.host): certificate \(c.fingerprint.prefix(16)) is no longer tracked by \(p.name): the host is outside its zone, which publishes no TLSA for it"
                )
                continue
            }
            if covered(c, policy: p, published: published, now: now) {
                out = install(home, p, &c, certs: out, offer: nil, now: now, pending: pending)
                lines.append(
                    "\(c.host): deploy gate: certificate \(c.fingerprint.prefix(16)) is covered by TLSA records 2 × TTL old; installed"
                )
            } else {
                let owner = "_\(p.tls.ports[0])._tcp.\(c.host.fqdn) 3 1 1 \(c.spki)"
                let live = TLSA.coveredAt(publishedAt: published[owner] ?? now, ttl: p.ttl(for: .tlsa))
                wakes.append(
                    Wake(at: live, reason: "certificate \(c.fingerprint.prefix(16)) of \(c.host) is installed")
                )
            }
        }
        return (out, lines, Wake.earliest(wakes))
    }

    static func nextDir(_ home: Home, _ host: DomainName) -> URL {
        home.keysDir.appendingPathComponent("tls/\(host)/next", isDirectory: true)
    }

    static func nextFile(_ home: Home, _ key: TLSNextKey) -> URL {
        nextDir(home, key.host).appendingPathComponent(
            "\(key.keyType.rawValue)-\(key.spki.prefix(16)).pem",
            isDirectory: false
        )
    }

    /// Scheme current+next: a next key is marked used once a served certificate carries it; each
    /// served key type of a host gets a new next key when it has none (on `tick`), or when
    /// `force` names the host (`rotate tls`). Keys are written 0600 under `Keys/tls/HOST/next/`.
    static func nextKeys(
        _ home: Home,
        _ p: DomainPolicy,
        certs: [TLSCertificate],
        next: [TLSNextKey],
        now: Date,
        generate: Bool,
        force: DomainName?,
        pending: Pending
    ) throws -> (next: [TLSNextKey], lines: [String]) {
        var out = next
        var lines: [String] = []
        for i in out.indices
        where out[i].used == nil
            && certs.contains(where: { $0.state == .served && $0.spki == out[i].spki && $0.host == out[i].host })
        {
            out[i].used = now
            pending.journal.delete(nextFile(home, out[i]))
        }
        guard p.tls.scheme == .currentNext, generate else {
            if let force, p.mx.contains(where: { $0.host == force }), p.tls.scheme != .currentNext {
                throw HomeError(
                    .usage,
                    "\(force): rotate tls needs [domains.\"\(p.name)\".tls] scheme = \"current+next\""
                )
            }
            return (out, lines)
        }
        let served = Set(
            certs.filter { $0.state == .served && publishesTLSA(p, host: $0.host) }.map {
                "\($0.host) \($0.keyType.rawValue)"
            }
        )
        for entry in served.sorted() {
            let parts = entry.split(separator: " ")
            let host = DomainName(presentation: String(parts[0]))
            let type = TLSKeyType(rawValue: String(parts[1]))!
            if out.contains(where: { $0.host == host && $0.keyType == type && $0.used == nil }) {
                if force == host {
                    lines.append(
                        "\(host): a next \(type.rawValue) key is already published; certbot uses it at the next renewal"
                    )
                }
                continue
            }
            let (pem, spki) = try Certificates.generateKey(type)
            let key = TLSNextKey(host: host, keyType: type, spki: spki, created: now)
            out.append(key)
            let file = nextFile(home, key)
            pending.stagings.append { journal in
                try Directory.make(nextDir(home, host), mode: 0o700)
                chmod(nextDir(home, host).path, 0o700)
                try journal.stage(pem, to: file, mode: 0o600)
            }
            lines.append(
                "\(host): next \(type.rawValue) key \(spki.prefix(16)) generated; its 3 1 1 is published now, certbot uses it once it is 2 × TTL old"
            )
        }
        return (out, lines)
    }

    /// One domain's TLS state after a run's steps, and what they did.
    struct Planned {
        var certs: [TLSCertificate]
        var next: [TLSNextKey]
        var lines: [String]
        var wake: Wake?
        /// The offered certificate (`tls import`, the hook) names an MX host of this domain.
        var offered: Bool
        /// `rotate tls HOST` names an MX host of this domain.
        var rotated: Bool
    }

    /// One run's TLS steps for a domain, planned into `pending`: the certificate offered by
    /// `tls import` or the hook (when it names one of the domain's MX hosts), the gated installs
    /// due, next keys (scheme current+next), their store rows and the reload after an install.
    static func plan(
        _ home: Home,
        _ p: DomainPolicy,
        store: Store,
        certs before: [TLSCertificate],
        next nextBefore: [TLSNextKey],
        mode: MailKeys.Mode,
        now: Date,
        advancing: Bool,
        pending: Pending
    ) throws -> Planned {
        let published = try store.tlsaPublished(domain: p.name)
        var certs = before
        var lines: [String] = []
        var wake: Wake?
        var offered = false
        if let accepted = try acceptOffer(
            home,
            p,
            mode: mode,
            certs: certs,
            published: published,
            now: now,
            pending: pending
        ) {
            certs = accepted.certs
            lines += accepted.lines
            offered = true
        }
        if advancing {
            let due = advance(home, p, certs: certs, published: published, now: now, pending: pending)
            certs = due.certs
            lines += due.lines
            wake = due.wake
        }
        var force: DomainName?
        var rotated = false
        if case .rotateTLS(let h) = mode {
            force = try DomainName(h)
            rotated = publishesTLSA(p, host: force!)
        }
        let (next, nextLines) = try nextKeys(
            home,
            p,
            certs: certs,
            next: nextBefore,
            now: now,
            generate: advancing,
            force: force,
            pending: pending
        )
        lines += nextLines
        record(p, certs: certs, before: before, next: next, nextBefore: nextBefore, now: now, pending: pending)
        return Planned(certs: certs, next: next, lines: lines, wake: wake, offered: offered, rotated: rotated)
    }

    /// The certificate `tls import` or the hook offers, accepted when it names one of the
    /// domain's MX hosts (nil otherwise, or in another mode).
    private static func acceptOffer(
        _ home: Home,
        _ p: DomainPolicy,
        mode: MailKeys.Mode,
        certs: [TLSCertificate],
        published: [String: Date],
        now: Date,
        pending: Pending
    ) throws -> (certs: [TLSCertificate], lines: [String])? {
        guard case .certificate(let hosts, let fullchain, let key, let lineage, let served, let name) = mode else {
            return nil
        }
        let names = try hosts.map { try DomainName($0) }
        guard names.contains(where: { publishesTLSA(p, host: $0) }) else { return nil }
        let offer = try TLSCertificateFiles.offer(
            fullchain: fullchain,
            privateKey: key,
            hosts: names,
            lineage: lineage,
            name: name,
            now: now
        )
        let accepted = try accept(
            home,
            p,
            offer: offer,
            certs: certs,
            published: published,
            now: now,
            served: served,
            pending: pending
        )
        return (accepted.certs, accepted.lines)
    }

    /// The store rows of changed certificates and next keys, and the reload after an install.
    private static func record(
        _ p: DomainPolicy,
        certs: [TLSCertificate],
        before: [TLSCertificate],
        next: [TLSNextKey],
        nextBefore: [TLSNextKey],
        now: Date,
        pending: Pending
    ) {
        let nextChanged = next.filter { !nextBefore.contains($0) }
        let changed = certs.filter { !before.contains($0) }
        let domain = p.name
        if !nextChanged.isEmpty || !changed.isEmpty {
            pending.storeOps.append { tx in
                try tx.ensureDomain(domain, at: now)
                for k in nextChanged { try tx.saveTLSNextKey(k, domain: domain) }
                for c in changed {
                    try tx.saveTLSCertificate(c, domain: domain)
                    try tx.log(
                        "tls",
                        domain: domain,
                        detail:
                            "\(c.host) \(c.keyType.rawValue) certificate \(c.fingerprint.prefix(16)) \(c.state.rawValue)",
                        at: now
                    )
                }
            }
        }
        if let argv = p.tls.reload, changed.contains(where: { $0.state == .served && $0.installed == now }) {
            pending.journal.run(argv, label: "\(p.name): TLS")
        }
    }
}
