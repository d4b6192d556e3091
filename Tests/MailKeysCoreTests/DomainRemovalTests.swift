import Foundation
import Testing

@testable import MailKeysCore

/// The phases of a removal (issue 17): a signed zone leaves its nameservers only once the DS is
/// gone at the parent and out of every cache; an unsigned one once confirmed.
@Suite struct DomainRemovalPhaseTests {
    let start = utc(2026, 11, 21, 11, 0)
    let interval = 86400 + 3600 + 3600

    @Test func aSignedZoneLeavesOnlyAfterTheDSIsOutOfEveryCache() {
        var r = DomainRemoval(requested: start)
        #expect(
            r.phase(signed: true, dsInterval: interval, now: start.addingTimeInterval(30 * 86400))
                == .waitingForDSRemoval
        )
        #expect(r.wake(signed: true, dsInterval: interval, now: start) == nil, "it waits for the parent, not a time")
        let gone = start.addingTimeInterval(7200)
        r.dsGone = gone
        let until = gone.addingTimeInterval(TimeInterval(interval))
        #expect(r.phase(signed: true, dsInterval: interval, now: gone) == .waitingForCaches(until: until))
        #expect(
            r.phase(signed: true, dsInterval: interval, now: until.addingTimeInterval(-1))
                == .waitingForCaches(until: until)
        )
        #expect(r.wake(signed: true, dsInterval: interval, now: gone)?.at == until)
        #expect(r.phase(signed: true, dsInterval: interval, now: until) == .leavingNameservers)
        // A confirmation does not shortcut the DS wait of a signed zone.
        r.confirmed = gone
        #expect(r.phase(signed: true, dsInterval: interval, now: gone) == .waitingForCaches(until: until))
        r.unexported = until
        #expect(r.phase(signed: true, dsInterval: interval, now: until) == .offNameservers)
        #expect(!r.served)
    }

    @Test func anUnsignedZoneLeavesOnceConfirmed() {
        var r = DomainRemoval(requested: start)
        #expect(
            r.phase(signed: false, dsInterval: interval, now: start.addingTimeInterval(86400))
                == .waitingForConfirmation
        )
        r.confirmed = start.addingTimeInterval(60)
        #expect(r.phase(signed: false, dsInterval: interval, now: start.addingTimeInterval(60)) == .leavingNameservers)
        let line = r.describe(try! DomainName("example.net"), signed: false, dsInterval: interval, now: start) {
            "\($0.timeIntervalSince1970)"
        }
        #expect(line.hasPrefix("example.net: being removed since"), "\(line)")
    }
}
