import Foundation
import Testing

/// Domains in their own files, `domains/<domain>.toml`, merged over `[defaults]` of
/// `mailkeys.toml` (issue 16): built like the others, edited one file at a time, errors naming
/// the file.
@Suite struct PolicyLayoutTests {
    /// example.org's tables of the example policy as a file of its own for `name`: the
    /// `domains."example.org"` prefix dropped from every table header.
    static func domainFile(_ home: URL, _ name: String) throws -> String {
        let text = try Support.read(home.appendingPathComponent("mailkeys.toml"))
        let start = text.range(of: "[domains.\"example.org\"]")!
        return String(text[start.upperBound...])
            .replacingOccurrences(of: "[[domains.\"example.org\".", with: "[[")
            .replacingOccurrences(of: "[domains.\"example.org\".", with: "[")
            .replacingOccurrences(of: "example.org", with: name)
    }

    static func write(_ text: String, _ url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    @Test func aDomainFileIsADomainAndDefaultsReachEveryDomain() throws {
        let home = try Support.exampleHome()
        let file = home.appendingPathComponent("domains/d2.example.toml")
        try Self.write(try Self.domainFile(home, "d2.example"), file)
        try Self.write("not a policy", home.appendingPathComponent("domains/.d2.example.toml.swp"))
        var r = try ScheduleTests.tick(home, TestClock.at("2026-11-21T10:05:00Z"))
        #expect(ScheduleTests.named(r) == ["d2.example"], "\(r.stdout)")
        let zone = home.appendingPathComponent("Zones/d2.example.zone")
        #expect(try Support.read(zone).contains("mail.d2.example."))

        // [defaults] lies under both: the CAA table gains iodef in both zones.
        let policy = home.appendingPathComponent("mailkeys.toml")
        try (try Support.read(policy) + "\n[defaults.caa]\niodef = [\"mailto:security@example.org\"]\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        r = try ScheduleTests.tick(home, TestClock.at("2026-11-21T10:10:00Z"))
        #expect(ScheduleTests.named(r) == ["d2.example", "example.org"], "\(r.stdout)")
        for z in [zone, home.appendingPathComponent("Zones/example.org.zone")] {
            #expect(try Support.read(z).contains("iodef \"mailto:security@example.org\""), "\(z.path)")
        }

        // An edit of the file runs its domain only.
        try (try Support.read(file)).replacingOccurrences(of: "retry = \"1h\"", with: "retry = \"2h\"").write(
            to: file,
            atomically: true,
            encoding: .utf8
        )
        r = try ScheduleTests.tick(home, TestClock.at("2026-11-21T10:15:00Z"))
        #expect(ScheduleTests.named(r) == ["d2.example"], "\(r.stdout)")
        #expect(r.stdout.contains("1 domain with nothing due"), "\(r.stdout)")

        // A certificate for d2's MX host finds d2 by what the store recorded of its file, which
        // this run does not read until it knows d2 is concerned.
        let issued = TestClock.date("2026-11-21T10:20:00Z")
        let ca = try TestCA(at: issued)
        let leaf = try ca.leaf("d2", names: ["mail.d2.example"], at: issued)
        r = try Support.mailkeys([
            "tls", "import", "mail.d2.example", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T10:20:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(ScheduleTests.named(r) == ["d2.example"], "\(r.stdout)")
        #expect(try Support.read(zone).contains("TLSA"))

        // status of one domain reads that domain's file (and the facts of the others).
        let s = try Support.mailkeys([
            "status", "d2.example", "--json", "--home", home.path, "--now", TestClock.at("2026-11-21T10:25:00Z"),
        ])
        #expect(s.status == 0, "\(s.stderr)")
        #expect(
            s.stdout.contains("\"mail.d2.example\"") && s.stdout.contains("TLSA")
                && !s.stdout.contains("\"example.org\""),
            "\(s.stdout)"
        )
    }

    /// `status DOMAIN` reads that domain's file only; the DMARC report authorisations other
    /// domain files need in its zone come from what the store recorded of them.
    @Test func statusOfOneDomainHasTheAuthorisationsOtherFilesNeed() throws {
        let home = try Support.exampleHome()
        try Self.write(try Self.domainFile(home, "d2.example"), home.appendingPathComponent("domains/d2.example.toml"))
        // d3 sends its DMARC reports to d2, d4 to reports.d2.example: d2's zone authorises both
        // (RFC 7489 section 7.1).
        for (source, mailbox) in [("d3.example", "d2.example"), ("d4.example", "reports.d2.example")] {
            var text = try Self.domainFile(home, source)
            let dmarc = try #require(text.range(of: "[dmarc]"))
            let rua = try #require(text.range(of: "dmarc-reports@\(source)", range: dmarc.upperBound..<text.endIndex))
            text.replaceSubrange(rua, with: "dmarc-reports@\(mailbox)")
            try Self.write(text, home.appendingPathComponent("domains/\(source).toml"))
        }
        let at = TestClock.at("2026-11-21T10:05:00Z")
        _ = try ScheduleTests.tick(home, at)
        // Relative to d2.example in its zone file.
        let records = ["d3.example._report._dmarc", "d4.example._report._dmarc.reports"]
        for record in records {
            #expect(try Support.read(home.appendingPathComponent("Zones/d2.example.zone")).contains(record))
        }

        let s = try Support.mailkeys(["status", "d2.example", "--json", "--home", home.path, "--now", at])
        #expect(s.status == 0, "\(s.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
        let domains = try #require(report?["domains"] as? [[String: Any]])
        #expect(domains.map { $0["domain"] as? String } == ["d2.example"])
        #expect(domains.first?["zoneState"] as? String == "current", "\(s.stdout)")
        let owners = (domains.first?["records"] as? [[String: Any]] ?? []).compactMap { $0["owner"] as? String }
        for record in records { #expect(owners.contains { $0.hasPrefix(record + ".d2.example") }, "\(owners)") }
        // A domain no file or table names is refused as before.
        let unknown = try Support.mailkeys(["status", "d9.example", "--home", home.path, "--now", at])
        #expect(unknown.status != 0 && unknown.stderr.contains("d9.example"), "\(unknown.stderr)")
    }

    /// A certificate's run finds the files naming its host as MX through the store and reads
    /// only those: another file's edit, even a broken one, is the next tick's; the DMARC report
    /// authorisations other files need in the host's zone, and the signer tables, are kept as
    /// the last tick left them, so that tick runs only the domain edited.
    @Test func aCertificateReadsOnlyTheFilesNamingItsHost() throws {
        let home = try Support.exampleHome()
        try Self.write(try Self.domainFile(home, "d2.example"), home.appendingPathComponent("domains/d2.example.toml"))
        var d3 = try Self.domainFile(home, "d3.example")
        let dmarc = try #require(d3.range(of: "[dmarc]"))
        let rua = try #require(d3.range(of: "dmarc-reports@d3.example", range: dmarc.upperBound..<d3.endIndex))
        d3.replaceSubrange(rua, with: "dmarc-reports@d2.example")
        try Self.write(d3, home.appendingPathComponent("domains/d3.example.toml"))
        let d4File = home.appendingPathComponent("domains/d4.example.toml")
        let d4 = try Self.domainFile(home, "d4.example")
        try Self.write(d4, d4File)
        let keyTable = home.appendingPathComponent("Keys/opendkim/KeyTable")
        _ = try ScheduleTests.tick(home, TestClock.at("2026-11-21T10:05:00Z"))
        let authorisation = "d3.example._report._dmarc"
        let d2Zone = home.appendingPathComponent("Zones/d2.example.zone")
        #expect(try Support.read(d2Zone).contains(authorisation))
        let tables = try Support.read(keyTable)

        // d4 now names d2's MX host too, and d5's new file is broken: neither is read.
        let mx = try #require(d4.range(of: "[dmarc]"))
        try Self.write(
            d4.replacingCharacters(in: mx, with: "[[mx]]\nhost = \"mail.d2.example\"\npreference = 20\n\n[dmarc]"),
            d4File
        )
        let d5File = home.appendingPathComponent("domains/d5.example.toml")
        try Self.write("[soa\nbroken", d5File)
        let issued = TestClock.date("2026-11-21T10:20:00Z")
        let ca = try TestCA(at: issued)
        let leaf = try ca.leaf("d2", names: ["mail.d2.example"], at: issued)
        let r = try Support.mailkeys([
            "tls", "import", "mail.d2.example", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T10:20:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let zoneLines = r.stdout.split(separator: "\n").filter {
            $0.contains(": wrote Zones/") || $0.contains(": signed Zones/")
        }
        #expect(zoneLines.allSatisfy { $0.hasPrefix("d2.example: ") } && !zoneLines.isEmpty, "\(r.stdout)")
        #expect(r.stdout.contains("3 other domains not looked at"), "\(r.stdout)")
        let zone = try Support.read(d2Zone)
        #expect(zone.contains("TLSA") && zone.contains(authorisation), "\(zone)")
        #expect(try Support.read(keyTable) == tables)
        // certbot's pre- and post-hooks, run around every renewal, read no domain file either.
        for hook in ["--pre", "--post"] {
            let h = try Support.mailkeys([
                "certbot-hook", hook, "--home", home.path, "--now", TestClock.at("2026-11-21T10:21:00Z"),
            ])
            #expect(h.status == 0, "\(hook): \(h.stderr)")
        }

        // The broken file stops the tick, naming it; once it is gone, only d4 (edited) runs:
        // d2's zone, made by the certificate's run, is what the tick would make.
        let broken = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:25:00Z")])
        #expect(broken.status != 0 && broken.stderr.contains("d5.example.toml"), "\(broken.stderr)")
        try FileManager.default.removeItem(at: d5File)
        let tick = try ScheduleTests.tick(home, TestClock.at("2026-11-21T10:30:00Z"))
        let ran = tick.stdout.split(separator: "\n").filter {
            $0.contains(": wrote Zones/") || $0.contains("zone unchanged")
        }
        #expect(ran.count == 1 && ran[0].hasPrefix("d4.example: "), "\(tick.stdout)")
        #expect(tick.stdout.contains("3 domains with nothing due"), "\(tick.stdout)")
    }

    @Test func mistakesNameTheFileAndChangeNothing() throws {
        let home = try Support.exampleHome()
        let file = home.appendingPathComponent("domains/d2.example.toml")
        try Self.write("tll = 5\n" + (try Self.domainFile(home, "d2.example")), file)
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:05:00Z")],
            message: "domains/d2.example.toml: tll: unknown key"
        )
        try Self.write("[dmarc\n", file)
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:05:00Z")],
            message: "domains/d2.example.toml line 1"
        )
        try FileManager.default.removeItem(at: file)
        try Self.write(
            try Self.domainFile(home, "example.org"),
            home.appendingPathComponent("domains/example.org.toml")
        )
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:05:00Z")],
            message: "a domain is listed twice: example.org"
        )
    }
}
