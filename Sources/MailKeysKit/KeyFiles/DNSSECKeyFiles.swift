import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// DNSSEC key files in BIND's format under `Keys/dnssec/`, and the keys' first creation.
enum DNSSECKeyFiles {
    static func dir(_ home: Home) -> URL { home.keysDir.appendingPathComponent("dnssec", isDirectory: true) }

    static func privateFile(_ home: Home, _ zone: DomainName, _ key: DNSSECKey) -> URL {
        dir(home).appendingPathComponent(key.fileStem(zone: zone) + ".private", isDirectory: false)
    }

    static func publicFile(_ home: Home, _ zone: DomainName, _ key: DNSSECKey) -> URL {
        dir(home).appendingPathComponent(key.fileStem(zone: zone) + ".key", isDirectory: false)
    }

    /// What signs and what is published now (``DNSSECPlanner/signers(keys:)``,
    /// ``DNSSECPlanner/cdsKeys(keys:)``), with every signing key's file checked against the store.
    static func signing(_ home: Home, _ p: DomainPolicy, keys: [DNSSECKey], pending: Pending? = nil) throws
        -> DNSSECSigning
    {
        let live = keys.filter { $0.removed == nil && $0.published != nil }
        let (keySet, zone) = DNSSECPlanner.signers(keys: keys)
        let signers = live.filter { keySet.contains($0.tag) || zone.contains($0.tag) }
        let files = try check(home, p, keys: signers, pending: pending)
        let signing = zip(signers, files).map { k, file in
            SignRequest.SigningKey(key: file, signsKeySet: keySet.contains(k.tag), signsZone: zone.contains(k.tag))
        }
        let cds = DNSSECPlanner.cdsKeys(keys: keys)
        var uses: [UInt16: String] = [:]
        for k in live {
            uses[k.tag] = [keySet.contains(k.tag) ? "keyset" : nil, zone.contains(k.tag) ? "zone" : nil].compactMap {
                $0
            }
            .joined(separator: "+")
            if uses[k.tag]!.isEmpty { uses[k.tag] = "published" }
        }
        return DNSSECSigning(
            keys: keys,
            signing: signing,
            publishedOnly: live.filter { !signers.contains($0) }.map(\.dnskey),
            cds: live.filter { cds.contains($0.tag) }.map(\.dnskey),
            uses: uses
        )
    }

    /// Every key in use must have its `.private` file (or be generated in this run), loadable,
    /// with the recorded key tag and DNSKEY.
    static func check(_ home: Home, _ p: DomainPolicy, keys: [DNSSECKey], pending: Pending? = nil) throws -> [DNSSECKeys
        .Key]
    {
        try keys.filter { $0.state != .removed }.map { key in try load(home, p, key, pending: pending) }
    }

    /// ``check(_:_:keys:pending:)`` before anything is planned, for the keys' files only: a file
    /// whose `stat` marker a check in `verified` recorded for the same row is not read again; the
    /// checks made here are returned, for the store to keep (``KeyFileCheck``).
    static func verify(_ home: Home, _ p: DomainPolicy, keys: [DNSSECKey], verified: [String: KeyFileCheck]) throws
        -> [KeyFileCheck]
    {
        try keys.filter { $0.state != .removed }.compactMap { key in
            let url = privateFile(home, p.name, key)
            let content = "\(key.tag) \(rdata(key.dnskey))"
            let marker = FileMarker.of(url.path)
            if verified["dnssec \(key.tag)"]?.covers(content: content, marker: marker) == true {
                try FileSafety.checkPrivate(home, url)
                return nil
            }
            _ = try load(home, p, key)
            return KeyFileCheck(domain: p.name, kind: "dnssec", name: "\(key.tag)", content: content, marker: marker)
        }
    }

    /// The `.private` file of `key` (its permissions checked) read and matched against the row.
    private static func load(_ home: Home, _ p: DomainPolicy, _ key: DNSSECKey, pending: Pending? = nil) throws
        -> DNSSECKeys.Key
    {
        let url = privateFile(home, p.name, key)
        try FileSafety.checkPrivate(home, url)
        guard let text = try pending?.read(url) ?? AtomicFile.read(url) else {
            throw HomeError(
                .missing,
                "DNSSEC key file \(home.show(url)) is missing; restore it from a backup (the zone is not re-signed without it)"
            )
        }
        let k = DNSSECKeys.Key(privateText: text, flags: key.flags)
        let found: (tag: UInt16, dnskey: String)
        do { found = try DNSSECKeys.inspect(k, zone: p.name, ttl: p.dnssec.dnskeyTTL) } catch let e as DNSError {
            throw HomeError(.verify, "DNSSEC key file \(home.show(url)): \(e.reason)")
        }
        guard found.tag == key.tag, rdata(found.dnskey) == rdata(key.dnskey) else {
            throw HomeError(
                .verify,
                "DNSSEC key file \(home.show(url)) does not match the store (key tag \(found.tag), expected \(key.tag))"
            )
        }
        return k
    }

    /// The RDATA of a DNSKEY line (flags, protocol, algorithm, key), whatever its TTL.
    static func rdata(_ dnskey: String) -> String {
        let fields = dnskey.split(whereSeparator: \.isWhitespace)
        guard let i = fields.firstIndex(of: "DNSKEY") else { return dnskey }
        return fields[(i + 1)...].prefix(4).joined(separator: " ")
    }

    /// Generates a key in memory and schedules its files and its store row in `pending`.
    static func generate(
        _ home: Home,
        _ p: DomainPolicy,
        role: DNSSECKey.Role,
        existing: [DNSSECKey],
        now: Date,
        active: Bool,
        pending: Pending
    ) throws -> DNSSECKey {
        var generated: DNSSECKeys.Generated
        var key: DNSSECKey
        repeat {  // a key tag this zone already used is skipped
            generated = try DNSSECKeys.generate(
                algorithm: p.dnssec.algorithm,
                flags: role == .zsk ? 256 : 257,
                zone: p.name,
                ttl: p.dnssec.dnskeyTTL
            )
            key = DNSSECKey(
                tag: generated.tag,
                role: role,
                algorithm: p.dnssec.algorithm,
                dnskey: generated.dnskey,
                created: now,
                published: now,
                active: active ? now : nil
            )
        } while existing.contains { $0.tag == key.tag }
        pending.privateTexts[privateFile(home, p.name, key)] = generated.privateText
        stage(
            home,
            p.name,
            key,
            privateText: generated.privateText,
            origin: "written by mailkeys",
            detail: "created \(role.rawValue) \(key.tag) (algorithm \(key.algorithm))",
            now: now,
            pending: pending
        )
        return key
    }

    /// Stages a new key's `.private` (0600) and `.key` files and its store row (with an event
    /// saying `detail`) into `pending`; `origin` goes in the `.key` file's comment.
    static func stage(
        _ home: Home,
        _ domain: DomainName,
        _ key: DNSSECKey,
        privateText: String,
        origin: String,
        detail: String,
        now: Date,
        pending: Pending
    ) {
        let priv = privateFile(home, domain, key)
        let pub = publicFile(home, domain, key)
        pending.stagings.append { journal in
            try Directory.make(dir(home), mode: 0o700)
            chmod(dir(home).path, 0o700)
            // The store has never seen this key tag: a file at its paths was left by a run that
            // died before its commit; it is moved aside, never reused.
            for orphan in [priv, pub] where FileManager.default.fileExists(atPath: orphan.path) {
                let aside = try DKIMKeyFiles.moveAside(home, orphan, label: "dnssec-\(domain)")
                pending.notices.append(
                    "\(domain): DNSSEC: \(home.show(orphan)) was not in the store; moved to \(home.show(aside))"
                )
            }
            try journal.stage(privateText, to: priv, mode: 0o600)
            let comment = "; \(key.role.rawValue) for \(domain), \(origin)"
            try journal.stage("\(comment)\n\(key.dnskey)\n", to: pub, mode: 0o644)
            let content = "\(key.tag) \(rdata(key.dnskey))"
            pending.writtenKeys.append(
                (
                    priv, privateText,
                    KeyFileCheck(domain: domain, kind: "dnssec", name: "\(key.tag)", content: content, marker: "")
                )
            )
        }
        pending.storeOps.append { tx in
            try tx.ensureDomain(domain, at: now)
            try tx.insertDNSSEC(key, domain: domain)
            try tx.log("dnssec", domain: domain, detail: detail, at: now)
        }
    }

    /// A signed domain without keys gets them: one CSK, or a KSK and a ZSK. A new zone has no DS
    /// at its parent yet, so the keys publish and sign at once; `mailkeys ds` prints the DS.
    static func ensureKeys(_ home: Home, policy p: DomainPolicy, keys: [DNSSECKey], now: Date, pending: Pending) throws
        -> (
            [DNSSECKey], [String]
        )
    {
        guard p.dnssec.enabled, !keys.contains(where: { $0.state != .removed }) else { return (keys, []) }
        let roles: [DNSSECKey.Role] = p.dnssec.scheme == .csk ? [.csk] : [.ksk, .zsk]
        var made: [DNSSECKey] = []
        for role in roles {
            made.append(
                try generate(home, p, role: role, existing: keys + made, now: now, active: true, pending: pending)
            )
        }
        return (
            keys + made,
            made.map {
                "\(p.name): DNSSEC: created \($0.role.rawValue) key \($0.tag), algorithm \($0.algorithm); publish its DS (mailkeys ds \(p.name))"
            }
        )
    }

    /// Plans the ZSK and KSK/CSK rollover steps due into `pending` (new keys are generated in
    /// memory); the lines say what happens and what waits on the operator.
    static func advance(
        _ home: Home,
        policy p: DomainPolicy,
        keys: [DNSSECKey],
        timing: DNSSECTiming,
        now: Date,
        rotateZSK: Bool,
        rotateKSK: Bool,
        pending: Pending
    ) throws -> (keys: [DNSSECKey], lines: [String], wake: Wake?) {
        guard p.dnssec.enabled else { return (keys, [], nil) }
        let plan = DNSSECPlanner.plan(keys: keys, timing: timing, now: now, rotateZSK: rotateZSK, rotateKSK: rotateKSK)
        var lines = plan.notes.map { "\(p.name): DNSSEC: \($0)" }
        var updated = keys
        for action in plan.actions {
            switch action {
            case .createZSK, .createKSK:
                var role = DNSSECKey.Role.zsk
                if case .createKSK(let r) = action { role = r }
                let key = try generate(
                    home,
                    p,
                    role: role,
                    existing: updated,
                    now: now,
                    active: false,
                    pending: pending
                )
                updated.append(key)
                lines.append("\(p.name): DNSSEC: \(action): \(key.tag)")
                continue
            case .remove(let tag):
                if let key = updated.first(where: { $0.tag == tag }) {
                    pending.journal.delete(privateFile(home, p.name, key))
                    pending.journal.delete(publicFile(home, p.name, key))
                }
            default: break
            }
            updated = DNSSECPlanner.apply([action], to: updated, now: now)
            lines.append("\(p.name): DNSSEC: \(action)")
        }
        let domain = p.name
        let changed = updated.filter { k in keys.contains { $0.tag == k.tag && $0 != k } }
        let actions = plan.actions
        pending.storeOps.append { tx in
            for key in changed { try tx.updateDNSSEC(key, domain: domain) }
            for a in actions {
                switch a {
                case .createZSK, .createKSK: continue
                default: try tx.log("dnssec", domain: domain, detail: a.description, at: now)
                }
            }
        }
        let after = DNSSECPlanner.plan(keys: updated, timing: timing, now: now, rotateKSK: false)
        for tag in after.waitingForDS(keys: updated) {
            lines.append(
                "\(p.name): DNSSEC: key \(tag) waits for its DS at the parent: give the registrar the DS from `mailkeys ds \(p.name)`, then run `mailkeys ds seen \(p.name) \(tag)`"
            )
        }
        return (updated, lines, after.wake ?? plan.wake)
    }

    /// With `parent_servers` in the policy: asks each for the zone's DS RRset and, for a new key
    /// waiting on its DS, marks it seen once every server serves it. An unreachable server is
    /// reported and simply asked again by the next run.
    static func checkParent(_ p: DomainPolicy, keys: [DNSSECKey], now: Date, pending: Pending) throws -> (
        keys: [DNSSECKey], lines: [String]
    ) {
        let waiting = DNSSECPlanner.waitingForDS(keys: keys)
        guard !p.dnssec.parentServers.isEmpty, !waiting.isEmpty else { return (keys, []) }
        var answers: [[String]] = []
        var lines: [String] = []
        for server in p.dnssec.parentServers {
            do { answers.append(try DNSQuery.ds(zone: p.name, server: server)) } catch let e as DNSError {
                lines.append("\(p.name): DNSSEC: parent \(e.reason); asking again next run")
            }
        }
        guard answers.count == p.dnssec.parentServers.count else { return (keys, lines) }
        var updated = keys
        for tag in waiting {
            guard let key = keys.first(where: { $0.tag == tag }) else { continue }
            let ds = try DNSSECKeys.ds(dnskey: key.dnskey).split(separator: "\t").last.map { $0.lowercased() } ?? ""
            guard answers.allSatisfy({ $0.contains(ds) }) else {
                lines.append("\(p.name): DNSSEC: the parent's servers do not all serve the DS of key \(tag) yet")
                continue
            }
            updated = try DNSSECPlanner.markDSSeen(keys: updated, tag: tag, now: now)
            let marked = updated.first { $0.tag == tag }!
            let domain = p.name
            let servers = p.dnssec.parentServers.map(\.description).joined(separator: ", ")
            pending.storeOps.append { tx in
                try tx.updateDNSSEC(marked, domain: domain)
                try tx.log(
                    "dnssec",
                    domain: domain,
                    detail: "DS of key \(tag) seen at the parent (\(servers))",
                    at: now
                )
            }
            lines.append("\(p.name): DNSSEC: DS of key \(tag) seen at the parent (\(servers))")
        }
        return (updated, lines)
    }
}
