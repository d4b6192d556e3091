import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// ZSK rollovers by pre-publication over simulated time: every published zone verifies at its
/// own time (ldns-verify-zone -t), and a resolver holding a DNSKEY set or RRSIGs cached from
/// any earlier version (within TTL + propagation) still validates against the current one.
@Suite struct ZSKRolloverTests {
    struct Version {
        var time: Date
        var dnskeys: Set<Int>
        var zskSignatures: Set<Int>
        var text: String
    }

    static func parse(_ text: String, at time: Date) -> Version {
        var dnskeys = Set<Int>()
        var sigs = Set<Int>()
        for line in text.split(separator: "\n") {
            let f = line.split(whereSeparator: \.isWhitespace)
            guard f.count > 4 else { continue }
            if f[3] == "DNSKEY" { dnskeys.insert(Support.keyTag(f[4...].joined(separator: " "))) }
            if f[3] == "RRSIG", f[4] != "DNSKEY", f.count > 10, let tag = Int(f[10]) { sigs.insert(tag) }
        }
        return Version(time: time, dnskeys: dnskeys, zskSignatures: sigs, text: text)
    }

    static func stamp(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMddHHmmss"
        return f.string(from: d)
    }

    @Test func prePublishedZSKsRollWithoutBreakingCachedData() throws {
        let root = try Support.exampleHome(build: false)
        let policy = root.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(
            of: "scheme = \"csk\"",
            with: "scheme = \"ksk+zsk\"\nzsk_lifetime = \"20d\""
        )
        .write(to: policy, atomically: true, encoding: .utf8)
        let home = Home(root: root)
        let zone = try DomainName("example.org")
        let start = try RunClock.now(Support.now)
        var versions: [Version] = []
        var t = start
        var rotatedByHand = false
        while t < start.addingTimeInterval(50 * 86400) {
            let mode: MailKeys.Mode =
                (!rotatedByHand && t >= start.addingTimeInterval(5 * 86400)) ? .rotateZSK("example.org") : .tick
            if case .rotateZSK = mode { rotatedByHand = true }
            let report = try MailKeys.run(home, mode: mode, now: t, lockWait: 10)
            let text = try Support.read(home.signedFile(zone))
            if versions.last?.text != text { versions.append(Self.parse(text, at: t)) }
            // A punctual timer: run exactly when mailkeys asks (at most 6 hours later), so every
            // transition happens at the earliest moment the timing rules allow.
            let wake = report.lines.last { $0.hasPrefix("next: ") }.flatMap {
                try? RunClock.now(String($0.dropFirst(6)))
            }
            t = max(t.addingTimeInterval(1), min(wake ?? .distantFuture, t.addingTimeInterval(6 * 3600)))
        }
        let keys = try Store.open(at: home.storeFile.path).dnssecKeys(domain: .exampleOrg)
        let zsks = keys.filter { $0.role == .zsk }
        #expect(zsks.count >= 3, "one manual and at least one scheduled rollover: \(zsks.map(\.tag))")
        #expect(zsks.filter { $0.removed != nil }.count >= 2)
        #expect(keys.filter { $0.role == .ksk }.count == 1)

        // Each version verifies at its own time and just before the next one replaces it.
        let verifyZone = try Support.tool("ldns-verify-zone")
        let file = try Support.scratch("zsk").appendingPathComponent("zone")
        for (i, v) in versions.enumerated() {
            try v.text.write(to: file, atomically: true, encoding: .utf8)
            let until = i + 1 < versions.count ? versions[i + 1].time.addingTimeInterval(-1) : v.time
            for when in [v.time, until] {
                let r = try Support.exec(verifyZone, ["-t", Self.stamp(when), file.path])
                #expect(
                    r.status == 0,
                    "version of \(RunClock.format(v.time)) at \(RunClock.format(when)): \(r.stdout)\(r.stderr)"
                )
            }
        }

        // Cached data: DNSKEY sets live TTLkey (+ propagation), RRSIGs TTLsig (+ propagation).
        let window: TimeInterval = 3600 + 300
        func served(in range: ClosedRange<Date>) -> [Version] {
            versions.enumerated().filter { i, v in
                let end = i + 1 < versions.count ? versions[i + 1].time : Date.distantFuture
                return v.time <= range.upperBound && end > range.lowerBound
            }.map(\.1)
        }
        var failures: [String] = []
        for v in versions {
            for old in served(in: v.time.addingTimeInterval(-window)...v.time) {
                if !v.zskSignatures.isSubset(of: old.dnskeys) {
                    failures.append(
                        "signatures of \(RunClock.format(v.time)) need a DNSKEY missing from the set cached at \(RunClock.format(old.time))"
                    )
                }
                if !old.zskSignatures.isSubset(of: v.dnskeys) {
                    failures.append(
                        "RRSIGs cached from \(RunClock.format(old.time)) need a DNSKEY removed by \(RunClock.format(v.time))"
                    )
                }
            }
        }
        let failureCount = failures.count
        #expect(failureCount == 0, "\(failures.prefix(5))")
        // The rollover really happened: some version publishes two ZSKs, and the signing key changed.
        #expect(versions.contains { $0.dnskeys.count == 3 })
        #expect(Set(versions.map(\.zskSignatures)).count >= 3)
    }

    @Test func rotateZSKNeedsAKSKZSKScheme() throws {
        let home = try Support.exampleHome()
        try BadInputTests.expectRefused(
            home,
            ["rotate", "zsk", "example.org", "--home", home.path],
            message: "has no ZSK: set [dnssec] scheme"
        )
    }
}
