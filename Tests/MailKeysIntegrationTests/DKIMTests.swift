import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// DKIM keys against real verifiers: dkimpy and opendkim-testkey resolving through NSD on
/// loopback, OpenDKIM's own configuration check, file permissions, rollovers over simulated time.
@Suite struct DKIMTests {
    static func keys(_ home: URL) throws -> [DKIMKey] {
        try Store.open(at: home.appendingPathComponent("Keys/mailkeys.sqlite").path).dkimKeys(domain: .exampleOrg)
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
            [
                Support.dkimScript, "sign", "example.org", key.selector, keyFile(home, key.selector).path,
                key.algorithm.rawValue, out.path,
            ]
        )
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
                to: tampered,
                atomically: true,
                encoding: .utf8
            )
            #expect(try Self.verify(tampered, port: server.port).status != 0)
        }
    }

    /// One OpenDKIM instance signs with one algorithm, so each algorithm has its own tables:
    /// the RSA tables hold only RSA keys (opendkim-testkey checks them against DNS), the Ed25519
    /// tables only Ed25519 keys, and OpenDKIM accepts a configuration for each.
    @Test func opendkimAcceptsTheTablesAndTestkeyMatchesDNS() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let dir = try Support.scratch("opendkim")
        let server = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone"))])
        let unbound = dir.appendingPathComponent("unbound.conf")
        try """
        server:
            do-not-query-localhost: no
        stub-zone:
            name: "example.org"
            stub-addr: 127.0.0.1@\(server.port)

        """.write(to: unbound, atomically: true, encoding: .utf8)
        var configs: [DKIMAlgorithm: URL] = [:]
        for algorithm in DKIMAlgorithm.allCases {
            let suffix = algorithm == .rsa ? "" : ".ed25519"
            let keyTable = home.appendingPathComponent("Keys/opendkim/KeyTable\(suffix)")
            let signingTable = home.appendingPathComponent("Keys/opendkim/SigningTable\(suffix)")
            let table = try Support.read(keyTable)
            for key in try Self.keys(home) {
                let line =
                    "\(key.selector)._domainkey.example.org example.org:\(key.selector):\(Self.keyFile(home, key.selector).path)"
                #expect(table.contains(line) == (key.algorithm == algorithm), "\(algorithm) table: \(table)")
                #expect(
                    try Support.read(signingTable).contains("*@example.org \(key.selector)._domainkey.example.org")
                        == (key.algorithm == algorithm)
                )
            }
            let conf = dir.appendingPathComponent("opendkim-\(algorithm.rawValue).conf")
            try """
            KeyTable file:\(keyTable.path)
            SigningTable refile:\(signingTable.path)
            SignatureAlgorithm \(algorithm == .rsa ? "rsa-sha256" : "ed25519-sha256")
            MultipleSignatures yes
            Socket local:\(dir.path)/opendkim-\(algorithm.rawValue).sock
            PidFile \(dir.path)/opendkim-\(algorithm.rawValue).pid
            UserID root
            ResolverConfiguration \(unbound.path)

            """.write(to: conf, atomically: true, encoding: .utf8)
            let check = try Support.exec(try Support.tool("opendkim"), ["-n", "-x", conf.path])
            #expect(check.status == 0, "opendkim -n (\(algorithm)): \(check.stderr)")
            configs[algorithm] = conf
        }

        // opendkim-testkey reads every KeyTable entry, loads the key file and compares it with
        // the record it resolves through NSD (RSA only: it cannot read Ed25519 keys).
        let conf = try #require(configs[.rsa])
        let testkey = try Support.exec(try Support.tool("opendkim-testkey"), ["-x", conf.path, "-vvv"])
        let rsa = try #require(try Self.keys(home).first { $0.algorithm == .rsa })
        let output = testkey.stdout + testkey.stderr
        #expect(output.contains("key \(rsa.selector)._domainkey.example.org: OK"), "\(output)")
        #expect(output.contains("1 key checked; 1 pass, 0 fail"), "the RSA table holds the RSA key only: \(output)")

        // A KeyTable entry pointing at another key fails: the check can fail.
        let keyTable = home.appendingPathComponent("Keys/opendkim/KeyTable")
        let other = try Support.scratch("foreign").appendingPathComponent("k.pem")
        _ = try Support.exec(
            try Support.tool("openssl"),
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", other.path]
        )
        try Support.read(keyTable).replacingOccurrences(of: Self.keyFile(home, rsa.selector).path, with: other.path)
            .write(to: keyTable, atomically: true, encoding: .utf8)
        let bad = try Support.exec(try Support.tool("opendkim-testkey"), ["-x", conf.path, "-vvv"])
        #expect(!(bad.stdout + bad.stderr).contains("key \(rsa.selector)._domainkey.example.org: OK"), "\(bad.stdout)")
        #expect((bad.stdout + bad.stderr).contains("1 key checked; 0 pass, 1 fail"), "\(bad.stdout)\(bad.stderr)")
    }

    @Test func keyFilesAreReadableByTheConfiguredGroupOnly() throws {
        _ = try Support.tool("opendkim")  // the package creates the opendkim user and group
        let group = try #require(getgrnam("opendkim"), "group opendkim exists (Debian package opendkim)")
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (try Support.read(policy) + "\n[domains.\"example.org\".dkim]\ngroup = \"opendkim\"\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
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
        #expect(
            try Support.exec(try Support.tool("runuser"), ["-u", "opendkim", "--", "/usr/bin/head", "-c", "1", store])
                .status != 0
        )

        // As `make install` leaves it: the home 0700, the run under umask 077. Once the keys sign,
        // OpenDKIM's user reaches the keys, both tables and rspamd's copy; others still nothing.
        chmod(home.path, 0o700)
        let old = umask(0o077)
        defer { umask(old) }
        let r = try Self.tick(home, "2026-11-21T12:05:00Z")
        #expect(r.stderr.isEmpty, "no key is out of the group's reach: \(r.stderr)")
        let runuser = try Support.tool("runuser")
        var readable = [
            "Keys/opendkim/KeyTable", "Keys/opendkim/SigningTable", "Keys/opendkim/KeyTable.ed25519",
            "Keys/opendkim/SigningTable.ed25519",
        ]
        for key in try Self.keys(home) {
            readable.append("Keys/dkim/example.org/\(key.selector).pem")
            if key.algorithm == .ed25519 { readable.append("Keys/dkim/example.org/\(key.selector).rspamd") }
        }
        for path in readable.map({ home.appendingPathComponent($0).path }) {
            #expect(
                try Support.exec(runuser, ["-u", "opendkim", "--", "/usr/bin/head", "-c", "1", path]).status == 0,
                "opendkim reads \(path)"
            )
        }
        for path in readable.filter({ $0.hasPrefix("Keys/dkim") }).map({ home.appendingPathComponent($0).path }) {
            #expect(
                try Support.exec(runuser, ["-u", "nobody", "--", "/usr/bin/head", "-c", "1", path]).status != 0,
                "nobody reads \(path)"
            )
        }
        #expect(
            try Support.exec(runuser, ["-u", "opendkim", "--", "/usr/bin/ls", home.path]).status != 0,
            "the home is not listable"
        )

        // A directory above the home that the group cannot pass: the run says which, and how to fix it.
        let locked = try Support.scratch("locked")
        let moved = locked.appendingPathComponent("home")
        try FileManager.default.moveItem(at: home, to: moved)
        chmod(locked.path, 0o700)
        let warned = try Self.tick(moved, "2026-11-21T12:10:00Z")
        #expect(
            warned.stderr.contains(
                "is not readable by group opendkim (dkim.group): \(locked.path) is not searchable by it (chmod o+x \(locked.path))"
            ),
            "\(warned.stderr)"
        )

        // Without a group: 0600 and a 0700 directory.
        let plain = try Support.exampleHome()
        for key in try Self.keys(plain) {
            let attributes = try FileManager.default.attributesOfItem(atPath: Self.keyFile(plain, key.selector).path)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let dir = try FileManager.default.attributesOfItem(
            atPath: plain.appendingPathComponent("Keys/dkim/example.org").path
        )
        #expect((dir[.posixPermissions] as? Int) == 0o700)
    }

    /// rspamd 3.4 reads Ed25519 keys only in its own format (base64 of seed ‖ public key, as
    /// `rspamadm dkim_keygen -t ed25519` writes them): each signing Ed25519 key gets that copy
    /// next to its PEM, the map names it, and it goes once the key stops signing.
    @Test func rspamdGetsEd25519KeysInItsOwnFormat() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let ed = try #require(try Self.keys(home).first { $0.algorithm == .ed25519 })
        let rsa = try #require(try Self.keys(home).first { $0.algorithm == .rsa })
        let copy = home.appendingPathComponent("Keys/dkim/example.org/\(ed.selector).rspamd")
        let map = try Support.read(home.appendingPathComponent("Keys/rspamd/dkim_signing.conf"))
        #expect(map.contains("path = \"\(copy.path)\"; selector = \"\(ed.selector)\";"), "\(map)")
        #expect(
            map.contains("path = \"\(Self.keyFile(home, rsa.selector).path)\"; selector = \"\(rsa.selector)\";"),
            "\(map)"
        )
        let secret = try #require(Data(base64Encoded: try Support.read(copy)))
        #expect(secret.count == 64)
        #expect(secret.suffix(32).base64EncodedString() == ed.publicKey, "the second half is the published key")
        let seed = try Support.exec(
            try Support.tool("sh"),
            [
                "-c", "openssl pkey -in \"$1\" -outform DER | tail -c 32 | base64", "sh",
                Self.keyFile(home, ed.selector).path,
            ]
        )
        #expect(
            secret.prefix(32).base64EncodedString() == seed.stdout.trimmingCharacters(in: .whitespacesAndNewlines),
            "the first half is the PEM's seed"
        )
        #expect((try FileManager.default.attributesOfItem(atPath: copy.path)[.posixPermissions] as? Int) == 0o600)

        // After a rotation the retired key keeps its PEM for the overlap, but no rspamd copy.
        #expect(
            try Support.mailkeys([
                "rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z",
            ]).status == 0
        )
        _ = try Self.tick(home, "2026-12-01T02:05:00Z")
        #expect(FileManager.default.fileExists(atPath: Self.keyFile(home, ed.selector).path))
        #expect(!FileManager.default.fileExists(atPath: copy.path), "a key that no longer signs has no rspamd copy")
        let next = try #require(try Self.keys(home).first { $0.algorithm == .ed25519 && $0.selector != ed.selector })
        #expect(
            FileManager.default.fileExists(
                atPath: home.appendingPathComponent("Keys/dkim/example.org/\(next.selector).rspamd").path
            )
        )
    }

    @Test func rotateThenTickMovesSelectorsThroughTheirStates() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        var r = try Support.mailkeys([
            "rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z",
        ])
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
        #expect(
            try Support.read(home.appendingPathComponent("Keys/opendkim/KeyTable")).contains("mk20261121r") == false
        )
        r = try Self.tick(home, "2026-12-08T02:04:59Z")
        #expect(try Support.read(zone).contains("mk20261121r._domainkey"))
        r = try Self.tick(home, "2026-12-08T02:05:00Z")
        #expect(r.stdout.contains("remove mk20261121r from DNS"))
        #expect(!(try Support.read(zone).contains("mk20261121r._domainkey")))
        #expect(
            !FileManager.default.fileExists(atPath: Self.keyFile(home, "mk20261121r").path),
            "the private key is deleted"
        )
        let states = try Self.keys(home).map {
            "\($0.selector) \($0.state(at: try RunClock.now("2026-12-08T02:05:00Z")).rawValue)"
        }
        #expect(
            states.sorted() == [
                "mk20261121e removed", "mk20261121r removed", "mk20261201e active", "mk20261201r active",
            ]
        )
        let status = try Support.mailkeys(["status", "--home", home.path, "--now", "2026-12-08T02:05:00Z"])
        #expect(
            status.stdout.contains(
                "dkim mk20261121r rsa removed: created 2026-11-21T10:00:00Z, published 2026-11-21T10:00:00Z"
            )
        )
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
        try (base + "\n[opendkim]\nreload = [\"/usr/bin/touch\", \"\(marker.path)\"]\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        _ = try Self.tick(home, "2026-11-21T10:00:00Z")
        #expect(FileManager.default.fileExists(atPath: marker.path), "first tables: reload")
        try FileManager.default.removeItem(at: marker)
        _ = try Self.tick(home, "2026-11-21T11:00:00Z")
        #expect(!FileManager.default.fileExists(atPath: marker.path), "nothing changed: no reload")
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        #expect(FileManager.default.fileExists(atPath: marker.path), "keys activated: reload")

        try (base + "\n[opendkim]\nreload = [\"/bin/false\"]\n").write(to: policy, atomically: true, encoding: .utf8)
        _ = try Support.mailkeys([
            "rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z",
        ])
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T02:05:00Z"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("reload command /bin/false exited with 1; the next run retries"))
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T03:00:00Z"])
        #expect(r.status == 1, "the failed reload is retried, not forgotten")
        try (base + "\n[opendkim]\nreload = [\"/usr/bin/touch\", \"\(marker.path)\"]\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
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
            home,
            ["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"],
            message: "line 15"
        )
        #expect(try Self.keys(home).count == 2)
        try good.write(to: template, atomically: true, encoding: .utf8)
        // Much later, the same rollover: the new keys are published now and sign only after publish_ahead.
        let r = try Self.tick(home, "2027-03-01T00:00:00Z")
        #expect(r.stdout.contains("create and publish rsa key mk20270301r"))
        #expect(!r.stdout.contains("start signing with mk20270301r"))
        #expect(!(try Support.read(home.appendingPathComponent("Keys/opendkim/KeyTable")).contains("mk20270301r")))
        #expect(
            try Support.read(home.appendingPathComponent("Zones/example.org.zone")).contains("mk20270301r._domainkey")
        )
    }

    @Test func badKeyFilesAndCollisionsChangeNothing() throws {
        let home = try Support.exampleHome()
        _ = try Self.tick(home, "2026-11-21T12:05:00Z")
        let rsa = Self.keyFile(home, "mk20261121r")
        let original = try #require(Support.bytes(rsa))

        try FileManager.default.removeItem(at: rsa)
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "DKIM key file Keys/dkim/example.org/mk20261121r.pem of mk20261121r is missing"
        )

        try Data("-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n".utf8).write(to: rsa)

        chmod(rsa.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "Keys/dkim/example.org/mk20261121r.pem is not a PEM private key"
        )

        let foreign = try DKIMKeysForTest.rsaPEM()
        try Data(foreign.utf8).write(to: rsa)
        chmod(rsa.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        try BadInputTests.expectRefused(home, ["tick", "--home", home.path], message: "does not match the store")

        try original.write(to: rsa)

        chmod(rsa.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        // A file already where the next ed25519 selector would go (a run killed after writing it,
        // before its commit): it is moved aside, kept and reported, and the rotation goes ahead.
        // Opened up, it is refused like any key file others may read (mailkeys writes 0600).
        try Data("left by a dead run".utf8).write(to: Self.keyFile(home, "mk20261201e"))
        chmod(Self.keyFile(home, "mk20261201e").path, 0o644)
        try BadInputTests.expectRefused(
            home,
            ["rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z"],
            message: "Keys/dkim/example.org/mk20261201e.pem is readable by everyone",
            status: 77
        )
        chmod(Self.keyFile(home, "mk20261201e").path, 0o600)
        let rotated = try Support.mailkeys([
            "rotate", "dkim", "example.org", "--home", home.path, "--now", "2026-12-01T00:00:00Z",
        ])
        #expect(rotated.status == 0, "\(rotated.stderr)")
        #expect(
            rotated.stdout.contains(
                "example.org: DKIM: Keys/dkim/example.org/mk20261201e.pem was not in the store (left by a run that did not finish); moved to Keys/orphaned/dkim-example.org-mk20261201e.pem."
            ),
            "\(rotated.stdout)"
        )
        let orphaned = try FileManager.default.contentsOfDirectory(
            atPath: home.appendingPathComponent("Keys/orphaned").path
        )
        #expect(orphaned.count == 1, "\(orphaned)")
        #expect(
            try Support.read(home.appendingPathComponent("Keys/orphaned/\(orphaned[0])")) == "left by a dead run",
            "kept, not deleted"
        )
        #expect(try Self.keys(home).contains { $0.selector == "mk20261201e" })
        #expect(
            try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-12-01T00:10:00Z"]).status == 0,
            "the new key file is the store's"
        )

        try BadInputTests.expectRefused(
            home,
            ["rotate", "dkim", "nope.example", "--home", home.path],
            message: "unknown domain 'nope.example'"
        )
        let usage = try Support.mailkeys(["rotate", "dkim", "--home", home.path])
        #expect(usage.status == 64)
        #expect(usage.stderr.contains("give a DOMAIN or --all"))
    }
}

/// A key that is not mailkeys', made by the openssl command-line tool.
enum DKIMKeysForTest {
    static func rsaPEM() throws -> String {
        let out = try Support.scratch("foreign").appendingPathComponent("k.pem")
        let r = try Support.exec(
            try Support.tool("openssl"),
            ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", out.path]
        )
        guard r.status == 0 else { throw Support.Failure("openssl genpkey: \(r.stderr)") }
        return try Support.read(out)
    }
}
