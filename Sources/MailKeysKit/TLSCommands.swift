import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// `mailkeys tls import HOST --cert PATH [--chain PATH] [--key PATH]`: records the
    /// certificate HOST serves now (and installs it under `Keys/tls/` when the key is given),
    /// then rebuilds and re-signs the zones with its TLSA records.
    public static func tlsImport(
        _ home: Home, host: String, certPath: String, chainPath: String?, keyPath: String?, now: Date, lockWait: Double
    ) throws -> Report {
        func read(_ path: String, _ what: String) throws -> String {
            guard let text = try AtomicFile.read(URL(fileURLWithPath: path)) else {
                throw HomeError(.missing, "\(what) \(path) does not exist")
            }
            return text
        }
        var chain = try read(certPath, "certificate")
        if let chainPath { chain += "\n" + (try read(chainPath, "chain")) }
        let key = try keyPath.map { try read($0, "private key") }
        _ = try DomainName(host)
        return try run(
            home, mode: .certificate(hosts: [host], fullchain: chain, key: key, lineage: nil, served: true, name: certPath), now: now,
            lockWait: lockWait)
    }

    /// `mailkeys certbot-hook`: certbot's deploy hook. Checks `RENEWED_LINEAGE` and
    /// `RENEWED_DOMAINS`, records the renewed certificate for the MX hosts among the domains,
    /// lets the deploy gate install it (or stage it for `tick`), and rebuilds and re-signs the
    /// zones with the new TLSA records. Anything malformed or hostile fails before DNS is touched.
    public static func certbotHook(
        _ home: Home, environment: [String: String], letsencryptDir: String?, now: Date, lockWait: Double
    ) throws -> Report {
        let policy = try PolicyFile.load(home)
        let dirs = letsencryptDir.map { [$0] } ?? Array(Set(policy.domains.map(\.tls.letsencryptDir))).sorted()
        var found: (lineage: URL, domains: [DomainName])?
        var firstError: Error?
        for dir in dirs {
            do {
                found = try TLSFiles.hookEnvironment(environment, letsencryptDir: dir)
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
        let chainURL = lineage.appendingPathComponent("fullchain.pem")
        let keyURL = lineage.appendingPathComponent("privkey.pem")
        guard let chain = try AtomicFile.read(chainURL), let key = try AtomicFile.read(keyURL) else {
            throw HomeError(.missing, "certbot-hook: \(lineage.path) lacks fullchain.pem or privkey.pem")
        }
        return try run(
            home,
            mode: .certificate(
                hosts: hosts.map(\.description), fullchain: chain, key: key, lineage: lineage.path, served: false, name: chainURL.path),
            now: now, lockWait: lockWait)
    }

    /// `mailkeys certbot-hook --install`: writes `DIR/renewal-hooks/deploy/mailkeys` (0755),
    /// which runs this binary as the deploy hook for this home.
    public static func installCertbotHook(_ home: Home, letsencryptDir: String?, binary: String) throws -> Report {
        let policy = try PolicyFile.load(home)
        let dir = letsencryptDir ?? policy.domains.first?.tls.letsencryptDir ?? "/etc/letsencrypt"
        for (what, path) in [("mailkeys binary", binary), ("home", home.root.path), ("letsencrypt dir", dir)]
        where path.rangeOfCharacter(from: TLSFiles.unsafe.union(.whitespaces)) != nil || !path.hasPrefix("/") {
            throw HomeError(.usage, "certbot-hook --install: the \(what) path \(path) must be absolute, without spaces or shell metacharacters")
        }
        let hooks = URL(fileURLWithPath: dir).appendingPathComponent("renewal-hooks/deploy", isDirectory: true)
        try FileManager.default.createDirectory(at: hooks, withIntermediateDirectories: true)
        let file = hooks.appendingPathComponent("mailkeys")
        let script = """
            #!/bin/sh
            # Written by `mailkeys certbot-hook --install`: publishes TLSA records for renewed MX certificates.
            exec \(binary) certbot-hook --home \(home.root.path) --letsencrypt-dir \(dir)

            """
        try AtomicFile.write(script, to: file, mode: 0o755)
        var report = Report()
        report.lines.append(
            "wrote \(file.path): certbot runs it after every renewal (not after the first issuance: run `mailkeys tls import` or the hook once by hand)"
        )
        return report
    }
}
