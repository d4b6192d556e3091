import MailKeysCore
import MailKeysDNS
import MailKeysKit
import Testing

/// Error ids are part of the interface (scripts and logs match them): renaming a code fails here;
/// a use-case error that wraps a lower layer's keeps its reason and names it as the cause.
@Suite struct HomeErrorTests {
    @Test func idsAreTheLayerAndTheCode() {
        let ids = [HomeError.Code.exists, .missing, .locked, .io, .usage, .verify, .unsafe].map {
            HomeError($0, "x").id
        }
        #expect(
            ids == [
                "home.exists", "home.missing", "home.locked", "home.io", "home.usage", "home.verify", "home.unsafe",
            ]
        )
    }

    @Test func wrappingKeepsTheReasonAndNamesTheCause() {
        let cause = DNSError(.unreadable, "cannot map /z", context: ["path": "/z"])
        let e = HomeError(.io, wrapping: cause, context: ["domain": "example.org"])
        #expect(e.code == .io && e.reason == "cannot map /z")
        #expect(e.context == ["path": "/z", "cause": "dns.unreadable", "domain": "example.org"])
    }
}
