import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The `export` and `intent` tables.
@Suite struct ExportAndIntentTests {
    @Test func theLastExportPerTargetIsKept() throws {
        let store = try store()
        let org = try name("example.org")
        let hash = String(repeating: "f", count: 64)
        let failed = ExportState(serial: 7, fileHash: hash, attempted: t0, confirmed: nil, error: "refused")
        let done = ExportState(serial: 4_294_967_295, fileHash: hash, attempted: at(60), confirmed: at(61), error: nil)
        try store.recordExport(domain: org, target: "ns1", state: failed)
        try store.recordExport(domain: org, target: "ns2", state: failed)
        try store.recordExport(domain: org, target: "ns1", state: done)
        #expect(try store.exports(domain: org) == ["ns1": done, "ns2": failed])
        #expect(try store.exports(domain: try name("example.net")).isEmpty)
        // A failure after a success keeps the serial the target was last seen serving.
        try store.recordExport(domain: org, target: "ns1", state: failed)
        let ns1 = try #require(try store.exports(domain: org)["ns1"])
        #expect(ns1.serial == 7 && ns1.error == "refused" && ns1.confirmed == nil)
        #expect(ns1.lastConfirmedSerial == 4_294_967_295 && ns1.lastConfirmed == at(61))
        #expect(try store.exports(domain: org)["ns2"]?.lastConfirmedSerial == nil)
    }

    @Test func intentStepsComeBackInOrderUntilCleared() throws {
        let store = try store()
        let steps = [
            IntentStep(
                .rename,
                source: "Zones/.new",
                target: "Zones/example.org.zone",
                hash: String(repeating: "0", count: 64)
            ),
            IntentStep(.delete, target: "Keys/old"),
            IntentStep(.run, source: #"["true"]"#, target: "reload"),
            IntentStep(.copy, source: "a", target: "b"),
        ]
        #expect(try store.intent().isEmpty)
        try store.transaction { tx in try tx.recordIntent(steps, at: t0) }
        #expect(try store.intent() == steps)
        try store.clearIntent()
        #expect(try store.intent().isEmpty)
    }
}
