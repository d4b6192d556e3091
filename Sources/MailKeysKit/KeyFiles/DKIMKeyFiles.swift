import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// DKIM private key files under `Keys/dkim/<domain>/`, the rollover steps that touch them, and
/// the signer configuration written from the store.
enum DKIMKeyFiles {
    static func dir(_ home: Home, _ domain: DomainName) -> URL {
        home.keysDir.appendingPathComponent("dkim/\(domain)", isDirectory: true)
    }

    static func keyFile(_ home: Home, _ domain: DomainName, _ selector: String) -> URL {
        dir(home, domain).appendingPathComponent("\(selector).pem", isDirectory: false)
    }

    /// The copy of an Ed25519 key in rspamd's format, next to its PEM: written while the key may
    /// sign, removed once it may not (a copy of a secret lives no longer than it is needed).
    static func rspamdKeyFile(_ home: Home, _ domain: DomainName, _ selector: String) -> URL {
        dir(home, domain).appendingPathComponent("\(selector).rspamd", isDirectory: false)
    }

    /// Every key still in DNS or signing must have its private key file, readable, of the
    /// recorded algorithm and with the recorded public half. A file whose `stat` marker a check
    /// in `verified` recorded for the same row is not read again; the checks made here are
    /// returned, for the store to keep (``KeyFileCheck``).
    @discardableResult
    static func check(
        _ home: Home,
        domain: DomainName,
        keys: [DKIMKey],
        verified: [String: KeyFileCheck] = [:]
    ) throws -> [KeyFileCheck] {
        if keys.contains(where: { $0.removed == nil }) { try FileSafety.checkDirectory(home, dir(home, domain)) }
        var made: [KeyFileCheck] = []
        for key in keys where key.removed == nil {
            let url = keyFile(home, domain, key.selector)
            let shown = home.show(url)
            let content = "\(key.algorithm.rawValue) \(key.publicKey)"
            let marker = FileMarker.of(url.path)
            guard marker != "-" else {
                throw HomeError(
                    .missing,
                    "DKIM key file \(shown) of \(key.selector) is missing; restore it from a backup"
                )
            }
            try FileSafety.checkPrivate(home, url)
            if verified["dkim \(key.selector)"]?.covers(content: content, marker: marker) == true { continue }
            guard let pem = FileManager.default.contents(atPath: url.path) else {
                throw HomeError(.io, "DKIM key file \(shown) is not readable")
            }
            let found: (algorithm: DKIMAlgorithm, bits: Int, publicKey: String)
            do { found = try DKIMKeys.inspect(pem: String(decoding: pem, as: UTF8.self), name: shown) } catch let e
                as DNSError
            {
                throw HomeError(.verify, e.reason)
            }
            guard found.algorithm == key.algorithm, found.publicKey == key.publicKey else {
                throw HomeError(
                    .verify,
                    "DKIM key file \(shown) does not match the store (\(found.algorithm.rawValue) key, public half differs): it is not the key published for \(key.selector)"
                )
            }
            made.append(
                KeyFileCheck(domain: domain, kind: "dkim", name: key.selector, content: content, marker: marker)
            )
        }
        return made
    }

    /// The group id of `name`, or an error when the group does not exist.
    static func groupID(_ name: String) throws -> gid_t {
        guard let entry = getgrnam(name) else {
            throw HomeError(.missing, "group '\(name)' (dkim.group) does not exist")
        }
        return entry.pointee.gr_gid
    }

    /// Creates `Keys/dkim/<domain>` (0700, or 0750 owned by the reading group, with `Keys/` and
    /// `Keys/dkim/` made traversable) and writes a private key file (0600, or 0640 for the group).
    ///
    /// The selector is new (the store has never seen it), so a file already at its path was left
    /// by a run that died before its commit: it is moved aside to `Keys/orphaned/` (never reused,
    /// never deleted) and `notices` says so, instead of blocking every later run.
    static func writeKey(
        _ home: Home,
        _ domain: DomainName,
        _ selector: String,
        pem: String,
        group: gid_t?,
        journal: Journal,
        notices: inout [String]
    ) throws {
        let fm = FileManager.default
        try Directory.make(dir(home, domain), mode: 0o700)
        setDirectoryModes(home, domain, group: group)
        let url = keyFile(home, domain, selector)
        for orphan in [url, rspamdKeyFile(home, domain, selector)] where fm.fileExists(atPath: orphan.path) {
            let aside = try moveAside(home, orphan, label: "dkim-\(domain)")
            notices.append(
                "\(domain): DKIM: \(home.show(orphan)) was not in the store (left by a run that did not finish); moved to \(home.show(aside))"
            )
        }
        try journal.stage(pem, to: url, mode: group == nil ? 0o600 : 0o640, group: group)
    }

    /// Moves `file` into `Keys/orphaned/` (0700) under a name that says where it came from and
    /// when it was found, and returns the new path.
    static func moveAside(_ home: Home, _ file: URL, label: String) throws -> URL {
        let dir = home.keysDir.appendingPathComponent("orphaned", isDirectory: true)
        try Directory.make(dir, mode: 0o700)
        let target = dir.appendingPathComponent(
            "\(label)-\(file.lastPathComponent).\(Int(Date().timeIntervalSince1970)).\(getpid())",
            isDirectory: false
        )
        guard rename(file.path, target.path) == 0 else {
            throw HomeError(
                .io,
                "cannot move \(home.show(file)) aside to \(home.show(target)): \(String(cString: strerror(errno)))"
            )
        }
        return target
    }

    /// Directory modes for `dkim.group` (or none).
    static func setDirectoryModes(_ home: Home, _ domain: DomainName, group: gid_t?) {
        let base = home.keysDir.appendingPathComponent("dkim", isDirectory: true)
        let d = dir(home, domain)
        chmod(base.path, group == nil ? 0o700 : 0o711)
        if let group {
            // The signer's user must reach the key through the home itself (0700 after `make install`).
            var st = stat()
            if stat(home.root.path, &st) == 0, st.st_mode & 0o011 != 0o011 {
                chmod(home.root.path, (st.st_mode & 0o7777) | 0o011)
            }
            chmod(home.keysDir.path, 0o711)
            chown(d.path, uid_t.max, group)
            chmod(d.path, 0o750)
        } else {
            chmod(d.path, 0o700)
        }
    }

    /// Brings existing key files in line with `dkim.group` (added or removed since they were written).
    static func applyGroup(_ home: Home, _ p: DomainPolicy, keys: [DKIMKey]) throws {
        let group = try p.dkim.group.map(groupID)
        guard FileManager.default.fileExists(atPath: dir(home, p.name).path) else { return }
        setDirectoryModes(home, p.name, group: group)
        // Only a file that is not as it should be is changed: a chmod moves the change time,
        // and an unchanged change time lets the next run skip reading the key (KeyFileCheck).
        let mode: mode_t = group == nil ? 0o600 : 0o640
        for key in keys where key.removed == nil || key.revealed == nil {
            let path = keyFile(home, p.name, key.selector).path
            var st = stat()
            guard stat(path, &st) == 0 else { continue }
            if let group, st.st_gid != group { chown(path, uid_t.max, group) }
            if st.st_mode & 0o7777 != mode { chmod(path, mode) }
        }
    }

    /// Plans the DKIM transitions due for one domain into `pending`: new keys are generated in
    /// memory and written at commit, their timestamps recorded in the same transaction as the
    /// zone that publishes them; reveals are written before the commit, private keys deleted
    /// after it.
    static func advance(
        _ home: Home,
        policy p: DomainPolicy,
        keys: [DKIMKey],
        now: Date,
        rotate: Bool,
        pool: DKIMKeyPool = DKIMKeyPool(),
        pending: Pending
    ) throws -> (keys: [DKIMKey], lines: [String], wake: Wake?) {
        if let newest = keys.map(\.lastEvent).max(), now < newest {
            return (
                keys,
                [
                    "\(p.name): DKIM: --now is before the last key event (\(RunClock.format(newest))); no key moves backwards"
                ], nil
            )
        }
        let plan = DKIMPlanner.plan(keys: keys, policy: p.dkim, now: now, rotate: rotate)
        let actions = plan.actions
        let wake = plan.wake
        var lines: [String] = []
        let starts = actions.contains { action in
            switch action {
            case .create, .activate: return true
            default: return false
            }
        }
        if rotate && !starts {
            lines.append(
                "\(p.name): DKIM: a rollover is already under way; its next step is due \(wake.map { RunClock.format($0.at) } ?? "-")"
            )
        }
        guard !actions.isEmpty else { return (keys, lines, wake) }
        let group = try p.dkim.group.map(groupID)
        let publicKeys = try stageNewKeys(home, p, actions, group: group, pool: pool, pending: pending)
        try stageReveals(home, p, actions, pending: pending)
        if p.dkim.revealDir == nil {
            for case .remove(let selector) in actions {
                pending.journal.delete(keyFile(home, p.name, selector))
                pending.journal.delete(rspamdKeyFile(home, p.name, selector))
            }
        }
        let updated = DKIMPlanner.apply(actions, to: keys, now: now, newKeys: publicKeys)
        recordKeys(p.name, old: keys, updated: updated, actions: actions, now: now, pending: pending)
        lines += actions.map { "\(p.name): DKIM: \($0)" }
        return (updated, lines, DKIMPlanner.plan(keys: updated, policy: p.dkim, now: now).wake ?? wake)
    }

    /// Generates the keys the actions create and stages their files; returns their public keys by selector.
    private static func stageNewKeys(
        _ home: Home,
        _ p: DomainPolicy,
        _ actions: [DKIMAction],
        group: gid_t?,
        pool: DKIMKeyPool,
        pending: Pending
    ) throws -> [String: String] {
        var publicKeys: [String: String] = [:]
        for case .create(let selector, let algorithm) in actions {
            let pooled = algorithm == .rsa ? pool.take(bits: p.dkim.rsaBits) : nil
            let pair = try pooled ?? DKIMKeys.generate(algorithm, bits: p.dkim.rsaBits)
            publicKeys[selector] = pair.publicKey
            pending.stagings.append { journal in
                try writeKey(
                    home,
                    p.name,
                    selector,
                    pem: pair.pem,
                    group: group,
                    journal: journal,
                    notices: &pending.notices
                )
                let content = "\(algorithm.rawValue) \(pair.publicKey)"
                pending.writtenKeys.append(
                    (
                        keyFile(home, p.name, selector), pair.pem,
                        KeyFileCheck(domain: p.name, kind: "dkim", name: selector, content: content, marker: "")
                    )
                )
            }
        }
        return publicKeys
    }

    /// Journals the move of each revealed key's file into `dkim.reveal_dir`.
    private static func stageReveals(_ home: Home, _ p: DomainPolicy, _ actions: [DKIMAction], pending: Pending) throws
    {
        for case .reveal(let selector) in actions {
            guard let reveal = p.dkim.revealDir else { continue }
            let source = keyFile(home, p.name, selector)
            guard FileManager.default.fileExists(atPath: source.path) else {
                throw HomeError(.missing, "DKIM key file \(home.show(source)) to reveal is missing")
            }
            let target = URL(fileURLWithPath: reveal).appendingPathComponent(
                "\(selector)._domainkey.\(p.name).pem",
                isDirectory: false
            )
            pending.journal.copy(source, to: target)
            pending.journal.delete(source)
            pending.journal.delete(rspamdKeyFile(home, p.name, selector))
            pending.lines.append("\(p.name): DKIM: revealed the private key of \(selector) in \(target.path)")
        }
    }

    /// Stages the store writes: the keys inserted or changed, and one log entry per action.
    private static func recordKeys(
        _ domain: DomainName,
        old keys: [DKIMKey],
        updated: [DKIMKey],
        actions: [DKIMAction],
        now: Date,
        pending: Pending
    ) {
        pending.storeOps.append { tx in
            try tx.ensureDomain(domain, at: now)
            for key in updated {
                if let old = keys.first(where: { $0.selector == key.selector }) {
                    if old != key { try tx.updateDKIM(key, domain: domain) }
                } else {
                    try tx.insertDKIM(key, domain: domain)
                }
            }
            for action in actions { try tx.log("dkim", domain: domain, detail: action.description, at: now) }
        }
    }

    /// Rewrites the OpenDKIM tables and the rspamd map from the keys that may sign now (all
    /// domains), and runs the configured reload command when a file changed. A failed reload
    /// leaves a marker so the next run tries again, and fails this run.
    static func writeSignerConfigs(
        _ home: Home,
        signers: SignerPolicy,
        domains: [SignerDomain],
        keys: [DomainName: [DKIMKey]],
        report: inout Report
    ) throws {
        var failures: [String] = []
        let entries = signingEntries(
            home,
            signers: signers,
            domains: domains,
            keys: keys,
            report: &report,
            failures: &failures
        )
        if signers.opendkim {
            let rsa = entries.filter { $0.algorithm == .rsa }.count
            let ed25519 = entries.count - rsa
            writeSignerFiles(
                [
                    (signers.keyTable, SignerConfig.openDKIMKeyTable(entries, algorithm: .rsa), rsa),
                    (signers.signingTable, SignerConfig.openDKIMSigningTable(entries, algorithm: .rsa), rsa),
                    (
                        signers.ed25519KeyTable, SignerConfig.openDKIMKeyTable(entries, algorithm: .ed25519),
                        ed25519
                    ),
                    (
                        signers.ed25519SigningTable,
                        SignerConfig.openDKIMSigningTable(entries, algorithm: .ed25519), ed25519
                    ),
                ],
                reload: signers.opendkimReload,
                signer: "opendkim",
                home: home,
                report: &report,
                failures: &failures
            )
        }
        if signers.rspamd {
            writeSignerFiles(
                [(signers.rspamdMap, SignerConfig.rspamdMap(entries), entries.count)],
                reload: signers.rspamdReload,
                signer: "rspamd",
                home: home,
                report: &report,
                failures: &failures
            )
        }
        if let first = failures.first { throw HomeError(.io, first) }
    }
}

extension DKIMKeyFiles {
    /// What ``writeSignerConfigs(_:signers:domains:keys:report:)`` does for `domains` besides the
    /// tables: rspamd's copies of their Ed25519 keys brought up to date, a key the group cannot
    /// read reported.
    static func refreshSignerFiles(
        _ home: Home,
        signers: SignerPolicy,
        domains: [SignerDomain],
        keys: [DomainName: [DKIMKey]],
        report: inout Report
    ) throws {
        var failures: [String] = []
        _ = signingEntries(home, signers: signers, domains: domains, keys: keys, report: &report, failures: &failures)
        if let first = failures.first { throw HomeError(.io, first) }
    }
}

extension DKIMKeyFiles {
    /// One signer's files (0644: no secrets in them) rewritten where their text changed, then its
    /// reload command when one changed or an earlier reload failed (a marker file remembers).
    private static func writeSignerFiles(
        _ files: [(path: String, text: String, keys: Int)],
        reload: [String]?,
        signer: String,
        home: Home,
        report: inout Report,
        failures: inout [String]
    ) {
        func resolve(_ path: String) -> URL { SignerTables.resolve(home, path) }
        var changed = false
        for (path, text, n) in files {
            let url = resolve(path)
            let parent = url.deletingLastPathComponent()
            do {
                // No secrets in the tables: the signer's user reads them whatever the umask was.
                try Directory.make(parent, mode: 0o755)
                if parent.path.hasPrefix(home.keysDir.path + "/") { chmod(parent.path, 0o755) }
                if try AtomicFile.read(url) != text {
                    try AtomicFile.write(text, to: url, mode: 0o644, tempDir: home.tempDir(for: url))
                    report.lines.append("wrote \(home.show(url)) (\(n) signing key\(n == 1 ? "" : "s"))")
                    changed = true
                }
            } catch {
                failures.append("\(signer): \(error)")
            }
        }
        guard let argv = reload else { return }
        let marker = SignerTables.reloadMarker(resolve(files[0].0), signer: signer)
        guard changed || FileManager.default.fileExists(atPath: marker.path) else { return }
        _ = FileManager.default.createFile(atPath: marker.path, contents: nil)
        do {
            let outcome = try Command.run(argv)
            if outcome.status == 0 {
                try? FileManager.default.removeItem(at: marker)
                report.lines.append("\(signer): ran \(argv.joined(separator: " "))")
            } else {
                failures.append(
                    "\(signer): reload command \(argv.joined(separator: " ")) exited with \(outcome.status)\(outcome.detail); the next run retries"
                )
            }
        } catch {
            failures.append("\(signer): cannot run \(argv[0]): \(error); the next run retries")
        }
    }
}

extension DKIMKeyFiles {
    /// The keys that may sign now, across domains; for rspamd, the Ed25519 keys' copies in its
    /// format are brought up to date (and removed for keys that no longer sign), and a key the
    /// `dkim.group` cannot read is reported as a warning.
    static func signingEntries(
        _ home: Home,
        signers: SignerPolicy,
        domains: [SignerDomain],
        keys: [DomainName: [DKIMKey]],
        report: inout Report,
        failures: inout [String]
    ) -> [SignerConfig.Entry] {
        var entries: [SignerConfig.Entry] = []
        var copies: [(entry: Int, item: AtomicFile.Item)] = []
        for p in domains {
            let group = p.group.flatMap { try? groupID($0) }
            for k in keys[p.name] ?? [] {
                let pem = keyFile(home, p.name, k.selector)
                let copy = rspamdKeyFile(home, p.name, k.selector)
                guard k.signing else {
                    if FileManager.default.fileExists(atPath: copy.path) {
                        try? FileManager.default.removeItem(at: copy)
                    }
                    continue
                }
                var entry = SignerConfig.Entry(
                    domain: p.name,
                    selector: k.selector,
                    algorithm: k.algorithm,
                    keyPath: pem.path
                )
                if k.algorithm == .ed25519 && signers.rspamd {
                    do {
                        if let item = try rspamdCopy(home, key: k, pem: pem, to: copy, group: group) {
                            copies.append((entries.count, item))
                        }
                        entry.rspamdKeyPath = copy.path
                    } catch {
                        failures.append("rspamd: \(error)")
                    }
                }
                entries.append(entry)
                if let group, let name = p.group, let blocked = SignerAccess.blocker(pem.path, group: group) {
                    report.warnings.append(
                        "\(p.name): DKIM key \(home.show(pem)) is not readable by group \(name) (dkim.group): \(blocked)"
                    )
                }
            }
        }
        // The copies written together: one sync of the file system for all of them.
        do { try AtomicFile.writeAll(copies.map(\.item)) } catch {
            failures.append("rspamd: \(error)")
            for c in copies where !FileManager.default.fileExists(atPath: c.item.url.path) {
                entries[c.entry].rspamdKeyPath = nil
            }
        }
        return entries
    }

    /// The file `copy` (rspamd's Ed25519 format) is to be written as, from the PEM, with the
    /// PEM's mode and group; nil when it is already there as written: 64 octets ending in the
    /// key's published half (the store's, so an idle run reads no PEM), with that mode and group.
    static func rspamdCopy(_ home: Home, key: DKIMKey, pem: URL, to copy: URL, group: gid_t?) throws
        -> AtomicFile.Item?
    {
        let mode: mode_t = group == nil ? 0o600 : 0o640
        var st = stat()
        if stat(copy.path, &st) == 0, st.st_mode & 0o777 == mode, group.map({ st.st_gid == $0 }) ?? true,
            let text = try AtomicFile.read(copy), let secret = Data(base64Encoded: text), secret.count == 64,
            secret.suffix(32).base64EncodedString() == key.publicKey
        {
            return nil
        }
        guard let text = try AtomicFile.read(pem) else {
            throw HomeError(.missing, "DKIM key file \(home.show(pem)) is missing")
        }
        let secret: String
        do { secret = try DKIMKeys.rspamdEd25519(pem: text, name: home.show(pem)) } catch let e as DNSError {
            throw HomeError(.verify, e.reason)
        }
        return AtomicFile.Item(text: secret, url: copy, mode: mode, group: group, tempDir: home.tempDir(for: copy))
    }
}
