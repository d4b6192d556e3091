import Foundation
import Testing

/// The embedded example end to end: init, tick, golden files, real zone checkers and a real NSD.
@Suite struct ExampleZoneTests {
    @Test func exampleZoneMatchesGoldenFilesAndIsIdempotent() throws {
        let home = try Support.exampleHome()
        let zone = home.appendingPathComponent("Zones/example.org.zone")
        try Support.assertSnapshot(Support.maskDKIM(try Support.read(zone)), named: "example.org.zone")
        try Support.assertSnapshot(
            try Support.read(home.appendingPathComponent("mailkeys.toml")),
            named: "example.org.mailkeys.toml"
        )
        try Support.assertSnapshot(
            try Support.read(home.appendingPathComponent("Zones/example.org.mta-sts.txt")),
            named: "example.org.mta-sts.txt"
        )

        let before = Support.bytes(zone)
        let second = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:00:00Z"])
        #expect(second.status == 0)
        #expect(second.stdout.contains("1 domain with nothing due: left alone"), "\(second.stdout)")
        #expect(!second.stdout.contains("wrote"))
        #expect(Support.bytes(zone) == before)
    }

    @Test func keysDirectoryAndStoreArePrivate() throws {
        let home = try Support.exampleHome()
        let keys = try FileManager.default.attributesOfItem(atPath: home.appendingPathComponent("Keys").path)
        #expect((keys[.posixPermissions] as? Int) == 0o700)
        let store = try FileManager.default.attributesOfItem(
            atPath: home.appendingPathComponent("Keys/mailkeys.sqlite").path
        )
        #expect((store[.posixPermissions] as? Int) == 0o600)
    }

    @Test func namedCheckzoneAndLdnsReadZoneAcceptTheZone() throws {
        let home = try Support.exampleHome()
        let zone = home.appendingPathComponent("Zones/example.org.zone").path
        let named = try Support.exec(
            try Support.tool("named-checkzone"),
            ["-k", "fail", "-n", "fail", "example.org", zone]
        )
        #expect(named.status == 0, "named-checkzone: \(named.stdout) \(named.stderr)")
        #expect(named.stdout.contains("loaded serial 2026112101"))
        let ldns = try Support.exec(try Support.tool("ldns-read-zone"), ["-z", zone])
        #expect(ldns.status == 0, "ldns-read-zone: \(ldns.stderr)")
        #expect(ldns.stdout.contains("example.org.\t3600\tIN\tMX\t10 mail.example.org."))
    }

    @Test func nsdServesTheRecordsExactlyAsThePolicySays() throws {
        let home = try Support.exampleHome()
        let server = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone"))])
        func answer(_ name: String, _ type: String) throws -> [String] {
            let r = try server.query(name, type)
            #expect(r.status == 0, "dig \(name) \(type): \(r.stderr)")
            return r.stdout.split(separator: "\n").map(String.init).sorted()
        }
        #expect(try answer("example.org", "MX") == ["10 mail.example.org."])
        #expect(try answer("example.org", "NS") == ["ns1.example.org.", "ns2.example.net."])
        #expect(
            try answer("example.org", "SOA").first?.contains(
                "ns1.example.org. hostmaster.example.org. 2026112101 10800 3600 604800 3600"
            ) == true
        )
        #expect(try answer("mail.example.org", "A") == ["192.0.2.25"])
        #expect(try answer("mail.example.org", "AAAA") == ["2001:db8::25"])
        #expect(try answer("example.org", "TXT").contains("\"v=spf1 mx -all\""))
        #expect(try answer("mail.example.org", "TXT") == ["\"v=spf1 a -all\""])
        #expect(
            try answer("_dmarc.example.org", "TXT") == ["\"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org\""]
        )
        #expect(try answer("_smtp._tls.example.org", "TXT") == ["\"v=TLSRPTv1; rua=mailto:dmarc-reports@example.org\""])
        #expect(try answer("example.org", "CAA") == ["0 issue \"letsencrypt.org\""])

        // The MTA-STS id is the digest of the policy file the web server gets: check with sha256sum.
        let policyFile = home.appendingPathComponent("Zones/example.org.mta-sts.txt")
        #expect(
            try Support.read(policyFile)
                == "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n"
        )
        let sum = try Support.exec(try Support.tool("sha256sum"), [policyFile.path]).stdout.prefix(20)
        #expect(try answer("_mta-sts.example.org", "TXT") == ["\"v=STSv1; id=\(sum)\""])
        let kdig = try Support.exec(
            try Support.tool("kdig"),
            ["@127.0.0.1", "-p", String(server.port), "+short", "_mta-sts.example.org", "TXT"]
        )
        #expect(kdig.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "\"v=STSv1; id=\(sum)\"")
    }

    @Test func longTXTIsSplitAndServedWhole() throws {
        let home = try Support.exampleHome()
        let networks = (1...30).map { "ip4:198.51.100.\($0)" }.joined(separator: " ")
        let spf = "v=spf1 mx \(networks) -all"
        #expect(spf.utf8.count > 510)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "spf = \"v=spf1 mx -all\"", with: "spf = \"\(spf)\"")
            .write(to: policy, atomically: true, encoding: .utf8)
        let tick = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(tick.status == 0, "\(tick.stderr)")
        #expect(tick.stdout.contains("serial 2026112102"))
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        let line = try #require(zone.split(separator: "\n").first { $0.contains("v=spf1 mx ip4") })
        #expect(line.components(separatedBy: "\" \"").count == 3, "over 510 octets → 3 strings of ≤255: \(line)")
        let server = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone"))])
        let r = try server.query("example.org", "TXT")
        let answer = try #require(r.stdout.split(separator: "\n").first { $0.contains("v=spf1") })
        #expect(answer.replacingOccurrences(of: "\" \"", with: "") == "\"\(spf)\"")
    }
}
