import Foundation
import Testing

@testable import MailKeysCore

// DNSSECKeyState: a key's state derived from its timestamps, recorded or as of a `now`.

private let t0 = utc(2027, 3, 1, 0)

private func plus(_ date: Date, _ seconds: Int) -> Date { date.addingTimeInterval(TimeInterval(seconds)) }

/// A KSK created at t0 whose steps, given in hours after t0, are recorded.
private func key(
    published: Int? = nil,
    ready: Int? = nil,
    dsSeen: Int? = nil,
    active: Int? = nil,
    retired: Int? = nil,
    removed: Int? = nil
) -> DNSSECKey {
    func at(_ h: Int?) -> Date? { h.map { plus(t0, $0 * 3600) } }
    var k = DNSSECKey(
        tag: 1,
        role: .ksk,
        algorithm: 13,
        dnskey: "K1",
        created: t0,
        published: at(published),
        active: at(active)
    )
    k.ready = at(ready)
    k.dsSeen = at(dsSeen)
    k.retired = at(retired)
    k.removed = at(removed)
    return k
}

@Suite struct DNSSECKeyStateTests {
    @Test func recordedStateIsTheLatestStepRecorded() {
        #expect(key().state == .created)
        #expect(key(published: 0).state == .published)
        #expect(key(published: 0, ready: 1).state == .ready)
        #expect(key(published: 0, ready: 1, dsSeen: 2).state == .dsSeen)
        #expect(key(published: 0, ready: 1, dsSeen: 2, active: 3).state == .active)
        #expect(key(published: 0, ready: 1, dsSeen: 2, active: 3, retired: 4).state == .retired)
        #expect(key(published: 0, ready: 1, dsSeen: 2, active: 3, retired: 4, removed: 5).state == .removed)
        // A ZSK has no ready or DS steps; a removed key never retired is removed all the same.
        #expect(key(published: 0, active: 1).state == .active)
        #expect(key(published: 0, removed: 1).state == .removed)
    }

    /// Every combination of set and unset timestamps: the recorded state is exactly the nil checks
    /// it replaced in the planner (the later steps first).
    @Test func recordedStateMatchesTheNilChecks() {
        for bits in 0..<64 {
            func h(_ i: Int) -> Int? { bits & (1 << i) != 0 ? i : nil }
            let k = key(published: h(0), ready: h(1), dsSeen: h(2), active: h(3), retired: h(4), removed: h(5))
            let s = k.state
            #expect((s == .removed) == (k.removed != nil), "\(bits)")
            #expect((s == .retired) == (k.retired != nil && k.removed == nil), "\(bits)")
            #expect((s == .active) == (k.active != nil && k.retired == nil && k.removed == nil), "\(bits)")
            #expect(
                (s == .dsSeen) == (k.dsSeen != nil && k.active == nil && k.retired == nil && k.removed == nil),
                "\(bits)"
            )
            #expect(
                (s == .ready)
                    == (k.ready != nil && k.dsSeen == nil && k.active == nil && k.retired == nil && k.removed == nil),
                "\(bits)"
            )
            #expect((s == .created) == (bits == 0), "\(bits)")
        }
    }

    /// At each step's exact time the key is in that step's state; a second before, in the one before.
    @Test func stateAtNowChangesAtTheExactTimestamp() {
        let k = key(published: 1, ready: 2, dsSeen: 3, active: 4, retired: 5, removed: 6)
        let steps: [(Int, DNSSECKeyState, DNSSECKeyState)] = [
            (1, .created, .published), (2, .published, .ready), (3, .ready, .dsSeen), (4, .dsSeen, .active),
            (5, .active, .retired), (6, .retired, .removed),
        ]
        for (hour, before, at) in steps {
            let time = plus(t0, hour * 3600)
            #expect(k.state(at: plus(time, -1)) == before, "1 s before hour \(hour)")
            #expect(k.state(at: time) == at, "at hour \(hour)")
            #expect(k.state(at: plus(time, 1)) == at, "1 s after hour \(hour)")
        }
        #expect(k.state(at: plus(t0, -3600)) == .created, "before its creation")
        #expect(k.state(at: .distantFuture) == k.state)
    }

    /// Steps recorded for a later time have not happened at `now`, whatever else is recorded.
    @Test func stateAtNowIgnoresLaterSteps() {
        let k = key(published: 0, active: 10, removed: 2)
        #expect(k.state(at: plus(t0, 3600)) == .published)
        #expect(k.state(at: plus(t0, 2 * 3600)) == .removed)
        #expect(k.state == .removed)
    }

    @Test func rawValuesAreWhatStatusShows() {
        #expect(
            DNSSECKeyState.allCases.map(\.rawValue) == [
                "created", "published", "ready", "ds-seen", "active", "retired", "removed",
            ]
        )
    }
}
