import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// `domain remove`: a signed domain goes insecure (CDS/CDNSKEY delete, the DS withdrawn at a
/// real parent, the DS out of every cache) before it leaves its nameservers, with a validating
/// resolver (`delv`) never seeing a bogus answer; an unsigned one leaves once confirmed; once off
/// every nameserver and out of the policy, its keys and files are archived, nothing deleted.
@Suite struct DomainRemovalTests {
    /// A signed parent zone `org.` with its own key (ldns-keygen, ldns-signzone on the real clock),
    /// delegating `example.org` with or without a DS.
    struct Parent {
        let dir: URL
        let key: String

        init() throws {
            dir = try Support.scratch("org")
            let r = try Support.exec(
                try Support.tool("ldns-keygen"),
                ["-k", "-a", "ECDSAP256SHA256", "org"],
                cwd: dir
            )
            guard r.status == 0 else { throw Support.Failure("ldns-keygen: \(r.stderr)") }
            key = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }

        /// The signed zone file, with `ds` (record lines) at the delegation.
        func signed(ds: [String]) throws -> URL {
            let file = dir.appendingPathComponent("org.zone")
            try
                ("""
            $ORIGIN org.
            $TTL 3600
            @ IN SOA ns.org. hostmaster.org. \(Int(Date().timeIntervalSince1970)) 3600 600 86400 300
            @ IN NS ns.org.
            ns IN A 127.0.0.1
            example IN NS ns1.example.org.

            """ + ds.map { $0 + "\n" }.joined()).write(to: file, atomically: true, encoding: .utf8)
            let r = try Support.exec(try Support.tool("ldns-signzone"), [file.path, key], cwd: dir)
            guard r.status == 0 else { throw Support.Failure("ldns-signzone: \(r.stderr)") }
            return dir.appendingPathComponent("org.zone.signed")
        }

        /// `trust-anchors { org. static-key … };` for `delv -a`.
        func anchor() throws -> URL {
            let text = try Support.read(dir.appendingPathComponent("\(key).key"))
            let line = text.prefix { $0 != ";" }  // ldns-keygen appends `;{id = …}`
            let f = line.split(whereSeparator: \.isWhitespace)
            let i = try #require(f.firstIndex(of: "DNSKEY"))
            let block =
                "trust-anchors {\n  org. static-key \(f[i + 1]) \(f[i + 2]) \(f[i + 3]) \"\(f[(i + 4)...].joined())\";\n};\n"
            let url = dir.appendingPathComponent("anchor.conf")
            try block.write(to: url, atomically: true, encoding: .utf8)
            return url
        }
    }

    /// What `delv` concluded: `secure`, `insecure`, or the output of anything else (bogus, failed).
    static func verdict(_ r: Support.Result) -> String {
        if r.stdout.contains("; fully validated") { return "secure" }
        if r.stdout.contains("; unsigned answer") { return "insecure" }
        return "bogus or failed: \(r.stdout) \(r.stderr)"
    }

    static func delv(_ port: Int, anchor: URL, _ name: String, _ type: String) throws -> Support.Result {
        try Support.exec(
            try Support.tool("delv"),
            ["@127.0.0.1", "-p", String(port), "-a", anchor.path, "+root=org", "+tcp", name, type]
        )
    }

    /// Whether the NSD answers for example.org itself (authoritative SOA), not with a referral.
    static func serves(_ nsd: NSDServer) throws -> Bool {
        let r = try Support.exec(
            try Support.tool("dig"),
            ["@127.0.0.1", "-p", String(nsd.port), "+norecurse", "+time=1", "+tries=1", "example.org", "SOA"]
        )
        return r.stdout.contains(" aa") && r.stdout.contains("ANSWER: 1")
    }

    /// On the real clock throughout (delv validates signatures at the wall-clock time): the
    /// simulated days end now, so every signature mailkeys and ldns-signzone made is valid.
    @Test func aRemovedSignedDomainGoesInsecureBeforeItLeavesItsNameservers() throws {
        let t0 = TestClock.real.addingTimeInterval(-3 * 86400)
        func at(_ seconds: TimeInterval) -> String { RunClock.format(t0.addingTimeInterval(seconds)) }
        let root = try Support.exampleHome(at: at(0))
        func run(_ args: [String], _ seconds: TimeInterval) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", at(seconds)])
            #expect(r.status == 0, "\(args) at \(at(seconds)): \(r.stderr)")
            return r
        }
        let dsOut = try run(["ds", "example.org"], 60)
        let ds = dsOut.stdout.split(separator: "\n").filter { $0.contains("\tDS\t") }.map(String.init)
        #expect(ds.count == 1, "\(dsOut.stdout)")

        let parent = try Parent()
        let anchor = try parent.anchor()
        let signed = root.appendingPathComponent("Zones/example.org.zone.signed")
        let nsd = try NSDServer(
            zones: [("org", try parent.signed(ds: ds))],
            control: true,
            dynamic: [("example.org", signed)]
        )
        let conf = nsd.dir.appendingPathComponent("nsd.conf").path
        let control = try Support.tool("nsd-control")
        let policy = root.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(
            of: "[domains.\"example.org\".dnssec]",
            with: "[domains.\"example.org\".dnssec]\nparent_servers = [\"127.0.0.1:\(nsd.port)\"]"
        ).appending(
            """

            [[domains."example.org".export]]
            server = "nsd"
            directory = "\(nsd.dir.path)"
            reload = \(ExportTests.quoted([control, "-c", conf, "reload", "%z"]))
            remove = \(ExportTests.quoted([control, "-c", conf, "delzone", "%z"]))
            address = "127.0.0.1:\(nsd.port)"

            """
        ).write(to: policy, atomically: true, encoding: .utf8)

        func check(_ label: String, _ name: String, _ type: String, expect: String) throws {
            let v = Self.verdict(try Self.delv(nsd.port, anchor: anchor, name, type))
            #expect(v == expect, "\(label): \(name) \(type): \(v)")
        }

        // Before: exported and secure through the parent's DS.
        _ = try run(["tick"], 600)
        try check("before", "example.org", "MX", expect: "secure")

        // Removal started: CDS/CDNSKEY delete, still signed and exported, still secure.
        let started = try run(["domain", "remove", "example.org"], 3600)
        #expect(started.stdout.contains("removal started"), "\(started.stdout)")
        #expect(started.stdout.contains("parent server 127.0.0.1:\(nsd.port) still serves its DS"), "\(started.stdout)")
        let cds = try Self.delv(nsd.port, anchor: anchor, "example.org", "CDS")
        #expect(Self.verdict(cds) == "secure" && cds.stdout.contains("CDS\t0 0 0 00"), "\(cds.stdout)")
        let cdnskey = try Self.delv(nsd.port, anchor: anchor, "example.org", "CDNSKEY")
        #expect(
            Self.verdict(cdnskey) == "secure" && cdnskey.stdout.contains("CDNSKEY\t0 3 0 AA=="),
            "\(cdnskey.stdout)"
        )
        try check("removal started", "example.org", "MX", expect: "secure")

        // The registrar withdraws the DS: the zone is insecure, still served signed.
        try FileManager.default.removeItem(at: parent.dir.appendingPathComponent("org.zone.signed"))
        _ = try parent.signed(ds: [])
        try FileManager.default.removeItem(at: nsd.dir.appendingPathComponent("org.zone"))
        try FileManager.default.copyItem(
            at: parent.dir.appendingPathComponent("org.zone.signed"),
            to: nsd.dir.appendingPathComponent("org.zone")
        )
        #expect(try nsd.control(["reload", "org"]).status == 0)
        try check("DS withdrawn", "example.org", "MX", expect: "insecure")
        let gone = try run(["tick"], 7200)
        #expect(gone.stdout.contains("no longer serve its DS"), "\(gone.stdout)")
        #expect(try Self.serves(nsd), "the zone stays on its nameserver while caches may hold the DS")
        let plan = try run(["plan", "example.org", "--days", "3"], 7200)
        let leaves = try #require(plan.stdout.split(separator: "\n").first { $0.contains("out of every cache") })
        #expect(leaves.contains(at(7200 + 26 * 3600)), "plan: \(plan.stdout)")

        // A day later the DS may still be cached (TTL 1 d + propagation 1 h + 1 h): still served.
        let waiting = try run(["tick"], 7200 + 86400)
        #expect(!waiting.stdout.contains("off every export target"), "\(waiting.stdout)")
        #expect(try Self.serves(nsd))
        try check("waiting for caches", "example.org", "MX", expect: "insecure")
        let status = try run(["status", "example.org"], 7200 + 86400)
        #expect(status.stdout.contains("removal  being removed since"), "\(status.stdout)")

        // Then it leaves: delzone, no longer served; the parent proves there is no DS.
        let left = try run(["tick"], 7200 + 26 * 3600)
        #expect(left.stdout.contains("off every export target"), "\(left.stdout)")
        #expect(!(try Self.serves(nsd)), "delzone took the zone off NSD")
        #expect(!FileManager.default.fileExists(atPath: nsd.dir.appendingPathComponent("example.org.zone").path))
        let noDS = try Self.delv(nsd.port, anchor: anchor, "example.org", "DS")
        #expect(noDS.stdout.contains("; negative response, fully validated"), "\(noDS.stdout) \(noDS.stderr)")
        // Later runs do not export it again.
        _ = try run(["tick"], 8 * 86400)
        #expect(!(try Self.serves(nsd)))

        let store = try Store.open(at: Home(root: root).storeFile.path)
        let removal = try #require(try store.removals()[.exampleOrg])
        let dsGone = try #require(removal.dsGone)
        let unexported = try #require(removal.unexported)
        #expect(unexported.timeIntervalSince(dsGone) >= 86400 + 3600, "left only after the parent's DS TTL")

        // The check can fail: the unsigned zone behind the parent's DS is bogus to delv.
        let bogusParent = try Parent()
        let withDS = try NSDServer(zones: [
            ("org", try bogusParent.signed(ds: ds)),
            ("example.org", root.appendingPathComponent("Zones/example.org.zone")),
        ])
        let bogus = Self.verdict(try Self.delv(withDS.port, anchor: try bogusParent.anchor(), "example.org", "MX"))
        #expect(bogus.hasPrefix("bogus or failed"), "\(bogus)")
    }

    /// A home with a second, unsigned domain example.net besides the example's example.org.
    static func twoDomains(at: String) throws -> URL {
        let root = try Support.exampleHome(build: false, at: at)
        let policy = root.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        let head = try #require(text.range(of: "[domains.\"example.org\"]"))
        let net = String(text[head.lowerBound...]).replacingOccurrences(of: "example.org", with: "example.net")
            .replacingOccurrences(of: "ns2.example.net", with: "ns2.example.com")
            .replacingOccurrences(
                of: "[domains.\"example.net\".dnssec]",
                with: "[domains.\"example.net\".dnssec]\nenabled = false"
            )
        try (text + "\n" + net).write(to: policy, atomically: true, encoding: .utf8)
        return root
    }

    static func dropNet(_ root: URL) throws {
        let policy = root.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        let start = try #require(text.range(of: "[domains.\"example.net\"]"))
        try String(text[..<start.lowerBound]).write(to: policy, atomically: true, encoding: .utf8)
    }

    @Test func anUnsignedDomainLeavesOnceConfirmedAndIsArchivedOnceOutOfThePolicy() throws {
        let root = try Self.twoDomains(at: TestClock.at("2026-11-21T10:00:00Z"))
        func run(_ args: [String], _ iso: String, status: Int32 = 0) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", TestClock.at(iso)])
            #expect(r.status == status, "\(args) at \(iso): \(r.stdout) \(r.stderr)")
            return r
        }
        _ = try run(["tick"], "2026-11-21T10:00:00Z")
        let home = Home(root: root)
        let net = try DomainName("example.net")
        let dkimDir = root.appendingPathComponent("Keys/dkim/example.net")
        #expect(FileManager.default.fileExists(atPath: dkimDir.path))

        // Refused with the reason: not being removed, signed, unknown.
        let early = try run(["domain", "remove", "example.net", "--confirm"], "2026-11-21T10:30:00Z", status: 64)
        #expect(early.stderr.contains("is not being removed"), "\(early.stderr)")
        let notRemoving = try run(["ds", "gone", "example.org"], "2026-11-21T10:30:00Z", status: 64)
        #expect(notRemoving.stderr.contains("is not being removed"), "\(notRemoving.stderr)")
        let unknown = try run(["domain", "remove", "example.com"], "2026-11-21T10:30:00Z", status: 1)
        #expect(unknown.stderr.contains("unknown domain 'example.com'"), "\(unknown.stderr)")

        let started = try run(["domain", "remove", "example.net"], "2026-11-21T11:00:00Z")
        #expect(started.stdout.contains("--confirm"), "\(started.stdout)")
        let signedConfirm = try run(["domain", "remove", "example.org"], "2026-11-21T11:05:00Z")
        #expect(signedConfirm.stdout.contains("removal started"))
        let refused = try run(["domain", "remove", "example.org", "--confirm"], "2026-11-21T11:06:00Z", status: 64)
        #expect(refused.stderr.contains("is signed"), "\(refused.stderr)")
        // Cancelled: example.org publishes its own CDS again.
        let signedFile = home.signedFile(.exampleOrg)
        #expect(try Support.read(signedFile).contains("CDS\t0 0 0 00"))
        let cancelled = try run(["domain", "remove", "example.org", "--cancel"], "2026-11-21T11:10:00Z")
        #expect(cancelled.stdout.contains("removal cancelled"), "\(cancelled.stdout)")
        #expect(!(try Support.read(signedFile).contains("CDS\t0 0 0 00")))
        #expect(try Support.read(signedFile).contains("\tCDS\t"))

        // Unsigned: stays until confirmed; with no export target it is then off at once.
        let waiting = try run(["tick"], "2026-11-22T11:00:00Z")
        #expect(waiting.stdout.contains("until you run `mailkeys domain remove example.net --confirm`"))
        let planned = try run(["plan", "example.net", "--days", "7"], "2026-11-22T11:00:00Z")
        #expect(planned.stdout.contains("waits for `domain remove example.net --confirm`"), "\(planned.stdout)")
        let confirmed = try run(["domain", "remove", "example.net", "--confirm"], "2026-11-22T12:00:00Z")
        #expect(confirmed.stdout.contains("removal: no export target"), "\(confirmed.stdout)")
        let archivePlan = try run(["plan", "example.net", "--days", "7"], "2026-11-22T12:00:00Z")
        #expect(
            archivePlan.stdout.contains("archived by the first run after its section leaves"),
            "\(archivePlan.stdout)"
        )
        let off = try run(["status", "example.net"], "2026-11-22T12:00:00Z")
        #expect(off.stdout.contains("delete its section from the policy"), "\(off.stdout)")

        // Out of the policy: archived, the store forgets it, the signers no longer list it.
        try Self.dropNet(root)
        let archived = try run(["tick"], "2026-11-22T13:00:00Z")
        #expect(archived.stdout.contains("example.net: removed: its keys, zone files and store rows are archived"))
        #expect(!archived.stderr.contains("example.net is in the store"), "\(archived.stderr)")
        let stamp = TestClock.at("2026-11-22T13:00:00Z").replacingOccurrences(of: "-", with: "")
            .replacingOccurrences(of: ":", with: "")
        let archive = root.appendingPathComponent("Keys/archive/example.net-\(stamp)")
        #expect(FileManager.default.fileExists(atPath: archive.appendingPathComponent("dkim/example.net").path))
        #expect(!FileManager.default.fileExists(atPath: dkimDir.path))
        #expect(!FileManager.default.fileExists(atPath: home.zoneFile(net).path))
        let store = try Store.open(at: home.storeFile.path)
        #expect(try !store.holds(net))
        let removed = try store.removedDomains()
        #expect(removed.map(\.name) == ["example.net"])
        let dir = root.appendingPathComponent(try #require(removed.first?.archive))
        let rows = try Support.read(dir.appendingPathComponent("store-rows.json"))
        #expect(rows.contains("\"domain\": \"example.net\"") && rows.contains("\"kind\": \"dkim\""), "\(rows)")
        var st = stat()
        #expect(stat(dir.path, &st) == 0 && st.st_mode & 0o777 == 0o700)
        for table in try FileManager.default.contentsOfDirectory(
            atPath: root.appendingPathComponent("Keys/opendkim").path
        ) {
            let text = try Support.read(root.appendingPathComponent("Keys/opendkim/\(table)"))
            #expect(!text.contains("example.net"), "\(table) still lists example.net")
        }
        let quiet = try run(["tick"], "2026-11-22T14:00:00Z")
        #expect(!quiet.stderr.contains("example.net"), "\(quiet.stderr)")

        // Added back: a new domain, with new keys.
        let again = try run(
            ["domain", "add", "example.net", "--mx", "mail.example.net=192.0.2.26", "--ns", "ns1.example.org"],
            "2026-11-23T10:00:00Z"
        )
        #expect(again.stdout.contains("it starts afresh, with new keys"), "\(again.stdout)")
        _ = try run(["tick"], "2026-11-23T10:00:00Z")
        #expect(FileManager.default.fileExists(atPath: dkimDir.path))
        #expect(try store.holds(net))
    }

    /// A server that still serves a zone being taken off it (its zone is in the server's own
    /// configuration, no `remove` command) is reported by every run, as the domain is looked at
    /// on every run while it leaves, and the zone stays exported; once the operator takes it out
    /// of the server's configuration, the next run sees it gone.
    @Test func aServerStillServingTheZoneIsAskedAgainByEveryRun() throws {
        let root = try Self.twoDomains(at: TestClock.at("2026-11-21T10:00:00Z"))
        func run(_ args: [String], _ iso: String) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", TestClock.at(iso)])
            #expect(r.status == 0, "\(args) at \(iso): \(r.stdout) \(r.stderr)")
            return r
        }
        _ = try run(["tick"], "2026-11-21T10:00:00Z")
        let zone = root.appendingPathComponent("Zones/example.net.zone")
        var nsd: NSDServer? = try NSDServer(zones: [("example.net", zone)], control: true)
        let port = nsd!.port
        let dir = nsd!.dir
        let control = try Support.tool("nsd-control")
        let policy = root.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).appending(
            """

            [[domains."example.net".export]]
            server = "nsd"
            directory = "\(dir.path)"
            reload = \(ExportTests.quoted([control, "-c", dir.appendingPathComponent("nsd.conf").path, "reload", "%z"]))
            address = "127.0.0.1:\(port)"

            """
        ).write(to: policy, atomically: true, encoding: .utf8)
        _ = try run(["tick"], "2026-11-21T10:10:00Z")
        _ = try run(["domain", "remove", "example.net"], "2026-11-21T11:00:00Z")
        let confirmed = try run(["domain", "remove", "example.net", "--confirm"], "2026-11-21T11:10:00Z")
        #expect(confirmed.stderr.contains("still serves the zone"), "\(confirmed.stdout) \(confirmed.stderr)")
        // 11:40: nothing else is due (the DKIM keys start signing at 12:05), and still it is asked.
        let again = try run(["tick"], "2026-11-21T11:40:00Z")
        #expect(again.stderr.contains("still serves the zone"), "asked again: \(again.stdout) \(again.stderr)")
        _ = try run(["tick"], "2026-11-21T12:10:00Z")
        // The operator takes the zone out of NSD's configuration (NSD on the same port without it).
        nsd = nil
        let other = try NSDServer(
            zones: [("example.org", root.appendingPathComponent("Zones/example.org.zone.signed"))],
            port: port
        )
        let off = try run(["tick"], "2026-11-21T13:10:00Z")
        #expect(off.stdout.contains("example.net: removal: off every export target"), "\(off.stdout) \(off.stderr)")
        withExtendedLifetime(other) {}
    }

    @Test func domainAddWritesACommentedSectionTheNextTickBuilds() throws {
        let root = try Support.exampleHome()
        func run(_ args: [String], status: Int32 = 0) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", TestClock.at("2026-11-21T12:00:00Z")])
            #expect(r.status == status, "\(args): \(r.stdout) \(r.stderr)")
            return r
        }
        let policy = root.appendingPathComponent("mailkeys.toml")
        let before = try Support.read(policy)
        let added = try run(["domain", "add", "example.net", "--mx", "mail.example.org", "--ns", "ns1.example.org"])
        #expect(added.stdout.contains("added example.net to mailkeys.toml"), "\(added.stdout)")
        let after = try Support.read(policy)
        #expect(after.hasPrefix(before), "the policy is appended to, not rewritten")
        #expect(
            after.contains("[domains.\"example.net\".dnssec]") && after.contains("# [domains.\"example.net\".ttls]")
        )
        // Refused, nothing written: a domain listed already, a bad host, an in-zone host without addresses.
        let twice = try run(
            ["domain", "add", "example.net", "--mx", "mail.example.org", "--ns", "ns1.example.org"],
            status: 64
        )
        #expect(twice.stderr.contains("already in the policy"), "\(twice.stderr)")
        let inside = try run(["domain", "add", "example.com", "--mx", "mail.example.com"], status: 1)
        #expect(inside.stderr.contains("its addresses are needed"), "\(inside.stderr)")
        #expect(try Support.read(policy) == after)

        // A home that keeps domains in domains/ gets a file of its own.
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent("domains"),
            withIntermediateDirectories: true
        )
        let file = try run(["domain", "add", "example.com", "--mx", "mail.example.org", "--ns", "ns1.example.org"])
        #expect(file.stdout.contains("added example.com to domains/example.com.toml"), "\(file.stdout)")
        let text = try Support.read(root.appendingPathComponent("domains/example.com.toml"))
        #expect(!text.contains("[domains.") && text.contains("[dnssec]") && text.contains("[[mx]]"), "\(text)")
        #expect(try Support.read(policy) == after)

        let tick = try run(["tick"])
        for zone in ["example.net", "example.com"] {
            #expect(tick.stdout.contains("\(zone): signed Zones/\(zone).zone.signed"), "\(tick.stdout)")
            let v = try Support.exec(
                try Support.tool("ldns-verify-zone"),
                [
                    "-t", ZSKRolloverTests.stamp(TestClock.date("2026-11-21T12:00:00Z")),
                    root.appendingPathComponent("Zones/\(zone).zone.signed").path,
                ]
            )
            #expect(v.status == 0, "\(zone): \(v.stdout) \(v.stderr)")
        }
    }
}
