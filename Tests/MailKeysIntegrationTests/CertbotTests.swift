import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// pebble, the ACME test server, on loopback: its own TLS certificate from a throw-away CA (the
/// Debian package ships none), every challenge valid, stopped with the object.
final class PebbleServer {
    let dir: URL
    let port: Int
    let management: Int
    let caBundle: URL
    private let daemon: Daemon

    init() throws {
        dir = try Support.scratch("pebble")
        port = try Support.freePort()
        management = try Support.freePort()
        // pebble runs on the real clock (a Go program: no injected time), so its TLS certificate does too.
        let ca = try TestCA(at: TestClock.real)
        let tls = try ca.leaf("pebble-tls", names: ["localhost"], at: TestClock.real)
        // pebble's listeners present leaf + intermediate; certbot trusts the test root.
        caBundle = ca.dir.appendingPathComponent("root.pem")
        let conf = dir.appendingPathComponent("pebble.json")
        try """
        {"pebble": {"listenAddress": "127.0.0.1:\(port)", "managementListenAddress": "127.0.0.1:\(management)",
          "certificate": "\(tls.fullchain.path)", "privateKey": "\(tls.key.path)",
          "httpPort": \(try Support.freePort()), "tlsPort": \(try Support.freePort()), "ocspResponderURL": "",
          "externalAccountBindingRequired": false}}
        """.write(to: conf, atomically: true, encoding: .utf8)
        daemon = try Daemon(
            try Support.tool("env"),
            [
                "PEBBLE_VA_ALWAYS_VALID=1", "PEBBLE_VA_NOSLEEP=1", "PEBBLE_WFE_NONCEREJECT=0", "PEBBLE_AUTHZREUSE=100",
                try Support.tool("timeout"), "600", try Support.tool("pebble"), "-config", conf.path, "-strict=false",
            ],
            log: dir.appendingPathComponent("pebble.log")
        )
        for _ in 0..<100 {
            let r = try Support.exec(
                try Support.tool("curl"),
                ["-sf", "--max-time", "1", "--cacert", caBundle.path, "https://localhost:\(port)/dir"]
            )
            if r.status == 0 { return }
            guard daemon.isRunning else { break }
            usleep(100_000)
        }
        daemon.stop()
        throw Support.Failure(
            "pebble did not start: \((try? Support.read(dir.appendingPathComponent("pebble.log"))) ?? "")"
        )
    }

    /// The issuing intermediate's SPKI SHA-256 (`2 1 1` data), from pebble's management API.
    func intermediateSPKI() throws -> String {
        let file = dir.appendingPathComponent("intermediate.pem")
        let r = try Support.exec(
            try Support.tool("curl"),
            ["-sf", "--cacert", caBundle.path, "-o", file.path, "https://localhost:\(management)/intermediates/0"]
        )
        guard r.status == 0 else { throw Support.Failure("pebble management: \(r.stderr)") }
        return try TestCA.spki(file)
    }

    /// Runs certbot against this server with its directories under `config` and the given hook
    /// options; certbot exits 0 even when a hook fails, so its log is read too.
    func certbot(
        _ args: [String],
        config le: URL,
        hooks: [String: String],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let r = try Support.exec(
            try Support.tool("certbot"),
            args + [
                "--config-dir", le.path, "--work-dir", le.appendingPathComponent("work").path, "--logs-dir",
                le.appendingPathComponent("logs").path,
                "--server", "https://localhost:\(port)/dir", "--agree-tos", "--register-unsafely-without-email",
                "--non-interactive",
                "--no-random-sleep-on-renew",
            ] + hooks.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] },
            environment: ["REQUESTS_CA_BUNDLE": caBundle.path]
        )
        #expect(r.status == 0, "certbot \(args): \(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
        let log = (try? Support.read(le.appendingPathComponent("logs/letsencrypt.log"))) ?? ""
        #expect(
            !log.contains("reported error code"),
            "a hook failed: \(log.suffix(2000))",
            sourceLocation: sourceLocation
        )
    }

    deinit { daemon.stop() }
}

/// A private Postfix instance on 127.0.0.1 at a free high port: `master -d` with only smtpd
/// (and the services it needs) in its master.cf, offering STARTTLS with the certificate files
/// mailkeys installs; logs to a file; stopped with the object.
final class PostfixServer {
    let dir: URL
    let port: Int
    private let daemon: Daemon

    /// The TLS settings the README gives for full marks in internet.nl's mail test: TLS 1.2 and
    /// 1.3 only, ECDHE with AEAD suites in the server's order (no DHE, whose group Postfix 3.7
    /// makes itself), OpenSSL's security level 2 (no SHA-1 signature on the key exchange, which
    /// level 1 still gives a client that asks for it). Postfix's other defaults (EMS, no
    /// renegotiation by clients) already pass.
    static let fullMarksTLS = """
        smtpd_tls_protocols = >=TLSv1.2
        smtpd_tls_mandatory_protocols = >=TLSv1.2
        smtpd_tls_ciphers = high
        smtpd_tls_mandatory_ciphers = high
        tls_high_cipherlist = ECDHE+AESGCM:ECDHE+CHACHA20:@SECLEVEL=2
        tls_preempt_cipherlist = yes
        """

    /// `tls`: main.cf lines for TLS (default ``fullMarksTLS``; "" keeps Postfix's defaults);
    /// `ipv6`: smtpd also on [::1] at the same port.
    init(chainFiles: [URL], tls: String = PostfixServer.fullMarksTLS, ipv6: Bool = false) throws {
        dir = try Support.scratch("postfix")
        port = try Support.freePort()
        let conf = dir.appendingPathComponent("conf")
        let queue = dir.appendingPathComponent("queue")
        for d in [
            conf, queue.appendingPathComponent("pid"), queue.appendingPathComponent("public"),
            queue.appendingPathComponent("private"),
            dir.appendingPathComponent("data"),
        ] {
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
        }
        for d in ["queue/public", "queue/private", "data", "queue"] {
            _ = try Support.exec(try Support.tool("chown"), ["postfix", dir.appendingPathComponent(d).path])
        }
        try """
        compatibility_level = 3.6
        queue_directory = \(queue.path)
        data_directory = \(dir.appendingPathComponent("data").path)
        mail_owner = postfix
        myhostname = mail.example.org
        inet_interfaces = loopback-only
        \(ipv6 ? "inet_protocols = all" : "")
        maillog_file_prefixes = \(dir.path)
        maillog_file = \(dir.appendingPathComponent("maillog").path)
        smtpd_tls_chain_files = \(chainFiles.map(\.path).joined(separator: ", "))
        smtpd_tls_security_level = may
        \(tls)

        """.write(to: conf.appendingPathComponent("main.cf"), atomically: true, encoding: .utf8)
        try """
        127.0.0.1:\(port) inet n - n - - smtpd\(ipv6 ? "\n[::1]:\(port) inet n - n - - smtpd" : "")
        postlog unix-dgram n - n - 1 postlogd
        proxymap unix - - n - - proxymap
        anvil unix - - n - 1 anvil
        tlsmgr unix - - n 1000? 1 tlsmgr

        """.write(to: conf.appendingPathComponent("master.cf"), atomically: true, encoding: .utf8)
        // Postfix keeps re-reading a main.cf younger than a second (every 0.3 s) before it
        // starts; written files are dated ten seconds back.
        for file in ["main.cf", "master.cf"] {
            try FileManager.default.setAttributes(
                [.modificationDate: Date().addingTimeInterval(-10)],
                ofItemAtPath: conf.appendingPathComponent(file).path
            )
        }
        let master = "/usr/lib/postfix/sbin/master"
        guard FileManager.default.isExecutableFile(atPath: master) else {
            throw Support.Failure("postfix is not installed (make test installs it)")
        }
        daemon = try Daemon(
            try Support.tool("timeout"),
            ["300", master, "-c", conf.path, "-d"],
            log: dir.appendingPathComponent("master.log")
        )
        // Up to 30 s: with the whole suite running on two cores a start can take several seconds.
        for _ in 0..<300 {
            if let s = try? Support.exec(
                try Support.tool("openssl"),
                ["s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(port)", "-brief"]
            ),
                s.status == 0
            {
                return
            }
            guard daemon.isRunning else { break }
            usleep(100_000)
        }
        daemon.stop()
        throw Support.Failure(
            "postfix did not start (\(daemon.isRunning ? "no STARTTLS answer in 30 s" : "master exited")): "
                + "\((try? Support.read(dir.appendingPathComponent("maillog"))) ?? "")\((try? Support.read(dir.appendingPathComponent("master.log"))) ?? "")"
        )
    }

    deinit { daemon.stop() }
}

/// Real certbot against pebble, firing `mailkeys certbot-hook`: first issuance, a renewal with
/// the same key, one with a new key covered by the issuer's `2 1 1`, and one with a new key the
/// deploy gate holds back. After each, the certificate Postfix serves over STARTTLS matches the
/// TLSA set NSD serves (`openssl s_client -starttls smtp -dane_tlsa_rrdata`), and the matching
/// record had been published at least 2 × TTL before the certificate went live.
@Suite struct CertbotTests {
    @Test func threeRenewalsKeepDANEMatchingAtEveryMoment() throws {
        let pebble = try PebbleServer()
        // pebble issues at the real clock, so the whole test runs on it: the home is made now and
        // the hooks and ticks run at now + hours.
        let start = TestClock.real
        let home = try Support.exampleHome(at: RunClock.format(start))
        let le = try Support.scratch("letsencrypt")
        let hosts = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa")
        func at(_ hours: Double) -> String { RunClock.format(start.addingTimeInterval(hours * 3600)) }
        func certbot(_ args: [String], hookAt: String) throws {
            try pebble.certbot(
                args,
                config: le,
                hooks: [
                    "--deploy-hook":
                        "\(try Support.binary) certbot-hook --home \(home.path) --letsencrypt-dir \(le.path) --now \(hookAt)"
                ]
            )
        }
        func tick(_ when: String) throws {
            #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", when]).status == 0)
        }
        func served() -> String? { try? Support.read(hosts.appendingPathComponent("fullchain.pem")) }
        let lineage = le.appendingPathComponent("live/mail.example.org/fullchain.pem")

        // 1. First issuance (ECDSA, reuse-key): a key no record covers is held back, then installed.
        try certbot(
            [
                "certonly", "--manual", "--manual-auth-hook", "/bin/true", "--preferred-challenges", "http", "-d",
                "mail.example.org", "--key-type",
                "ecdsa", "--reuse-key",
            ],
            hookAt: at(1)
        )
        #expect(served() == nil, "held by the deploy gate")
        try tick(at(2.5))
        try tick(at(3))
        #expect(served() == (try Support.read(lineage)))
        try expectDANEMatch(home)

        // 2. Renewal with the same key: covered by its own 3 1 1, installed at once.
        try certbot(["renew", "--force-renewal"], hookAt: at(4))
        #expect(served() == (try Support.read(lineage)))
        try expectDANEMatch(home)

        // 3. Renewal with a new key, issued by an intermediate whose 2 1 1 is old enough: at once.
        let policy = home.appendingPathComponent("mailkeys.toml")
        let original = try Support.read(policy)
        try (original + "\n[domains.\"example.org\".tls]\nissuers_ecdsa = [\"\(try pebble.intermediateSPKI())\"]\n")
            .write(
                to: policy,
                atomically: true,
                encoding: .utf8
            )
        try tick(at(5))
        try certbot(["renew", "--force-renewal", "--no-reuse-key", "--new-key"], hookAt: at(8))
        #expect(served() == (try Support.read(lineage)), "covered by the issuer record published at +5 h")
        try expectDANEMatch(home)

        // 4. Renewal with a new key and no issuer record: the gate holds it until its 3 1 1 is 2 × TTL old.
        try original.write(to: policy, atomically: true, encoding: .utf8)
        try tick(at(9))
        let before = served()
        try certbot(["renew", "--force-renewal", "--new-key"], hookAt: at(10))
        #expect(served() == before, "the old certificate stays until the new record has aged")
        try expectDANEMatch(home)
        try tick(at(11.99))
        #expect(served() == before)
        try tick(at(12))
        #expect(served() == (try Support.read(lineage)))
        try expectDANEMatch(home)

        // The certificate served now went live 2 × TTL after its 3 1 1 was first published.
        let store = try Store.open(at: Home(root: home).storeFile.path)
        let published = try store.tlsaPublished(domain: .exampleOrg)
        let certs = try store.tlsCertificates(domain: .exampleOrg)
        #expect(certs.filter { $0.installed != nil }.count == 4, "\(certs.map(\.state))")
        let live = try #require(certs.first { $0.state == .served })
        let record = try #require(published["_25._tcp.mail.example.org. 3 1 1 \(live.spki)"])
        #expect(record.addingTimeInterval(7200) <= live.installed!)
    }

    /// The served certificate, offered by Postfix smtpd over STARTTLS, matches the TLSA set NSD
    /// serves from the signed zone, as `openssl s_client -starttls smtp` checks it (RFC 7671/7672).
    func expectDANEMatch(_ home: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let dir = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa")
        // The TLSA records as NSD serves the signed zone (what a sending MTA would look up).
        let nsd = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone.signed"))])
        let records = try nsd.query("_25._tcp.mail.example.org", "TLSA").stdout.split(separator: "\n").map { line in
            let f = line.split(separator: " ")
            return "\(f[0]) \(f[1]) \(f[2]) \(f[3...].joined().lowercased())"
        }
        #expect(
            Set(records) == Set(try TLSTests.tlsa(home)),
            "NSD serves the zone's TLSA set",
            sourceLocation: sourceLocation
        )
        // STARTTLS on the private Postfix, which serves the files mailkeys installed.
        let postfix = try PostfixServer(chainFiles: [
            dir.appendingPathComponent("privkey.pem"), dir.appendingPathComponent("fullchain.pem"),
        ])
        let result = try Support.exec(
            try Support.tool("openssl"),
            [
                "s_client", "-starttls", "smtp", "-connect", "127.0.0.1:\(postfix.port)", "-dane_tlsa_domain",
                "mail.example.org",
                "-verify_return_error", "-brief",
            ]
                + records.flatMap { ["-dane_tlsa_rrdata", $0] }
        )
        let text = result.stdout + result.stderr
        #expect(
            text.contains("Verification: OK") && text.contains("DANE TLSA"),
            "s_client: \(text)",
            sourceLocation: sourceLocation
        )
        // A record matching the served certificate had been published 2 × TTL when it went live
        // and stayed at least until then.
        let store = try Store.open(at: Home(root: home).storeFile.path)
        let history = try store.tlsaHistory(domain: .exampleOrg)
        let live = try #require(
            try store.tlsCertificates(domain: .exampleOrg).first { $0.state == .served },
            sourceLocation: sourceLocation
        )
        let owner = "_25._tcp.mail.example.org. "
        let matches = Set([owner + "3 1 1 \(live.spki)"] + live.issuers.map { owner + "2 1 1 \($0)" })
        let installed = live.installed!
        #expect(
            history.contains {
                matches.contains($0.record) && $0.published.addingTimeInterval(7200) <= installed
                    && ($0.removed ?? .distantFuture) > installed
            },
            "no matching record was 2 × TTL old at \(installed)",
            sourceLocation: sourceLocation
        )
    }

    /// Scheme current+next: mailkeys generates the next key and publishes its 3 1 1; certbot's
    /// pre-hook hands it to certbot only once that record is 2 × TTL old; the renewed certificate
    /// carries exactly that key and goes live at once; the post-hook undoes a swap that no
    /// renewal used.
    @Test func currentPlusNextGivesCertbotThePublishedNextKey() throws {
        let pebble = try PebbleServer()
        let start = TestClock.real  // pebble's clock, as above
        let home = try Support.exampleHome(at: RunClock.format(start))
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (Support.read(policy) + "\n[domains.\"example.org\".tls]\nscheme = \"current+next\"\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        let le = try Support.scratch("letsencrypt")
        func at(_ hours: Double) -> String { RunClock.format(start.addingTimeInterval(hours * 3600)) }
        let bin = try Support.binary
        func certbot(_ args: [String], at when: String) throws {
            let common = "--home \(home.path) --letsencrypt-dir \(le.path) --now \(when)"
            try pebble.certbot(
                args,
                config: le,
                hooks: [
                    "--deploy-hook": "\(bin) certbot-hook \(common)",
                    "--pre-hook": "\(bin) certbot-hook --pre \(common)",
                    "--post-hook": "\(bin) certbot-hook --post \(common)",
                ]
            )
        }
        func tick(_ when: String) throws {
            #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", when]).status == 0)
        }
        let live = le.appendingPathComponent("live/mail.example.org")
        let served = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa/fullchain.pem")
        func nextKeys() throws -> [TLSNextKey] {
            try Store.open(at: Home(root: home).storeFile.path).tlsNextKeys(domain: .exampleOrg)
        }

        try certbot(
            [
                "certonly", "--manual", "--manual-auth-hook", "/bin/true", "--preferred-challenges", "http", "-d",
                "mail.example.org", "--key-type",
                "ecdsa", "--reuse-key",
            ],
            at: at(1)
        )
        try tick(at(3))  // the gate installs the first certificate; a next key is generated and published
        let first = try #require(try nextKeys().first)
        #expect(
            try TLSTests.tlsa(home)
                == ["3 1 1 \(try TestCA.spki(live.appendingPathComponent("cert.pem")))", "3 1 1 \(first.spki)"].sorted()
        )

        // An hour later the next key is too young: the renewal keeps the current key.
        let before = try TestCA.spki(live.appendingPathComponent("cert.pem"))
        try certbot(["renew", "--force-renewal"], at: at(4))
        #expect(try TestCA.spki(live.appendingPathComponent("cert.pem")) == before)

        // Two hours after its publication, the pre-hook stages it and certbot uses it.
        try certbot(["renew", "--force-renewal"], at: at(5))
        #expect(
            try TestCA.spki(live.appendingPathComponent("cert.pem")) == first.spki,
            "the certificate carries the pre-published key"
        )
        #expect(
            try Support.read(served) == Support.read(live.appendingPathComponent("fullchain.pem")),
            "covered by its 3 1 1, live at once"
        )
        try expectDANEMatch(home)
        let keys = try nextKeys()
        #expect(keys.first { $0.spki == first.spki }?.used != nil)
        let second = try #require(keys.first { $0.used == nil }, "a new next key replaces the used one")
        #expect(try TLSTests.tlsa(home).contains("3 1 1 \(second.spki)"))

        // A pre-hook swap that no renewal used is undone by the post-hook.
        let pre = try Support.mailkeys([
            "certbot-hook", "--pre", "--home", home.path, "--letsencrypt-dir", le.path, "--now", at(8),
        ])
        #expect(pre.status == 0 && pre.stdout.contains("staged"), "\(pre.stdout)\(pre.stderr)")
        let post = try Support.mailkeys([
            "certbot-hook", "--post", "--home", home.path, "--letsencrypt-dir", le.path, "--now", at(8),
        ])
        #expect(post.status == 0 && post.stdout.contains("points back"), "\(post.stdout)\(post.stderr)")
        let keySPKI = try Support.exec(
            try Support.tool("sh"),
            [
                "-c", "openssl pkey -in \"$1\" -pubout -outform DER | sha256sum", "sh",
                live.appendingPathComponent("privkey.pem").path,
            ]
        ).stdout.prefix(64)
        #expect(String(keySPKI) == first.spki, "privkey.pem belongs to cert.pem again")
    }
}
