import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The `domain` table: names, builds, signing state; and the event log.
@Suite struct DomainTests {
    @Test func domainsRoundTripByName() throws {
        let store = try store(with: ["example.org", "b.example", "a.example"])
        try store.transaction { tx in try tx.ensureDomain(try name("example.org"), at: at(500)) }  // already known
        let rows = try store.domains()
        #expect(rows.map(\.name.description) == ["a.example", "b.example", "example.org"])
        #expect(rows.allSatisfy { $0.addedAt == t0 && $0.builtAt == nil && $0.state == ZoneState() })
        #expect(try store.transaction { tx in try tx.domain(try name("nowhere.example")) } == nil)
    }

    @Test func aBuildIsRecordedAndReadBack() throws {
        let store = try store()
        let org = try name("example.org")
        let (content, file) = (String(repeating: "a", count: 64), String(repeating: "b", count: 64))
        try store.transaction { tx in
            try tx.recordBuild(org, serial: 4_000_000_000, contentHash: content, fileHash: file, at: at(60))
        }
        let row = try #require(try store.transaction { tx in try tx.domain(org) })
        #expect(
            row
                == DomainRow(
                    name: org,
                    state: ZoneState(serial: 4_000_000_000, contentHash: content, fileHash: file),
                    builtAt: at(60),
                    addedAt: t0
                )
        )
        #expect(try store.domains() == [row])
        expectStoreError(.failed, "nowhere.example") {
            try store.transaction { tx in
                try tx.recordBuild(try name("nowhere.example"), serial: 1, contentHash: content, fileHash: file, at: t0)
            }
        }
    }

    @Test func signingStateRoundTrips() throws {
        let store = try store()
        let org = try name("example.org")
        #expect(try store.signingState(org) == (nil, nil))
        let hash = String(repeating: "c", count: 64)
        try store.transaction { tx in try tx.recordSigning(org, fileHash: hash, expiresAt: at(86400)) }
        #expect(try store.signingState(org) == (hash, at(86400)))
        #expect(try store.signingState(try name("nowhere.example")) == (nil, nil))
    }

    @Test func eventsComeNewestFirstPerDomainAndLimited() throws {
        let store = try store(with: ["example.org", "example.net"])
        let (org, net) = (try name("example.org"), try name("example.net"))
        try store.transaction { tx in
            try tx.log("init", domain: nil, detail: "home created", at: t0)
            try tx.log("dkim", domain: org, detail: "one", at: at(1))
            try tx.log("dkim", domain: net, detail: "two", at: at(2))
            try tx.log("zone-build", domain: org, detail: "three", at: at(3))
        }
        #expect(try store.events().map(\.detail) == ["three", "two", "one", "home created"])
        #expect(try store.events(limit: 2).map(\.detail) == ["three", "two"])
        #expect(
            try store.events(domain: org) == [
                EventRow(at: at(3), domain: org, action: "zone-build", detail: "three"),
                EventRow(at: at(1), domain: org, action: "dkim", detail: "one"),
            ]
        )
        #expect(try store.events().last?.domain == nil)
    }

    @Test func aFailedTransactionLeavesNothing() throws {
        let store = try store()
        struct Boom: Error {}
        #expect(throws: Boom.self) {
            try store.transaction { tx in
                try tx.ensureDomain(try name("example.net"), at: t0)
                try tx.log("init", domain: nil, detail: "gone", at: t0)
                throw Boom()
            }
        }
        #expect(try store.domains().map(\.name.description) == ["example.org"])
        #expect(try store.events().isEmpty)
    }
}
