import Foundation
import MailKeysCore
import MailKeysKit
import MailKeysStore
import Testing

/// One simulated year of DKIM rollovers: no message signed by a key that was signing can fail
/// to verify during its delivery window.
@Suite struct DKIMContinuityTests {
    /// `selector → p=` of every `_domainkey` record in a zone file.
    static func published(_ zone: String) -> [String: String] {
        var out: [String: String] = [:]
        for line in zone.split(separator: "\n") where line.contains("._domainkey") {
            let fields = line.split(separator: "\t", maxSplits: 4)
            guard fields.count == 4, let selector = fields[0].split(separator: ".").first else { continue }
            let text = String(decoding: TXT.decode(String(fields[3])).joined(), as: UTF8.self)
            let p =
                text.components(separatedBy: "; ").first { $0.hasPrefix("p=") }.map { String($0.dropFirst(2)) } ?? ""
            out[String(selector).trimmingCharacters(in: .whitespaces)] = p
        }
        return out
    }

    /// The selectors OpenDKIM would sign with, from the KeyTable(s) mailkeys wrote.
    static func signing(_ keyTable: String) -> Set<String> {
        Set(
            keyTable.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap {
                $0.split(separator: ".").first.map(String.init)
            }
        )
    }

    /// Lowering the TXT TTL right after new DKIM keys were published does not let them sign
    /// early: until the old TTL has run out from the moment the zone stopped serving it, the
    /// wait is 2 × the old TTL + propagation; then the new TTL's (issue 17). Likewise a ZSK
    /// pre-published under a DNSKEY TTL of 1 d does not sign before that TTL ran out when the
    /// TTL drops to 1 min.
    @Test func aLoweredTTLDoesNotShortenTheDKIMOrZSKWait() throws {
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(of: "scheme = \"csk\"", with: "scheme = \"ksk+zsk\"")
            .replacingOccurrences(
                of: "[domains.\"example.org\".dnssec]",
                with: "[domains.\"example.org\".dnssec]\ndnskey_ttl = \"1d\""
            )
            .write(to: policy, atomically: true, encoding: .utf8)
        func run(_ iso: String, _ args: [String] = ["tick"]) throws -> String {
            let r = try Support.mailkeys(args + ["--home", home.path, "--now", TestClock.at(iso)])
            #expect(r.status == 0, "\(args) at \(iso): \(r.stderr)")
            return r.stdout
        }
        _ = try run("2026-11-21T10:00:00Z")
        _ = try run("2026-11-21T10:00:30Z", ["rotate", "zsk", "example.org"])
        // A minute later the TXT and DNSKEY TTLs go to 1 min.
        let text = try Support.read(policy).replacingOccurrences(of: "dnskey_ttl = \"1d\"", with: "dnskey_ttl = \"1m\"")
        try (text + "\n[domains.\"example.org\".ttls]\nTXT = \"1m\"\n").write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        _ = try run("2026-11-21T10:01:00Z")
        let zone = try Support.read(home.appendingPathComponent("Zones/example.org.zone.signed"))
        #expect(zone.contains("._domainkey.example.org.\t60\tIN\tTXT"), "the zone has the new TXT TTL")
        #expect(zone.contains("example.org.\t60\tIN\tDNSKEY"), "the zone has the new DNSKEY TTL")
        let store = try Store.open(at: Home(root: home).storeFile.path)
        func newZSKActive() throws -> Bool {
            try store.dnssecKeys(domain: .exampleOrg).contains {
                $0.role == .zsk && $0.created > TestClock.date("2026-11-21T10:00:00Z") && $0.active != nil
            }
        }
        // With the new TTLs alone, DKIM would sign from 10:07 and the ZSK from 11:06:30.
        let early = try run("2026-11-21T10:30:00Z")
        #expect(!early.contains("start signing"), "DKIM signs before the old TXT TTL ran out: \(early)")
        let hour = try run("2026-11-21T11:10:00Z")
        #expect(hour.contains("start signing"), "the new TTL's wait applies once the old TTL ran out: \(hour)")
        #expect(try !newZSKActive(), "the new ZSK signs before the old DNSKEY TTL ran out")
        _ = try run("2026-11-22T10:30:00Z")
        #expect(try newZSKActive(), "the new ZSK signs once the old DNSKEY TTL ran out")
    }

    @Test func aYearOfRotationsLeavesNoVerificationGap() throws {
        let root = try Support.exampleHome(build: false)
        let policy = root.appendingPathComponent("mailkeys.toml")
        try (try Support.read(policy) + "\n[domains.\"example.org\".dkim]\nrotate_every = \"60d\"\noverlap = \"7d\"\n")
            .write(
                to: policy,
                atomically: true,
                encoding: .utf8
            )
        let home = Home(root: root)
        let start = TestClock.date("2026-11-21T10:00:00Z")
        let overlap: TimeInterval = 7 * 86400
        let publishAhead: TimeInterval = 2 * 3600 + 300
        let step: TimeInterval = 6 * 3600
        // Every 6 hours for a year, except three weeks in July when the machine was off.
        let gap = start.addingTimeInterval(200 * 86400)...start.addingTimeInterval(221 * 86400)
        var times: [Date] = []
        var t = start
        while t < start.addingTimeInterval(365 * 86400) {
            if !gap.contains(t) { times.append(t) }
            t = t.addingTimeInterval(step)
        }

        var zones: [String] = []
        var records: [[String: String]] = []
        var signers: [Set<String>] = []
        var lastSigning: [String: (index: Int, message: URL)] = [:]
        let mail = try Support.scratch("continuity")
        let store = try Store.open(at: home.storeFile.path)
        for (i, now) in times.enumerated() {
            // lockWait > 0: another test thread forking a child can briefly share this process's
            // previous lock description between fork and exec.
            _ = try MailKeys.run(home, mode: .tick, now: now, lockWait: 10)
            let zone = try Support.read(home.zoneFile(try DomainName("example.org")))
            zones.append(zone)
            records.append(Self.published(zone))
            signers.append(
                Self.signing(
                    try Support.read(root.appendingPathComponent("Keys/opendkim/KeyTable"))
                        + Support.read(root.appendingPathComponent("Keys/opendkim/KeyTable.ed25519"))
                )
            )
            // When a key stops signing, sign a message with it as of its last signing step (its
            // private key stays on disk for the overlap); keys still signing at the end sign then.
            let keys = try store.dkimKeys(domain: .exampleOrg)
            let stopped = i == 0 ? [] : signers[i - 1].subtracting(signers[i])
            let ending = i == times.count - 1 ? signers[i] : []
            for selector in stopped.union(ending) {
                let key = try #require(keys.first { $0.selector == selector })
                lastSigning[selector] = (
                    ending.contains(selector) ? i : i - 1, try DKIMTests.sign(root, key, dir: mail)
                )
            }
        }

        // Structural check at every step: for every t with key k signing, every t' in
        // [t, t + overlap] publishes k's full public key; k was published publish_ahead before t.
        let keys = try store.dkimKeys(domain: .exampleOrg)
        var failures: [String] = []
        for i in times.indices {
            for selector in signers[i] {
                let key = try #require(keys.first { $0.selector == selector })
                var j = i
                while j < times.count && times[j] <= times[i].addingTimeInterval(overlap) {
                    if records[j][selector] != key.publicKey {
                        failures.append(
                            "\(selector) signed at \(RunClock.format(times[i])) but is \(records[j][selector] == nil ? "missing" : "revoked or different") at \(RunClock.format(times[j]))"
                        )
                    }
                    j += 1
                }
                if let published = key.published, let active = key.active {
                    if active.timeIntervalSince(published) < publishAhead {
                        failures.append("\(selector) signed before publish_ahead")
                    }
                }
            }
        }
        let failureCount = failures.count
        #expect(failureCount == 0, "first failures: \(failures.prefix(5))")

        // Several rotations per algorithm, each signing set one key per algorithm after the first activation.
        let rsa = keys.filter { $0.algorithm == .rsa }
        let ed = keys.filter { $0.algorithm == .ed25519 }
        #expect(rsa.count >= 6 && ed.count >= 6, "\(keys.map(\.selector))")
        #expect(Set(keys.map(\.selector)).count == keys.count, "selectors are never reused")
        for s in signers.dropFirst(1) where !s.isEmpty { #expect(s.count == 2) }
        let removedBeforeEnd = keys.filter { $0.removed != nil }
        #expect(removedBeforeEnd.count >= 10)
        for key in removedBeforeEnd {
            let retired = try #require(key.retired)
            #expect(key.removed! >= retired.addingTimeInterval(overlap))
        }

        // Real verification with dkimpy at the tightest point: the message each key signed last,
        // checked against the zone published at the last step within its overlap window.
        for (selector, signed) in lastSigning.sorted(by: { $0.key < $1.key }) {
            var j = signed.index
            while j + 1 < times.count && times[j + 1] <= times[signed.index].addingTimeInterval(overlap) { j += 1 }
            let zoneFile = mail.appendingPathComponent("zone-\(j)")
            try zones[j].write(to: zoneFile, atomically: true, encoding: .utf8)
            let server = try NSDServer(zones: [("example.org", zoneFile)])
            let v = try DKIMTests.verify(signed.message, port: server.port)
            #expect(
                v.status == 0,
                "\(selector) signed \(RunClock.format(times[signed.index])), checked \(RunClock.format(times[j])): \(v.stdout)\(v.stderr)"
            )
        }
        #expect(lastSigning.count == keys.count - keys.filter { $0.active == nil }.count)
    }
}
