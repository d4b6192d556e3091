import Foundation
import Testing

/// Runs over several domains touch only the domains with something due (issue 16): an idle
/// tick leaves every domain alone, an edit, a damaged file, a due event or a certificate runs
/// its own domain only, and the `next:` line still names the earliest event of every domain.
@Suite struct ScheduleTests {
    /// A home with example.org plus `extra` domains made from its policy section (their own MX
    /// and NS hosts), built at `at`.
    static func home(extra: [String], at: String = Support.now) throws -> URL {
        try built(extra: extra, at: at).home
    }

    static func built(extra: [String], at: String = Support.now) throws -> (home: URL, tick: Support.Result) {
        let home = try Support.exampleHome(build: false, at: at)
        try add(extra, to: home)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", at])
        guard r.status == 0 else { throw Support.Failure("tick failed: \(r.stderr)") }
        return (home, r)
    }

    /// Appends a copy of example.org's policy section for each name.
    static func add(_ names: [String], to home: URL) throws {
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        // example.org's tables: from its header to the first table of another domain.
        let start = text.range(of: "[domains.\"example.org\"]")!.lowerBound
        let lines = text[start...].split(separator: "\n", omittingEmptySubsequences: false)
        let own = lines.prefix { line in
            !(line.hasPrefix("[domains.\"") || line.hasPrefix("[[domains.\""))
                || line.contains("domains.\"example.org\"")
        }
        let section = own.joined(separator: "\n")
        var out = text
        for name in names { out += "\n" + section.replacingOccurrences(of: "example.org", with: name) }
        try out.write(to: policy, atomically: true, encoding: .utf8)
    }

    static func tick(_ home: URL, _ at: String) throws -> Support.Result {
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", at])
        #expect(r.status == 0, "\(r.stderr)")
        return r
    }

    static func next(_ r: Support.Result) -> String {
        r.stdout.split(separator: "\n").last { $0.hasPrefix("next: ") }.map(String.init) ?? ""
    }

    /// The domains of these tests that a run's report lines name (before the first colon).
    static func named(_ r: Support.Result) -> Set<String> {
        let domains: Set = ["example.org", "d2.example", "d3.example"]
        return Set(
            r.stdout.split(separator: "\n").compactMap { line in
                guard !line.hasPrefix("next: "), let colon = line.firstIndex(of: ":") else { return nil }
                return domains.contains(String(line[..<colon])) ? String(line[..<colon]) : nil
            }
        )
    }

    @Test func idleTickLeavesEveryDomainAloneAndKeepsTheNextEvent() throws {
        let (home, first) = try Self.built(extra: ["d2.example", "d3.example"])
        let zones = home.appendingPathComponent("Zones")
        let before = try Support.listing(zones)
        let idle = try Self.tick(home, TestClock.at("2026-11-21T10:01:00Z"))
        #expect(idle.stdout.contains("3 domains with nothing due: left alone"), "\(idle.stdout)")
        #expect(Self.named(idle).isEmpty, "\(idle.stdout)")
        #expect(Self.next(idle) == Self.next(first) && !Self.next(first).isEmpty, "\(first.stdout)\n\(idle.stdout)")
        #expect(try Support.listing(zones) == before)
    }

    @Test func anEditOrADamagedFileRunsOnlyItsDomain() throws {
        let home = try Self.home(extra: ["d2.example", "d3.example"])
        let policy = home.appendingPathComponent("mailkeys.toml")
        var text = try Support.read(policy)
        let d2 = text.range(of: "[domains.\"d2.example\"]")!
        let ttl = text.range(of: "ttl = \"1h\"", range: d2.upperBound..<text.endIndex)!
        text.replaceSubrange(ttl, with: "ttl = \"2h\"")
        try text.write(to: policy, atomically: true, encoding: .utf8)
        let edited = try Self.tick(home, TestClock.at("2026-11-21T10:01:00Z"))
        #expect(Self.named(edited) == ["d2.example"], "\(edited.stdout)")
        #expect(edited.stdout.contains("2 domains with nothing due"), "\(edited.stdout)")
        #expect(try Support.read(home.appendingPathComponent("Zones/d2.example.zone")).contains("$TTL 7200"))

        try FileManager.default.removeItem(at: home.appendingPathComponent("Zones/d3.example.zone"))
        let repaired = try Self.tick(home, TestClock.at("2026-11-21T10:02:00Z"))
        #expect(Self.named(repaired) == ["d3.example"], "\(repaired.stdout)")
        #expect(FileManager.default.fileExists(atPath: home.appendingPathComponent("Zones/d3.example.zone").path))

        // A new report authorisation in example.org's zone is an input of example.org only.
        text = try Support.read(policy)
        text = text.replacingOccurrences(
            of: "rua = [\"mailto:dmarc-reports@d3.example\"]\n# sp",
            with: "rua = [\"mailto:dmarc-reports@example.org\"]\n# sp"
        )
        try text.write(to: policy, atomically: true, encoding: .utf8)
        let authorised = try Self.tick(home, TestClock.at("2026-11-21T10:03:00Z"))
        #expect(Self.named(authorised) == ["d3.example", "example.org"], "\(authorised.stdout)")
        let org = try Support.read(home.appendingPathComponent("Zones/example.org.zone"))
        #expect(org.contains("d3.example._report._dmarc"), "\(org)")
    }

    @Test func aDueEventRunsOnlyTheDomainsItBelongsTo() throws {
        let home = try Self.home(extra: ["d2.example"])
        // d3 joins an hour later: its DKIM keys start signing an hour after the others'.
        try Self.add(["d3.example"], to: home)
        let joined = try Self.tick(home, TestClock.at("2026-11-21T11:00:00Z"))
        #expect(Self.named(joined) == ["d3.example"], "\(joined.stdout)")
        let next = String(Self.next(joined).dropFirst("next: ".count).prefix { $0 != " " })
        #expect(next == TestClock.at("2026-11-21T12:05:00Z"), "\(joined.stdout)")
        #expect(Self.next(joined).contains("(d2.example: ") || Self.next(joined).contains("(example.org: "))
        let due = try Self.tick(home, next)
        #expect(Self.named(due) == ["d2.example", "example.org"], "\(due.stdout)")
        #expect(due.stdout.contains("1 domain with nothing due"), "\(due.stdout)")
        #expect(Self.next(due).contains("(d3.example: "), "\(due.stdout)")
        #expect(try Self.signing(home) == ["d2.example", "example.org"])
        // d3's keys start signing in a run of d3 alone: the signers' tables gain them and keep
        // the keys of the domains that run left alone.
        let d3 = try Self.tick(home, TestClock.at("2026-11-21T13:05:00Z"))
        #expect(Self.named(d3) == ["d3.example"], "\(d3.stdout)")
        #expect(try Self.signing(home) == ["d2.example", "d3.example", "example.org"])
    }

    /// The domains with a signing key in OpenDKIM's RSA and Ed25519 key tables, each with the
    /// same number of keys.
    static func signing(_ home: URL) throws -> Set<String> {
        var all: [[String]] = []
        for table in ["KeyTable", "KeyTable.ed25519"] {
            let text = try Support.read(home.appendingPathComponent("Keys/opendkim/\(table)"))
            all.append(
                text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
                    line.split(separator: " ").dropFirst().first?.split(separator: ":").first.map(String.init)
                }.sorted()
            )
        }
        #expect(all[0] == all[1], "RSA and Ed25519 tables list different domains")
        return Set(all[0])
    }

    @Test func aCertificateRunsOnlyTheDomainsListingItsHost() throws {
        let home = try Self.home(extra: ["d2.example", "d3.example"])
        let issued = TestClock.date("2026-11-21T11:00:00Z")
        let ca = try TestCA(at: issued)
        let leaf = try ca.leaf("d2", names: ["mail.d2.example"], at: issued)
        // d3 gets a template: a certificate's run leaves it (and the key sweep) to the next tick.
        try "; records of d3.example beyond the policy's\n".write(
            to: home.appendingPathComponent("Zones/d3.example.zone.in"),
            atomically: false,
            encoding: .utf8
        )
        // A line added to a signer table by hand: a run of one domain still puts the table back.
        let keyTable = home.appendingPathComponent("Keys/opendkim/KeyTable")
        let written = try Support.read(keyTable)
        try (written + "mk1._domainkey.d3.example d3.example:mk1:/tmp/stolen.pem\n").write(
            to: keyTable,
            atomically: false,
            encoding: .utf8
        )
        let r = try Support.mailkeys([
            "tls", "import", "mail.d2.example", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(Self.named(r) == ["d2.example"], "\(r.stdout)")
        #expect(try Support.read(home.appendingPathComponent("Zones/d2.example.zone")).contains("TLSA"))
        #expect(!(try Support.read(home.appendingPathComponent("Zones/d3.example.zone")).contains("TLSA")))
        #expect(try Support.read(keyTable) == written, "\(r.stdout)")
        #expect(r.stdout.contains("2 other domains not looked at: their events and edits are the next tick's"))
        let tick = try Self.tick(home, TestClock.at("2026-11-21T11:01:00Z"))
        #expect(Self.named(tick) == ["d3.example"], "\(tick.stdout)")
    }

    /// The zones a run's report says it signed.
    static func signed(_ r: Support.Result) -> [String] {
        r.stdout.split(separator: "\n").compactMap { line in
            line.contains(": signed Zones/") ? String(line.prefix { $0 != ":" }) : nil
        }
    }

    /// `ldns-verify-zone` of every zone of the home at `at` (signatures valid then).
    static func verify(_ home: URL, _ names: [String], at: String) throws {
        let time = String(at.filter(\.isNumber).prefix(14))
        for name in names {
            let file = home.appendingPathComponent("Zones/\(name).zone.signed").path
            let r = try Support.exec(try Support.tool("ldns-verify-zone"), ["-t", time, file])
            #expect(r.status == 0, "\(name) at \(at): \(r.stdout) \(r.stderr)")
        }
    }

    /// A domain taken out of the policy without being taken down is reported by every run that
    /// reads the policy, with when its signed zone goes bogus, until it is back (issue 17);
    /// `status` of it says the store still holds it.
    @Test func aDomainTakenOutOfThePolicyIsReportedByEveryRun() throws {
        let home = try Self.home(extra: ["d2.example"])
        let policy = home.appendingPathComponent("mailkeys.toml")
        let full = try Support.read(policy)
        let start = try #require(full.range(of: "\n[domains.\"d2.example\"]"))
        try String(full[..<start.lowerBound]).write(to: policy, atomically: true, encoding: .utf8)
        for at in ["2026-11-21T10:05:00Z", "2026-11-21T10:10:00Z"] {
            let r = try Self.tick(home, TestClock.at(at))
            #expect(r.stderr.contains("d2.example is in the store but not in the policy"), "\(r.stderr)")
            #expect(
                r.stderr.contains("its signed zone goes bogus on the nameservers still serving it at"),
                "\(r.stderr)"
            )
        }
        let status = try Support.mailkeys([
            "status", "d2.example", "--home", home.path, "--now", TestClock.at("2026-11-21T10:10:00Z"),
        ])
        #expect(status.status != 0 && status.stderr.contains("the store holds it, but the policy no longer lists it"))
        try full.write(to: policy, atomically: true, encoding: .utf8)
        let back = try Self.tick(home, TestClock.at("2026-11-21T10:15:00Z"))
        #expect(!back.stderr.contains("not in the policy"), "\(back.stderr)")
    }

    /// A run builds and writes its zones a batch at a time (16 per core, or
    /// `MAILKEYS_ZONE_BATCH`), so the first tick of thousands of domains never holds them all:
    /// three new domains one zone at a time are all signed, verify, and leave the next tick
    /// nothing to do; a bad value is refused before anything is done.
    @Test func zonesAreBuiltAndWrittenABatchAtATime() throws {
        let home = try Support.exampleHome(build: false, at: Support.now)
        try Self.add(["d2.example", "d3.example"], to: home)
        let arguments = ["tick", "--home", home.path, "--now", Support.now]
        let bad = try Support.mailkeys(arguments, environment: ["MAILKEYS_ZONE_BATCH": "0"])
        #expect(bad.status == 64 && bad.stderr.contains("MAILKEYS_ZONE_BATCH must be a number"), "\(bad.stderr)")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("Zones/d2.example.zone").path))
        let r = try Support.mailkeys(arguments, environment: ["MAILKEYS_ZONE_BATCH": "1"])
        #expect(r.status == 0, "\(r.stderr)")
        let names = ["d2.example", "d3.example", "example.org"]
        #expect(Self.signed(r).sorted() == names, "\(r.stdout)")
        try Self.verify(home, names, at: Support.now)
        let idle = try Self.tick(home, TestClock.at("2026-11-21T10:01:00Z"))
        #expect(idle.stdout.contains("3 domains with nothing due: left alone"), "\(idle.stdout)")
    }

    @Test func aDayWhenEveryZoneFallsDueIsSpreadOverRuns() throws {
        let names = ["d2.example", "d3.example", "example.org"]
        let home = try Self.home(extra: ["d2.example", "d3.example"])
        // Past the DKIM keys' first steps: what falls due next is the zones' re-signing.
        _ = try Self.tick(home, TestClock.at("2026-11-22T10:00:00Z"))
        let late = FileManager.default.temporaryDirectory.appendingPathComponent("late-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: home, to: late)
        defer { try? FileManager.default.removeItem(at: late) }

        // Signed at 11-21T10:00 for 14 days less up to 12 h of jitter, each zone is due 5 days
        // before that: by 11-30T10:00 all three. A home of three domains takes on one a run
        // (3 × 1 h over the 2.5 days to the deadline, rounded up); the others wait, in order.
        var seen: [String] = []
        for (i, hour) in ["10", "11", "12"].enumerated() {
            let at = TestClock.at("2026-11-30T\(hour):00:00Z")
            let r = try Self.tick(home, at)
            #expect(Self.signed(r).count == 1, "\(r.stdout)")
            seen += Self.signed(r)
            let waiting = 2 - i
            #expect(
                r.stdout.contains(
                    "\(waiting) zone\(waiting == 1 ? "" : "s") due for new signatures left for the next runs (at most 1 a run"
                )
                    == (waiting > 0),
                "\(r.stdout)"
            )
            try Self.verify(home, names, at: at)
        }
        #expect(seen.sorted() == names)
        let after = try Self.tick(home, TestClock.at("2026-11-30T13:00:00Z"))
        #expect(Self.signed(after).isEmpty, "\(after.stdout)")

        // A timer that did not run for days: every zone past its deadline (half the 5-day
        // refresh window gone) is signed in the one run, whatever the share.
        let at = TestClock.at("2026-12-03T00:00:00Z")
        let r = try Self.tick(late, at)
        #expect(Self.signed(r).sorted() == names, "\(r.stdout)")
        #expect(!r.stdout.contains("left for the next runs"), "\(r.stdout)")
        try Self.verify(late, names, at: at)
    }
}
