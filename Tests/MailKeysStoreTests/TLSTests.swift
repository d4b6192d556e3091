import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The `tls_cert`, `tls_next` and `tlsa` tables.
@Suite struct TLSTests {
    static func certificate(_ n: Character, imported: Date = t0) throws -> TLSCertificate {
        TLSCertificate(
            host: try name("mail.example.org"),
            spki: String(repeating: n, count: 64),
            keyType: .ecdsa,
            issuers: ["e5", "e6"],
            notBefore: t0,
            notAfter: at(90 * 86400),
            fingerprint: String(repeating: n, count: 64),
            lineage: nil,
            state: .pending,
            imported: imported
        )
    }

    @Test func certificatesRoundTripAndUpdateOnlyStateAndTimes() throws {
        let store = try store()
        let org = try name("example.org")
        var first = try Self.certificate("a")
        let second = try Self.certificate("b", imported: at(5))
        try store.transaction { tx in
            try tx.saveTLSCertificate(second, domain: org)
            try tx.saveTLSCertificate(first, domain: org)
        }
        #expect(try store.tlsCertificates(domain: org) == [first, second])
        // Saved again: state, times and lineage change; what identifies it (and when it came) does not.
        first.state = .served
        first.installed = at(10)
        first.lineage = "/etc/letsencrypt/live/mail.example.org"
        var again = first
        again.imported = at(5)
        again.issuers = ["r10"]
        try store.transaction { tx in try tx.saveTLSCertificate(again, domain: org) }
        #expect(try store.tlsCertificates(domain: org) == [first, second])
    }

    @Test func nextKeysRoundTripAndRecordTheirUse() throws {
        let store = try store()
        let org = try name("example.org")
        let host = try name("mail.example.org")
        var k = TLSNextKey(host: host, keyType: .rsa, spki: String(repeating: "d", count: 64), created: at(1))
        let older = TLSNextKey(host: host, keyType: .ecdsa, spki: String(repeating: "e", count: 64), created: t0)
        try store.transaction { tx in
            try tx.saveTLSNextKey(k, domain: org)
            try tx.saveTLSNextKey(older, domain: org)
        }
        #expect(try store.tlsNextKeys(domain: org) == [older, k])
        k.used = at(100)
        var changed = k
        changed.created = at(50)  // not an update column: the row keeps its creation
        changed.used = at(100)
        try store.transaction { tx in try tx.saveTLSNextKey(changed, domain: org) }
        #expect(try store.tlsNextKeys(domain: org) == [older, k])
    }

    @Test func tlsaRecordsArePublishedRemovedAndPublishedAgain() throws {
        let store = try store()
        let org = try name("example.org")
        let (a, b) = ("3 1 1 " + String(repeating: "a", count: 64), "3 1 1 " + String(repeating: "b", count: 64))
        let owner = "_25._tcp.mail"
        try store.transaction { tx in try tx.recordTLSA(domain: org, records: [(owner, a), (owner, b)], now: t0) }
        #expect(try store.tlsaPublished(domain: org) == ["\(owner) \(a)": t0, "\(owner) \(b)": t0])
        try store.transaction { tx in try tx.recordTLSA(domain: org, records: [(owner, b)], now: at(10)) }
        #expect(try store.tlsaPublished(domain: org) == ["\(owner) \(b)": t0])
        try store.transaction { tx in try tx.recordTLSA(domain: org, records: [(owner, a), (owner, b)], now: at(20)) }
        #expect(try store.tlsaPublished(domain: org) == ["\(owner) \(a)": at(20), "\(owner) \(b)": t0])
        let history = try store.tlsaHistory(domain: org)
        #expect(history.map(\.record) == ["\(owner) \(b)", "\(owner) \(a)"])
        #expect(history.map(\.published) == [t0, at(20)])
        #expect(history.map(\.removed) == [nil, nil])
    }
}
