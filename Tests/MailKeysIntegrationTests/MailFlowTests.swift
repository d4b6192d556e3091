import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// Mail actually flows: a message from a sending Postfix is signed by the DKIM signer reading
/// mailkeys' files (two OpenDKIM instances, or rspamd), delivered over a DANE-verified connection
/// to the MX, and both its signatures (RSA and Ed25519) verify against the signed zone through a
/// validating resolver, after every step of a DKIM rotation, a ZSK rollover, the removal of the
/// retired selectors and a certificate renewal through certbot and pebble.
///
/// One clock: the real one. The resolver validates and Postfix checks certificates at the wall
/// clock, and pebble issues at it, so the home's history is run at instants in the last twelve
/// days (`--now` behind the clock: a signature must not start in the future) and the renewal at
/// the clock itself.
@Suite struct MailFlowTests {
    static let day: TimeInterval = 86_400

    /// A home for the world: MX mail.example.org at 127.0.0.2, the nameserver at 127.0.0.1,
    /// KSK+ZSK, and `extra` appended to the policy.
    static func home(at t: Date, extra: String, in dir: URL? = nil) throws -> URL {
        let home = try dir ?? Support.scratch()
        let r = try Support.mailkeys([
            "init", "--home", home.path, "--now", RunClock.format(t), "--domain", "example.org", "--mx",
            "mail.example.org=127.0.0.2", "--ns",
            "ns1.example.org=127.0.0.1", "--rua", "mailto:dmarc-reports@example.org",
        ])
        guard r.status == 0 else { throw Support.Failure("init: \(r.stderr)") }
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (Support.read(policy).replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"ksk+zsk\"") + extra)
            .write(to: policy, atomically: true, encoding: .utf8)
        return home
    }

    @Test(arguments: ["opendkim", "rspamd"])
    func mailFlowsSignedAndDANEVerifiedThroughRollovers(signer: String) throws {
        let now = TestClock.real
        let t0 = now.addingTimeInterval(-12 * Self.day)
        func at(_ hours: Double) -> String { RunClock.format(t0.addingTimeInterval(hours * 3600)) }
        let pebble = try PebbleServer()
        let home = try Self.home(
            at: t0,
            extra: "\n[domains.\"example.org\".tls]\nissuers_ecdsa = [\"\(try pebble.intermediateSPKI())\"]\n"
                + (signer == "rspamd" ? "\n[domains.\"example.org\".dkim]\ngroup = \"_rspamd\"\n" : "")
        )
        func run(_ args: [String], at when: String) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", home.path, "--now", when])
            #expect(r.status == 0, "\(args) at \(when): \(r.stdout)\(r.stderr)")
            return r
        }
        _ = try run(["tick"], at: at(0))
        let ca = try TestCA(at: t0)
        let first = try ca.leaf("first", at: t0)
        _ = try run(
            ["tls", "import", "mail.example.org", "--cert", first.fullchain.path, "--key", first.key.path],
            at: at(1)
        )
        _ = try run(["tick"], at: at(3))  // the DKIM keys sign from publication + 2 h 5 min

        let world = try MailWorld(home: home, signer: signer)
        /// Sends a message and expects it delivered over DANE with an RSA and an Ed25519 signature
        /// that both verify; returns the delivered file and its selectors.
        func delivered(_ tag: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (
            file: URL, selectors: Set<String>
        ) {
            var why = ""
            let delivery = try #require(
                try world.send(tag, why: &why),
                "\(tag): deferred: \(why)",
                sourceLocation: sourceLocation
            )
            #expect(
                delivery.tls.contains("Verified TLS connection established to mail.example.org[127.0.0.2]:25"),
                "\(tag): \(delivery.tls)",
                sourceLocation: sourceLocation
            )
            let v = try world.verify(delivery.file)
            let signatures = v.lines.filter { $0.hasPrefix("a=") }
            #expect(v.ok, "\(tag): \(v.lines)", sourceLocation: sourceLocation)
            #expect(
                signatures.count == 2,
                "\(tag): one signature per algorithm: \(v.lines)",
                sourceLocation: sourceLocation
            )
            for algorithm in ["a=rsa-sha256 ", "a=ed25519-sha256 "] {
                #expect(
                    signatures.contains { $0.hasPrefix(algorithm) && $0.contains(" pass") },
                    "\(tag): \(algorithm)passes: \(v.lines)",
                    sourceLocation: sourceLocation
                )
            }
            let selectors = signatures.compactMap { line in
                line.split(separator: " ").first { $0.hasPrefix("s=") }.map { String($0.dropFirst(2)) }
            }
            return (delivery.file, Set(selectors))
        }

        // 1. The first keys and the first certificate.
        let initial = try delivered("initial")

        // 2. A DKIM rotation to activation: new selectors sign; the retired ones stay in DNS for
        // the overlap, so the first message still verifies.
        _ = try run(["rotate", "dkim", "example.org"], at: at(24))
        _ = try run(["tick"], at: at(26.5))
        try world.reload()
        let rotated = try delivered("dkim-rotated")
        #expect(rotated.selectors.isDisjoint(with: initial.selectors), "\(rotated.selectors) vs \(initial.selectors)")
        #expect(try world.verify(initial.file).ok, "a retired selector still verifies during the overlap")

        // 3. A ZSK rollover on a punctual timer: mail after every published version.
        let store = try Store.open(at: Home(root: home).storeFile.path)
        let zsk = try #require(try store.dnssecKeys(domain: .exampleOrg).first { $0.role == .zsk && $0.removed == nil })
        _ = try run(["rotate", "zsk", "example.org"], at: at(48))
        var t = t0.addingTimeInterval(48 * 3600 + 60)
        var versions = 0
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        var last = try Support.read(signed)
        while t < t0.addingTimeInterval(8 * Self.day) {
            let r = try run(["tick"], at: RunClock.format(t))
            let text = try Support.read(signed)
            if text != last {
                last = text
                versions += 1
                try world.reload()
                _ = try delivered("zsk-\(versions)")
            }
            let wake = r.stdout.split(separator: "\n").last { $0.hasPrefix("next: ") }.flatMap {
                try? RunClock.now(String($0.dropFirst(6)))
            }
            t = max(t.addingTimeInterval(60), min(wake ?? .distantFuture, t.addingTimeInterval(12 * 3600)))
        }
        let zsks = try store.dnssecKeys(domain: .exampleOrg).filter { $0.role == .zsk && $0.removed == nil }
        #expect(zsks.count == 1 && zsks.first?.tag != zsk.tag, "the ZSK rolled: \(zsks.map(\.tag)) (was \(zsk.tag))")
        #expect(versions >= 2, "the rollover published its steps: \(versions)")

        // 4. The retired selectors leave DNS after the overlap; a message signed with them no
        // longer verifies (the check that removing them too early would be caught).
        _ = try run(["tick"], at: at(24 * 9))
        try world.reload()
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        for selector in initial.selectors { #expect(!zone.contains("\(selector)._domainkey"), "\(selector) removed") }
        #expect(!(try world.verify(initial.file).ok), "a message signed by removed selectors fails")
        _ = try delivered("after-removal")

        // 5. A TLSA record that matches nothing: delivery defers; restored, mail flows again.
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try "_25._tcp.mail 3600 IN TLSA 3 1 1 \(String(repeating: "ff", count: 32))\n".write(
            to: template,
            atomically: true,
            encoding: .utf8
        )
        _ = try run(["tick"], at: at(24 * 9 + 1))
        try world.reload()
        var why = ""
        #expect(try world.send("bad-tlsa", why: &why) == nil, "a TLSA that matches nothing must stop delivery")
        #expect(why.contains("TLSA") || why.contains("not verified"), "\(why)")
        try FileManager.default.removeItem(at: template)
        _ = try run(["tick"], at: at(24 * 9 + 2))
        try world.reload()
        let queued = try #require(
            try world.flush("bad-tlsa", why: &why),
            "the deferred message goes once the record is fixed: \(why)"
        )
        #expect(
            queued.tls.contains("Verified TLS connection established to mail.example.org[127.0.0.2]:25"),
            "\(queued.tls)"
        )
        #expect(try world.verify(queued.file).ok)
        _ = try delivered("tlsa-restored")

        // 6. A renewal with a new key through certbot and pebble, at the clock: covered by the
        // issuer's 2 1 1 published since hour 3, so the hook installs it at once. The hook runs
        // five minutes ahead of the clock: pebble's certificate starts when it is issued (after
        // this line), and signatures start an hour before `--now` (dnssec.inception_offset).
        let le = try Support.scratch("letsencrypt")
        let hookAt = RunClock.format(TestClock.real.addingTimeInterval(300))
        try pebble.certbot(
            [
                "certonly", "--manual", "--manual-auth-hook", "/bin/true", "--preferred-challenges", "http", "-d",
                "mail.example.org", "--key-type",
                "ecdsa",
            ],
            config: le,
            hooks: [
                "--deploy-hook":
                    "\(try Support.binary) certbot-hook --home \(home.path) --letsencrypt-dir \(le.path) --now \(hookAt)"
            ]
        )
        let installed = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa/fullchain.pem")
        #expect(
            try Support.read(installed)
                == Support.read(le.appendingPathComponent("live/mail.example.org/fullchain.pem")),
            "installed at once"
        )
        try world.reload()
        _ = try delivered("renewed")

        // 7. The issuer no longer trusted, a renewal with a new key: the deploy gate holds it
        // (its 3 1 1 is only just published), the served certificate stays, mail still flows.
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "issuers_ecdsa = ", with: "# issuers_ecdsa = ").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        _ = try run(["tick"], at: hookAt)
        let served = try Support.read(installed)
        try pebble.certbot(
            ["renew", "--force-renewal"],
            config: le,
            hooks: [
                "--deploy-hook":
                    "\(try Support.binary) certbot-hook --home \(home.path) --letsencrypt-dir \(le.path) --now \(hookAt)"
            ]
        )
        #expect(try Support.read(installed) == served, "held by the deploy gate")
        #expect(
            try Support.read(le.appendingPathComponent("live/mail.example.org/fullchain.pem")) != served,
            "certbot did renew"
        )
        try world.reload()
        _ = try delivered("gate-held")
    }

    /// The README's OpenDKIM setup as a Debian host runs it: both instances as user `opendkim`
    /// with `RequireSafeKeys yes` (the default), the home outside /tmp as `make install` puts it
    /// (0700 to begin with) and `dkim.group = "opendkim"`: the keys sign with both algorithms.
    @Test func opendkimAsItsOwnUserWithSafeKeysSignsBothAlgorithms() throws {
        _ = try Support.tool("opendkim")
        let group = try #require(getgrnam("opendkim"), "group opendkim (Debian package opendkim)")
        var members: [String] = []
        if let list = group.pointee.gr_mem {
            var i = 0
            while let p = list[i] {
                members.append(String(cString: p))
                i += 1
            }
        }
        #expect(
            members.allSatisfy { $0 == "opendkim" },
            "RequireSafeKeys refuses a key whose group has other members: \(members)"
        )
        let now = TestClock.real
        let t0 = now.addingTimeInterval(-Self.day)
        let dir = URL(fileURLWithPath: "/var/lib/mailkeys-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(
            at: dir,
            withIntermediateDirectories: false,
            attributes: [.posixPermissions: 0o700]
        )
        defer { try? FileManager.default.removeItem(at: dir) }
        let home = try Self.home(at: t0, extra: "\n[domains.\"example.org\".dkim]\ngroup = \"opendkim\"\n", in: dir)
        for (args, hours) in [(["tick"], 0.0), (["tick"], 3.0)] {
            let r = try Support.mailkeys(
                args + ["--home", home.path, "--now", RunClock.format(t0.addingTimeInterval(hours * 3600))]
            )
            #expect(r.status == 0 && !r.stderr.contains("not readable by group"), "\(r.stdout)\(r.stderr)")
        }
        let ca = try TestCA(at: t0)
        let leaf = try ca.leaf("served", at: t0)
        let i = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now",
            RunClock.format(t0.addingTimeInterval(4 * 3600)),
        ])
        #expect(i.status == 0, "\(i.stderr)")
        let world = try MailWorld(
            home: home,
            signer: "opendkim",
            environment: ["MAILWORLD_OPENDKIM_USER": "opendkim", "MAILWORLD_REQUIRE_SAFE_KEYS": "yes"]
        )
        var why = ""
        let delivery = try #require(try world.send("as-opendkim", why: &why), "deferred: \(why)")
        #expect(delivery.tls.contains("Verified TLS connection established"), "\(delivery.tls)")
        let v = try world.verify(delivery.file)
        #expect(v.ok && v.lines.filter { $0.hasPrefix("a=") }.count == 2, "\(v.lines)")
        #expect(v.lines.contains { $0.hasPrefix("a=ed25519-sha256 ") && $0.contains(" pass") }, "\(v.lines)")
    }
}
