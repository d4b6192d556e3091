import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// Signed zones checked by the real verifiers. External tools validate against the wall clock,
/// so these homes are built at the real time.
@Suite struct DNSSECTests {
    static var realNow: String { RunClock.format(Date()) }

    /// An example home whose policy gets `dnssec` lines, built now.
    static func signedHome(_ dnssec: String = "") throws -> URL {
        let home = try Support.scratch()
        let r = try Support.mailkeys(["init", "--home", home.path, "--now", realNow] + Support.exampleInit)
        guard r.status == 0 else { throw Support.Failure("init: \(r.stderr)") }
        try FileManager.default.copyItem(
            at: Support.repoRoot.appendingPathComponent("Zones/example.org.zone.in"),
            to: home.appendingPathComponent("Zones/example.org.zone.in")
        )
        if !dnssec.isEmpty {
            // init writes a [dnssec] table with the defaults spelled out: put the variant after its header.
            let policy = home.appendingPathComponent("mailkeys.toml")
            var lines = try Support.read(policy).components(separatedBy: "\n")
            let header = try #require(lines.firstIndex { $0.hasPrefix("[domains.\"example.org\".dnssec]") })
            let keys = Set(
                dnssec.split(separator: "\n").compactMap {
                    $0.split(separator: "=").first?.trimmingCharacters(in: .whitespaces)
                }
            )
            lines.removeAll { line in keys.contains { line.hasPrefix($0 + " ") } }
            lines.insert(dnssec, at: header + 1)
            try lines.joined(separator: "\n").write(to: policy, atomically: true, encoding: .utf8)
        }
        let t = try Support.mailkeys(["tick", "--home", home.path])
        guard t.status == 0 else { throw Support.Failure("tick: \(t.stderr)") }
        return home
    }

    static func keys(_ home: URL) throws -> [DNSSECKey] {
        try Store.open(at: home.appendingPathComponent("Keys/mailkeys.sqlite").path).dnssecKeys(domain: .exampleOrg)
    }

    struct Variant: CustomTestStringConvertible, Sendable {
        let algorithm: Int
        let nsec3: Bool
        let scheme: String
        var testDescription: String { "alg \(algorithm) \(scheme) \(nsec3 ? "NSEC3" : "NSEC")" }
        var policy: String { "algorithm = \(algorithm)\nnsec3 = \(nsec3)\nscheme = \"\(scheme)\"" }
    }

    static let variants: [Variant] =
        [13, 15, 8].flatMap { a in [false, true].map { Variant(algorithm: a, nsec3: $0, scheme: "csk") } }
        + [
            Variant(algorithm: 13, nsec3: false, scheme: "ksk+zsk"),
            Variant(algorithm: 13, nsec3: true, scheme: "ksk+zsk"),
        ]

    @Test(arguments: variants)
    func signedZonePassesLdnsVerifyZoneDnssecVerifyAndNamedCheckzone(_ v: Variant) throws {
        let home = try Self.signedHome(v.policy)
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed").path
        let keys = try Self.keys(home)
        #expect(Set(keys.map(\.role)) == (v.scheme == "csk" ? [.csk] : [.ksk, .zsk]))
        #expect(keys.allSatisfy { $0.algorithm == v.algorithm })

        let ldns = try Support.exec(try Support.tool("ldns-verify-zone"), [signed])
        #expect(ldns.status == 0, "ldns-verify-zone: \(ldns.stdout) \(ldns.stderr)")
        let verify = try Support.exec(
            try Support.tool("dnssec-verify"),
            (v.scheme == "csk" ? ["-z"] : []) + ["-o", "example.org", signed]
        )
        #expect(verify.status == 0, "dnssec-verify: \(verify.stdout) \(verify.stderr)")
        #expect((verify.stdout + verify.stderr).contains("Zone fully signed"))
        let named = try Support.exec(try Support.tool("named-checkzone"), ["example.org", signed])
        #expect(named.status == 0 && named.stdout.contains("(DNSSEC signed)"), "named-checkzone: \(named.stdout)")
        let text = try Support.read(URL(fileURLWithPath: signed))
        #expect(text.contains("\tNSEC3PARAM\t1 0 0 -") == v.nsec3, "RFC 9276: SHA-1, no extra iterations, empty salt")
        #expect(text.contains("\tNSEC\t") == !v.nsec3)

        // The check can fail: a changed record breaks its signature.
        let broken = try Support.scratch("broken").appendingPathComponent("zone")
        try text.replacingOccurrences(of: "192.0.2.25", with: "192.0.2.26").write(
            to: broken,
            atomically: true,
            encoding: .utf8
        )
        #expect(try Support.exec(try Support.tool("ldns-verify-zone"), [broken.path]).status != 0)
    }

    @Test func delvFullyValidatesFromTheTrustAnchorMailkeysPrints() throws {
        let home = try Self.signedHome()
        let ds = try Support.mailkeys(["ds", "example.org", "--home", home.path])
        #expect(ds.status == 0, "\(ds.stderr)")
        // The trust-anchors block as ds prints it, unedited.
        let lines = ds.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        let start = try #require(lines.firstIndex(of: "trust-anchors {"), "\(ds.stdout)")
        let end = try #require(lines[start...].firstIndex(of: "};"), "\(ds.stdout)")
        #expect(lines[start...end].contains { $0.contains("example.org. static-key 257 3 13 \"") })
        let anchor = try Support.scratch("anchor").appendingPathComponent("anchor.conf")
        try (lines[start...end].joined(separator: "\n") + "\n").write(to: anchor, atomically: true, encoding: .utf8)

        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        let server = try NSDServer(zones: [("example.org", signed)])
        let knot = try KnotServer(zones: [("example.org", signed)])
        func delv(_ name: String, _ type: String, port: Int? = nil) throws -> Support.Result {
            try Support.exec(
                try Support.tool("delv"),
                [
                    "@127.0.0.1", "-p", String(port ?? server.port), "-a", anchor.path, "+root=example.org", "+tcp",
                    name, type,
                ]
            )
        }
        for port in [server.port, knot.port] {
            for (name, type) in [
                ("example.org", "MX"), ("mail.example.org", "A"), ("_dmarc.example.org", "TXT"), ("example.org", "CAA"),
            ] {
                let r = try delv(name, type, port: port)
                #expect(
                    r.stdout.contains("; fully validated"),
                    "delv \(name) \(type) on port \(port): \(r.stdout) \(r.stderr)"
                )
            }
            let nx = try delv("nothere.example.org", "A", port: port)
            #expect(nx.stdout.contains("; negative response, fully validated"), "\(nx.stdout) \(nx.stderr)")
        }

        // DS from mailkeys equals BIND's dnssec-dsfromkey on the .key file it wrote.
        let key = try #require(try Self.keys(home).first)
        let keyFile = home.appendingPathComponent(
            "Keys/dnssec/\(key.fileStem(zone: try DomainName("example.org"))).key"
        )
        let bind = try Support.exec(try Support.tool("dnssec-dsfromkey"), ["-2", keyFile.path])
        let mine = try #require(ds.stdout.split(separator: "\n").first { $0.contains("\tDS\t") })
        #expect(
            bind.stdout.lowercased().split(whereSeparator: \.isWhitespace).suffix(4)
                == mine.lowercased().split(whereSeparator: \.isWhitespace).suffix(4),
            "\(bind.stdout) vs \(mine)"
        )

        // A validator with a wrong anchor does not validate: the check can fail.
        try String(
            try Support.read(anchor).replacingOccurrences(of: "static-key 257 3", with: "static-key 257 3").dropLast(6)
                + "AAAA\";\n};\n"
        )
        .write(to: anchor, atomically: true, encoding: .utf8)
        #expect(!(try delv("example.org", "MX").stdout.contains("; fully validated")))
    }

    @Test func keyFilesAreReadByLdnsSignzoneAndDnssecSignzone() throws {
        let home = try Self.signedHome("scheme = \"ksk+zsk\"")
        let zone = try DomainName("example.org")
        let keys = try Self.keys(home)
        let dir = home.appendingPathComponent("Keys/dnssec")
        for key in keys {
            let attributes = try FileManager.default.attributesOfItem(
                atPath: dir.appendingPathComponent(key.fileStem(zone: zone) + ".private").path
            )
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
        }
        let work = try Support.scratch("signzone")
        let unsigned = home.appendingPathComponent("Zones/example.org.zone")
        let out = work.appendingPathComponent("ldns.signed")
        let ldns = try Support.exec(
            try Support.tool("ldns-signzone"),
            ["-f", out.path, unsigned.path] + keys.map { dir.appendingPathComponent($0.fileStem(zone: zone)).path }
        )
        #expect(ldns.status == 0, "ldns-signzone: \(ldns.stderr)")
        #expect(try Support.exec(try Support.tool("ldns-verify-zone"), [out.path]).status == 0)
        // BIND's way: the zone $INCLUDEs the .key files, the keys are named on the command line.
        let withKeys = work.appendingPathComponent("bind.zone")
        try
            (try Support.read(unsigned)
            + keys.map { "$INCLUDE \(dir.appendingPathComponent($0.fileStem(zone: zone)).path).key\n" }.joined())
            .write(to: withKeys, atomically: true, encoding: .utf8)
        let bind = try Support.exec(
            try Support.tool("dnssec-signzone"),
            ["-K", dir.path, "-o", "example.org", "-f", work.appendingPathComponent("bind.signed").path, withKeys.path]
                + keys.map { $0.fileStem(zone: zone) },
            cwd: work
        )
        #expect(bind.status == 0, "dnssec-signzone: \(bind.stdout) \(bind.stderr)")
        #expect(
            (bind.stdout + bind.stderr).contains("KSKs: 1 active")
                && (bind.stdout + bind.stderr).contains("ZSKs: 1 active"),
            "\(bind.stdout)"
        )
    }

    @Test func tickResignsBeforeSignaturesExpire() throws {
        let home = try Support.exampleHome()
        let zone = home.appendingPathComponent("Zones/example.org.zone.signed")
        let first = try Support.read(zone)
        let store = try Store.open(at: home.appendingPathComponent("Keys/mailkeys.sqlite").path)
        let expires = try #require(try store.signingState(.exampleOrg).expiresAt)
        // 14 days validity minus up to 12 h jitter; refresh 5 days before.
        let start = try RunClock.now(Support.now)
        #expect(expires <= start.addingTimeInterval(14 * 86400) && expires > start.addingTimeInterval(13 * 86400))
        let due = expires.addingTimeInterval(-5 * 86400)
        var r = try Support.mailkeys([
            "tick", "--home", home.path, "--now", RunClock.format(due.addingTimeInterval(-1)),
        ])
        #expect(!r.stdout.contains("signed Zones"), "not due yet: \(r.stdout)")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", RunClock.format(due)])
        #expect(r.stdout.contains("(signatures expire \(RunClock.format(expires)))"), "\(r.stdout)")
        #expect(
            r.stdout.contains("serial \(Serial.next(after: 2026112101, now: due))"),
            "a re-signed zone gets a new serial: \(r.stdout)"
        )
        #expect(try Support.read(zone) != first)
    }

    /// A pre-published ZSK whose private key file was lost is not published again (it could
    /// never sign): the run is refused with the file to restore, and the home is unchanged. Key
    /// tags computed in Swift from the published DNSKEYs (as the check of every staged signed
    /// zone reads them) are libldns's (the store's).
    @Test func aPublishedKeyWithoutItsPrivateFileIsRefused() throws {
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"ksk+zsk\"")
            .write(to: policy, atomically: true, encoding: .utf8)
        let t0 = TestClock.date(Support.now)
        func at(_ hours: Double) -> String { RunClock.format(t0.addingTimeInterval(hours * 3600)) }
        #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", at(0)]).status == 0)
        #expect(
            try Support.mailkeys(["rotate", "zsk", "example.org", "--home", home.path, "--now", at(1)]).status == 0
        )
        let keys = try Self.keys(home)
        let signed = try Support.read(home.appendingPathComponent("Zones/example.org.zone.signed"))
        let published = signed.split(separator: "\n").filter { $0.contains("\tDNSKEY\t") }.compactMap {
            DNSSECWire.keyTag(dnskeyRDATA: $0.split(separator: "\t").last!)
        }
        #expect(Set(published) == Set(keys.map(\.tag)) && published.count == 3, "\(published) vs \(keys.map(\.tag))")
        let prePublished = try #require(keys.first { $0.role == .zsk && $0.active == nil })
        let file = home.appendingPathComponent(
            "Keys/dnssec/\(prePublished.fileStem(zone: try DomainName("example.org"))).private"
        )
        try FileManager.default.removeItem(at: file)
        // Content changes (a new serial, new signatures) must not publish the lost key again.
        try (Support.read(home.appendingPathComponent("Zones/example.org.zone.in")) + "lost IN A 192.0.2.99\n").write(
            to: home.appendingPathComponent("Zones/example.org.zone.in"),
            atomically: true,
            encoding: .utf8
        )
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", at(2)],
            message:
                "DNSSEC key file Keys/dnssec/\(prePublished.fileStem(zone: try DomainName("example.org"))).private is missing"
        )
    }

    @Test func badDNSSECKeyFilesChangeNothing() throws {
        let home = try Support.exampleHome()
        let key = try #require(try Self.keys(home).first)
        let file = home.appendingPathComponent(
            "Keys/dnssec/\(key.fileStem(zone: try DomainName("example.org"))).private"
        )
        let original = try #require(Support.bytes(file))
        try FileManager.default.removeItem(at: file)
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "is missing; restore it from a backup"
        )
        let other = try BINDKeygen.otherKey()
        try Data(other.utf8).write(to: file)
        chmod(file.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        try BadInputTests.expectRefused(home, ["tick", "--home", home.path], message: "does not match the store")
        try Data("Private-key-format: v1.2\nAlgorithm: 13 (ECDSAP256SHA256)\nPrivateKey: nonsense\n".utf8).write(
            to: file
        )
        chmod(file.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        try BadInputTests.expectRefused(home, ["zone", "sign", "--home", home.path], message: "DNSSEC key file")
        try original.write(to: file)
        chmod(file.path, 0o600)  // a key file as mailkeys writes it; only its content is wrong
        #expect(try Support.mailkeys(["zone", "sign", "--home", home.path, "--now", Support.now]).status == 0)
    }
}

/// A DNSSEC private key that is not the store's, made by BIND's dnssec-keygen.
enum BINDKeygen {
    static func otherKey() throws -> String {
        let dir = try Support.scratch("keygen")
        let r = try Support.exec(
            try Support.tool("dnssec-keygen"),
            ["-a", "ECDSAP256SHA256", "-f", "KSK", "-K", dir.path, "example.org"],
            cwd: dir
        )
        guard r.status == 0 else { throw Support.Failure("dnssec-keygen: \(r.stderr)") }
        let name = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        return try Support.read(dir.appendingPathComponent(name + ".private"))
    }
}
