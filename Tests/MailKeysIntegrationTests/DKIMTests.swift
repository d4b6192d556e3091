import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// DKIM keys against real verifiers: dkimpy and opendkim-testkey resolving through NSD on
/// loopback, OpenDKIM's own configuration check, file permissions, rollovers over simulated time.
@Suite struct DKIMTests {
    static func keys(_ home: URL) throws -> [DKIMKey] {
        try Store.open(at: home.appendingPathComponent("Keys/mailkeys.sqlite").path).dkimKeys(domain: "example.org")
    }

    static func keyFile(_ home: URL, _ selector: String) -> URL {
        home.appendingPathComponent("Keys/dkim/example.org/\(selector).pem")
    }

    static func tick(_ home: URL, _ now: String) throws -> Support.Result {
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", now])
        #expect(r.status == 0, "tick at \(now): \(r.stderr)")
        return r
    }

    /// Signs a message with `selector`'s private key (dkimpy) and returns the message file.
    static func sign(_ home: URL, _ key: DKIMKey, dir: URL) throws -> URL {
        let out = dir.appendingPathComponent("\(key.selector).eml")
        let r = try Support.exec(
            try Support.python,
            [Support.dkimScript, "sign", "example.org", key.selector, keyFile(home, key.selector).path, key.algorithm.rawValue, out.path])
        #expect(r.status == 0, "dkimpy sign: \(r.stderr)")
        return out
    }

    /// Verifies a signed message with dkimpy, resolving through the NSD on `port`.
    static func verify(_ message: URL, port: Int) throws -> Support.Result {
        try Support.exec(try Support.python, [Support.dkimScript, "verify", String(port), message.path])
    }

    @Test func dkimpyVerifiesEveryActiveKeyThroughNSD() throws {
        let home = try Support.exampleHome()
        let r = try Self.tick(home, "2026-11-21T12:05:00Z")
        #expect(r.stdout.contains("example.org: DKIM: start signing with mk20261121r"))
        #expect(r.stdout.contains("example.org: DKIM: start signing with mk20261121e"))
        let active = try Self.keys(home).filter(\.signing)
        #expect(Set(active.map(\.algorithm)) == [.rsa, .ed25519])
        let server = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone"))])
        let dir = try Support.scratch("mail")
        for key in active {
            let message = try Self.sign(home, key, dir: dir)
            let v = try Self.verify(message, port: server.port)
            #expect(v.status == 0, "\(key.selector): \(v.stdout) \(v.stderr)")
            #expect(v.stdout.contains("verified 1"))
            // The check can fail: a changed body no longer verifies.
            let tampered = dir.appendingPathComponent("\(key.selector)-tampered.eml")
            try (try Support.read(message).replacingOccurrences(of: "Hello.", with: "Hullo.")).write(
                to: tampered, atomically: true, encoding: .utf8)
            #expect(try Self.verify(tampered, port: server.port).status != 0)
        }
    }

    @Test func opendkimAcceptsTheTablesAndTestkeyMatchesDNS() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let keyTable = home.appendingPathComponent("Keys/opendkim/KeyTable")
        let signingTable = home.appendingPathComponent("Keys/opendkim/SigningTable")
        let table = try Support.read(keyTable)
        for key in try Self.keys(home) {
            #expect(table.contains("\(key.selector)._domainkey.example.org example.org:\(key.selector):\(Self.keyFile(home, key.selector).path)"))
            #expect(try Support.read(signingTable).contains("*@example.org \(key.selector)._domainkey.example.org"))
        }
        let server = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone"))])
        let dir = try Support.scratch("opendkim")
        let unbound = dir.appendingPathComponent("unbound.conf")
        try """
        server:
            do-not-query-localhost: no
        stub-zone:
            name: "example.org"
            stub-addr: 127.0.0.1@\(server.port)

        """.write(to: unbound, atomically: true, encoding: .utf8)
        let conf = dir.appendingPathComponent("opendkim.conf")
        try """
        KeyTable file:\(keyTable.path)
        SigningTable refile:\(signingTable.path)
        MultipleSignatures yes
        Socket local:\(dir.path)/opendkim.sock
        PidFile \(dir.path)/opendkim.pid
        UserID root
        ResolverConfiguration \(unbound.path)

        """.write(to: conf, atomically: true, encoding: .utf8)
        let check = try Support.exec(try Support.tool("opendkim"), ["-n", "-x", conf.path])
        #expect(check.status == 0, "opendkim -n: \(check.stderr)")

        // opendkim-testkey reads every KeyTable entry, loads the key file and compares it with
        // the record it resolves through NSD. It handles RSA only (Ed25519 keys fail inside it
        // with "expecting an rsa key"), so the RSA entry must pass and nothing else may fail.
        let testkey = try Support.exec(try Support.tool("opendkim-testkey"), ["-x", conf.path, "-vvv"])
        let rsa = try #require(try Self.keys(home).first { $0.algorithm == .rsa })
        let output = testkey.stdout + testkey.stderr
        #expect(output.contains("key \(rsa.selector)._domainkey.example.org: OK"), "\(output)")
        #expect(output.contains("2 keys checked; 1 pass, 1 fail"), "only the Ed25519 entry, which testkey cannot read, fails: \(output)")

        // A KeyTable entry pointing at another key fails: the check can fail.
        let other = try Support.scratch("foreign").appendingPathComponent("k.pem")
        _ = try Support.exec(try Support.tool("openssl"), ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", other.path])
        try table.replacingOccurrences(of: Self.keyFile(home, rsa.selector).path, with: other.path)
            .write(to: keyTable, atomically: true, encoding: .utf8)
        let bad = try Support.exec(try Support.tool("opendkim-testkey"), ["-x", conf.path, "-vvv"])
        #expect(!(bad.stdout + bad.stderr).contains("key \(rsa.selector)._domainkey.example.org: OK"), "\(bad.stdout)")
        #expect((bad.stdout + bad.stderr).contains("2 keys checked; 0 pass, 2 fail"), "\(bad.stdout)")
    }

    @Test func keyFilesAreReadableByTheConfiguredGroupOnly() throws {
        _ = try Support.tool("opendkim")  // the package creates the opendkim user and group
        let group = try #require(getgrnam("opendkim"), "group opendkim exists (Debian package opendkim)")
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (try Support.read(policy) + "\n[domains.\"example.org\".dkim]\ngroup = \"opendkim\"\n").write(
            to: policy, atomically: true, encoding: .utf8)
        _ = try Self.tick(home, Support.now)
        for key in try Self.keys(home) {
            let path = Self.keyFile(home, key.selector).path
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            #expect((attributes[.posixPermissions] as? Int) == 0o640)
            #expect((attributes[.groupOwnerAccountID] as? Int) == Int(group.pointee.gr_gid))
            let runuser = try Support.tool("runuser")
            let asGroup = try Support.exec(runuser, ["-u", "opendkim", "--", "/usr/bin/head", "-c", "27", path])
            #expect(asGroup.status == 0 && asGroup.stdout == "-----BEGIN PRIVATE KEY-----", "\(asGroup.stderr)")
            let asOther = try Support.exec(runuser, ["-u", "nobody", "--", "/usr/bin/head", "-c", "1", path])
            #expect(asOther.status != 0, "nobody must not read \(path)")
        }
        let store = home.appendingPathComponent("Keys/mailkeys.sqlite").path
        #expect(try Support.exec(try Support.tool("runuser"), ["-u", "opendkim", "--", "/usr/bin/head", "-c", "1", store]).status != 0)

        // Without a group: 0600 and a 0700 directory.
        let plain = try Support.exampleHome()
        for key in try Self.keys(plain) {
            let attributes = try FileManager.default.attributesOfItem(atPath: Self.keyFile(plain, key.selector).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let dir = try FileManager.default.attributesOfItem(atPath: plain.appendingPathComponent("Keys/dkim/example.org").path)
        #expect((dir[.posixPermissions] as? Int) == 0o700)
    }

    @Test func rotateThenTickMovesSelectorsThroughTheirStates() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        var r = try Support.mailkeys(["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("example.org: DKIM: create and publish rsa key mk20261201r"))
        #expect(r.stdout.contains("example.org: DKIM: create and publish ed25519 key mk20261201e"))
        #expect(r.stdout.contains("serial 2026120101"))
        #expect(r.stdout.contains("next: 2026-12-01T02:05:00Z"))
        // A second rotate while the successors wait: nothing new.
        r = try Support.mailkeys(["rotate", "dkim", "--all", "--home", home.path, "--now", "2026-12-01T01:00:00Z"])
        #expect(r.stdout.contains("a rollover is already under way"))
        #expect(try Self.keys(home).count == 4)
        // Not yet: the new keys have been in DNS for less than publish_ahead.
        r = try Self.tick(home, "2026-12-01T02:04:59Z")
        #expect(!r.stdout.contains("DKIM:"))
        r = try Self.tick(home, "2026-12-01T02:05:00Z")
        #expect(r.stdout.contains("start signing with mk20261201r"))
        #expect(r.stdout.contains("stop signing with mk20261121r"))
        #expect(r.stdout.contains("next: 2026-12-08T02:05:00Z"))
        let zone = home.appendingPathComponent("Zones/example.org.zone")
        #expect(try Support.read(zone).contains("mk20261121r._domainkey"), "the retired key stays for the overlap")
        #expect(try Support.read(home.appendingPathComponent("Keys/opendkim/KeyTable")).contains("mk20261121r") == false)
        r = try Self.tick(home, "2026-12-08T02:04:59Z")
        #expect(try Support.read(zone).contains("mk20261121r._domainkey"))
        r = try Self.tick(home, "2026-12-08T02:05:00Z")
        #expect(r.stdout.contains("remove mk20261121r from DNS"))
        #expect(!(try Support.read(zone).contains("mk20261121r._domainkey")))
        #expect(!FileManager.default.fileExists(atPath: Self.keyFile(home, "mk20261121r").path), "the private key is deleted")
        let states = try Self.keys(home).map { "\($0.selector) \($0.state(at: try RunClock.now("2026-12-08T02:05:00Z")).rawValue)" }
        #expect(states.sorted() == ["mk20261121e removed", "mk20261121r removed", "mk20261201e active", "mk20261201r active"])
        let status = try Support.mailkeys(["status", "--home", home.path, "--now", "2026-12-08T02:05:00Z"])
        #expect(status.stdout.contains("dkim mk20261121r rsa removed: created 2026-11-21T10:00:00Z, published 2026-11-21T10:00:00Z"))
    }

    @Test func revokedThenRemovedAndRevealed() throws {
        let home = try Support.exampleHome(build: false)
        let reveal = try Support.scratch("reveal")
        let policy = home.appendingPathComponent("mailkeys.toml")
        try
            (try Support.read(policy) + """

                [domains."example.org".dkim]
                algorithms = ["rsa"]
                rotate_every = "30d"
                revoked_for = "2d"
                reveal_dir = "\(reveal.path)"

                """).write(to: policy, atomically: true, encoding: .utf8)
        _ = try Self.tick(home, "2026-11-21T10:00:00Z")
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        _ = try Self.tick(home, "2026-12-21T12:05:00Z")  // rotation starts
        _ = try Self.tick(home, "2026-12-21T14:10:00Z")  // successor active, mk20261121r retired
        var r = try Self.tick(home, "2026-12-28T14:10:00Z")
        #expect(r.stdout.contains("publish mk20261121r revoked (empty p=)"))
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        #expect(zone.contains("mk20261121r._domainkey  3600\tIN\tTXT\t\"v=DKIM1; k=rsa; p=\""))
        r = try Self.tick(home, "2026-12-30T14:10:00Z")
        #expect(r.stdout.contains("remove mk20261121r from DNS"))
        let revealed = reveal.appendingPathComponent("mk20261121r._domainkey.example.org.pem")
        // Not yet: caches may hold the record for TXT TTL + propagation after removal.
        #expect(!FileManager.default.fileExists(atPath: revealed.path))
        #expect(r.stdout.contains("next: 2026-12-30T15:15:00Z"), "\(r.stdout)")
        r = try Self.tick(home, "2026-12-30T15:14:59Z")
        #expect(!FileManager.default.fileExists(atPath: revealed.path))
        r = try Self.tick(home, "2026-12-30T15:15:00Z")
        #expect(r.stdout.contains("revealed the private key of mk20261121r"))
        #expect(try Support.read(revealed).hasPrefix("-----BEGIN PRIVATE KEY-----"))
        #expect(!FileManager.default.fileExists(atPath: Self.keyFile(home, "mk20261121r").path))
        let key = try #require(try Self.keys(home).first { $0.selector == "mk20261121r" })
        #expect(key.revealed == (try RunClock.now("2026-12-30T15:15:00Z")), "the store records the reveal")
    }

    @Test func reloadCommandRunsOnlyWhenTheTablesChangeAndRetriesAfterAFailure() throws {
        let home = try Support.exampleHome(build: false)
        let marker = try Support.scratch("reload").appendingPathComponent("reloaded")
        let policy = home.appendingPathComponent("mailkeys.toml")
        let base = try Support.read(policy)
        try (base + "\n[opendkim]\nreload = [\"/usr/bin/touch\", \"\(marker.path)\"]\n").write(to: policy, atomically: true, encoding: .utf8)
        _ = try Self.tick(home, "2026-11-21T10:00:00Z")
        #expect(FileManager.default.fileExists(atPath: marker.path), "first tables: reload")
        try FileManager.default.removeItem(at: marker)
        _ = try Self.tick(home, "2026-11-21T11:00:00Z")
        #expect(!FileManager.default.fileExists(atPath: marker.path), "nothing changed: no reload")
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        #expect(FileManager.default.fileExists(atPath: marker.path), "keys activated: reload")

        try (base + "\n[opendkim]\nreload = [\"/bin/false\"]\n").write(to: policy, atomically: true, encoding: .utf8)
        _ = try Support.mailkeys(["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"])
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T02:05:00Z"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("reload command /bin/false exited with 1; the next run retries"))
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T03:00:00Z"])
        #expect(r.status == 1, "the failed reload is retried, not forgotten")
        try (base + "\n[opendkim]\nreload = [\"/usr/bin/touch\", \"\(marker.path)\"]\n").write(to: policy, atomically: true, encoding: .utf8)
        try FileManager.default.removeItem(at: marker)
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T04:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: marker.path))
    }

    @Test func aFailedRunPublishesNothingSoNoKeySignsBeforeItIsInDNS() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        let good = try Support.read(template)
        try (good + "broken IN A 300.1.1.1\n").write(to: template, atomically: true, encoding: .utf8)
        // The rollover is planned, but the zone cannot be built: nothing may be recorded or written.
        try BadInputTests.expectRefused(
            home, ["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"], message: "line 15")
        #expect(try Self.keys(home).count == 2)
        try good.write(to: template, atomically: true, encoding: .utf8)
        // Much later, the same rollover: the new keys are published now and sign only after publish_ahead.
        let r = try Self.tick(home, "2027-03-01T00:00:00Z")
        #expect(r.stdout.contains("create and publish rsa key mk20270301r"))
        #expect(!r.stdout.contains("start signing with mk20270301r"))
        #expect(!(try Support.read(home.appendingPathComponent("Keys/opendkim/KeyTable")).contains("mk20270301r")))
        #expect(try Support.read(home.appendingPathComponent("Zones/example.org.zone")).contains("mk20270301r._domainkey"))
    }

    @Test func badKeyFilesAndCollisionsChangeNothing() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let rsa = Self.keyFile(home, "mk20261121r")
        let original = try #require(Support.bytes(rsa))

        try FileManager.default.removeItem(at: rsa)
        try BadInputTests.expectRefused(
            home, ["tick", "--home", home.path], message: "DKIM key file Keys/dkim/example.org/mk20261121r.pem of mk20261121r is missing")

        try Data("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n".utf8).write(to: rsa)
        try BadInputTests.expectRefused(
            home, ["tick", "--home", home.path], message: "Keys/dkim/example.org/mk20261121r.pem is not a PEM private key")

        let foreign = try DKIMKeysForTest.rsaPEM()
        try Data(foreign.utf8).write(to: rsa)
        try BadInputTests.expectRefused(home, ["tick", "--home", home.path], message: "does not match the store")

        try original.write(to: rsa)
        // A file already where the next ed25519 selector would go: the rsa file written before it is rolled back.
        try Data("x".utf8).write(to: Self.keyFile(home, "mk20261201e"))
        try BadInputTests.expectRefused(
            home, ["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"], message: "selector mk20261201e collides")
        #expect(!FileManager.default.fileExists(atPath: Self.keyFile(home, "mk20261201r").path))

        try BadInputTests.expectRefused(home, ["rotate", "dkim", "nope.example", "--home", home.path], message: "unknown domain 'nope.example'")
        let usage = try Support.mailkeys(["rotate", "dkim", "--home", home.path])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("give a DOMAIN or --all"))
    }
}

/// A key that is not mailkeys', made by the openssl command-line tool.
enum DKIMKeysForTest {
    static func rsaPEM() throws -> String {
        let out = try Support.scratch("foreign").appendingPathComponent("k.pem")
        let r = try Support.exec(try Support.tool("openssl"), ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out.path])
        guard r.status == 0 else { throw Support.Failure("openssl genpkey: \(r.stderr)") }
        return try Support.read(out)
    }
}
