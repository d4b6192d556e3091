import Foundation
import MailKeysCore
import MailKeysKit
import Testing

/// Certificates through `tls import` and the certbot deploy hook, with a throw-away CA whose
/// validity follows the test's injected clock.
@Suite struct TLSTests {
    static func tlsa(_ home: URL) throws -> [String] {
        try Support.read(home.appendingPathComponent("Zones/example.org.zone")).split(separator: "\n")
            .filter { $0.contains("\tTLSA\t") }.map { String($0.split(separator: "\t").last!) }
    }

    /// certbot renewing mail.example.org with the new leaf `label` of `ca` at `at`: the deploy
    /// hook run on a fresh lineage holding it.
    /// The example home with a certificate for mail.example.org imported as served at 11:00
    /// ("first") and a renewal ("second") the deploy hook stages at 12:00, held by the gate.
    static func servedAndGated() throws -> (
        home: URL, ca: TestCA, first: (fullchain: URL, key: URL), renewal: Support.Result
    ) {
        let home = try Support.exampleHome()
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let first = try ca.leaf("first", at: TestClock.date("2026-11-21T11:00:00Z"))
        let r = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", first.fullchain.path, "--key", first.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T11:00:00Z"),
        ])
        guard r.status == 0 else { throw Support.Failure("tls import: \(r.stderr)") }
        let renewed = try hookRenewal(home, ca: ca, "second", at: "2026-11-21T12:00:00Z")
        guard renewed.status == 0 else { throw Support.Failure("certbot-hook: \(renewed.stderr)") }
        return (home, ca, (first.fullchain, first.key), renewed)
    }

    static func hookRenewal(_ home: URL, ca: TestCA, _ label: String, at: String) throws -> Support.Result {
        let le = try Support.scratch("letsencrypt")
        let lineage = le.appendingPathComponent("live/mail.example.org")
        try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
        let leaf = try ca.leaf(label, names: ["mail.example.org"], at: TestClock.date(at))
        try FileManager.default.copyItem(at: leaf.fullchain, to: lineage.appendingPathComponent("fullchain.pem"))
        try FileManager.default.copyItem(at: leaf.key, to: lineage.appendingPathComponent("privkey.pem"))
        return try Support.mailkeys(
            ["certbot-hook", "--letsencrypt-dir", le.path, "--home", home.path, "--now", TestClock.at(at)],
            environment: ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org"]
        )
    }

    @Test func letsEncryptIntermediatesMatchTheShippedCertificates() throws {
        let dir = Support.repoRoot.appendingPathComponent("Data/letsencrypt-intermediates")
        for i in LetsEncrypt.intermediates {
            #expect(
                try TestCA.spki(dir.appendingPathComponent("int-\(i.name.lowercased()).pem")) == i.spki,
                "\(i.name)"
            )
        }
    }

    @Test(arguments: ["ec", "rsa"])
    func importedCertificateGetsTheOpenSSLHashAndIssuerRecords(type: String) throws {
        let home = try Support.exampleHome()
        let issued = TestClock.date("2026-11-21T11:00:00Z")
        let ca = try TestCA(type: type, at: issued)
        let leaf = try ca.leaf("served", type: type, at: issued)
        let r = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now",
            TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let records = try Self.tlsa(home)
        let expected = try TestCA.spki(ca.dir.appendingPathComponent("served.pem"))
        #expect(records.contains("3 1 1 \(expected)"), "\(records)")
        #expect(
            records.filter { $0.hasPrefix("2 1 1") }
                == LetsEncrypt.issuers[type == "rsa" ? .rsa : .ecdsa]!.sorted().map { "2 1 1 \($0)" }
        )
        // Installed for the mail server: links to fingerprint-named files, the key 0600.
        let dir = home.appendingPathComponent("Keys/tls/mail.example.org/\(type == "rsa" ? "rsa" : "ecdsa")")
        #expect(try Support.read(dir.appendingPathComponent("fullchain.pem")) == Support.read(leaf.fullchain))
        let mode =
            try FileManager.default.attributesOfItem(
                atPath: dir.appendingPathComponent("privkey.pem").resolvingSymlinksInPath().path
            )[
                .posixPermissions
            ] as? Int
        #expect(mode == 0o600)
        // The signed zone carries them, signed, and verifies.
        let signed = try Support.read(home.appendingPathComponent("Zones/example.org.zone.signed"))
        #expect(signed.contains("_25._tcp.mail.example.org.\t3600\tIN\tRRSIG\tTLSA "))
    }

    /// The deploy gate with a real chain: a renewal with a new key that no record covers is
    /// staged, its 3 1 1 published; tick installs it exactly once that record is 2 × TTL old.
    /// With the CA's intermediate listed as issuer (published long enough), a new key goes live at once.
    @Test func deployGateHoldsANewKeyUntilItsRecordIsTwiceTheTTLOld() throws {
        let home = try Support.exampleHome()
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let first = try ca.leaf("first", at: TestClock.date("2026-11-21T11:00:00Z"))
        #expect(
            try Support.mailkeys([
                "tls", "import", "mail.example.org", "--cert", first.fullchain.path, "--key", first.key.path, "--home",
                home.path, "--now",
                TestClock.at("2026-11-21T11:00:00Z"),
            ]).status == 0
        )

        let le = try Support.scratch("letsencrypt")
        let lineage = le.appendingPathComponent("live/mail.example.org")
        try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
        func renew(_ label: String, at: String) throws -> Support.Result {
            let leaf = try ca.leaf(label, names: ["mail.example.org", "www.example.org"], at: try RunClock.now(at))
            try? FileManager.default.removeItem(at: lineage.appendingPathComponent("fullchain.pem"))
            try? FileManager.default.removeItem(at: lineage.appendingPathComponent("privkey.pem"))
            try FileManager.default.copyItem(at: leaf.fullchain, to: lineage.appendingPathComponent("fullchain.pem"))
            try FileManager.default.copyItem(at: leaf.key, to: lineage.appendingPathComponent("privkey.pem"))
            return try Support.mailkeys(
                ["certbot-hook", "--letsencrypt-dir", le.path, "--home", home.path, "--now", at],
                environment: ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org www.example.org"]
            )
        }
        let served = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa/fullchain.pem")
        let before = try Support.read(served)
        var r = try renew("second", at: TestClock.at("2026-11-21T12:00:00Z"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("deploy gate"), "\(r.stdout)")
        let newKey = try TestCA.spki(ca.dir.appendingPathComponent("second.pem"))
        #expect(try Self.tlsa(home).contains("3 1 1 \(newKey)"))
        #expect(try Support.read(served) == before, "not installed yet")
        let status = try Support.mailkeys([
            "status", "example.org", "--home", home.path, "--now", TestClock.at("2026-11-21T12:30:00Z"),
        ])
        #expect(status.stdout.contains("goes live \(TestClock.at("2026-11-21T14:00:00Z"))"), "\(status.stdout)")
        // The coming events list the install and the re-signing (issue 17: "next" said nothing).
        #expect(
            status.stdout.contains("\(TestClock.at("2026-11-21T14:00:00Z")) certificate ")
                && status.stdout.contains("of mail.example.org is installed (deploy gate)")
                && status.stdout.contains("signatures are renewed"),
            "\(status.stdout)"
        )
        #expect(
            status.stdout.contains("3 1 1 \(newKey) since \(TestClock.at("2026-11-21T12:00:00Z"))"),
            "\(status.stdout)"
        )
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T13:59:59Z")])
        #expect(try Support.read(served) == before, "2 × TTL (2 h) have not passed")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T14:00:00Z")])
        #expect(r.stdout.contains("installed"), "\(r.stdout)")
        #expect(try Support.read(served) == Support.read(ca.dir.appendingPathComponent("second.fullchain.pem")))
        #expect(
            !(try Self.tlsa(home)).contains("3 1 1 \(try TestCA.spki(ca.dir.appendingPathComponent("first.pem")))"),
            "the replaced key's record goes"
        )

        // Trust the test intermediate as an issuer: once its 2 1 1 is old enough, a new key installs
        // at once, and the reload command runs (argv, no shell); a failing one fails the run.
        let policy = home.appendingPathComponent("mailkeys.toml")
        let marker = try Support.scratch("reload").appendingPathComponent("reloaded")
        try
            (Support.read(policy)
            + "\n[domains.\"example.org\".tls]\nissuers_ecdsa = [\"\(try TestCA.spki(ca.intermediate))\"]\nreload = [\"touch\", \"\(marker.path)\"]\n")
            .write(to: policy, atomically: true, encoding: .utf8)
        #expect(
            try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T15:00:00Z")]).status
                == 0
        )
        r = try renew("third", at: TestClock.at("2026-11-21T17:00:00Z"))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("installed"), "\(r.stdout)")
        #expect(try Support.read(served) == Support.read(ca.dir.appendingPathComponent("third.fullchain.pem")))
        #expect(FileManager.default.fileExists(atPath: marker.path), "tls.reload ran after the install")
        try Support.read(policy).replacingOccurrences(
            of: "reload = [\"touch\"",
            with: "reload = [\"false\", \"x\"]\n# [\"touch\""
        )
        .write(to: policy, atomically: true, encoding: .utf8)
        r = try renew("fourth", at: TestClock.at("2026-11-21T18:00:00Z"))
        #expect(
            r.status != 0 && r.stderr.contains("TLS reload command false x exited with 1"),
            "\(r.stdout)\(r.stderr)"
        )
    }

    /// Lowering the TLSA TTL while a certificate waits at the deploy gate does not let it in
    /// early: resolvers may hold the old set (without its new key) for the old TTL after the
    /// zone last served it, so the gate counts 2 × the old TTL until then (issue 17).
    @Test func aLoweredTTLDoesNotShortenTheGate() throws {
        let (home, ca, _, renewal) = try Self.servedAndGated()
        var r = renewal
        #expect(r.status == 0 && r.stdout.contains("deploy gate"), "\(r.stdout)\(r.stderr)")
        // A minute later the TLSA TTL goes from 1 h to 1 min.
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (try Support.read(policy) + "\n[domains.\"example.org\".ttls]\nTLSA = \"1m\"\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        let served = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa/fullchain.pem")
        let before = try Support.read(served)
        for at in ["2026-11-21T12:01:00Z", "2026-11-21T12:05:00Z", "2026-11-21T13:00:00Z"] {
            r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at(at)])
            #expect(r.status == 0, "\(r.stderr)")
            #expect(try Support.read(served) == before, "installed at \(at), before the old TTL ran out: \(r.stdout)")
        }
        // status counts as tick does: 2 x the old TTL from the record's publication while caches may hold it.
        let status = try Support.mailkeys([
            "status", "example.org", "--home", home.path, "--now", TestClock.at("2026-11-21T12:30:00Z"),
        ])
        #expect(status.stdout.contains("goes live \(TestClock.at("2026-11-21T14:00:00Z"))"), "\(status.stdout)")
        let lines = try Support.read(home.appendingPathComponent("Zones/example.org.zone")).split(separator: "\n")
            .filter { $0.contains("\tTLSA\t") }
        #expect(!lines.isEmpty && lines.allSatisfy { $0.contains(" 60\t") }, "the zone has the new TTL: \(lines)")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T13:02:00Z")])
        #expect(r.status == 0 && r.stdout.contains("installed"), "\(r.stdout)\(r.stderr)")
        #expect(
            try Support.read(served) == Support.read(ca.dir.appendingPathComponent("second.fullchain.pem")),
            "\(r.stdout)"
        )
    }

    /// An MX host shared by two domains of the home (example.com's MX is mail.example.org):
    /// only the zone that holds the host publishes its TLSA and keeps its certificates, so a
    /// renewal is recorded and gated once and no run waits on example.com for it (issue 17).
    /// A host in the zone of no domain that lists it is refused, with the reason.
    @Test func aSharedMXHostBelongsToTheZoneThatHoldsIt() throws {
        let home = try Support.exampleHome(build: false)
        try ScheduleTests.add(["example.com"], to: home)
        let policy = home.appendingPathComponent("mailkeys.toml")
        var text = try Support.read(policy)
        let net = try #require(text.range(of: "[domains.\"example.com\"]"))
        let own = """
            host = "mail.example.com"
            preference = 10
            addresses = ["192.0.2.25", "2001:db8::25"]
            """
        let shared = """
            host = "mail.example.org"
            preference = 10

            [[domains."example.com".mx]]
            host = "mx.elsewhere.test"
            preference = 20
            """
        let section = String(text[net.lowerBound...])
        #expect(section.contains(own))
        text.replaceSubrange(net.lowerBound..<text.endIndex, with: section.replacingOccurrences(of: own, with: shared))
        try text.write(to: policy, atomically: true, encoding: .utf8)
        let built = try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now])
        #expect(built.status == 0, "\(built.stderr)")

        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        func importing(_ label: String, _ host: String, at: String) throws -> Support.Result {
            let leaf = try ca.leaf(label, names: [host], at: try RunClock.now(at))
            return try Support.mailkeys([
                "tls", "import", host, "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home", home.path,
                "--now", at,
            ])
        }
        var r = try importing("first", "mail.example.org", at: TestClock.at("2026-11-21T11:00:00Z"))
        #expect(r.status == 0, "\(r.stderr)")
        // certbot renews it with a new key: the deploy gate holds it, once.
        r = try Self.hookRenewal(home, ca: ca, "second", at: "2026-11-21T12:00:00Z")
        #expect(r.status == 0, "\(r.stderr)")
        let gated = r.stdout.split(separator: "\n").filter { $0.contains("deploy gate") }
        #expect(gated.count == 1, "\(r.stdout)")
        let served = home.appendingPathComponent("Keys/tls/mail.example.org/ecdsa/fullchain.pem")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T14:00:00Z")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.split(separator: "\n").filter { $0.contains("installed") }.count == 1, "\(r.stdout)")
        #expect(try Support.read(served) == Support.read(ca.dir.appendingPathComponent("second.fullchain.pem")))
        let next = r.stdout.split(separator: "\n").last { $0.hasPrefix("next: ") } ?? ""
        #expect(!next.contains("certificate"), "\(r.stdout)")
        let net2 = try Support.mailkeys([
            "status", "example.com", "--json", "--home", home.path, "--now", TestClock.at("2026-11-21T14:00:00Z"),
        ])
        #expect(net2.status == 0 && !net2.stdout.contains("pending"), "\(net2.stdout)")

        // A pending row an older mailkeys recorded for example.com is let go when it next runs.
        let legacy = try Support.exec(
            try Support.tool("sqlite3"),
            [
                home.appendingPathComponent("Keys/mailkeys.sqlite").path,
                """
                INSERT INTO tls_cert (domain, host, fingerprint, spki, key_type, issuers, not_before, not_after,
                                      lineage, state, imported_at)
                SELECT 'example.com', host, fingerprint, spki, key_type, issuers, not_before, not_after, lineage,
                       'pending', imported_at
                FROM tls_cert WHERE domain = 'example.org' AND state = 'served'
                """,
            ]
        )
        #expect(legacy.status == 0, "\(legacy.stderr)")
        try "; example.com's own records\n".write(
            to: home.appendingPathComponent("Zones/example.com.zone.in"),
            atomically: true,
            encoding: .utf8
        )
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T14:30:00Z")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("is no longer tracked by example.com: the host is outside its zone"), "\(r.stdout)")
        #expect(!(r.stdout.split(separator: "\n").last { $0.hasPrefix("next: ") } ?? "").contains("certificate"))

        let before = try Support.listing(home.appendingPathComponent("Zones"))
        r = try importing("elsewhere", "mx.elsewhere.test", at: TestClock.at("2026-11-21T15:00:00Z"))
        #expect(r.status == 64, "\(r.stdout)\(r.stderr)")
        #expect(
            r.stderr.contains("mx.elsewhere.test is an MX host of example.com but in the zone of none of them"),
            "\(r.stderr)"
        )
        #expect(try Support.listing(home.appendingPathComponent("Zones")) == before)
    }

    @Test func hostileOrMalformedHookInputChangesNothing() throws {
        let home = try Support.exampleHome()
        let issued = TestClock.date("2026-11-21T12:00:00Z")
        let ca = try TestCA(at: issued)
        let le = try Support.scratch("letsencrypt")
        let lineage = le.appendingPathComponent("live/mail.example.org")
        try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
        func place(_ leaf: (fullchain: URL, key: URL)) throws {
            for (from, name) in [(leaf.fullchain, "fullchain.pem"), (leaf.key, "privkey.pem")] {
                try? FileManager.default.removeItem(at: lineage.appendingPathComponent(name))
                try FileManager.default.copyItem(at: from, to: lineage.appendingPathComponent(name))
            }
        }
        try place(try ca.leaf("good", at: issued))
        let args = [
            "certbot-hook", "--letsencrypt-dir", le.path, "--home", home.path, "--now",
            TestClock.at("2026-11-21T12:00:00Z"),
        ]
        let good = ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org"]
        func refused(_ env: [String: String], _ message: String) throws {
            try BadInputTests.expectRefused(home, args, message: message, environment: env)
        }
        try refused([:], "RENEWED_LINEAGE is not set")
        try refused(["RENEWED_LINEAGE": lineage.path], "RENEWED_DOMAINS is not set")
        try refused(["RENEWED_LINEAGE": "/etc/passwd", "RENEWED_DOMAINS": "mail.example.org"], "is not a lineage in")
        try refused(
            ["RENEWED_LINEAGE": lineage.path + "/../../live/mail.example.org", "RENEWED_DOMAINS": "mail.example.org"],
            "is not a lineage in"
        )
        try refused(
            ["RENEWED_LINEAGE": lineage.path + ";rm -rf /", "RENEWED_DOMAINS": "mail.example.org"],
            "shell metacharacters"
        )
        try refused(
            ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org$(id)"],
            "shell metacharacters"
        )
        try refused(["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "www.example.org"], "names no MX host")
        try place(try ca.leaf("other", names: ["other.example.net"], at: issued))
        try refused(good, "is not valid for mail.example.org")
        try "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".write(
            to: lineage.appendingPathComponent("fullchain.pem"),
            atomically: true,
            encoding: .utf8
        )
        try refused(good, "no PEM certificate")
        let expired = try ca.leaf("old", at: issued, days: 1)
        try place(expired)
        try BadInputTests.expectRefused(
            home,
            [
                "certbot-hook", "--letsencrypt-dir", le.path, "--home", home.path, "--now",
                TestClock.at("2027-01-01T00:00:00Z"),
            ],
            message: "expired",
            environment: good
        )
    }

    /// `--install` writes an executable deploy hook that certbot can run as it is.
    @Test func installWritesARunnableDeployHook() throws {
        // The installed hook runs on the real clock, so the home and the certificate are made on it too.
        let start = TestClock.real
        let home = try Support.exampleHome(at: RunClock.format(start))
        let le = try Support.scratch("letsencrypt")
        let r = try Support.mailkeys(["certbot-hook", "--install", "--letsencrypt-dir", le.path, "--home", home.path])
        #expect(r.status == 0, "\(r.stderr)")
        let hook = le.appendingPathComponent("renewal-hooks/deploy/mailkeys")
        let mode = try FileManager.default.attributesOfItem(atPath: hook.path)[.posixPermissions] as? Int
        #expect(mode == 0o755)
        let ca = try TestCA(at: start)
        let leaf = try ca.leaf("hooked", at: start)
        let lineage = le.appendingPathComponent("live/mail.example.org")
        try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: leaf.fullchain, to: lineage.appendingPathComponent("fullchain.pem"))
        try FileManager.default.copyItem(at: leaf.key, to: lineage.appendingPathComponent("privkey.pem"))
        let run = try Support.exec(
            hook.path,
            [],
            environment: ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org"]
        )
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try Self.tlsa(home).contains("3 1 1 \(try TestCA.spki(ca.dir.appendingPathComponent("hooked.pem")))"))
        try BadInputTests.expectRefused(
            home,
            ["certbot-hook", "--install", "--letsencrypt-dir", "/tmp/le dir", "--home", home.path],
            message: "without spaces"
        )
    }

    /// The deploy hook exports the re-signed zone: the nameserver serves the new 3 1 1 at once.
    @Test func hookExportsTheZoneWithTheNewRecord() throws {
        let home = try Support.exampleHome()
        let nsd = try NSDServer(
            zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone.signed"))],
            control: true
        )
        try ExportTests.addTargets(
            home,
            [
                "server = \"nsd\"\ndirectory = \"\(nsd.dir.path)\"\nreload = \(ExportTests.quoted([try Support.tool("nsd-control"), "-c", nsd.dir.appendingPathComponent("nsd.conf").path, "reload", "%z"]))\naddress = \"127.0.0.1:\(nsd.port)\""
            ]
        )
        let issued = TestClock.date("2026-11-21T12:00:00Z")
        let ca = try TestCA(at: issued)
        let leaf = try ca.leaf("exported", at: issued)
        let le = try Support.scratch("letsencrypt")
        let lineage = le.appendingPathComponent("live/mail.example.org")
        try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: leaf.fullchain, to: lineage.appendingPathComponent("fullchain.pem"))
        try FileManager.default.copyItem(at: leaf.key, to: lineage.appendingPathComponent("privkey.pem"))
        let r = try Support.mailkeys(
            [
                "certbot-hook", "--letsencrypt-dir", le.path, "--home", home.path, "--now",
                TestClock.at("2026-11-21T12:00:00Z"),
            ],
            environment: ["RENEWED_LINEAGE": lineage.path, "RENEWED_DOMAINS": "mail.example.org"]
        )
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let served = try nsd.query("_25._tcp.mail.example.org", "TLSA").stdout.lowercased().replacingOccurrences(
            of: " ",
            with: ""
        )
        #expect(served.contains(try TestCA.spki(ca.dir.appendingPathComponent("exported.pem"))), "\(served)")
    }
}
