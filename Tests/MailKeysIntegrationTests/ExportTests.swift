import Foundation
import MailKeysCore
import MailKeysKit
import Testing

/// Export to real NSD, Knot and BIND servers on loopback, each reloaded through its control
/// channel, with the new serial confirmed by querying it; NOTIFY to a Knot secondary.
@Suite struct ExportTests {
    static func serial(_ port: Int) throws -> String {
        let r = try Support.exec(
            try Support.tool("dig"),
            ["@127.0.0.1", "-p", String(port), "+short", "+norecurse", "+time=1", "+tries=1", "example.org", "SOA"]
        )
        return r.stdout.split(separator: " ").dropFirst(2).first.map(String.init) ?? ""
    }

    /// Appends export targets to the policy of example.org.
    static func addTargets(_ home: URL, _ targets: [String]) throws {
        let policy = home.appendingPathComponent("mailkeys.toml")
        let tables = targets.map { "\n[[domains.\"example.org\".export]]\n\($0)\n" }.joined()
        try (Support.read(policy) + tables).write(to: policy, atomically: true, encoding: .utf8)
    }

    static func quoted(_ argv: [String]) -> String { "[" + argv.map { "\"\($0)\"" }.joined(separator: ", ") + "]" }

    static func change(_ home: URL, _ label: String) throws {
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try (Support.read(template) + "\(label) IN A 192.0.2.77\n").write(
            to: template,
            atomically: true,
            encoding: .utf8
        )
    }

    @Test func exportsToNSDKnotAndBindAndReloadsOnlyWhatChanged() throws {
        let home = try Support.exampleHome()
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        let nsd = try NSDServer(zones: [("example.org", signed)], control: true)
        let knot = try KnotServer(zones: [("example.org", signed)])
        let bind = try BindServer(zones: [("example.org", signed)])
        // NSD's reload goes through a counting wrapper, to see that an unchanged zone is not reloaded.
        let counter = nsd.dir.appendingPathComponent("reloads")
        let wrapper = nsd.dir.appendingPathComponent("reload.sh")
        try
            "#!/bin/sh\necho \"$1\" >> \(counter.path)\nexec \(try Support.tool("nsd-control")) -c \(nsd.dir.path)/nsd.conf reload \"$1\"\n"
            .write(to: wrapper, atomically: true, encoding: .utf8)
        chmod(wrapper.path, 0o755)
        try Self.addTargets(
            home,
            [
                "server = \"nsd\"\ndirectory = \"\(nsd.dir.path)\"\nreload = \(Self.quoted([wrapper.path, "%z"]))\naddress = \"127.0.0.1:\(nsd.port)\"",
                "server = \"knot\"\ndirectory = \"\(knot.dir.path)\"\nreload = \(Self.quoted([try Support.tool("knotc"), "-s", knot.dir.appendingPathComponent("knot.sock").path, "-b", "zone-reload", "%z"]))\naddress = \"127.0.0.1:\(knot.port)\"",
                "server = \"bind\"\ndirectory = \"\(bind.dir.path)\"\nreload = \(Self.quoted(bind.rndc + ["reload", "%z"]))\naddress = \"127.0.0.1:\(bind.port)\"",
            ]
        )
        try Self.change(home, "new")
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:00:00Z"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let serial = try #require(r.stdout.firstMatch(of: /serial (\d+) \(/)?.output.1).description
        // What the reload commands print (nsd-control's "ok") stays out of mailkeys' report.
        #expect(
            !r.stdout.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == "ok" },
            "\(r.stdout)"
        )
        for (name, port) in [("nsd", nsd.port), ("knot", knot.port), ("bind", bind.port)] {
            #expect(try Self.serial(port) == serial, "\(name) serves the new serial")
            #expect(r.stdout.contains("exported serial \(serial) to \(name):"), "\(r.stdout)")
        }
        let dig = try Support.exec(
            try Support.tool("dig"),
            ["@127.0.0.1", "-p", String(bind.port), "+dnssec", "+short", "new.example.org", "A"]
        )
        #expect(
            dig.stdout.contains("192.0.2.77") && dig.stdout.contains("A 13 3 3600"),
            "signed data served: \(dig.stdout)"
        )
        #expect(try Support.read(counter) == "example.org\n")

        // Nothing changed: no target is written or reloaded.
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:05:00Z"])
        #expect(r.status == 0)
        #expect(!r.stdout.contains("exported"), "\(r.stdout)")
        #expect(try Support.read(counter) == "example.org\n", "no second reload")
        // `zone export` after a change exports too.
        try Self.change(home, "newer")
        r = try Support.mailkeys(["zone", "export", "--home", home.path, "--now", "2026-11-21T11:10:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.components(separatedBy: "exported serial").count == 4, "\(r.stdout)")
    }

    @Test func aStoppedServerFailsLoudlyAndTheNextTickSucceeds() throws {
        let home = try Support.exampleHome()
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        var nsd: NSDServer? = try NSDServer(zones: [("example.org", signed)], control: true)
        let port = nsd!.port
        func target(_ s: NSDServer) -> String {
            "server = \"nsd\"\ndirectory = \"\(s.dir.path)\"\nreload = \(Self.quoted([(try? Support.tool("nsd-control")) ?? "nsd-control", "-c", s.dir.appendingPathComponent("nsd.conf").path, "reload", "%z"]))\naddress = \"127.0.0.1:\(s.port)\""
        }
        let policy = home.appendingPathComponent("mailkeys.toml")
        let original = try Support.read(policy)
        try Self.addTargets(home, [target(nsd!)])
        nsd = nil  // stopped
        try Self.change(home, "down")
        var r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:00:00Z"])
        #expect(r.status != 0, "a stopped server fails the run: \(r.stdout)")
        #expect(r.stderr.contains("export to nsd:") && r.stderr.contains("the next run tries again"), "\(r.stderr)")
        // What the run committed is reported before the failure.
        #expect(r.stdout.contains("example.org: wrote Zones/example.org.zone serial"), "\(r.stdout)")
        #expect(r.stdout.contains("example.org: signed Zones/example.org.zone.signed"), "\(r.stdout)")
        func exports(_ at: String) throws -> [[String: Any]] {
            let s = try Support.mailkeys(["status", "example.org", "--json", "--home", home.path, "--now", at])
            let json = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
            let domains = json?["domains"] as? [[String: Any]] ?? []
            return domains.first?["exports"] as? [[String: Any]] ?? []
        }
        let retried = try Support.mailkeys(["status", "--home", home.path, "--now", "2026-11-21T11:01:00Z"])
        #expect(retried.stdout.contains("is retried (it failed)"), "\(retried.stdout)")
        var e = try exports("2026-11-21T11:01:00Z")
        #expect(e.count == 1 && e.first?["error"] is String && e.first?["confirmedSerial"] == nil, "\(e)")

        // Back (same port, a fresh directory): the next tick exports although the zone did not change again.
        let back = try NSDServer(zones: [("example.org", signed)], control: true, port: port)
        try original.write(to: policy, atomically: true, encoding: .utf8)
        try Self.addTargets(home, [target(back)])
        let zoneSerial = try #require(
            try Support.read(home.appendingPathComponent("Zones/example.org.zone")).firstMatch(
                of: /hostmaster\.example\.org\. (\d+)/
            )?.output.1
        )
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:05:00Z"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(try Self.serial(back.port) == String(zoneSerial))

        // Down again: status keeps the serial the target was last seen serving, with the error.
        _ = consume back
        try Self.change(home, "again")
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:10:00Z"])
        #expect(r.status != 0)
        e = try exports("2026-11-21T11:11:00Z")
        #expect(e.first?["confirmedSerial"] as? Int == Int(zoneSerial), "\(e)")
        #expect(e.first?["error"] is String && (e.first?["serial"] as? Int ?? 0) > Int(zoneSerial)!, "\(e)")
        let text = try Support.mailkeys(["status", "example.org", "--home", home.path, "--now", "2026-11-21T11:11:00Z"])
        #expect(text.stdout.contains("failed 2026-11-21T11:10:00Z"), "\(text.stdout)")
        #expect(text.stdout.contains("serves serial \(zoneSerial) (confirmed 2026-11-21T11:05:00Z)"), "\(text.stdout)")
    }

    @Test func notifyMakesASecondaryTransferTheNewSerial() throws {
        let home = try Support.exampleHome()
        let signed = home.appendingPathComponent("Zones/example.org.zone.signed")
        let primary = try NSDServer(zones: [("example.org", signed)], control: true, provideXFR: true)
        let secondary = try KnotSecondary(zone: "example.org", primaryPort: primary.port)
        let before = try Self.serial(secondary.port)
        try Self.addTargets(
            home,
            [
                "server = \"nsd\"\ndirectory = \"\(primary.dir.path)\"\nreload = \(Self.quoted([try Support.tool("nsd-control"), "-c", primary.dir.appendingPathComponent("nsd.conf").path, "reload", "%z"]))\naddress = \"127.0.0.1:\(primary.port)\"\nnotify = [\"127.0.0.1:\(secondary.port)\"]"
            ]
        )
        try Self.change(home, "notified")
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T11:00:00Z"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("NOTIFY sent to 127.0.0.1:\(secondary.port)"), "\(r.stdout)")
        let wanted = try Self.serial(primary.port)
        #expect(wanted != before)
        var seen = ""
        for _ in 0..<50 {
            seen = try Self.serial(secondary.port)
            if seen == wanted { break }
            usleep(100_000)
        }
        #expect(
            seen == wanted,
            "the secondary transferred the new zone after the NOTIFY (its SOA refresh is hours away)"
        )
    }
}
