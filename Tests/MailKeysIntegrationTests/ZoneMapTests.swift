import Foundation
import MailKeysCore
import MailKeysKit
import Testing

/// The incremental path: while the policy and the template are unchanged, a run rebuilds only
/// the owners in the zone map (apex, generated records) and copies every other byte of the
/// previous unsigned and signed files. Each test runs the same command on two copies of a home,
/// one with its map and one without (the full path), and compares what they write.
@Suite struct ZoneMapTests {
    static let t0 = TestClock.date("2026-11-21T10:00:00Z")

    /// A home like the example, with a template of a few hundred more names around the
    /// generated owners, a delegation with glue and DS (unsigned lines between signed ones), the
    /// algorithm, denial and scheme asked for; ticked once at `t0`, then given the MX host's
    /// first certificate (so its TLSA owner exists).
    static func home(algorithm: Int, nsec3: Bool, scheme: String = "csk") throws -> (home: URL, ca: TestCA) {
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "algorithm = 13", with: "algorithm = \(algorithm)")
            .replacingOccurrences(of: "nsec3 = false", with: "nsec3 = \(nsec3)")
            .replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"\(scheme)\"").write(
                to: policy,
                atomically: true,
                encoding: .utf8
            )
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        var extra =
            "sub IN NS ns.sub\nns.sub IN A 192.0.2.7\nsub IN DS 12345 13 2 \(String(repeating: "ab", count: 32))\n"
        for i in 0..<300 { extra += "h\(i) IN A 198.51.100.\(i % 250)\nh\(i).mail IN TXT \"host \(i)\"\n" }
        try (Support.read(template) + extra).write(to: template, atomically: true, encoding: .utf8)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", RunClock.format(t0)])
        guard r.status == 0 else { throw Support.Failure("tick: \(r.stderr)") }
        let ca = try TestCA(at: t0)
        let first = try ca.leaf("first", at: t0)
        let i = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", first.fullchain.path, "--key", first.key.path, "--home",
            home.path, "--now",
            RunClock.format(t0.addingTimeInterval(60)),
        ])
        guard i.status == 0 else { throw Support.Failure("tls import: \(i.stderr)") }
        return (home, ca)
    }

    /// Runs `args` (with `--home`) in `home` and in a copy without the zone map; returns both
    /// results and the copy.
    static func twin(_ home: URL, _ args: [String]) throws -> (
        fast: Support.Result, full: Support.Result, fullHome: URL
    ) {
        let copy = try Support.scratch("full")
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: home, to: copy)
        try FileManager.default.removeItem(at: map(copy))
        let fast = try Support.mailkeys(args + ["--home", home.path])
        let full = try Support.mailkeys(args + ["--home", copy.path])
        return (fast, full, copy)
    }

    static func map(_ home: URL) -> URL { home.appendingPathComponent("Zones/.example.org.zone.map") }
    static func zone(_ home: URL) -> URL { home.appendingPathComponent("Zones/example.org.zone") }
    static func signed(_ home: URL) -> URL { home.appendingPathComponent("Zones/example.org.zone.signed") }

    /// The map as JSON, without the signed file's hash (ECDSA signatures differ between runs).
    static func mapShape(_ home: URL) throws -> [String: Any] {
        var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: map(home))) as? [String: Any])
        var signed = try #require(json["signed"] as? [String: Any])
        signed["fileHash"] = nil
        json["signed"] = signed
        return json
    }

    static func verify(_ file: URL, at t: Date) throws {
        let v = try Support.exec(try Support.tool("ldns-verify-zone"), ["-t", ZSKRolloverTests.stamp(t), file.path])
        #expect(v.status == 0, "\(file.lastPathComponent) at \(t): \(v.stdout)\(v.stderr)")
    }

    /// The shape of a signed zone with the DNSKEY data of ZSKs masked (a key generated in each
    /// copy differs; what it signs does not).
    static func shape(_ text: String) -> (records: [String], signers: [String: Set<String>]) {
        var s = IncrementalSigningTests.shape(text)
        s.records = s.records.map { $0.contains("\tDNSKEY\t256 ") ? String($0.prefix { $0 != "2" }) + "ZSK" : $0 }
            .sorted()
        return s
    }

    static func expectSameAsFull(
        _ home: URL,
        _ twin: (fast: Support.Result, full: Support.Result, fullHome: URL),
        algorithm: Int,
        at t: Date,
        newKey: Bool = false
    ) throws {
        #expect(twin.fast.status == 0, "\(twin.fast.stderr)")
        #expect(twin.full.status == 0, "\(twin.full.stderr)")
        #expect(twin.fast.stdout.contains("owners rebuilt, the rest copied"), "the map was used: \(twin.fast.stdout)")
        #expect(!twin.full.stdout.contains("owners rebuilt"), "\(twin.full.stdout)")
        #expect(try Support.read(zone(home)) == Support.read(zone(twin.fullHome)), "the unsigned zone, byte for byte")
        let fast = try Support.read(signed(home))
        let full = try Support.read(signed(twin.fullHome))
        if algorithm == 15 && !newKey {
            #expect(fast == full, "Ed25519 signatures are deterministic: the signed zone, byte for byte")
        } else {
            let a = Self.shape(fast)
            let b = Self.shape(full)
            #expect(a.records == b.records && a.signers == b.signers)
            #expect(fast.count == full.count)
        }
        #expect(
            NSDictionary(dictionary: try mapShape(home)) == NSDictionary(dictionary: try mapShape(twin.fullHome)),
            "the maps agree"
        )
        // Both made and kept the same numbers of signatures.
        let counts = [twin.fast.stdout, twin.full.stdout].map {
            $0.firstMatch(of: /\((\d+) signatures made, (\d+) kept/).map { "\($0.1) \($0.2)" }
        }
        #expect(counts[0] != nil && counts[0] == counts[1], "\(counts)")
        try verify(signed(home), at: t)
        try verify(signed(home), at: t.addingTimeInterval(5 * 86400))
    }

    @Test(arguments: [(15, false), (15, true), (13, false), (13, true)])
    func renewedCertificateRebuildsOnlyTheMapsOwners(algorithm: Int, nsec3: Bool) throws {
        let (home, ca) = try Self.home(algorithm: algorithm, nsec3: nsec3)
        let before = try Support.read(Self.signed(home))
        let t = Self.t0.addingTimeInterval(3600)
        let leaf = try ca.leaf("renewed", at: t)
        let twin = try Self.twin(
            home,
            [
                "tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--now",
                RunClock.format(t),
            ]
        )
        try Self.expectSameAsFull(home, twin, algorithm: algorithm, at: t)
        let after = try Support.read(Self.signed(home))
        #expect(after.contains("\tTLSA\t3 1 1 \(try TestCA.spki(ca.dir.appendingPathComponent("renewed.pem")))"))
        // Everything outside the map's owners is the previous file's bytes.
        let lines = Set(before.split(separator: "\n"))
        let kept = after.split(separator: "\n").filter { lines.contains($0) }.count
        #expect(kept > 1500, "\(kept) of \(after.split(separator: "\n").count) lines")
    }

    /// A pre-published ZSK changes only the apex's DNSKEY set: spliced. Once it signs, every
    /// signature must change: the full path.
    @Test func zskRolloverSplicesThePrePublicationThenSignsInFull() throws {
        let (home, _) = try Self.home(algorithm: 15, nsec3: false, scheme: "ksk+zsk")
        let t1 = Self.t0.addingTimeInterval(3600)
        let twin = try Self.twin(home, ["rotate", "zsk", "example.org", "--now", RunClock.format(t1)])
        try Self.expectSameAsFull(home, twin, algorithm: 15, at: t1, newKey: true)
        #expect(
            try Support.read(Self.signed(home)).split(separator: "\n").filter { $0.contains("\tDNSKEY\t") }.count == 3
        )
        // The new key signs once it is ready: another key set, so nothing outside is kept.
        var t = t1
        var signedInFull = false
        for _ in 0..<40 where !signedInFull {
            t = t.addingTimeInterval(86400)
            let r = try Support.mailkeys(["tick", "--home", home.path, "--now", RunClock.format(t)])
            #expect(r.status == 0, "\(r.stderr)")
            if r.stdout.contains("signed ") && !r.stdout.contains("owners rebuilt") { signedInFull = true }
            try Self.verify(Self.signed(home), at: t)
        }
        #expect(signedInFull)
    }

    /// What the map cannot vouch for takes the full path, and the next change is spliced again.
    /// The map is a cache: one that claims the signatures outside its owners expire in 2096
    /// (they expire in two weeks) is checked against the bytes a splice would copy, so they are
    /// re-signed in time and the published zone verifies every day (it failed on day 15 when
    /// the claim was believed).
    @Test func aMapThatLiesAboutTheSignaturesItCopiesIsNotBelieved() throws {
        let (home, _) = try Self.home(algorithm: 13, nsec3: false)
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.map(home))) as? [String: Any]
        )
        var signed = try #require(json["signed"] as? [String: Any])
        var map = try #require(signed["map"] as? [String: Any])
        #expect((map["outsideSignatures"] as? Int ?? 0) > 100)
        map["outsideEarliestExpiration"] = 4_000_000_000
        signed["map"] = map
        json["signed"] = signed
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: Self.map(home))
        var t = Self.t0.addingTimeInterval(60)
        for _ in 0..<20 {
            t = t.addingTimeInterval(86400)
            let r = try Support.mailkeys(["tick", "--home", home.path, "--now", RunClock.format(t)])
            #expect(r.status == 0, "\(r.stderr)")
            try Self.verify(Self.signed(home), at: t)
        }
    }

    @Test func changesTheMapCannotVouchForTakeTheFullPath() throws {
        let (home, ca) = try Self.home(algorithm: 13, nsec3: false)
        var t = Self.t0.addingTimeInterval(60)
        func run(_ args: [String]) throws -> String {
            t = t.addingTimeInterval(600)
            let r = try Support.mailkeys(args + ["--home", home.path, "--now", RunClock.format(t)])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            try Self.verify(Self.signed(home), at: t)
            return r.stdout
        }
        var n = 0
        func renew() throws -> String {
            n += 1
            let leaf = try ca.leaf("leaf\(n)", at: t)
            return try run(["tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path])
        }
        #expect(try renew().contains("owners rebuilt"))

        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try (Support.read(template) + "extra IN A 192.0.2.99\n").write(to: template, atomically: true, encoding: .utf8)
        var out = try run(["tick"])
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "template changed: \(out)")
        #expect(try renew().contains("owners rebuilt"))

        let policy = home.appendingPathComponent("mailkeys.toml")
        // A comment is not a change of the domain's policy: the map still vouches.
        try (Support.read(policy) + "# a comment\n").write(to: policy, atomically: true, encoding: .utf8)
        out = try renew()
        #expect(out.contains("owners rebuilt"), "comment added: \(out)")
        try Support.read(policy).replacingOccurrences(of: "retry = \"1h\"", with: "retry = \"2h\"").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        out = try renew()
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "policy changed: \(out)")

        try "{not json".write(to: Self.map(home), atomically: true, encoding: .utf8)
        out = try renew()
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "unreadable map: \(out)")
        #expect(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.map(home))) is [String: Any],
            "a new map was written"
        )

        // The signed file edited outside mailkeys is never spliced.
        try (Support.read(Self.signed(home)) + "; edited\n").write(
            to: Self.signed(home),
            atomically: true,
            encoding: .utf8
        )
        out = try renew()
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "edited signed zone: \(out)")

        // The unsigned file edited outside: rebuilt in full too.
        try (Support.read(Self.zone(home)) + "; edited\n").write(to: Self.zone(home), atomically: true, encoding: .utf8)
        out = try renew()
        #expect(out.contains("wrote ") && !out.contains("owners rebuilt"), "edited zone file: \(out)")

        // Signatures outside the map's owners inside the refresh window: all made again.
        #expect(try renew().contains("owners rebuilt"))
        t = t.addingTimeInterval(10 * 86400)
        out = try renew()
        #expect(out.contains(" 0 kept") && !out.contains("owners rebuilt"), "refresh due: \(out)")
        #expect(try renew().contains("owners rebuilt"))

        // A map whose signed-file range is off by one octet (valid JSON, matching hashes): the
        // signer refuses it and the run signs in full.
        var json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: Self.map(home))) as? [String: Any]
        )
        var signedPart = try #require(json["signed"] as? [String: Any])
        var map = try #require(signedPart["map"] as? [String: Any])
        var owners = try #require(map["owners"] as? [[String: Any]])
        owners[2]["start"] = try #require(owners[2]["start"] as? Int) + 1
        map["owners"] = owners
        signedPart["map"] = map
        json["signed"] = signedPart
        try JSONSerialization.data(withJSONObject: json).write(to: Self.map(home))
        out = try renew()
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "map off by one: \(out)")
        #expect(try renew().contains("owners rebuilt"))

        // A DKIM rollover adds a selector: a new owner, so the NSEC chain changes elsewhere.
        out = try run(["rotate", "dkim", "example.org"])
        #expect(out.contains("signed ") && !out.contains("owners rebuilt"), "new owner: \(out)")
        #expect(try renew().contains("owners rebuilt"))
    }
}
