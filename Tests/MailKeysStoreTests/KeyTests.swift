import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The `key` table: DKIM and DNSSEC keys, their timestamps, and the store's key order.
@Suite struct KeyTests {
    static func dkim(_ selector: String, created: Date = t0) -> DKIMKey {
        DKIMKey(selector: selector, algorithm: .ed25519, publicKey: "pk-\(selector)", created: created)
    }

    static func dnssec(_ tag: UInt16, _ role: DNSSECKey.Role = .zsk, created: Date = t0) -> DNSSECKey {
        DNSSECKey(
            tag: tag,
            role: role,
            algorithm: 13,
            dnskey: "example.org. 3600 IN DNSKEY 256 3 13 K\(tag)",
            created: created,
            published: nil,
            active: nil
        )
    }

    @Test func dkimKeysRoundTripWithEveryTimestamp() throws {
        let store = try store()
        let org = try name("example.org")
        var key = Self.dkim("s1e")
        try store.transaction { tx in try tx.insertDKIM(key, domain: org) }
        #expect(try store.dkimKeys(domain: org) == [key])
        key.published = at(10)
        key.active = at(20)
        key.retired = at(30)
        key.revoked = at(40)
        key.removed = at(50)
        key.revealed = at(60)
        try store.transaction { tx in try tx.updateDKIM(key, domain: org) }
        #expect(try store.dkimKeys(domain: org) == [key])
        #expect(try store.dkimKeys(domain: try name("example.net")).isEmpty)
        expectStoreError(.failed, "s2e", "example.org") {
            try store.transaction { tx in try tx.updateDKIM(Self.dkim("s2e"), domain: org) }
        }
    }

    @Test func dnssecKeysRoundTripWithEveryTimestamp() throws {
        let store = try store()
        let org = try name("example.org")
        var key = Self.dnssec(4711, .ksk)
        key.published = at(1)
        key.ready = at(2)
        key.dsSeen = at(3)
        key.active = at(4)
        key.retired = at(5)
        key.removed = at(6)
        try store.transaction { tx in try tx.insertDNSSEC(key, domain: org) }
        #expect(try store.dnssecKeys(domain: org) == [key])
        key.removed = at(7)
        try store.transaction { tx in try tx.updateDNSSEC(key, domain: org) }
        #expect(try store.transaction { tx in try tx.dnssecKeys(domain: org) } == [key])
        expectStoreError(.failed, "4712") {
            try store.transaction { tx in try tx.updateDNSSEC(Self.dnssec(4712), domain: org) }
        }
    }

    @Test func keyRowsListEveryKindOfEveryDomain() throws {
        let store = try store(with: ["example.org", "example.net"])
        let (org, net) = (try name("example.org"), try name("example.net"))
        try store.transaction { tx in
            try tx.insertDNSSEC(Self.dnssec(7), domain: org)
            try tx.insertDKIM(Self.dkim("s1e", created: at(5)), domain: org)
            try tx.insertDKIM(Self.dkim("s9e"), domain: net)
        }
        let rows = try store.keys()
        #expect(
            rows.map { "\($0.domain) \($0.kind) \($0.name)" } == [
                "example.net dkim s9e", "example.org dkim s1e", "example.org dnssec 7",
            ]
        )
        #expect(try store.keys(domain: net).map(\.algorithm) == ["ed25519"])
        #expect(rows[1].createdAt == at(5) && rows[1].publishedAt == nil)
    }

    /// Keys made in one second come back by name as text ("10" < "100" < "9"), after every key of
    /// an earlier second; the comparator code uses on keys in memory agrees.
    @Test func theStoreAndTheComparatorShareTheKeyOrder() throws {
        let store = try store()
        let org = try name("example.org")
        let keys = [
            Self.dnssec(9, created: at(1.9)), Self.dnssec(100, created: at(1.1)), Self.dnssec(500, created: at(0.5)),
            Self.dnssec(10, created: at(1.5)),
        ]
        try store.transaction { tx in for k in keys { try tx.insertDNSSEC(k, domain: org) } }
        let expected: [UInt16] = [500, 10, 100, 9]
        #expect(try store.dnssecKeys(domain: org).map(\.tag) == expected)
        #expect(keys.sorted(by: DNSSECKey.storeOrder).map(\.tag) == expected)

        let selectors = [
            Self.dkim("b", created: at(2)), Self.dkim("B", created: at(2.5)), Self.dkim("a", created: at(3)),
        ]
        try store.transaction { tx in for k in selectors.reversed() { try tx.insertDKIM(k, domain: org) } }
        #expect(try store.dkimKeys(domain: org).map(\.selector) == ["B", "b", "a"])
        #expect(selectors.sorted(by: DKIMKey.storeOrder).map(\.selector) == ["B", "b", "a"])
    }
}
