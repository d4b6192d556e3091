import MailKeysCore
import Testing

/// Error ids are part of the interface (scripts and logs match them): renaming a code fails here.
@Suite struct ErrorIdentityTests {
    @Test func coreErrorIdsAreTheLayerAndTheCode() {
        let ids = [
            CoreError.Code.invalidName, .invalidAddress, .invalidTTL, .invalidDuration, .invalidSPF, .invalidDMARC,
            .invalidMTASTS, .invalidTLSRPT, .invalidCAA, .invalidPolicy, .invalidRecord, .conflict,
        ].map { CoreError($0, "x").id }
        #expect(
            ids == [
                "core.invalidName", "core.invalidAddress", "core.invalidTTL", "core.invalidDuration", "core.invalidSPF",
                "core.invalidDMARC", "core.invalidMTASTS", "core.invalidTLSRPT", "core.invalidCAA",
                "core.invalidPolicy",
                "core.invalidRecord", "core.conflict",
            ]
        )
    }

    @Test func aWrapperKeepsTheContextAndNamesTheCause() {
        let e = CoreError(.invalidName, "bad name", context: ["domain": "example.org"])
        #expect(e.description == "bad name")
        #expect(e.wrappedContext == ["domain": "example.org", "cause": "core.invalidName"])
        let own = CoreError(.conflict, "x", context: ["cause": "earlier"])
        #expect(own.wrappedContext["cause"] == "earlier")
    }
}
