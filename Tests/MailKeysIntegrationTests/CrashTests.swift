import Foundation
import Testing

/// Crash and I/O-error injection (`MAILKEYS_FAULT`, ``FaultPoint``): every command that changes a
/// home is killed with SIGKILL at each of its file-system steps in turn, and made to fail with EIO
/// or ENOSPC at each step; after each, one `tick` must bring the home to the state of a twin that
/// never crashed (the command done, or not done at all), with an intact store, no staged or
/// temporary file left, a signed zone that verifies, every published key backed by its private
/// key file and store row, and a second `tick` at the same time changing no file.
@Suite struct CrashTests {
    /// A command to break: a prepared home, its arguments, its environment.
    struct Scenario: CustomStringConvertible, Sendable {
        var description: String
        /// Makes the home the command starts from.
        var prepare: @Sendable () throws -> URL
        var arguments: @Sendable (URL) -> [String]
        var environment: @Sendable (URL) -> [String: String] = { _ in [:] }
        /// When the command and the repairing ticks run.
        var at = CrashTests.t1
    }

    static let t0 = TestClock.at("2026-11-21T10:00:00Z")
    static let t1 = TestClock.at("2026-11-21T11:00:00Z")
    static let t1Date = TestClock.date("2026-11-21T11:00:00Z")
    /// Ten days on: the first DKIM keys are active, so a rollover can start.
    static let t10 = TestClock.at("2026-12-01T10:00:00Z")

    /// The example home with a KSK and a ZSK, built at `t0` when `build`.
    static func base(build: Bool = true) throws -> URL {
        let home = try Support.exampleHome(build: false, at: t0)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"ksk+zsk\"")
            .write(to: policy, atomically: true, encoding: .utf8)
        if build { try tick(home, at: t0, expect: 0) }
        return home
    }

    /// A certificate for mail.example.org issued at `t1` by a throw-away CA (files outside the home).
    static func leaf(_ name: String) throws -> (fullchain: URL, key: URL) {
        let ca = try TestCA(at: t1Date)
        let l = try ca.leaf(name, at: t1Date)
        return (l.fullchain, l.key)
    }

    static let scenarios: [Scenario] = [
        Scenario(
            description: "tick on a new home",
            prepare: { try base(build: false) },
            arguments: { ["tick", "--home", $0.path, "--now", t0] },
            at: t0
        ),
        Scenario(
            description: "rotate dkim",
            prepare: { try base() },
            arguments: { ["rotate", "dkim", "--all", "--home", $0.path, "--now", t10] },
            at: t10
        ),
        Scenario(
            description: "rotate zsk",
            prepare: { try base() },
            arguments: { ["rotate", "zsk", "example.org", "--home", $0.path, "--now", t1] }
        ),
        Scenario(
            description: "rotate ksk",
            prepare: { try base() },
            arguments: { ["rotate", "ksk", "example.org", "--home", $0.path, "--now", t1] }
        ),
        Scenario(
            description: "tls import",
            prepare: {
                let home = try base()
                let l = try leaf("imported")
                for (file, name) in [(l.fullchain, "fullchain.pem"), (l.key, "privkey.pem")] {
                    try FileManager.default.copyItem(at: file, to: home.appendingPathComponent("in-\(name)"))
                }
                return home
            },
            arguments: {
                [
                    "tls", "import", "mail.example.org", "--cert", $0.appendingPathComponent("in-fullchain.pem").path,
                    "--key",
                    $0.appendingPathComponent("in-privkey.pem").path, "--home", $0.path, "--now", t1,
                ]
            }
        ),
        Scenario(
            description: "certbot-hook",
            prepare: {
                let home = try base()
                let lineage = home.appendingPathComponent("le/live/mail.example.org")
                try FileManager.default.createDirectory(at: lineage, withIntermediateDirectories: true)
                let l = try leaf("hooked")
                try FileManager.default.copyItem(at: l.fullchain, to: lineage.appendingPathComponent("fullchain.pem"))
                try FileManager.default.copyItem(at: l.key, to: lineage.appendingPathComponent("privkey.pem"))
                return home
            },
            arguments: {
                [
                    "certbot-hook", "--letsencrypt-dir", $0.appendingPathComponent("le").path, "--home", $0.path,
                    "--now", t1,
                ]
            },
            environment: {
                [
                    "RENEWED_LINEAGE": $0.appendingPathComponent("le/live/mail.example.org").path,
                    "RENEWED_DOMAINS": "mail.example.org",
                ]
            }
        ),
        Scenario(
            // Sixteen Ed25519 keys start signing in one run: their rspamd copies are written
            // together (AtomicFile.writeAll: one syncfs for all of them, then the renames).
            description: "tick starting the DKIM keys of 16 domains",
            prepare: {
                let home = try base(build: false)
                try ScheduleTests.add((1...15).map { "d\($0).example" }, to: home)
                try tick(home, at: t0, expect: 0)
                return home
            },
            arguments: { ["tick", "--home", $0.path, "--now", TestClock.at("2026-11-21T12:05:00Z")] },
            at: TestClock.at("2026-11-21T12:05:00Z")
        ),
        Scenario(
            description: "tick archiving a removed domain",
            prepare: {
                let home = try DomainRemovalTests.twoDomains(at: t0)
                try tick(home, at: t0, expect: 0)
                for (args, at) in [
                    (["domain", "remove", "example.net"], TestClock.at("2026-11-21T10:10:00Z")),
                    (["domain", "remove", "example.net", "--confirm"], TestClock.at("2026-11-21T10:20:00Z")),
                ] {
                    let r = try Support.mailkeys(args + ["--home", home.path, "--now", at])
                    guard r.status == 0 else { throw Support.Failure("\(args): \(r.stderr)") }
                }
                try DomainRemovalTests.dropNet(home)
                return home
            },
            arguments: { ["tick", "--home", $0.path, "--now", t1] }
        ),
    ]

    @discardableResult
    static func tick(_ home: URL, at: String, expect status: Int32? = nil) throws -> Support.Result {
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", at])
        if let status, r.status != status { throw Support.Failure("tick at \(at) exited \(r.status): \(r.stderr)") }
        return r
    }

    /// A copy of `home` to break.
    static func copy(_ home: URL) throws -> URL {
        let dest = try Support.scratch("crash")
        try FileManager.default.removeItem(at: dest)
        let r = try Support.exec("/bin/cp", ["-a", home.path, dest.path])
        guard r.status == 0 else { throw Support.Failure("cp: \(r.stderr)") }
        return dest
    }

    /// How many fault points the command passes on an unbroken copy.
    static func steps(_ s: Scenario, _ base: URL) throws -> Int {
        let home = try copy(base)
        defer { try? FileManager.default.removeItem(at: home) }
        let r = try Support.mailkeys(
            s.arguments(home),
            environment: s.environment(home).merging(["MAILKEYS_FAULT": "count"]) { $1 }
        )
        guard r.status == 0,
            let line = r.stderr.split(separator: "\n").last(where: { $0.hasPrefix("mailkeys-fault-steps: ") }),
            let n = Int(line.dropFirst("mailkeys-fault-steps: ".count))
        else { throw Support.Failure("\(s): \(r.stderr)") }
        return n
    }

    static func sql(_ home: URL, _ query: String) throws -> String {
        let r = try Support.exec(
            try Support.tool("sqlite3"),
            [home.appendingPathComponent("Keys/mailkeys.sqlite").path, query]
        )
        guard r.status == 0 else { throw Support.Failure("sqlite3: \(r.stderr)") }
        return r.stdout
    }

    /// The SHA-256 of `file` in hex, as sha256sum computes it (the store's `file_hash`); empty
    /// when there is no file.
    static func sha256(_ file: URL) throws -> String {
        guard FileManager.default.fileExists(atPath: file.path) else { return "" }
        let r = try Support.exec(try Support.tool("sha256sum"), [file.path])
        guard r.status == 0 else { throw Support.Failure("sha256sum: \(r.stderr)") }
        return String(r.stdout.prefix(64))
    }

    /// Every file under `home` (lock and the store's WAL side files aside), relative.
    static func files(_ home: URL) -> [String] {
        var out: [String] = []
        let e = FileManager.default.enumerator(at: home, includingPropertiesForKeys: [.isDirectoryKey])
        while let url = e?.nextObject() as? URL {
            guard (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) != true else { continue }
            let rel = String(url.path.dropFirst(home.path.count + 1))
            if rel.hasSuffix("mailkeys.lock") || rel.hasSuffix("-wal") || rel.hasSuffix("-shm") { continue }
            out.append(rel)
        }
        return out.sorted()
    }

    /// What a home holds, without what differs between two homes by chance (key tags, next-key
    /// names): its file names, its keys' roles and timestamps, serials, certificates and TLSA.
    static func shape(_ home: URL) throws -> String {
        // An installed certificate's names are links: where they point is part of the state.
        let names = files(home).map { rel in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: home.appendingPathComponent(rel).path)).map {
                "\(rel) -> \($0)"
            } ?? rel
        }.map {
            $0.replacingOccurrences(of: #"\+\d{3}\+\d{5}"#, with: "+ALG+TAG", options: .regularExpression)
                .replacingOccurrences(of: #"-[0-9a-f]{16}\.pem"#, with: "-SPKI.pem", options: .regularExpression)
        }.filter { !$0.hasPrefix("in-") && !$0.hasPrefix("le/") }
        let keys = try sql(
            home,
            "SELECT kind, algorithm, created_at, published_at, active_at, retired_at, removed_at FROM key ORDER BY 1, 2, 3, 4, 5, 6, 7"
        )
        let zones = try sql(home, "SELECT name, serial FROM domain ORDER BY name")
        let certs = try sql(home, "SELECT * FROM tls_cert ORDER BY 1, 2, 3")
        return (names + [keys, zones, certs]).joined(separator: "\n").replacingOccurrences(of: home.path, with: "HOME")
    }

    /// The invariants of a home after a run: intact store, no intent, nothing staged or
    /// temporary, a verifying signed zone whose DNSKEYs and DKIM selectors all have their
    /// private key files and store rows.
    static func checkConsistent(_ home: URL, at: String, _ label: String) throws {
        #expect(try sql(home, "PRAGMA integrity_check") == "ok\n", "\(label)")
        #expect(try sql(home, "SELECT count(*) FROM intent") == "0\n", "\(label): intent left")
        let leftovers = files(home).filter {
            $0.contains("/.staging/") || $0.contains(".tmp.") || $0.contains(".staged.") || $0.hasSuffix(".new")
        }
        #expect(leftovers.isEmpty, "\(label): left behind \(leftovers)")
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        let v = try Support.exec(
            try Support.tool("ldns-verify-zone"),
            ["-t", ZSKRolloverTests.stamp(ISO8601DateFormatter().date(from: at)!), signed.path]
        )
        #expect(v.status == 0, "\(label): \(v.stdout)\(v.stderr)")
        let text = try Support.read(signed)
        let stored = Set(
            try sql(home, "SELECT name FROM key WHERE kind = 'dnssec' AND removed_at IS NULL").split(separator: "\n")
                .map(String.init)
        )
        for line in text.split(separator: "\n") where line.contains("\tDNSKEY\t") {
            let rdata = line.split(separator: "\t").last!
            let tag = Support.keyTag(String(rdata))
            let priv = files(home).filter {
                $0.hasPrefix("Keys/dnssec/") && $0.hasSuffix(String(format: "+%05d.private", tag))
            }
            #expect(priv.count == 1, "\(label): DNSKEY \(tag) is published without its private key file")
            #expect(stored.contains(String(tag)), "\(label): DNSKEY \(tag) is published without its store row")
        }
        // The certificate the store says is served is the one the mail server's names point at.
        for row in try sql(home, "SELECT host, key_type, fingerprint FROM tls_cert WHERE state = 'served'").split(
            separator: "\n"
        ) {
            let f = row.split(separator: "|").map(String.init)
            let link = home.appendingPathComponent("Keys/tls/\(f[0])/\(f[1])/fullchain.pem").path
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) else { continue }
            #expect(
                target == "\(f[2]).fullchain.pem",
                "\(label): the store serves \(f[2].prefix(12)) but fullchain.pem is \(target)"
            )
            #expect(FileManager.default.fileExists(atPath: link), "\(label): fullchain.pem points at a missing file")
        }
        let selectors = Set(
            try sql(home, "SELECT name FROM key WHERE kind = 'dkim' AND removed_at IS NULL").split(separator: "\n").map(
                String.init
            )
        )
        for line in text.split(separator: "\n")
        where line.contains("._domainkey.example.org.") && line.contains("\tTXT\t") {
            let selector = String(line.prefix { $0 != "." })
            #expect(
                selectors.contains(selector),
                "\(label): DKIM selector \(selector) is published without its store row"
            )
            #expect(
                FileManager.default.fileExists(
                    atPath: home.appendingPathComponent("Keys/dkim/example.org/\(selector).pem").path
                ),
                "\(label): DKIM selector \(selector) is published without its private key file"
            )
        }
    }

    /// After a broken run: one tick repairs, the invariants hold, the home has the shape of a
    /// twin, and a second tick at the same time changes no file.
    static func checkRepaired(_ home: URL, twins: [String], at: String, _ label: String) throws {
        let r = try tick(home, at: at)
        #expect(r.status == 0, "\(label): the next tick failed: \(r.stderr)")
        try checkConsistent(home, at: at, label)
        let got = try shape(home)
        #expect(twins.contains(got), "\(label): the home differs from both twins: \(difference(got, twins))")
        let before = try BadInputTests.state(home)
        #expect(try tick(home, at: at).status == 0)
        #expect(try BadInputTests.state(home) == before, "\(label): a second tick changed files")
    }

    /// The lines where `got` differs from each twin.
    static func difference(_ got: String, _ twins: [String]) -> String {
        let g = got.split(separator: "\n", omittingEmptySubsequences: false)
        return twins.enumerated().map { i, twin in
            let t = twin.split(separator: "\n", omittingEmptySubsequences: false)
            return
                "twin \(i): only here \(g.filter { !t.contains($0) }), only in the twin \(t.filter { !g.contains($0) })"
        }.joined(separator: "; ")
    }

    /// The twins: the command done then a tick, and only the tick.
    static func twins(_ s: Scenario, _ base: URL, at: String) throws -> [String] {
        let done = try copy(base)
        let notDone = try copy(base)
        defer {
            try? FileManager.default.removeItem(at: done)
            try? FileManager.default.removeItem(at: notDone)
        }
        let r = try Support.mailkeys(s.arguments(done), environment: s.environment(done))
        guard r.status == 0 else { throw Support.Failure("\(s): \(r.stderr)") }
        try tick(done, at: at, expect: 0)
        try checkConsistent(done, at: at, "\(s) twin")
        try tick(notDone, at: at, expect: 0)
        return [try shape(done), try shape(notDone)]
    }

    @Test(arguments: scenarios)
    func killedAtEveryStepTheNextTickCompletesTheHome(_ s: Scenario) throws {
        let base = try s.prepare()
        defer { try? FileManager.default.removeItem(at: base) }
        let n = try Self.steps(s, base)
        #expect(n >= 5, "\(s): only \(n) fault points")
        let twins = try Self.twins(s, base, at: s.at)
        for k in 1...n {
            let home = try Self.copy(base)
            defer { try? FileManager.default.removeItem(at: home) }
            let r = try Support.mailkeys(
                s.arguments(home),
                environment: s.environment(home).merging(["MAILKEYS_FAULT": "kill@\(k)"]) { $1 }
            )
            #expect(
                r.stderr.contains("mailkeys-fault: killed at step \(k)"),
                "\(s) kill@\(k): not killed: \(r.status) \(r.stderr)"
            )
            try Self.checkRepaired(home, twins: twins, at: s.at, "\(s) kill@\(k)")
        }
    }

    @Test(arguments: scenarios)
    func anIOErrorAtEveryStepLeavesStoreAndFilesAgreeing(_ s: Scenario) throws {
        let base = try s.prepare()
        defer { try? FileManager.default.removeItem(at: base) }
        let n = try Self.steps(s, base)
        let twins = try Self.twins(s, base, at: s.at)
        for k in 1...n {
            let home = try Self.copy(base)
            defer { try? FileManager.default.removeItem(at: home) }
            let fault = k % 2 == 0 ? "enospc@\(k)" : "eio@\(k)"
            let r = try Support.mailkeys(
                s.arguments(home),
                environment: s.environment(home).merging(["MAILKEYS_FAULT": fault]) { $1 }
            )
            #expect(r.status < 128, "\(s) \(fault): died of a signal")
            if r.status != 0 {
                let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("mailkeys: error:") }
                #expect(errors.count == 1, "\(s) \(fault): \(r.stderr)")
            }
            // Right away: what is published is what the store says, unless an intent is pending.
            if try Self.sql(home, "SELECT count(*) FROM intent") == "0\n" {
                let zone = home.appendingPathComponent("Zones/example.org.zone")
                let recorded = try Self.sql(home, "SELECT file_hash FROM domain WHERE name = 'example.org'")
                    .trimmingCharacters(
                        in: .whitespacesAndNewlines
                    )
                let onDisk = try Self.sha256(zone)
                #expect(
                    recorded.isEmpty || recorded == onDisk,
                    "\(s) \(fault): the zone file is not what the store recorded"
                )
            }
            try Self.checkRepaired(home, twins: twins, at: s.at, "\(s) \(fault)")
        }
    }

    /// A real full disk: the home on a small tmpfs filled to leave 0 to 256 KiB free, then
    /// `rotate dkim`: whatever fails, what is published is what the store says (or an intent
    /// is pending), and once space is freed one tick completes the home like a twin.
    @Test func aFullDiskLeavesStoreAndFilesAgreeing() throws {
        let s = Self.scenarios.first { $0.description == "rotate dkim" }!
        let base = try s.prepare()
        defer { try? FileManager.default.removeItem(at: base) }
        let twins = try Self.twins(s, base, at: s.at)
        let mount = try Support.scratch("tmpfs")
        let m = try Support.exec("/bin/mount", ["-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", mount.path])
        try #require(m.status == 0, "mount: \(m.stderr) (the test needs root, as make test runs it)")
        defer { _ = try? Support.exec("/bin/umount", [mount.path]) }
        var failures = 0
        for free in [0, 4096, 16384, 32768, 65536, 131072, 262144] {
            let home = mount.appendingPathComponent("home-\(free)")
            #expect(try Support.exec("/bin/cp", ["-a", base.path, home.path]).status == 0)
            let filler = mount.appendingPathComponent("filler")
            var st = statvfs()
            #expect(statvfs(mount.path, &st) == 0)
            let available = Int(st.f_bavail) * Int(st.f_frsize)
            #expect(
                try Support.exec("/usr/bin/fallocate", ["-l", String(max(0, available - free)), filler.path]).status
                    == 0
            )
            let r = try Support.mailkeys(s.arguments(home), environment: s.environment(home))
            #expect(r.status < 128, "free \(free): died of a signal")
            if r.status != 0 {
                failures += 1
                #expect(
                    r.stderr.split(separator: "\n").filter { $0.hasPrefix("mailkeys: error:") }.count == 1,
                    "free \(free): \(r.stderr)"
                )
            }
            // Space is freed first (sqlite3 itself needs some to open the store); nothing runs
            // in between, so this is what the failed run left.
            try FileManager.default.removeItem(at: filler)
            if try Self.sql(home, "SELECT count(*) FROM intent") == "0\n" {
                let recorded = try Self.sql(home, "SELECT file_hash FROM domain WHERE name = 'example.org'")
                    .trimmingCharacters(in: .whitespacesAndNewlines)
                let onDisk = try Self.sha256(home.appendingPathComponent("Zones/example.org.zone"))
                #expect(recorded == onDisk, "free \(free): the zone file is not what the store recorded (\(r.stderr))")
            }
            try Self.checkRepaired(home, twins: twins, at: s.at, "free \(free)")
            try FileManager.default.removeItem(at: home)
        }
        #expect(failures > 0, "the disk was never full enough to fail")
    }
}
