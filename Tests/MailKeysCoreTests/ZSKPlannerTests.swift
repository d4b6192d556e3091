import Foundation
import Testing

@testable import MailKeysCore

// The ZSK pre-publication steps of the DNSSEC planner, pinned so the KSK work cannot move them.

private let hour = 3600
private let day = 86400

private func plus(_ date: Date, _ seconds: Int) -> Date { date.addingTimeInterval(TimeInterval(seconds)) }

/// Dprp 5 min, TTLkey 1 h, TTLsig 1 d, safeties 1 h, ZSK lifetime 20 d: Ipub 7500 s, Iret 90300 s.
private let timing = DNSSECTiming(propagation: 300, dnskeyTTL: hour, maxZoneTTL: day, zskLifetime: 20 * day)

private let t0 = utc(2027, 3, 1, 0)

private func key(_ tag: UInt16, _ role: DNSSECKey.Role, published: Date, active: Date?, retired: Date? = nil)
    -> DNSSECKey
{
    var k = DNSSECKey(
        tag: tag,
        role: role,
        algorithm: 13,
        dnskey: "K\(tag)",
        created: published,
        published: published,
        active: active
    )
    k.retired = retired
    return k
}

/// The steps the planner decides (no KSK rotation is asked for).
private func zskPlan(_ keys: [DNSSECKey], _ now: Date, rotateZSK: Bool = false) -> DNSSECPlan {
    DNSSECPlanner.plan(keys: keys, timing: timing, now: now, rotateZSK: rotateZSK, rotateKSK: false)
}

@Suite("DNSSEC planner: ZSK pre-publication")
struct ZSKPlannerTests {
    let steady = [key(1, .ksk, published: t0, active: t0), key(2, .zsk, published: t0, active: t0)]

    @Test func intervals() {
        #expect(timing.zskPublishInterval == 7500)
        #expect(timing.zskRetireInterval == 300 + day + hour)
    }

    @Test func waitsForTheLifetimeThenPrePublishes() {
        let quiet = zskPlan(steady, plus(t0, day))
        #expect(quiet.actions.isEmpty)
        #expect(quiet.nextWake == plus(t0, 20 * day))
        let due = zskPlan(steady, plus(t0, 20 * day))
        #expect(due.actions == [.createZSK])
        #expect(due.nextWake == plus(t0, 20 * day + 7500))
    }

    @Test func rotateZSKStartsAtOnce() {
        let now = plus(t0, day)
        let r = zskPlan(steady, now, rotateZSK: true)
        #expect(r.actions == [.createZSK])
        #expect(r.nextWake == plus(now, 7500))
    }

    @Test func successorSignsAfterIpubAndTheOldOneRetires() {
        let p = plus(t0, 20 * day)
        let keys = steady + [key(3, .zsk, published: p, active: nil)]
        let early = zskPlan(keys, plus(p, 7499))
        #expect(early.actions.isEmpty)
        #expect(early.nextWake == plus(p, 7500))
        let now = plus(p, 7500)
        let r = zskPlan(keys, now)
        #expect(r.actions == [.activate(tag: 3), .retire(tag: 2)])
        #expect(r.nextWake == plus(now, timing.zskRetireInterval))
    }

    @Test func theRetiredDNSKEYLeavesAfterIret() {
        let r = plus(t0, 20 * day + 7500)
        let keys = [
            key(1, .ksk, published: t0, active: t0), key(2, .zsk, published: t0, active: t0, retired: r),
            key(3, .zsk, published: plus(t0, 20 * day), active: r),
        ]
        let early = zskPlan(keys, plus(r, timing.zskRetireInterval - 1))
        #expect(early.actions.isEmpty)
        #expect(early.nextWake == plus(r, timing.zskRetireInterval))
        let due = zskPlan(keys, plus(r, timing.zskRetireInterval))
        #expect(due.actions == [.remove(tag: 2)])
        #expect(due.nextWake == plus(r, 20 * day))
    }

    @Test func aClockBeforeTheRecordedStepsPlansNothing() {
        let r = zskPlan(steady, plus(t0, -1), rotateZSK: true)
        #expect(r.actions.isEmpty)
        #expect(r.nextWake == nil)
    }

    @Test func aCSKZoneHasNoZSKSteps() {
        let r = zskPlan([key(1, .csk, published: t0, active: t0)], plus(t0, 400 * day), rotateZSK: true)
        #expect(r.actions.isEmpty)
        #expect(r.nextWake == nil)
    }
}
