import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// `mailkeys tls import HOST --cert PATH [--chain PATH] [--key PATH]`: records the
    /// certificate HOST serves now (and installs it under `Keys/tls/` when the key is given),
    /// then rebuilds and re-signs the zones with its TLSA records.
    public static func tlsImport(
        _ home: Home,
        host: String,
        certPath: String,
        chainPath: String?,
        keyPath: String?,
        now: Date,
        lockWait: Double,
        acceptClock: Bool = false,
        simulate: Bool = false
    ) throws -> Report {
        func read(_ path: String, _ what: String) throws -> String {
            guard let text = try readPEM(URL(fileURLWithPath: path), name: "\(what) \(path)") else {
                throw HomeError(.missing, "\(what) \(path) does not exist")
            }
            return text
        }
        var chain = try read(certPath, "certificate")
        if let chainPath { chain += "\n" + (try read(chainPath, "chain")) }
        let key = try keyPath.map { try read($0, "private key") }
        _ = try DomainName(host)
        return try run(
            home,
            mode: .certificate(hosts: [host], fullchain: chain, key: key, lineage: nil, served: true, name: certPath),
            now: now,
            lockWait: lockWait,
            acceptClock: acceptClock,
            simulate: simulate
        )
    }

    /// `mailkeys certbot-hook`: certbot's deploy hook. Checks `RENEWED_LINEAGE` and
    /// `RENEWED_DOMAINS`, records the renewed certificate for the MX hosts among the domains,
    /// lets the deploy gate install it (or stage it for `tick`), and rebuilds and re-signs the
    /// zones with the new TLSA records. Anything malformed or hostile fails before DNS is touched.
    public static func certbotHook(
        _ home: Home,
        environment: [String: String],
        letsencryptDir: String?,
        now: Date,
        lockWait: Double,
        acceptClock: Bool = false,
        simulate: Bool = false
    ) throws -> Report {
        let policy = try PolicyFile.load(home)
        let dirs = letsencryptDir.map { [$0] } ?? Array(Set(policy.domains.map(\.tls.letsencryptDir))).sorted()
        var found: (lineage: URL, domains: [DomainName])?
        var firstError: Error?
        for dir in dirs {
            do {
                found = try TLSCertificateFiles.hookEnvironment(environment, letsencryptDir: dir)
                break
            } catch { firstError = firstError ?? error }
        }
        guard let (lineage, domains) = found else { throw firstError! }
        let mxHosts = Set(policy.domains.flatMap { $0.mx.map(\.host) })
        let hosts = domains.filter { mxHosts.contains($0) }
        guard !hosts.isEmpty else {
            throw HomeError(
                .usage,
                "certbot-hook: RENEWED_DOMAINS (\(domains.map(\.description).joined(separator: " "))) names no MX host of the policy; nothing was changed"
            )
        }
        let chainURL = lineage.appendingPathComponent("fullchain.pem", isDirectory: false)
        let keyURL = lineage.appendingPathComponent("privkey.pem", isDirectory: false)
        guard let chain = try readPEM(chainURL, name: chainURL.path), let key = try readPEM(keyURL, name: keyURL.path)
        else {
            throw HomeError(.missing, "certbot-hook: \(lineage.path) lacks fullchain.pem or privkey.pem")
        }
        return try run(
            home,
            mode: .certificate(
                hosts: hosts.map(\.description),
                fullchain: chain,
                key: key,
                lineage: lineage.path,
                served: false,
                name: chainURL.path
            ),
            now: now,
            lockWait: lockWait,
            acceptClock: acceptClock,
            simulate: simulate
        )
    }

    /// A PEM file given to mailkeys (certificates, chains, keys), at most
    /// ``InputLimits/pemBytes``; nil if it does not exist.
    static func readPEM(_ url: URL, name: String) throws -> String? {
        try InputFile.read(url, limit: InputLimits.pemBytes, name: name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// `mailkeys certbot-hook --install`: writes `DIR/renewal-hooks/deploy/mailkeys` (0755),
    /// which runs this binary as the deploy hook for this home.
    public static func installCertbotHook(_ home: Home, letsencryptDir: String?, binary: String) throws -> Report {
        let policy = try PolicyFile.load(home)
        let dir = letsencryptDir ?? policy.domains.first?.tls.letsencryptDir ?? "/etc/letsencrypt"
        for (what, path) in [("mailkeys binary", binary), ("home", home.root.path), ("letsencrypt dir", dir)]
        where path.rangeOfCharacter(from: TLSCertificateFiles.unsafe.union(.whitespaces)) != nil || !path.hasPrefix("/")
        {
            throw HomeError(
                .usage,
                "certbot-hook --install: the \(what) path \(path) must be absolute, without spaces or shell metacharacters"
            )
        }
        var report = Report()
        for (kind, flag, what) in [
            ("deploy", "", "publishes TLSA records for renewed MX certificates"),
            ("pre", " --pre", "stages published next keys (scheme current+next) before a renewal"),
            ("post", " --post", "points lineages that were not renewed back at their own key"),
        ] {
            let hooks = URL(fileURLWithPath: dir).appendingPathComponent("renewal-hooks/\(kind)", isDirectory: true)
            try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
            let file = hooks.appendingPathComponent("mailkeys", isDirectory: false)
            let script = """
                #!/bin/sh
                # Written by `mailkeys certbot-hook --install`: \(what).
                exec \(binary) certbot-hook\(flag) --home \(home.root.path) --letsencrypt-dir \(dir)

                """
            try AtomicFile.write(script, to: file, mode: 0o755)
            report.lines.append("wrote \(file.path)")
        }
        report.lines.append(
            "certbot runs them around every renewal (the deploy hook not after the first issuance: run it or `mailkeys tls import` once by hand)"
        )
        return report
    }

    /// `mailkeys certbot-hook --pre`: certbot's pre-hook (scheme current+next). For every
    /// lineage serving an MX host whose next key's `3 1 1` is 2 × TTL old, makes that key the
    /// lineage's current key (a new `archive/NAME/privkeyN.pem`, `live/NAME/privkey.pem` switched
    /// by rename), so a `reuse_key` renewal puts it into the new certificate. The post-hook undoes
    /// it for lineages that were not renewed.
    ///
    /// It reads the store's certificates and the policy of the domains whose served
    /// certificates have a lineage (through the ``PolicyIndex`` of their hosts), not every
    /// domain file: certbot runs it before every renewal run.
    public static func certbotPreHook(_ home: Home, now: Date, lockWait: Double) throws -> Report {
        let session = try Session(home, lockWait: lockWait, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        let lineaged = try store.tlsCertificates(domains: nil).filter { _, certificates in
            certificates.contains { $0.state == .served && $0.lineage != nil }
        }
        var report = Report()
        guard !lineaged.isEmpty else { return report }
        let hosts = Set(lineaged.values.joined().filter { $0.lineage != nil }.map(\.host))
        let policy = try PolicyIndex.certificate(hosts, home: home, store: store).policy(Set(lineaged.keys))
        for p in policy.domains where p.tls.enabled && p.tls.scheme == .currentNext {
            let published = try store.tlsaPublished(domain: p.name)
            let next = try store.tlsNextKeys(domain: p.name)
            for c in try store.tlsCertificates(domain: p.name) where c.state == .served {
                guard let lineage = c.lineage,
                    let key = next.first(where: { $0.host == c.host && $0.keyType == c.keyType && $0.used == nil })
                else { continue }
                guard
                    TLSCertificateFiles.covered(
                        host: c.host,
                        spki: key.spki,
                        issuers: [],
                        policy: p,
                        published: published,
                        now: now
                    )
                else {
                    report.lines.append(
                        "\(c.host): next key \(key.spki.prefix(16)) is not 2 × TTL old yet; certbot keeps the current key"
                    )
                    continue
                }
                guard let pem = try AtomicFile.read(TLSCertificateFiles.nextFile(home, key)) else {
                    throw HomeError(
                        .missing,
                        "\(home.show(TLSCertificateFiles.nextFile(home, key))) is missing; run `mailkeys rotate tls \(c.host)`"
                    )
                }
                report.lines.append(try CertbotLineage(URL(fileURLWithPath: lineage)).useKey(pem, spki: key.spki))
                if !CertbotLineage(URL(fileURLWithPath: lineage)).reusesKey {
                    report.warnings.append(
                        "\(lineage): the renewal configuration lacks reuse_key = True, so certbot makes its own key; renew with --reuse-key"
                    )
                }
            }
        }
        return report
    }

    /// `mailkeys certbot-hook --post`: every lineage mailkeys knows whose `privkey.pem` does not
    /// belong to its `cert.pem` (a pre-hook swap without a renewal) points back at the key that does.
    /// It reads the store's certificates, not the policy.
    public static func certbotPostHook(_ home: Home, lockWait: Double) throws -> Report {
        let session = try Session(home, lockWait: lockWait, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        var report = Report()
        var seen = Set<String>()
        let all = try store.tlsCertificates(domains: nil)
        for name in all.keys.sorted(by: { $0.description < $1.description }) {
            for c in all[name]! {
                guard let lineage = c.lineage, seen.insert(lineage).inserted else { continue }
                if let line = try CertbotLineage(URL(fileURLWithPath: lineage)).restoreMatchingKey() {
                    report.lines.append(line)
                }
            }
        }
        return report
    }
}
