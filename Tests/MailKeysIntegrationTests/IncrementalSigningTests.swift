import Foundation
import MailKeysCore
import MailKeysKit
import Testing

/// Incremental signing: after a change, only the changed RRsets, the SOA and the affected
/// NSEC/NSEC3 records get new signatures; every other signature line is kept byte for byte. The
/// result is as valid as a full sign of the same zone (both pass ldns-verify-zone at the same
/// times, with the same RRsets signed by the same keys).
@Suite struct IncrementalSigningTests {
    /// Non-RRSIG lines (SOA serial masked), and per RRset the key tags of its signatures.
    static func shape(_ text: String) -> (records: [String], signers: [String: Set<String>]) {
        var records: [String] = []
        var signers: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix(";") {
            let f = line.split(separator: "\t")
            guard f.count == 5 else { continue }
            if f[3] == "RRSIG" {
                let r = f[4].split(separator: " ")
                signers["\(f[0]) \(r[0])", default: []].insert(String(r[6]))
            } else if f[3] == "SOA" {
                records.append(f[0..<4].joined(separator: " "))
            } else {
                records.append(String(line))
            }
        }
        return (records.sorted(), signers)
    }

    static func rrsigs(_ text: String) -> Set<String> {
        Set(text.split(separator: "\n").filter { $0.contains("\tRRSIG\t") }.map(String.init))
    }

    @Test(arguments: [false, true])
    func incrementalEqualsFullSignInValidity(nsec3: Bool) throws {
        // On the real clock throughout: ldns-verify-zone below checks at the wall clock.
        let now = TestClock.real
        let stamp = RunClock.format(now)
        let home = try Support.exampleHome(build: false, at: stamp)
        let policy = home.appendingPathComponent("mailkeys.toml")
        if nsec3 {
            try Support.read(policy).replacingOccurrences(of: "nsec3 = false", with: "nsec3 = true").write(
                to: policy,
                atomically: true,
                encoding: .utf8
            )
        }
        #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", stamp]).status == 0)
        let signedURL = home.appendingPathComponent("Zones/example.org.zone.signed")
        let before = try Support.read(signedURL)

        // One TLSA record added (a renewal), signed a minute later.
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try
            (Support.read(template)
            + "_25._tcp.mail IN TLSA 3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n")
            .write(to: template, atomically: true, encoding: .utf8)
        let later = RunClock.format(now.addingTimeInterval(60))
        let r = try Support.mailkeys(["zone", "sign", "--home", home.path, "--now", later])
        #expect(r.status == 0, "\(r.stderr)")
        let made = try #require(r.stdout.firstMatch(of: /\((\d+) signatures made, (\d+) kept\)/))
        let incremental = try Support.read(signedURL)
        let kept = Self.rrsigs(incremental).intersection(Self.rrsigs(before))
        #expect(Int(made.output.2) == kept.count, "kept signatures are the previous lines, byte for byte")
        #expect(kept.count > Int(made.output.1)!, "most signatures were kept: \(r.stdout)")
        // SOA, the TLSA and the changed NSEC/NSEC3 records (with NSEC3 also new ENT hashes) only.
        #expect(Int(made.output.1)! <= (nsec3 ? 8 : 4), "\(r.stdout)")
        #expect(Self.rrsigs(incremental).contains { $0.contains("\tRRSIG\tTLSA ") })

        // A full sign of the same content: remove the signed file, sign at the same time.
        try FileManager.default.removeItem(at: signedURL)
        let full = try Support.mailkeys(["zone", "sign", "--home", home.path, "--now", later])
        #expect(full.status == 0, "\(full.stderr)")
        #expect(full.stdout.contains(" 0 kept)"), "\(full.stdout)")
        let fullText = try Support.read(signedURL)

        let a = Self.shape(incremental)
        let b = Self.shape(fullText)
        #expect(a.records == b.records, "the same RRsets, NSEC/NSEC3 chain and DNSKEYs")
        #expect(a.signers == b.signers, "every RRset signed by the same keys")

        let verify = try Support.tool("ldns-verify-zone")
        let dir = try Support.scratch("incremental")
        for (name, text) in [("incremental", incremental), ("full", fullText)] {
            let file = dir.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            for t in [now.addingTimeInterval(60), now.addingTimeInterval(5 * 86400)] {
                let v = try Support.exec(verify, ["-t", ZSKRolloverTests.stamp(t), file.path])
                #expect(v.status == 0, "\(name) at \(t): \(v.stdout)\(v.stderr)")
            }
        }
    }

    /// Ten days on (inside the 5-day refresh window of 14-day signatures), or thirty days on (a
    /// host that was off and finds an expired signature set on start): all signatures are made
    /// again, none is kept, and the zone verifies at that time.
    @Test(arguments: [10, 30])
    func signaturesDueOrExpiredAreRemadeNotKept(days: Int) throws {
        let home = try Support.exampleHome(build: false)
        let start = try RunClock.now(Support.now)
        #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", Support.now]).status == 0)
        let url = home.appendingPathComponent("Zones/example.org.zone.signed")
        let before = Self.rrsigs(try Support.read(url))
        let later = start.addingTimeInterval(TimeInterval(days * 86400))
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", RunClock.format(later)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains(" 0 kept)"), "\(r.stdout)")
        let after = Self.rrsigs(try Support.read(url))
        #expect(before.isDisjoint(with: after))
        let v = try Support.exec(try Support.tool("ldns-verify-zone"), ["-t", ZSKRolloverTests.stamp(later), url.path])
        #expect(v.status == 0, "\(v.stdout)\(v.stderr)")
    }
}
