import Foundation
import Testing

@testable import MailKeysCore

/// A TTL lowered never shortens a wait below the old TTL's (issue 17): a TTL the zone served
/// until `u` counts until `u` + that TTL, and every timing a TTL bounds is raised to it.
@Suite struct TTLFloorTests {
    @Test func aTTLServedUntilAMomentCountsForThatTTLAfter() {
        let lowered = utc(2026, 11, 21, 12, 1)
        let served: [(kind: TTLFloor.Kind, ttl: UInt32, until: Date?)] = [
            (.tlsa, 3600, lowered), (.tlsa, 60, nil), (.txt, 300, nil),
        ]
        let soon = TTLFloor.effective(served, now: lowered.addingTimeInterval(240))
        #expect(soon[.tlsa] == 3600 && soon[.txt] == 300 && soon[.dnskey] == 0)
        #expect(TTLFloor.effective(served, now: lowered.addingTimeInterval(3599))[.tlsa] == 3600)
        #expect(TTLFloor.effective(served, now: lowered.addingTimeInterval(3600))[.tlsa] == 60)
    }

    @Test func everyWaitATTLBoundsIsRaisedAndNothingElse() throws {
        let p = try Fixture.policy()
        let floor = TTLFloor([.tlsa: 7200, .txt: 7200, .dnskey: 86400])
        let q = floor.timing(p)
        #expect(q.ttl(for: .tlsa) == 7200)
        #expect(q.dkim.publishAhead == max(p.dkim.publishAhead, 2 * 7200 + p.propagationDelay))
        #expect(q.dkim.publishAhead > p.dkim.publishAhead)
        #expect(q.dkim.overlap == max(p.dkim.overlap, 7200 + p.propagationDelay))
        #expect(q.dkim.revealAfter == max(p.dkim.revealAfter, 7200 + p.propagationDelay))
        #expect(q.dnssec.dnskeyTTL == 86400)
        #expect(q.ttl(for: .txt) == p.ttl(for: .txt) && q.mx == p.mx && q.name == p.name)
        // A floor below the policy's own TTLs changes nothing.
        #expect(TTLFloor([.tlsa: 1, .txt: 1, .dnskey: 1]).timing(p) == p)
        #expect(TTLFloor().timing(p) == p)
    }
}
