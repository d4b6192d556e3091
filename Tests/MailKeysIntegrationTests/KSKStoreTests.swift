import Foundation
import MailKeysCore
import MailKeysStore
import Testing

/// The KSK rollover columns of the store (migration 2026-11-22-ksk): `ready_at` and `ds_seen_at`
/// round-trip through insert, update and read, and the store refuses them out of order.
@Suite struct KSKStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func at(_ seconds: Int) -> Date { t0.addingTimeInterval(TimeInterval(seconds)) }

    static func store() throws -> Store {
        let store = try Store.create(at: try Support.scratch("store").appendingPathComponent("mailkeys.sqlite").path)
        try store.transaction { tx in try tx.ensureDomain(.exampleOrg, at: t0) }
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
        try store.transaction { tx in try tx.insertDNSSEC(k, domain: .exampleOrg) }
        #expect(try store.dnssecKeys(domain: .exampleOrg) == [k])
        #expect(try store.dnssecKeys(domain: .exampleOrg)[0].ready == nil)

        k.ready = Self.at(7500)
        k.dsSeen = Self.at(86400)
        try store.transaction { tx in try tx.updateDNSSEC(k, domain: .exampleOrg) }
        #expect(try store.dnssecKeys(domain: .exampleOrg) == [k])

        k.active = Self.at(2 * 86400)
        try store.transaction { tx in try tx.updateDNSSEC(k, domain: .exampleOrg) }
        #expect(try store.dnssecKeys(domain: .exampleOrg) == [k])

        // A key inserted with every timestamp set keeps them all.
        var full = Self.key(2)
        full.ready = Self.at(10)
        full.dsSeen = Self.at(20)
        full.active = Self.at(30)
        full.retired = Self.at(40)
        full.removed = Self.at(50)
        try store.transaction { tx in try tx.insertDNSSEC(full, domain: .exampleOrg) }
        #expect(try store.dnssecKeys(domain: .exampleOrg) == [k, full])
    }

    @Test func outOfOrderTimestampsAreRefused() throws {
        let store = try Self.store()
        try store.transaction { tx in try tx.insertDNSSEC(Self.key(1), domain: .exampleOrg) }
        func refused(_ change: (inout DNSSECKey) -> Void) {
            var k = Self.key(1)
            change(&k)
            #expect(throws: StoreError.self) {
                try store.transaction { tx in try tx.updateDNSSEC(k, domain: .exampleOrg) }
            }
        }
        refused { $0.ready = Self.at(-1) }
        refused { $0.dsSeen = Self.at(100) }  // seen without ever being ready
        refused {
            $0.ready = Self.at(100)
            $0.dsSeen = Self.at(99)
        }
        #expect(try store.dnssecKeys(domain: .exampleOrg) == [Self.key(1)])
    }
}
