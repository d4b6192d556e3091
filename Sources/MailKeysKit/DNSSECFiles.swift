import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// DNSSEC key files in BIND's format under `Keys/dnssec/`, and the keys' first creation.
enum DNSSECFiles {
    static func dir(_ home: Home) -> URL { home.keysDir.appendingPathComponent("dnssec", isDirectory: true) }

    static func privateFile(_ home: Home, _ zone: DomainName, _ key: DNSSECKey) -> URL {
        dir(home).appendingPathComponent(key.fileStem(zone: zone) + ".private")
    }

    static func publicFile(_ home: Home, _ zone: DomainName, _ key: DNSSECKey) -> URL {
        dir(home).appendingPathComponent(key.fileStem(zone: zone) + ".key")
    }

    /// The keys that sign now and the DNSKEY records that are published without signing.
    static func signing(_ home: Home, _ p: DomainPolicy, keys: [DNSSECKey]) throws -> (keys: [ZoneSigner.Key], publishedOnly: [String]) {
        let live = keys.filter { $0.removed == nil && $0.published != nil }
        let active = live.filter { $0.active != nil && $0.retired == nil }
        return (try check(home, p, keys: active), live.filter { !active.contains($0) }.map(\.dnskey))
    }

    /// Every key in use must have its `.private` file, loadable, with the recorded key tag and DNSKEY.
    static func check(_ home: Home, _ p: DomainPolicy, keys: [DNSSECKey]) throws -> [ZoneSigner.Key] {
        try keys.filter { $0.removed == nil }.map { key in
            let url = privateFile(home, p.name, key)
            guard let text = try AtomicFile.read(url) else {
                throw HomeError(
                    .missing, "DNSSEC key file \(home.show(url)) is missing; restore it from a backup (the zone is not re-signed without it)")
            }
            let k = ZoneSigner.Key(privateText: text, flags: key.flags)
            let found: (tag: UInt16, dnskey: String)
            do { found = try ZoneSigner.inspect(k, zone: p.name, ttl: p.dnssec.dnskeyTTL) } catch let e as DNSError {
                throw HomeError(.verify, "DNSSEC key file \(home.show(url)): \(e.reason)")
            }
            guard found.tag == key.tag, rdata(found.dnskey) == rdata(key.dnskey) else {
                throw HomeError(.verify, "DNSSEC key file \(home.show(url)) does not match the store (key tag \(found.tag), expected \(key.tag))")
            }
            return k
        }
    }

    /// The RDATA of a DNSKEY line (flags, protocol, algorithm, key), whatever its TTL.
    static func rdata(_ dnskey: String) -> String {
        let fields = dnskey.split(whereSeparator: \.isWhitespace)
        guard let i = fields.firstIndex(of: "DNSKEY") else { return dnskey }
        return fields[(i + 1)...].joined(separator: " ")
    }

    /// Applies the ZSK rollover steps due: a new ZSK's files are written first, every timestamp
    /// changes in one transaction (a failure removes the new files), then removed keys' files go.
    static func advance(
        _ home: Home, store: Store, policy p: DomainPolicy, keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotateZSK: Bool
    ) throws -> (keys: [DNSSECKey], lines: [String], wake: Date?) {
        guard p.dnssec.enabled else { return (keys, [], nil) }
        let (actions, wake) = DNSSECPlanner.plan(keys: keys, timing: timing, now: now, rotateZSK: rotateZSK)
        guard !actions.isEmpty else { return (keys, [], wake) }
        var updated = keys
        var written: [URL] = []
        do {
            for action in actions {
                switch action {
                case .createZSK:
                    var generated: ZoneSigner.Generated
                    repeat {
                        generated = try ZoneSigner.generate(algorithm: p.dnssec.algorithm, flags: 256, zone: p.name, ttl: p.dnssec.dnskeyTTL)
                    } while updated.contains { $0.tag == generated.tag }
                    let key = DNSSECKey(
                        tag: generated.tag, role: .zsk, algorithm: p.dnssec.algorithm, dnskey: generated.dnskey, created: now, published: now,
                        active: nil)
                    try AtomicFile.write(generated.privateText, to: privateFile(home, p.name, key), mode: 0o600)
                    written.append(privateFile(home, p.name, key))
                    try AtomicFile.write("; zsk for \(p.name), written by mailkeys\n\(generated.dnskey)\n", to: publicFile(home, p.name, key))
                    written.append(publicFile(home, p.name, key))
                    updated.append(key)
                case .activate(let tag):
                    if let i = updated.firstIndex(where: { $0.tag == tag }) { updated[i].active = now }
                case .retire(let tag):
                    if let i = updated.firstIndex(where: { $0.tag == tag }) { updated[i].retired = now }
                case .remove(let tag):
                    if let i = updated.firstIndex(where: { $0.tag == tag }) { updated[i].removed = now }
                }
            }
            try store.transaction { tx in
                for key in updated {
                    if let old = keys.first(where: { $0.tag == key.tag }) {
                        if old != key { try tx.updateDNSSEC(key, domain: p.name.description) }
                    } else {
                        try tx.insertDNSSEC(key, domain: p.name.description)
                    }
                }
                for a in actions { try tx.log("dnssec", domain: p.name.description, detail: a.description, at: now) }
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
        for case .remove(let tag) in actions {
            if let key = updated.first(where: { $0.tag == tag }) {
                try? FileManager.default.removeItem(at: privateFile(home, p.name, key))
                try? FileManager.default.removeItem(at: publicFile(home, p.name, key))
            }
        }
        var lines = actions.map { "\(p.name): DNSSEC: \($0)" }
        if case .createZSK = actions[0], let k = updated.last { lines[0] += ": \(k.tag)" }
        let next = DNSSECPlanner.plan(keys: updated, timing: timing, now: now).nextWake
        return (updated, lines, next ?? wake)
    }

    /// A signed domain without keys gets them: one CSK, or a KSK and a ZSK. A new zone has no DS
    /// at its parent yet, so the keys publish and sign at once; `mailkeys ds` prints the DS to
    /// hand to the registrar.
    static func ensureKeys(_ home: Home, store: Store, policy p: DomainPolicy, keys: [DNSSECKey], now: Date) throws -> (
        [DNSSECKey], [String]
    ) {
        guard p.dnssec.enabled, !keys.contains(where: { $0.removed == nil }) else { return (keys, []) }
        let roles: [DNSSECKey.Role] = p.dnssec.scheme == .csk ? [.csk] : [.ksk, .zsk]
        var written: [URL] = []
        var made: [DNSSECKey] = []
        do {
            try FileManager.default.createDirectory(at: dir(home), withIntermediateDirectories: true)
            chmod(dir(home).path, 0o700)
            for role in roles {
                var generated: ZoneSigner.Generated
                var key: DNSSECKey
                repeat {  // a key tag already used by this zone is skipped
                    generated = try ZoneSigner.generate(
                        algorithm: p.dnssec.algorithm, flags: role == .zsk ? 256 : 257, zone: p.name, ttl: p.dnssec.dnskeyTTL)
                    key = DNSSECKey(
                        tag: generated.tag, role: role, algorithm: p.dnssec.algorithm, dnskey: generated.dnskey, created: now,
                        published: now, active: now)
                } while (keys + made).contains { $0.tag == key.tag }
                let priv = privateFile(home, p.name, key)
                let pub = publicFile(home, p.name, key)
                guard !FileManager.default.fileExists(atPath: priv.path) else {
                    throw HomeError(.exists, "DNSSEC key file \(home.show(priv)) already exists; nothing was changed")
                }
                try AtomicFile.write(generated.privateText, to: priv, mode: 0o600)
                written.append(priv)
                try AtomicFile.write("; \(role.rawValue) for \(p.name), written by mailkeys\n\(generated.dnskey)\n", to: pub, mode: 0o644)
                written.append(pub)
                made.append(key)
            }
            try store.transaction { tx in
                try tx.ensureDomain(p.name.description, at: now)
                for key in made {
                    try tx.insertDNSSEC(key, domain: p.name.description)
                    try tx.log(
                        "dnssec", domain: p.name.description, detail: "created \(key.role.rawValue) \(key.tag) (algorithm \(key.algorithm))", at: now)
                }
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
        return (
            keys + made,
            made.map {
                "\(p.name): DNSSEC: created \($0.role.rawValue) key \($0.tag), algorithm \($0.algorithm); publish its DS (mailkeys ds \(p.name))"
            }
        )
    }
}
