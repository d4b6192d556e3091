import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// `mailkeys import`: a domain signed by BIND today (`dnssec-keygen` keys, `dnssec-signzone`)
/// and DKIM-signed with an `opendkim-genkey` key is adopted with its keys: the zone mailkeys
/// signs carries the same DNSKEY set and the same DS, so a validator (`delv`, from the anchor
/// of the BIND key) validates before and after the switch on NSD with no gap, and no registrar
/// change; the DKIM selector keeps its public key. On the real clock throughout (delv and BIND
/// stamp signatures with the wall clock).
@Suite struct ImportTests {
    struct BINDKeys {
        let dir: URL
        let stem: String

        init(_ zone: String, _ args: [String] = ["-a", "ECDSAP256SHA256", "-f", "KSK"]) throws {
            dir = try Support.scratch("bind")
            let r = try Support.exec(try Support.tool("dnssec-keygen"), ["-q"] + args + [zone], cwd: dir)
            guard r.status == 0 else { throw Support.Failure("dnssec-keygen: \(r.stderr)") }
            stem = dir.appendingPathComponent(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)).path
        }

        var dnskey: String {
            get throws {
                let text = try Support.read(URL(fileURLWithPath: stem + ".key"))
                return try #require(text.split(separator: "\n").first { !$0.hasPrefix(";") }).map(String.init) ?? ""
            }
        }
    }

    /// `trust-anchors { example.org. static-key … };` from a `.key` file's DNSKEY line.
    static func anchor(_ keys: BINDKeys) throws -> URL {
        let f = try keys.dnskey.prefix { $0 != ";" }.split(whereSeparator: \.isWhitespace)
        let i = try #require(f.firstIndex(of: "DNSKEY"))
        let text =
            "trust-anchors {\n  example.org. static-key \(f[i + 1]) \(f[i + 2]) \(f[i + 3]) \"\(f[(i + 4)...].joined())\";\n};\n"
        let url = keys.dir.appendingPathComponent("anchor.conf")
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    static func delv(_ port: Int, _ anchor: URL, _ name: String, _ type: String) throws -> Support.Result {
        try Support.exec(
            try Support.tool("delv"),
            ["@127.0.0.1", "-p", String(port), "-a", anchor.path, "+root=example.org", "+tcp", name, type]
        )
    }

    /// The DNSKEY RRset of a zone file (RDATA, base64 in one piece), as a set.
    static func dnskeys(_ text: String) -> Set<String> {
        Set(
            text.split(separator: "\n").compactMap { line -> String? in
                let f = line.prefix { $0 != ";" }.split(whereSeparator: \.isWhitespace)
                guard f.count > 7, f[0] == "example.org.", f[2] == "IN", f[3] == "DNSKEY" else { return nil }
                return f[4...6].joined(separator: " ") + " " + f[7...].joined()
            }
        )
    }

    @Test func aBINDSignedZoneSwitchesToMailkeysWithNoValidationGap() throws {
        let bind = try BINDKeys("example.org")
        // The clock after the key was made (its Created/Publish/Activate are the wall clock's).
        let now = TestClock.real.addingTimeInterval(1)
        let at = RunClock.format(now)
        let legacyDir = try Support.scratch("opendkim")
        let gen = try Support.exec(
            try Support.tool("opendkim-genkey"),
            ["-D", legacyDir.path, "-d", "example.org", "-s", "legacy"]
        )
        #expect(gen.status == 0, "\(gen.stderr)")

        // Today: BIND signs the zone with its key (as a CSK) and NSD serves it.
        let zone = bind.dir.appendingPathComponent("example.org.zone")
        try """
        $ORIGIN example.org.
        $TTL 3600
        @ IN SOA ns1.example.org. hostmaster.example.org. 2026010101 3600 600 604800 3600
        @ IN NS ns1.example.org.
        @ IN MX 10 mail.example.org.
        ns1 IN A 192.0.2.53
        mail IN A 192.0.2.25
        $INCLUDE \(bind.stem).key

        """.write(to: zone, atomically: true, encoding: .utf8)
        let signzone = try Support.exec(
            try Support.tool("dnssec-signzone"),
            ["-z", "-O", "full", "-o", "example.org", "-f", zone.path + ".signed", zone.path, bind.stem + ".key"],
            cwd: bind.dir
        )
        #expect(signzone.status == 0, "\(signzone.stderr)")
        let bindSigned = try Support.read(URL(fileURLWithPath: zone.path + ".signed"))
        let nsd = try NSDServer(
            zones: [("example.org", URL(fileURLWithPath: zone.path + ".signed"))],
            control: true
        )
        let anchor = try Self.anchor(bind)
        let before = try Self.delv(nsd.port, anchor, "example.org", "MX")
        #expect(before.stdout.contains("; fully validated"), "BIND-signed: \(before.stdout) \(before.stderr)")

        // The switch: import both keys, one tick, export to the same NSD.
        let root = try Support.exampleHome(build: false, at: at)
        let policy = root.appendingPathComponent("mailkeys.toml")
        let control = try Support.tool("nsd-control")
        try Support.read(policy).appending(
            """

            [[domains."example.org".export]]
            server = "nsd"
            directory = "\(nsd.dir.path)"
            reload = \(ExportTests.quoted([control, "-c", nsd.dir.appendingPathComponent("nsd.conf").path, "reload", "%z"]))
            address = "127.0.0.1:\(nsd.port)"

            """
        ).write(to: policy, atomically: true, encoding: .utf8)
        func run(_ args: [String], status: Int32 = 0) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", at])
            #expect(r.status == status, "\(args): \(r.stdout) \(r.stderr)")
            return r
        }
        let imported = try run(["import", "dnssec", "example.org", bind.stem + ".key"])
        #expect(imported.stdout.contains("imported csk key"), "\(imported.stdout)")
        let dkim = try run(
            ["import", "dkim", "example.org", "legacy=\(legacyDir.appendingPathComponent("legacy.private").path)"]
        )
        #expect(dkim.stdout.contains("imported legacy (rsa 2048)"), "\(dkim.stdout)")
        let tick = try run(["tick"])
        #expect(tick.stdout.contains("exported serial"), "\(tick.stdout)")
        #expect(!tick.stdout.contains("DNSSEC: created"), "no new DNSSEC key: \(tick.stdout)")

        let mine = try Support.read(root.appendingPathComponent("Zones/example.org.zone.signed"))
        #expect(Self.dnskeys(mine) == Self.dnskeys(bindSigned), "the DNSKEY set every cache holds stays the same")
        #expect(!Self.dnskeys(mine).isEmpty)
        for (name, type) in [
            ("example.org", "MX"), ("mail.example.org", "A"), ("legacy._domainkey.example.org", "TXT"),
        ] {
            let r = try Self.delv(nsd.port, anchor, name, type)
            #expect(r.stdout.contains("; fully validated"), "mailkeys-signed \(name) \(type): \(r.stdout) \(r.stderr)")
        }
        // The parent's DS stays: mailkeys' DS is dnssec-dsfromkey's of the BIND key.
        let ds = try run(["ds", "example.org"])
        let fromKey = try Support.exec(try Support.tool("dnssec-dsfromkey"), ["-2", bind.stem + ".key"])
        let mineDS = try #require(ds.stdout.split(separator: "\n").first { $0.contains("\tDS\t") })
        #expect(
            fromKey.stdout.lowercased().split(whereSeparator: \.isWhitespace).suffix(4)
                == mineDS.lowercased().split(whereSeparator: \.isWhitespace).suffix(4),
            "\(fromKey.stdout) vs \(mineDS)"
        )
        // The DKIM selector keeps its public key, and the signers' table names it.
        let txt = try Support.read(legacyDir.appendingPathComponent("legacy.txt"))
        let p = try #require(txt.range(of: "p=")).upperBound
        let published = String(txt[p...]).filter { $0.isLetter || $0.isNumber || $0 == "+" || $0 == "/" || $0 == "=" }
        let record = try #require(mine.split(separator: "\n").first { $0.hasPrefix("legacy._domainkey.example.org.") })
        #expect(
            record.replacingOccurrences(of: "\" \"", with: "").contains(String(published.prefix(200))),
            "\(record)"
        )
        let keyTable = try Support.read(root.appendingPathComponent("Keys/opendkim/KeyTable"))
        #expect(keyTable.contains("example.org:legacy:"), "\(keyTable)")

        // The imported keys are rolled like mailkeys' own: a KSK rollover starts from them.
        let rolled = try run(["rotate", "ksk", "example.org"])
        #expect(rolled.stdout.contains("new CSK"), "\(rolled.stdout)")

        // Refused, with the reason: a domain that has keys now, a key of another zone.
        let again = try run(["import", "dnssec", "example.org", bind.stem + ".key"], status: 64)
        #expect(again.stderr.contains("already has DNSSEC keys"), "\(again.stderr)")
    }

    @Test func importRefusesKeysThatDoNotFit() throws {
        let other = try BINDKeys("example.com")
        let zsk = try BINDKeys("example.org", ["-a", "ECDSAP256SHA256"])
        let rsa = try BINDKeys("example.org", ["-a", "RSASHA256", "-b", "2048", "-f", "KSK"])
        let later = try BINDKeys("example.org", ["-a", "ECDSAP256SHA256", "-f", "KSK", "-P", "+86400", "-A", "+86400"])
        // The clock after the keys were made (their times are the wall clock's).
        let at = RunClock.format(TestClock.real.addingTimeInterval(1))
        let root = try Support.exampleHome(build: false, at: at)
        func run(_ args: [String]) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", root.path, "--now", at])
            #expect(r.status != 0, "\(args) was accepted: \(r.stdout)")
            return r
        }
        #expect(
            try run(["import", "dnssec", "example.org", other.stem + ".key"]).stderr.contains("not of example.org")
        )
        #expect(
            try run(["import", "dnssec", "example.org", zsk.stem + ".key"]).stderr.contains(
                "1 zone-signing key"
            )
        )
        #expect(try run(["import", "dnssec", "example.org", rsa.stem + ".key"]).stderr.contains("algorithm 8"))
        #expect(try run(["import", "dnssec", "example.org", later.stem + ".key"]).stderr.contains("not in use yet"))
        #expect(try run(["import", "dnssec", "example.org", "/nonexistent/Kx.key"]).stderr.contains("cannot read"))
        let garbage = root.appendingPathComponent("garbage.pem")
        try "not a key\n".write(to: garbage, atomically: true, encoding: .utf8)
        #expect(try run(["import", "dkim", "example.org", "s1=\(garbage.path)"]).status == 64)
        #expect(
            try run(["import", "dkim", "example.org", "bad_selector!=\(garbage.path)"]).stderr.contains(
                "not a DKIM selector"
            )
        )
        // Nothing was imported.
        let store = try Store.open(at: Home(root: root).storeFile.path)
        #expect(try store.dnssecKeys(domain: .exampleOrg).isEmpty)
    }
}
