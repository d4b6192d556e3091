import MailKeysCore
import MailKeysDNS
import Testing

/// Error ids are part of the interface (scripts and logs match them): renaming a code fails here.
@Suite struct DNSErrorTests {
    @Test func idsAreTheLayerAndTheCode() {
        let ids = [DNSError.Code.unreadable, .syntax, .unsupported, .verify, .io].map { DNSError($0, "x").id }
        #expect(ids == ["dns.unreadable", "dns.syntax", "dns.unsupported", "dns.verify", "dns.io"])
        let e: any MailKeysError = DNSError(.io, "cannot read", context: ["path": "/x"])
        #expect(e.reason == "cannot read" && e.context == ["path": "/x"] && "\(e)" == "cannot read")
    }
}
