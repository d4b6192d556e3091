import Foundation
import Testing

@testable import MailKeysKit

/// `status --json` streamed one domain at a time is the document encoded whole.
@Suite struct StatusStreamTests {
    static func domain(_ name: String, keys: Int) -> StatusReport.DomainInfo {
        StatusReport.DomainInfo(
            domain: name,
            serial: 2_026_112_101,
            builtAt: "2026-11-21T10:00:00Z",
            zoneFile: "Zones/\(name).zone",
            zoneState: "current",
            records: [.init(owner: name, ttl: 3600, type: "TXT", rdata: "\"v=spf1 -all\" / \\ é", source: "policy")],
            keys: (0..<keys).map {
                .init(kind: "dkim", name: "mk\($0)", algorithm: "rsa", created: "2026-11-21T10:00:00Z", state: "active")
            },
            next: [],
            recent: [.init(at: nil, action: "tick", detail: "a \"quoted\" detail\nover two lines")],
            warnings: [],
            signaturesExpire: nil
        )
    }

    @Test(arguments: [0, 1, 3])
    func streamedIsTheWholeDocument(count: Int) throws {
        let domains = (0..<count).map { Self.domain("d\($0).example", keys: $0) }
        let report = StatusReport(home: "/srv/mail keys/\"x\"", now: "2026-11-21T10:00:00Z", domains: domains)
        var stream = StatusStream()
        var text = stream.head()
        for d in domains { text += try stream.domain(d) }
        text += try stream.tail(home: report.home, now: report.now)
        let whole = try stream.document(report)
        if count > 0 { #expect(text == whole) }
        let parsed = try JSONDecoder().decode(StatusReport.self, from: Data(text.utf8))
        #expect(parsed.domains.map(\.domain) == domains.map(\.domain))
        #expect(parsed.home == report.home)
    }
}
