import Foundation
import Testing

@testable import MailKeysCore

@Suite("TLSA records and the deploy gate")
struct TLSATests {
    static let host = try! DomainName("mail.example.org")
    static let t0 = Date(timeIntervalSince1970: 1_795_000_000)
    static let a = String(repeating: "a", count: 64)
    static let b = String(repeating: "b", count: 64)
    static let issuer = String(repeating: "c", count: 64)

    static func cert(_ spki: String, _ type: TLSKeyType, _ state: TLSCertificate.State, host: DomainName = host)
        -> TLSCertificate
    {
        TLSCertificate(
            host: host,
            spki: spki,
            keyType: type,
            issuers: [issuer],
            notBefore: t0,
            notAfter: t0.addingTimeInterval(90 * 86400),
            fingerprint: spki,
            lineage: nil,
            state: state,
            imported: t0
        )
    }

    static func policy(_ tls: [String: PolicyValue] = [:]) throws -> TLSPolicy {
        try Fixture.policy { $0["tls"] = .table(tls) }.tls
    }

    @Test func noCertificateNoRecords() throws {
        #expect(TLSA.records(host: Self.host, certificates: [], policy: try Self.policy()).isEmpty)
        #expect(
            TLSA.records(
                host: Self.host,
                certificates: [Self.cert(Self.a, .ecdsa, .replaced)],
                policy: try Self.policy()
            ).isEmpty
        )
    }

    @Test func currentPlusIssuerPerKeyType() throws {
        let ecdsa = TLSA.records(
            host: Self.host,
            certificates: [Self.cert(Self.a, .ecdsa, .served)],
            policy: try Self.policy()
        )
        #expect(ecdsa.allSatisfy { $0.owner.description == "_25._tcp.mail.example.org" })
        #expect(ecdsa.map(\.rdata) == ["3 1 1 \(Self.a)"] + LetsEncrypt.issuers[.ecdsa]!.map { "2 1 1 \($0)" })
        // RSA and ECDSA on one host: a 3 1 1 each and the intermediates of both types.
        let both = TLSA.records(
            host: Self.host,
            certificates: [Self.cert(Self.a, .ecdsa, .served), Self.cert(Self.b, .rsa, .pending)],
            policy: try Self.policy()
        )
        #expect(both.filter { $0.rdata.hasPrefix("3 1 1") }.count == 2)
        #expect(both.filter { $0.rdata.hasPrefix("2 1 1") }.count == 6)
        // More ports, own issuers.
        let custom = TLSA.records(
            host: Self.host,
            certificates: [Self.cert(Self.a, .ecdsa, .served)],
            policy: try Self.policy([
                "ports": .array([.int(25), .int(587)]), "issuers_ecdsa": .array([.string(Self.issuer)]),
            ])
        )
        #expect(Set(custom.map(\.owner.description)) == ["_25._tcp.mail.example.org", "_587._tcp.mail.example.org"])
        #expect(custom.count == 4)
        // Another host's certificates do not count.
        let other = try DomainName("mx2.example.org")
        #expect(
            TLSA.records(host: other, certificates: [Self.cert(Self.a, .ecdsa, .served)], policy: try Self.policy())
                .isEmpty
        )
    }

    @Test func coveredOnlyAfterTwiceTheTTL() {
        let ttl: UInt32 = 3600
        let published = ["3 1 1 \(Self.a)": Self.t0, "2 1 1 \(Self.issuer)": Self.t0.addingTimeInterval(3600)]
        #expect(
            !TLSA.covered(
                spki: Self.a,
                issuers: [],
                published: published,
                ttl: ttl,
                now: Self.t0.addingTimeInterval(7199)
            )
        )
        #expect(
            TLSA.covered(
                spki: Self.a,
                issuers: [],
                published: published,
                ttl: ttl,
                now: Self.t0.addingTimeInterval(7200)
            )
        )
        // A new key under a covered issuer: covered once the 2 1 1 is old enough.
        #expect(
            !TLSA.covered(
                spki: Self.b,
                issuers: [Self.issuer],
                published: published,
                ttl: ttl,
                now: Self.t0.addingTimeInterval(10799)
            )
        )
        #expect(
            TLSA.covered(
                spki: Self.b,
                issuers: [Self.issuer],
                published: published,
                ttl: ttl,
                now: Self.t0.addingTimeInterval(10800)
            )
        )
        #expect(
            !TLSA.covered(
                spki: Self.b,
                issuers: ["d"],
                published: published,
                ttl: ttl,
                now: Self.t0.addingTimeInterval(86400)
            )
        )
    }

    @Test func policyRefusals() {
        let cases: [([String: PolicyValue], String)] = [
            (["ports": .array([.int(443)])], "is not 25, 465 or 587"),
            (["ports": .array([.int(25), .int(25)])], "at most once"),
            (["scheme": .string("current+later")], "is not current+issuer or current+next"),
            (["issuers_rsa": .array([.string("abc")])], "is not a SHA-256"),
            (["letsencrypt_dir": .string("etc/letsencrypt")], "absolute path"),
            (["reload": .array([])], "empty command"),
            (["colour": .string("red")], "colour"), (["ports": .array([.string("25")])], "expected integers"),
        ]
        for (table, message) in cases {
            _ = expectCoreError(.invalidPolicy, message) { try Self.policy(table) }
        }
    }

    @Test func currentPlusNextPublishesTheUnusedNextKey() throws {
        let policy = try Self.policy(["scheme": .string("current+next")])
        let next = TLSNextKey(host: Self.host, keyType: .ecdsa, spki: Self.b, created: Self.t0)
        var used = next
        used.used = Self.t0
        let records = TLSA.records(
            host: Self.host,
            certificates: [Self.cert(Self.a, .ecdsa, .served)],
            next: [next],
            policy: policy
        )
        #expect(records.map(\.rdata) == ["3 1 1 \(Self.a)", "3 1 1 \(Self.b)"], "current + next, no issuer records")
        #expect(
            TLSA.records(
                host: Self.host,
                certificates: [Self.cert(Self.a, .ecdsa, .served)],
                next: [used],
                policy: policy
            ).count == 1
        )
        // The other scheme ignores next keys.
        let issuer = TLSA.records(
            host: Self.host,
            certificates: [Self.cert(Self.a, .ecdsa, .served)],
            next: [next],
            policy: try Self.policy()
        )
        #expect(!issuer.contains { $0.rdata == "3 1 1 \(Self.b)" })
    }

    /// Simulated renewals under current+issuer: whatever Let's Encrypt intermediate of the key's
    /// type issues the next certificate, and whether the key is reused or new, some record
    /// published long ago matches it; an RSA certificate is not covered by ECDSA issuer records.
    @Test func renewalsAcrossIntermediatesStayCovered() throws {
        let policy = try Self.policy()
        let served = Self.cert(Self.a, .ecdsa, .served)
        let records = TLSA.records(host: Self.host, certificates: [served], policy: policy)
        let published = Dictionary(uniqueKeysWithValues: records.map { ($0.rdata, Self.t0) })
        let later = Self.t0.addingTimeInterval(60 * 86400)
        for i in LetsEncrypt.intermediates where i.type == .ecdsa {
            #expect(
                TLSA.covered(spki: Self.a, issuers: [i.spki], published: published, ttl: 3600, now: later),
                "reused key, \(i.name)"
            )
            #expect(
                TLSA.covered(spki: Self.b, issuers: [i.spki], published: published, ttl: 3600, now: later),
                "new key, \(i.name)"
            )
        }
        for i in LetsEncrypt.intermediates where i.type == .rsa {
            #expect(
                !TLSA.covered(spki: Self.b, issuers: [i.spki], published: published, ttl: 3600, now: later),
                "RSA \(i.name) needs RSA records"
            )
        }
    }
}
