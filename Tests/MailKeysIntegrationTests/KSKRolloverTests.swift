import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// KSK and CSK rollovers by double DS over simulated time, driven through `MailKeys.run` (as
/// `tick`, `rotate ksk` and `ds seen` run it). The parent is modelled: it holds the old DS until
/// the operator adds the new one (a day after the CDS appears), both until the old key retires,
/// then the new one alone. Every published version must pass `ldns-verify-zone -t` at its own
/// time with every trust anchor set a validator may still have cached (parent DS TTL +
/// propagation), and with every DNSKEY set a validator may still have cached.
@Suite struct KSKRolloverTests {
    struct Version {
        var time: Date
        /// DNSKEY tag → record line.
        var dnskeys: [Int: String]
        var keySetSigners: Set<Int>
        var dataSigners: Set<Int>
        var cdsSigners: Set<Int>
        var cdnskeys: Set<Int>
        var text: String
    }

    static func parse(_ text: String, at time: Date) -> Version {
        var v = Version(
            time: time,
            dnskeys: [:],
            keySetSigners: [],
            dataSigners: [],
            cdsSigners: [],
            cdnskeys: [],
            text: text
        )
        for line in text.split(separator: "\n") {
            let f = line.split(separator: "\t")
            guard f.count == 5 else { continue }
            let rdata = f[4].split(separator: " ")
            switch f[3] {
            case "DNSKEY": v.dnskeys[Support.keyTag(String(f[4]))] = String(line)
            case "CDNSKEY": v.cdnskeys.insert(Support.keyTag(String(f[4])))
            case "RRSIG":
                let tag = Int(rdata[6])!
                switch rdata[0] {
                case "DNSKEY": v.keySetSigners.insert(tag)
                case "CDS", "CDNSKEY": v.cdsSigners.insert(tag)
                default: v.dataSigners.insert(tag)
                }
            default: break
            }
        }
        return v
    }

    @Test(arguments: ["csk", "ksk+zsk"])
    func doubleDSRolloverKeepsEveryCachedTrustAnchorValid(scheme: String) throws {
        let root = try Support.exampleHome(build: false)
        let policy = root.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(
            of: "scheme = \"csk\"",
            with: "scheme = \"\(scheme)\"\nzsk_lifetime = 0"
        )
        .write(to: policy, atomically: true, encoding: .utf8)
        let home = Home(root: root)
        let zone = try DomainName("example.org")
        let start = try RunClock.now(Support.now)
        let parentTTL: TimeInterval = 86400 + 3600  // parent_ds_ttl + parent_propagation (defaults)
        let operatorDelay: TimeInterval = 86400  // the registrar shows the new DS a day after the CDS

        var versions: [Version] = []
        var parent: [(from: Date, tags: Set<Int>)] = []
        var t = start
        var rotated = false
        var oldTag: Int?
        var newTag: Int?
        var readyAt: Date?
        var seen = false
        var retiredAt: Date?
        while t < start.addingTimeInterval(12 * 86400) {
            var mode: MailKeys.Mode = .tick
            if !rotated && t >= start.addingTimeInterval(2 * 86400) {
                mode = .rotateKSK("example.org")
                rotated = true
            } else if let r = readyAt, !seen, t >= r.addingTimeInterval(operatorDelay) {
                mode = .dsSeen("example.org", UInt16(newTag!))
                seen = true
                parent.append((t, [oldTag!, newTag!]))
            }
            let report = try MailKeys.run(home, mode: mode, now: t, lockWait: 10)
            let text = try Support.read(home.signedFile(zone))
            if versions.last?.text != text { versions.append(Self.parse(text, at: t)) }
            let keys = try Store.open(at: home.storeFile.path).dnssecKeys(domain: .exampleOrg).filter {
                $0.role != .zsk
            }
            if oldTag == nil, let k = keys.first {
                oldTag = Int(k.tag)
                parent.append((t, [oldTag!]))
            }
            if newTag == nil, keys.count == 2 { newTag = Int(keys[1].tag) }
            if readyAt == nil, let r = keys.first(where: { Int($0.tag) == newTag })?.ready { readyAt = r }
            if retiredAt == nil, let r = keys.first(where: { Int($0.tag) == oldTag })?.retired {
                retiredAt = r
                // The operator withdraws the old DS an hour later.
                parent.append((t.addingTimeInterval(3600), [newTag!]))
            }
            let wake = report.lines.last { $0.hasPrefix("next: ") }.flatMap {
                try? RunClock.now(String($0.dropFirst(6).prefix { $0 != " " }))
            }
            var next = min(wake ?? .distantFuture, t.addingTimeInterval(6 * 3600))
            if let r = readyAt, !seen { next = min(next, r.addingTimeInterval(operatorDelay)) }
            t = max(t.addingTimeInterval(1), next)
        }
        let keys = try Store.open(at: home.storeFile.path).dnssecKeys(domain: .exampleOrg)
        let old = try #require(keys.first { Int($0.tag) == oldTag })
        let new = try #require(keys.first { Int($0.tag) == newTag })
        #expect(old.removed != nil, "the old key left the zone: \(old)")
        #expect(new.active != nil && new.retired == nil && new.dsSeen != nil)
        let swap = try #require(new.active)
        let dsSeen = try #require(new.dsSeen)
        #expect(
            swap.timeIntervalSince(dsSeen) >= parentTTL,
            "the keys swap only after the parent's DS TTL + propagation"
        )

        let verifyZone = try Support.tool("ldns-verify-zone")
        let dir = try Support.scratch("ksk")
        let file = dir.appendingPathComponent("zone")
        var failures: [String] = []
        for (i, v) in versions.enumerated() {
            try v.text.write(to: file, atomically: true, encoding: .utf8)
            let end = i + 1 < versions.count ? versions[i + 1].time.addingTimeInterval(-1) : v.time
            // Every DS set the parent published within the validator cache window before `when`.
            for when in [v.time, end] {
                let anchors = parent.enumerated().filter { j, p in
                    let until = j + 1 < parent.count ? parent[j + 1].from : Date.distantFuture
                    return p.from <= when && until > when.addingTimeInterval(-parentTTL)
                }.map(\.1.tags)
                for set in anchors {
                    let anchor = dir.appendingPathComponent("anchor")
                    // The anchor is the DNSKEY the DS points at, taken from the version that introduced it.
                    let lines = set.compactMap { tag in versions.lazy.compactMap { $0.dnskeys[tag] }.first }
                    try lines.joined(separator: "\n").appending("\n").write(
                        to: anchor,
                        atomically: true,
                        encoding: .utf8
                    )
                    let r = try Support.exec(
                        verifyZone,
                        ["-t", ZSKRolloverTests.stamp(when), "-k", anchor.path, file.path]
                    )
                    if r.status != 0 {
                        failures.append(
                            "version \(RunClock.format(v.time)) at \(RunClock.format(when)) with DS \(set.sorted()): \(r.stdout)\(r.stderr)"
                        )
                    }
                }
            }
            // A validator may hold the DNSKEY set of any version served within TTL + propagation.
            for (j, cached) in versions.enumerated() where cached.time <= v.time {
                let cachedUntil = j + 1 < versions.count ? versions[j + 1].time : Date.distantFuture
                guard cachedUntil > v.time.addingTimeInterval(-(3600 + 300)) else { continue }
                if !v.dataSigners.isSubset(of: Set(cached.dnskeys.keys)) {
                    failures.append(
                        "data signed at \(RunClock.format(v.time)) needs a DNSKEY missing from the set cached at \(RunClock.format(cached.time))"
                    )
                }
            }
            // CDS/CDNSKEY are signed by a key-signing key (RFC 7344 §4.1) and list what the parent should hold.
            if !v.cdnskeys.isEmpty && !v.cdsSigners.isSubset(of: v.keySetSigners) {
                failures.append(
                    "CDS at \(RunClock.format(v.time)) signed by \(v.cdsSigners), not by a KSK \(v.keySetSigners)"
                )
            }
        }
        #expect(failures.isEmpty, "\(failures.count) failures: \(failures.prefix(4))")
        // The rollover went through all its states: double DNSKEY, double CDS, then the new key alone.
        #expect(versions.contains { $0.keySetSigners == [oldTag!, newTag!] })
        #expect(versions.contains { $0.cdnskeys == [oldTag!, newTag!] })
        #expect(versions.last!.cdnskeys == [newTag!] && versions.last!.keySetSigners == [newTag!])
        #expect(versions.last!.dnskeys[oldTag!] == nil)
    }

    @Test func dsSeenRefusesEarlyAndUnknownKeys() throws {
        let home = try Support.exampleHome()
        try BadInputTests.expectRefused(
            home,
            ["ds", "seen", "example.org", "1", "--home", home.path],
            message: "no DNSSEC key 1 in this zone"
        )
        let r = try Support.mailkeys([
            "rotate", "ksk", "example.org", "--home", home.path, "--now", TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        let tag = try #require(
            r.stdout.split(separator: "\n").first { $0.contains("create and publish a new CSK") }?.split(separator: " ")
                .last.map(String.init)
        )
        try BadInputTests.expectRefused(
            home,
            ["ds", "seen", "example.org", tag, "--home", home.path, "--now", TestClock.at("2026-11-21T11:10:00Z")],
            message: "is not ready yet"
        )
        let ds = try Support.mailkeys(["ds", "example.org", "--home", home.path])
        #expect(ds.status == 0)
        #expect(
            ds.stdout.split(separator: "\n").filter { $0.contains("\tDS\t") }.count == 1,
            "the new key's DS is not offered before it is ready"
        )
    }

    /// With `parent_servers`, tick asks the parent's servers (an NSD serving `org` on loopback)
    /// for the DS RRset: only the old DS → it keeps waiting; both → the new key's DS is marked
    /// seen; an unreachable server is reported and nothing is marked.
    @Test func parentServersAreQueriedForTheNewDS() throws {
        let home = try Support.exampleHome()
        let policy = home.appendingPathComponent("mailkeys.toml")
        let original = try Support.read(policy)
        func run(_ args: [String], at: String) throws -> Support.Result {
            let r = try Support.mailkeys(args + ["--home", home.path, "--now", at])
            #expect(r.status == 0, "\(args): \(r.stderr)")
            return r
        }
        let rotated = try run(["rotate", "ksk", "example.org"], at: TestClock.at("2026-11-21T11:00:00Z"))
        let tag = try #require(
            rotated.stdout.split(separator: "\n").first { $0.contains("new CSK") }?.split(separator: " ").last.map(
                String.init
            )
        )
        _ = try run(["tick"], at: TestClock.at("2026-11-21T14:00:00Z"))  // ready: CDS lists both keys
        let ds = try Support.mailkeys(["ds", "example.org", "--home", home.path])
        let dsLines = ds.stdout.split(separator: "\n").filter { $0.contains("\tDS\t") }.map(String.init)
        #expect(dsLines.count == 2, "\(ds.stdout)")
        let newDS = try #require(dsLines.first { $0.split(separator: "\t").last!.hasPrefix(tag + " ") })
        let oldDS = try #require(dsLines.first { $0 != newDS })

        func parent(_ ds: [String]) throws -> NSDServer {
            let file = try Support.scratch("parent").appendingPathComponent("org.zone")
            try
                ("""
            $ORIGIN org.
            $TTL 3600
            @ IN SOA ns.org. hostmaster.org. 1 3600 600 86400 300
            @ IN NS ns.org.
            ns IN A 127.0.0.1
            example IN NS ns1.example.org.

            """ + ds.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            return try NSDServer(zones: [("org", file)])
        }
        func usePolicy(port: Int) throws {
            try original.replacingOccurrences(
                of: "[domains.\"example.org\".dnssec]",
                with: "[domains.\"example.org\".dnssec]\nparent_servers = [\"127.0.0.1:\(port)\"]"
            )
            .write(to: policy, atomically: true, encoding: .utf8)
        }
        #expect(original.contains("[domains.\"example.org\".dnssec]"))

        var server: NSDServer? = try parent([oldDS])
        try usePolicy(port: server!.port)
        var r = try run(["tick"], at: TestClock.at("2026-11-21T15:00:00Z"))
        #expect(r.stdout.contains("do not all serve the DS of key \(tag) yet"), "\(r.stdout)")

        let stoppedPort = server!.port
        server = nil  // stopped: reported, nothing marked, exit 0
        r = try run(["tick"], at: TestClock.at("2026-11-21T15:30:00Z"))
        #expect(r.stdout.contains("parent server 127.0.0.1:\(stoppedPort): no answer"), "\(r.stdout)")

        server = try parent([oldDS, newDS])
        try usePolicy(port: server!.port)
        r = try run(["tick"], at: TestClock.at("2026-11-21T16:00:00Z"))
        #expect(r.stdout.contains("DS of key \(tag) seen at the parent (127.0.0.1:\(server!.port))"), "\(r.stdout)")
        let key = try #require(
            try Store.open(at: Home(root: home).storeFile.path).dnssecKeys(domain: .exampleOrg).first {
                String($0.tag) == tag
            }
        )
        #expect(key.dsSeen == TestClock.date("2026-11-21T16:00:00Z"))
    }
}
