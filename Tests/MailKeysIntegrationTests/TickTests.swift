import Foundation
import MailKeysKit
import Testing

/// `tick` and `zone build` over simulated time: serials, idempotence, repairs, warnings, status.
@Suite struct TickTests {
    /// On a terminal (`script` gives the run a pseudo-terminal), a run shows its stages on one
    /// line of standard error, cleared before the report (issue 18); on a pipe, as under systemd
    /// or cron, nothing but the report.
    @Test func progressIsShownOnATerminalOnly() throws {
        let home = try Support.exampleHome(build: false)
        let command = "'\(try Support.binary)' tick --home '\(home.path)' --now \(Support.now)"
        let tty = try Support.exec(try Support.tool("script"), ["-qec", command, "/dev/null"])
        #expect(tty.status == 0, "\(tty.stdout)\(tty.stderr)")
        #expect(tty.stdout.contains("mailkeys: building and signing the zone of example.org"), "\(tty.stdout)")
        #expect(tty.stdout.contains("\r\u{1B}[K"), "the line is cleared")
        let piped = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:30:00Z")])
        #expect(piped.status == 0)
        #expect(!piped.stderr.contains("\u{1B}[K") && !piped.stderr.contains("mailkeys: building"), "\(piped.stderr)")
    }

    /// A second tick at the same instant changes no file, in any fresh KSK+ZSK home: the run that
    /// made the keys lists the DNSKEYs in the order a later run reads them back (key tags are
    /// random, so many homes; with the two orders differing, about half of them changed).
    @Test func aSecondTickAtTheSameTimeChangesNothingInFreshHomes() throws {
        for n in 0..<16 {
            let home = try Support.exampleHome(build: false)
            let policy = home.appendingPathComponent("mailkeys.toml")
            try Support.read(policy).replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"ksk+zsk\"").write(
                to: policy,
                atomically: true,
                encoding: .utf8
            )
            let first = try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now])
            #expect(first.status == 0, "\(first.stderr)")
            let zones = home.appendingPathComponent("Zones")
            let before = try FileManager.default.contentsOfDirectory(atPath: zones.path).sorted().map {
                ($0, Support.bytes(zones.appendingPathComponent($0)))
            }
            let second = try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now])
            #expect(second.status == 0, "\(second.stderr)")
            #expect(!second.stdout.contains("wrote Zones/"), "home \(n): \(second.stdout)")
            let after = try FileManager.default.contentsOfDirectory(atPath: zones.path).sorted().map {
                ($0, Support.bytes(zones.appendingPathComponent($0)))
            }
            #expect(
                after.map(\.0) == before.map(\.0) && zip(after, before).allSatisfy { $0.1 == $1.1 },
                "home \(n): a file changed"
            )
        }
    }

    static func serial(_ home: URL) throws -> UInt32? {
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        let soa = zone.split(separator: "\n").first { $0.contains("\tSOA\t") }
        return soa.flatMap { UInt32($0.split(whereSeparator: \.isWhitespace)[6]) }
    }

    static func setTTL(_ home: URL, _ value: String) throws {
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("ttl = ") })
        try text.replacingOccurrences(of: String(line), with: "ttl = \(value)").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
    }

    /// A rebuild says what changed: the template, the TLSA records of a new certificate, the
    /// DKIM records of a rollover (issue 17: every rebuild said "policy or template changed").
    @Test func aRebuildSaysWhatChanged() throws {
        let home = try Support.exampleHome()
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try (try Support.read(template) + "why IN A 192.0.2.78\n").write(
            to: template,
            atomically: true,
            encoding: .utf8
        )
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T10:30:00Z")])
        #expect(r.stdout.contains("(template changed)"), "\(r.stdout)")
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let leaf = try ca.leaf("why", at: TestClock.date("2026-11-21T11:00:00Z"))
        r = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.stdout.contains("(TLSA records changed)"), "\(r.stdout)")
        // The first keys sign from 2026-11-21T12:05; a rollover then publishes their successors.
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T13:00:00Z")])
        #expect(r.status == 0, "\(r.stderr)")
        r = try Support.mailkeys([
            "rotate", "dkim", "example.org", "--home", home.path, "--now", TestClock.at("2026-11-21T14:00:00Z"),
        ])
        #expect(r.stdout.contains("(DKIM records changed"), "\(r.stdout)")
    }

    @Test func serialMovesOnlyWhenContentChangesAndNeverBackwards() throws {
        let home = try Support.exampleHome()
        #expect(try Self.serial(home) == 2026112101)

        // Same content a day later: same serial.
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-22T09:00:00Z"])
        #expect(r.status == 0)
        #expect(try Self.serial(home) == 2026112101)

        // A change the next day: that day's first serial.
        try Self.setTTL(home, "\"2h\"")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-22T09:00:00Z"])
        #expect(r.stdout.contains("serial 2026112201 (policy changed)"), "\(r.stdout)")

        // 120 changes in one day: strictly increasing, past ...99.
        var last = try #require(try Self.serial(home))
        for i in 0..<120 {
            try Self.setTTL(home, String(3600 + 60 * (i + 1)))
            r = try Support.mailkeys([
                "zone", "build", "example.org", "--home", home.path, "--now", "2026-11-22T10:00:00Z",
            ])
            #expect(r.status == 0, "\(r.stderr)")
            let now = try #require(try Self.serial(home))
            #expect(now == last + 1)
            last = now
        }
        #expect(last == 2026112201 + 120)

        // The clock goes back a month: signing is refused (the signatures could be expired for
        // everyone else) and nothing changes, not even the MTA-STS policy file, whose text the
        // policy changes too; with --accept-clock the serial still increases.
        try Self.setTTL(home, "\"1h\"")
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        #expect(text.contains("max_age = \"1w\""))
        try text.replacingOccurrences(of: "max_age = \"1w\"", with: "max_age = \"2w\"").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        try BadInputTests.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", "2026-10-01T00:00:00Z"],
            message: "behind the last signing"
        )
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-10-01T00:00:00Z", "--accept-clock"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Self.serial(home) == last + 1)
        let named = try Support.exec(
            try Support.tool("named-checkzone"),
            ["example.org", home.appendingPathComponent("Zones/example.org.zone").path]
        )
        #expect(named.status == 0, "\(named.stdout)")
    }

    @Test func tickRepairsAMissingOrEditedZoneFileWithoutANewSerial() throws {
        let home = try Support.exampleHome()
        let zone = home.appendingPathComponent("Zones/example.org.zone")
        let original = try #require(Support.bytes(zone))
        try FileManager.default.removeItem(at: zone)
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.stdout.contains("serial 2026112101 (zone file is missing)"), "\(r.stdout)")
        #expect(Support.bytes(zone) == original)

        try (try Support.read(zone) + "evil IN A 192.0.2.66\n").write(to: zone, atomically: true, encoding: .utf8)
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.stdout.contains("zone file was changed outside mailkeys"), "\(r.stdout)")
        #expect(Support.bytes(zone) == original)

        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.stdout.contains("1 domain with nothing due: left alone"), "\(r.stdout)")
    }

    @Test func templateRecordWinsWithAWarning() throws {
        let home = try Support.exampleHome()
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try
            (try Support.read(template)
            + "@ IN TXT \"v=spf1 mx include:_spf.example.net -all\"\n@ IN CAA 0 issue \"sectigo.com\"\n")
            .write(to: template, atomically: true, encoding: .utf8)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            r.stderr.contains(
                "warning: Zones/example.org.zone.in line 15: TXT at example.org replaces the generated TXT (spf)"
            ),
            "\(r.stderr)"
        )
        #expect(r.stderr.contains("line 16: CAA at example.org replaces the generated CAA (caa)"), "\(r.stderr)")
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        #expect(zone.contains("\"v=spf1 mx include:_spf.example.net -all\""))
        #expect(!zone.contains("\"v=spf1 mx -all\""))
        #expect(zone.contains("google-site-verification"), "a plain TXT joins the SPF")
        #expect(zone.contains("CAA\t0 issue \"sectigo.com\""))
        #expect(!zone.contains("letsencrypt.org"))
    }

    @Test func mtaSTSIdChangesExactlyWhenThePolicyTextChanges() throws {
        let home = try Support.exampleHome()
        let policyFile = home.appendingPathComponent("Zones/example.org.mta-sts.txt")
        func id() throws -> String {
            let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
            let line = try #require(zone.split(separator: "\n").first { $0.hasPrefix("_mta-sts") })
            return String(try #require(line.split(separator: "id=").last?.dropLast()))
        }
        let first = try id()
        let policy = home.appendingPathComponent("mailkeys.toml")
        // Unrelated change: the zone changes, the MTA-STS id and file do not.
        try Self.setTTL(home, "\"2h\"")
        _ = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(try id() == first)
        // Policy text change: new id, new file.
        try Support.read(policy).replacingOccurrences(of: "mode = \"enforce\"", with: "mode = \"testing\"")
            .write(to: policy, atomically: true, encoding: .utf8)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T13:00:00Z"])
        #expect(r.stdout.contains("wrote MTA-STS policy"))
        let second = try id()
        #expect(second != first)
        #expect(try Support.read(policyFile).contains("mode: testing\r\n"))
        // Back to the first text: back to the first id (the id is the text's digest).
        try Support.read(policy).replacingOccurrences(of: "mode = \"testing\"", with: "mode = \"enforce\"")
            .write(to: policy, atomically: true, encoding: .utf8)
        _ = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T14:00:00Z"])
        #expect(try id() == first)
    }

    @Test func concurrentTicksAreSerialized() throws {
        let home = try Support.exampleHome()
        try Self.setTTL(home, "\"2h\"")
        let group = DispatchGroup()
        nonisolated(unsafe) var results: [Support.Result] = []
        let lock = NSLock()
        for _ in 0..<4 {
            group.enter()
            DispatchQueue.global().async {
                if let r = try? Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"]) {
                    lock.lock()
                    results.append(r)
                    lock.unlock()
                }
                group.leave()
            }
        }
        group.wait()
        #expect(results.count == 4)
        #expect(results.allSatisfy { $0.status == 0 }, "\(results.map(\.stderr))")
        #expect(results.filter { $0.stdout.contains("wrote Zones/example.org.zone serial 2026112102") }.count == 1)
        // The three after it find the domain's work done (the schedule says nothing is due).
        #expect(results.filter { $0.stdout.contains("1 domain with nothing due: left alone") }.count == 3)
    }

    @Test func statusReportsDomainsSerialsRecordsAndJSON() throws {
        let home = try Support.exampleHome()
        var r = try Support.mailkeys(["status", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("example.org\n  serial   2026112101 (built 2026-11-21T10:00:00Z)"))
        #expect(r.stdout.contains("Zones/example.org.zone: current"))
        #expect(
            r.stdout.contains(
                "_dmarc.example.org 3600 TXT \"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org\""
            )
        )
        #expect(r.stdout.contains("next     2026-11-21T12:05:00Z start signing with mk20261121r"), "\(r.stdout)")
        #expect(
            r.stdout.contains(
                "dkim mk20261121e ed25519 published: created 2026-11-21T10:00:00Z, published 2026-11-21T10:00:00Z"
            )
        )

        try Self.setTTL(home, "\"2h\"")
        r = try Support.mailkeys(["status", "--json", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        let report = try JSONDecoder().decode(StatusReport.self, from: Data(r.stdout.utf8))
        let d = try #require(report.domains.first)
        #expect(d.domain == "example.org")
        #expect(d.serial == 2026112101)
        #expect(d.zoneState == "stale")
        #expect(d.next.first?.detail == "build zone example.org: policy or template changed")
        #expect(d.records.contains { $0.type == "MX" && $0.rdata == "10 mail.example.org." && $0.ttl == 7200 })
        #expect(d.records.contains { $0.type == "A" && $0.owner == "www.example.org" } == false)
        #expect(d.records.contains { $0.type == "CNAME" && $0.source == "Zones/example.org.zone.in:9" })
        #expect(d.recent.map(\.action) == ["zone-sign", "zone-build", "dnssec", "dkim", "dkim"])
        let dkim = d.keys.filter { $0.kind == "dkim" }
        #expect(Set(dkim.map(\.name)) == ["mk20261121r", "mk20261121e"])
        #expect(dkim.allSatisfy { $0.state == "published" })
        #expect(d.keys.filter { $0.kind == "dnssec" }.map(\.state) == ["active csk"])
        #expect(d.signaturesExpire != nil)
    }

    @Test func homeComesFromTheEnvironmentWhenNotGiven() throws {
        let home = try Support.exampleHome()
        let r = try Support.mailkeys(["status"], environment: ["MAILKEYS_HOME": home.path])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("serial   2026112101"))
        let missing = try Support.mailkeys(["status"], environment: ["MAILKEYS_HOME": home.path + "/nope"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("is not a mailkeys home"))
    }
}
