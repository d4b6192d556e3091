import Foundation
import MailKeysCore
import MailKeysStore
import Testing

/// The KSK rollover columns of the store (migration 2026-11-22-ksk): `ready_at` and `ds_seen_at`
/// round-trip through insert, update and read, and the store refuses them out of order.
@Suite struct KSKStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let domain = try! DomainName("example.org")

    static func at(_ seconds: Int) -> Date { t0.addingTimeInterval(TimeInterval(seconds)) }

    static func store() throws -> Store {
        let store = try Store.inMemory()
        try store.transaction { tx in try tx.ensureDomain(Self.domain, at: t0) }
        return store
    }

    static func key(_ tag: UInt16) -> DNSSECKey {
        DNSSECKey(
            tag: tag,
            role: .ksk,
            algorithm: 13,
            dnskey: "example.org. 3600 IN DNSKEY 257 3 13 AAAA\(tag)",
            created: t0,
            published: t0,
            active: nil
        )
    }

    @Test func readyAndDSSeenRoundTrip() throws {
        let store = try Self.store()
        var k = Self.key(1)
        try store.transaction { tx in try tx.insertDNSSEC(k, domain: Self.domain) }
        #expect(try store.dnssecKeys(domain: Self.domain) == [k])
        #expect(try store.dnssecKeys(domain: Self.domain)[0].ready == nil)

        k.ready = Self.at(7500)
        k.dsSeen = Self.at(86400)
        try store.transaction { tx in try tx.updateDNSSEC(k, domain: Self.domain) }
        #expect(try store.dnssecKeys(domain: Self.domain) == [k])

        k.active = Self.at(2 * 86400)
        try store.transaction { tx in try tx.updateDNSSEC(k, domain: Self.domain) }
        #expect(try store.dnssecKeys(domain: Self.domain) == [k])

        // A key inserted with every timestamp set keeps them all.
        var full = Self.key(2)
        full.ready = Self.at(10)
        full.dsSeen = Self.at(20)
        full.active = Self.at(30)
        full.retired = Self.at(40)
        full.removed = Self.at(50)
        try store.transaction { tx in try tx.insertDNSSEC(full, domain: Self.domain) }
        #expect(try store.dnssecKeys(domain: Self.domain) == [k, full])
    }

    @Test func outOfOrderTimestampsAreRefused() throws {
        let store = try Self.store()
        try store.transaction { tx in try tx.insertDNSSEC(Self.key(1), domain: Self.domain) }
        func refused(_ change: (inout DNSSECKey) -> Void) {
            var k = Self.key(1)
            change(&k)
            #expect(throws: StoreError.self) {
                try store.transaction { tx in try tx.updateDNSSEC(k, domain: Self.domain) }
            }
        }
        refused { $0.ready = Self.at(-1) }
        refused { $0.dsSeen = Self.at(100) }  // seen without ever being ready
        refused {
            $0.ready = Self.at(100)
            $0.dsSeen = Self.at(99)
        }
        #expect(try store.dnssecKeys(domain: Self.domain) == [Self.key(1)])
    }
}
