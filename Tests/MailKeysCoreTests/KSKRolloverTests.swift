import Foundation
import Testing

@testable import MailKeysCore

// KSK and CSK double-DS rollovers with CDS/CDNSKEY: the planner's steps, the signer and CDS sets
// at each stage, `ds seen`, and a month of simulated hours checked against a model of the parent
// and of validator caches. Every test runs on a fake clock.

private let hour = 3600
private let day = 86400

private func plus(_ date: Date, _ seconds: Int) -> Date { date.addingTimeInterval(TimeInterval(seconds)) }

/// Dprp 5 min, TTLkey 1 h, TTLsig 2 d, safeties 1 h, manual ZSK and KSK rollovers, parent DS
/// TTL 1 d, parent propagation 1 h: IpubC 7500 s, swap 1 d 2 h after DS seen, Iret 7500 s for a
/// KSK and 2 d 1 h 5 min for a CSK.
private let timing = DNSSECTiming(propagation: 300, dnskeyTTL: hour, maxZoneTTL: 2 * day, zskLifetime: 0)

private let t0 = utc(2027, 3, 1, 0)

private func key(
    _ tag: UInt16, _ role: DNSSECKey.Role, published: Date, ready: Date? = nil, dsSeen: Date? = nil, active: Date? = nil,
    retired: Date? = nil, removed: Date? = nil
) -> DNSSECKey {
    var k = DNSSECKey(tag: tag, role: role, algorithm: 13, dnskey: "K\(tag)", created: published, published: published, active: active)
    k.ready = ready
    k.dsSeen = dsSeen
    k.retired = retired
    k.removed = removed
    return k
}

/// Applies `actions` at `now` as `tick` does; a created key gets the tag `nextTag` (then +1).
private func apply(_ actions: [DNSSECAction], to keys: [DNSSECKey], now: Date, nextTag: inout UInt16) -> [DNSSECKey] {
    var out = keys
    func set(_ tag: UInt16, _ change: (inout DNSSECKey) -> Void) {
        guard let i = out.firstIndex(where: { $0.tag == tag }) else {
            Issue.record("action on the unknown key \(tag)")
            return
        }
        change(&out[i])
    }
    for action in actions {
        switch action {
        case .createZSK, .createKSK:
            var role = DNSSECKey.Role.zsk
            if case .createKSK(let r) = action { role = r }
            out.append(key(nextTag, role, published: now))
            nextTag += 1
        case .ready(let t): set(t) { $0.ready = now }
        case .activate(let t): set(t) { $0.active = now }
        case .retire(let t): set(t) { $0.retired = now }
        case .remove(let t): set(t) { $0.removed = now }
        }
    }
    return out
}

private func plan(_ keys: [DNSSECKey], _ now: Date, rotateKSK: Bool = false, timing t: DNSSECTiming = timing) -> DNSSECPlan {
    DNSSECPlanner.plan(keys: keys, timing: t, now: now, rotateKSK: rotateKSK)
}

// MARK: - Timing, policy, descriptions

@Suite("KSK rollover: timing and policy")
struct KSKTimingTests {
    @Test func intervals() {
        #expect(timing.kskPublishInterval == 300 + hour + hour)
        #expect(timing.dsSwapInterval == day + hour + hour)
        #expect(timing.retireInterval(.ksk) == 300 + hour + hour)
        #expect(timing.retireInterval(.csk) == 300 + 2 * day + hour)
        #expect(timing.retireInterval(.zsk) == timing.zskRetireInterval)
        // A CSK in a zone whose data TTLs are below TTLkey still waits for its DNSKEY signatures.
        let short = DNSSECTiming(propagation: 300, dnskeyTTL: day, maxZoneTTL: hour, zskLifetime: 0)
        #expect(short.retireInterval(.csk) == short.retireInterval(.ksk))
    }

    @Test func policyDefaultsAndKeys() throws {
        let d = try Fixture.policy().dnssec
        #expect(d.kskLifetime == 0)
        #expect(d.parentDSTTL == 86400)
        #expect(d.parentPropagation == 3600)
        let p = try Fixture.policy {
            $0["dnssec"] = .table(["ksk_lifetime": .string("365d"), "parent_ds_ttl": .string("2d"), "parent_propagation": .int(600)])
        }.dnssec
        #expect(p.kskLifetime == 365 * day)
        #expect(p.parentDSTTL == 2 * day)
        #expect(p.parentPropagation == 600)
        let t = DNSSECTiming(policy: p, propagation: 300, maxZoneTTL: 7200)
        #expect(
            t
                == DNSSECTiming(
                    propagation: 300, dnskeyTTL: 3600, maxZoneTTL: 7200, zskLifetime: 90 * day, kskLifetime: 365 * day, parentDSTTL: 2 * day,
                    parentPropagation: 600))
    }

    @Test func policyRefusals() {
        expectCoreError(.invalidPolicy, "ksk_lifetime", "at least 30d") {
            try Fixture.policy { $0["dnssec"] = .table(["ksk_lifetime": .string("29d")]) }
        }
        expectCoreError(.invalidTTL, "parent_ds_ttl") { try Fixture.policy { $0["dnssec"] = .table(["parent_ds_ttl": .int(30)]) } }
        expectCoreError(.invalidPolicy, "parent_propagation", "at most 2d") {
            try Fixture.policy { $0["dnssec"] = .table(["parent_propagation": .string("3d")]) }
        }
        #expect(throws: Never.self) { try Fixture.policy { $0["dnssec"] = .table(["ksk_lifetime": .string("30d")]) } }
    }

    @Test func descriptions() {
        #expect(DNSSECAction.createKSK(role: .csk).description.hasPrefix("create and publish a new CSK (double-DS rollover"))
        #expect(DNSSECAction.createKSK(role: .ksk).description.hasPrefix("create and publish a new KSK"))
        #expect(DNSSECAction.ready(tag: 7).description.contains("key 7 is ready: CDS/CDNSKEY"))
        #expect(DNSSECAction.activate(tag: 7).description == "key 7 starts signing")
        #expect(DNSSECAction.retire(tag: 7).description == "key 7 stops signing (its DNSKEY stays for cached signatures)")
        #expect(DNSSECAction.remove(tag: 7).description == "remove DNSKEY 7")
    }
}

// MARK: - Stages

/// One rollover from CSK/KSK 1 to 9, each stage as the store would hold it.
private struct Stages {
    let role: DNSSECKey.Role
    let a = t0
    let p = plus(t0, 10 * day)  // 9 created and published
    var r: Date { plus(p, 7500) }  // 9 ready
    var s: Date { plus(r, 2 * day) }  // its DS seen
    var w: Date { plus(s, timing.dsSwapInterval) }  // swap
    var x: Date { plus(w, timing.retireInterval(role)) }  // 1 removed

    /// Keys other than the rolling pair (a ZSK for ksk+zsk).
    var others: [DNSSECKey] { role == .ksk ? [key(2, .zsk, published: a, active: a)] : [] }

    var steady: [DNSSECKey] { [key(1, role, published: a, active: a)] + others }
    var published: [DNSSECKey] { [key(1, role, published: a, active: a), key(9, role, published: p)] + others }
    var ready: [DNSSECKey] { [key(1, role, published: a, active: a), key(9, role, published: p, ready: r)] + others }
    var seen: [DNSSECKey] { [key(1, role, published: a, active: a), key(9, role, published: p, ready: r, dsSeen: s)] + others }
    var swapped: [DNSSECKey] {
        [key(1, role, published: a, active: a, retired: w), key(9, role, published: p, ready: r, dsSeen: s, active: w)] + others
    }
    var done: [DNSSECKey] {
        [key(1, role, published: a, active: a, retired: w, removed: x), key(9, role, published: p, ready: r, dsSeen: s, active: w)] + others
    }
}

@Suite("KSK rollover: the planner's steps and the sets at each stage")
struct KSKStageTests {
    @Test(arguments: [DNSSECKey.Role.csk, .ksk])
    func stepByStep(role: DNSSECKey.Role) {
        let st = Stages(role: role)
        // Steady: nothing until asked (ksk_lifetime 0).
        let quiet = plan(st.steady, st.p)
        #expect(quiet.actions.isEmpty)
        #expect(quiet.nextWake == nil)
        var tag: UInt16 = 9
        #expect(plan(st.steady, st.p, rotateKSK: true).actions == [.createKSK(role: role)])
        #expect(apply([.createKSK(role: role)], to: st.steady, now: st.p, nextTag: &tag) == st.steady + [key(9, role, published: st.p)])

        let early = plan(st.published, plus(st.r, -1))
        #expect(early.actions.isEmpty)
        #expect(early.nextWake == st.r)
        let ready = plan(st.published, st.r)
        #expect(ready.actions == [.ready(tag: 9)])
        #expect(ready.waitingForDS == [9])

        // Waiting on the operator: no wake of its own.
        let waiting = plan(st.ready, plus(st.s, 30 * day))
        #expect(waiting.actions.isEmpty)
        #expect(waiting.nextWake == nil)
        #expect(waiting.waitingForDS == [9])

        let beforeSwap = plan(st.seen, plus(st.w, -1))
        #expect(beforeSwap.actions.isEmpty)
        #expect(beforeSwap.nextWake == st.w)
        #expect(beforeSwap.waitingForDS.isEmpty)
        let swap = plan(st.seen, st.w)
        #expect(swap.actions == [.activate(tag: 9), .retire(tag: 1)])
        #expect(swap.nextWake == st.x)

        #expect(plan(st.swapped, plus(st.x, -1)).actions.isEmpty)
        let remove = plan(st.swapped, st.x)
        #expect(remove.actions == [.remove(tag: 1)])
        #expect(remove.nextWake == nil)
        #expect(plan(st.done, plus(st.x, 100 * day)).actions.isEmpty)
    }

    @Test func cdsAndSignersOfACSK() {
        let st = Stages(role: .csk)
        func sets(_ keys: [DNSSECKey]) -> [[UInt16]] {
            let s = DNSSECPlanner.signers(keys: keys)
            return [DNSSECPlanner.cdsKeys(keys: keys), s.dnskeySigners, s.zoneSigners]
        }
        #expect(sets(st.steady) == [[1], [1], [1]])
        #expect(sets(st.published) == [[1], [1, 9], [1]])  // 9 signs the DNSKEY RRset only
        #expect(sets(st.ready) == [[1, 9], [1, 9], [1]])  // double DS
        #expect(sets(st.seen) == [[1, 9], [1, 9], [1]])
        #expect(sets(st.swapped) == [[9], [9], [9]])  // the retired key signs nothing
        #expect(sets(st.done) == [[9], [9], [9]])
    }

    @Test func cdsAndSignersOfAKSKAndZSK() {
        let st = Stages(role: .ksk)
        func sets(_ keys: [DNSSECKey]) -> [[UInt16]] {
            let s = DNSSECPlanner.signers(keys: keys)
            return [DNSSECPlanner.cdsKeys(keys: keys), s.dnskeySigners, s.zoneSigners]
        }
        #expect(sets(st.steady) == [[1], [1], [2]])
        #expect(sets(st.published) == [[1], [1, 9], [2]])
        #expect(sets(st.ready) == [[1, 9], [1, 9], [2]])
        #expect(sets(st.swapped) == [[9], [9], [2]])
        // A pre-published ZSK signs nothing; a retired one neither.
        let zsks = st.steady + [key(3, .zsk, published: plus(t0, day))]
        #expect(sets(zsks) == [[1], [1], [2]])
        let rolled = [
            key(1, .ksk, published: t0, active: t0), key(2, .zsk, published: t0, active: t0, retired: plus(t0, 2 * day)),
            key(3, .zsk, published: plus(t0, day), active: plus(t0, 2 * day)),
        ]
        #expect(sets(rolled) == [[1], [1], [3]])
        #expect(sets([]) == [[], [], []])
    }

    @Test(arguments: [DNSSECKey.Role.csk, .ksk])
    func rotateKSKDuringARolloverIsANoOpWithAReason(role: DNSSECKey.Role) {
        let st = Stages(role: role)
        for (keys, now, stage) in [
            (st.published, plus(st.p, hour), "its CDS/CDNSKEY are published at"), (st.published, st.r, "published now"),
            (st.ready, plus(st.r, hour), "waiting for its DS at the parent"), (st.seen, plus(st.s, hour), "its DS was seen at the parent"),
            (st.seen, st.w, "it takes over now"),
        ] {
            let asked = plan(keys, now, rotateKSK: true)
            let unasked = plan(keys, now)
            #expect(asked.actions == unasked.actions, "\(stage)")
            #expect(asked.nextWake == unasked.nextWake)
            #expect(asked.notes.count == 1)
            #expect(asked.notes.first?.contains("rollover to key 9 is in progress (") == true)
            #expect(asked.notes.first?.contains(stage) == true, "\(asked.notes)")
            #expect(unasked.notes.isEmpty)
        }
        // The rollover ends when the old DNSKEY leaves; then the next one may start.
        let finishing = plan(st.swapped, plus(st.w, hour), rotateKSK: true)
        #expect(finishing.actions.isEmpty)
        #expect(finishing.nextWake == st.x)
        #expect(
            finishing.notes == [
                "rotate ksk: the previous rollover ends when DNSKEY 1 leaves at \(DNSSECPlanner.stamp(st.x)); one KSK rollover at a time"
            ])
        #expect(plan(st.done, st.x, rotateKSK: true).actions == [.createKSK(role: role)])
        #expect(plan([], t0, rotateKSK: true).notes == ["rotate ksk: there is no active KSK or CSK to roll"])
    }

    @Test func zskAndKSKRolloversOverlap() {
        let st = Stages(role: .ksk)
        var keys = st.seen
        keys.append(key(3, .zsk, published: plus(st.w, -7500)))
        let r = plan(keys, st.w)
        #expect(r.actions == [.activate(tag: 3), .retire(tag: 2), .activate(tag: 9), .retire(tag: 1)])
        #expect(r.nextWake == plus(st.w, timing.retireInterval(.ksk)))
    }

    @Test func kskLifetimeSchedulesTheRollover() {
        var t = timing
        t.kskLifetime = 60 * day
        let steady = [key(1, .csk, published: t0, active: t0)]
        let quiet = plan(steady, plus(t0, day), timing: t)
        #expect(quiet.actions.isEmpty)
        #expect(quiet.nextWake == plus(t0, 60 * day))
        #expect(plan(steady, plus(t0, 60 * day - 1), timing: t).actions.isEmpty)
        let due = plan(steady, plus(t0, 60 * day), timing: t)
        #expect(due.actions == [.createKSK(role: .csk)])
        #expect(due.nextWake == plus(t0, 60 * day + 7500))
        // A late tick starts it late; the next lifetime counts from the new key's activation.
        #expect(plan(steady, plus(t0, 90 * day), timing: t).actions == [.createKSK(role: .csk)])
        let st = Stages(role: .csk)
        let swap = plan(st.seen, plus(st.w, 5 * day), timing: t)
        #expect(swap.actions == [.activate(tag: 9), .retire(tag: 1)])
        #expect(swap.nextWake == plus(st.w, 5 * day + t.retireInterval(.csk)))
        var tag: UInt16 = 10
        let after = apply(swap.actions, to: st.seen, now: plus(st.w, 5 * day), nextTag: &tag)
        #expect(plan(after, plus(st.w, 30 * day), timing: t).actions == [.remove(tag: 1)])
        #expect(plan(after, plus(st.w, 30 * day), timing: t).nextWake == plus(st.w, 65 * day))
        // A lifetime that ends while the old DNSKEY still waits to leave starts the next rollover after it.
        var short = t
        short.kskLifetime = 1 * day
        let waits = plan(after, plus(st.w, 6 * day), timing: short)
        #expect(waits.actions.isEmpty)
        #expect(waits.nextWake == plus(st.w, 5 * day + t.retireInterval(.csk)))
        #expect(plan(after, plus(st.w, 5 * day + t.retireInterval(.csk)), timing: short).actions == [.createKSK(role: .csk), .remove(tag: 1)])
    }

    @Test func aLateTickNeverShortensAWait() throws {
        let st = Stages(role: .csk)
        // Ten days late for the swap: the old key retires now and leaves Iret after now.
        let late = plus(st.w, 10 * day)
        let swap = plan(st.seen, late)
        #expect(swap.actions == [.activate(tag: 9), .retire(tag: 1)])
        #expect(swap.nextWake == plus(late, timing.retireInterval(.csk)))
        // Ready counts from the recorded publication, the swap from the recorded DS seen.
        let keys = try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 9, now: plus(st.r, 20 * day))
        #expect(plan(keys, plus(st.r, 20 * day)).nextWake == plus(st.r, 20 * day + timing.dsSwapInterval))
    }

    @Test func aClockBeforeTheRecordedStepsPlansNothing() {
        let st = Stages(role: .csk)
        for (keys, last) in [(st.published, st.p), (st.ready, st.r), (st.seen, st.s), (st.swapped, st.w), (st.done, st.x)] {
            let r = plan(keys, plus(last, -1), rotateKSK: true)
            #expect(r.actions.isEmpty)
            #expect(r.nextWake == nil)
            #expect(r.notes.count == 1)
            #expect(r.notes.first?.contains("before the last recorded key step") == true)
            #expect(plan(keys, last).notes.allSatisfy { !$0.contains("before the last") })
        }
        #expect(plan(st.ready, plus(st.r, -1)).waitingForDS == [9])
    }
}

// MARK: - ds seen

@Suite("KSK rollover: marking the DS seen")
struct DSSeenTests {
    private let st = Stages(role: .ksk)

    @Test func marksTheReadyKeyAndIsIdempotent() throws {
        let marked = try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 9, now: st.s)
        #expect(marked == st.seen)
        #expect(try DNSSECPlanner.markDSSeen(keys: marked, tag: 9, now: plus(st.s, day)) == marked)
        // Still after the swap (the operator runs it twice): unchanged.
        #expect(try DNSSECPlanner.markDSSeen(keys: st.swapped, tag: 9, now: plus(st.w, day)) == st.swapped)
        #expect(try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 9, now: st.r)[0...1].map(\.dsSeen) == [nil, st.r])
    }

    @Test func refusals() {
        expectCoreError(.conflict, "no DNSSEC key 77", "KSK/CSK: 1, 9") { try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 77, now: st.s) }
        expectCoreError(.conflict, "key 2 is a ZSK") { try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 2, now: st.s) }
        expectCoreError(.conflict, "key 9 is not ready yet", "you are early") {
            try DNSSECPlanner.markDSSeen(keys: st.published, tag: 9, now: plus(st.p, hour))
        }
        expectCoreError(.conflict, "key 1 is the active key") { try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 1, now: st.s) }
        expectCoreError(.conflict, "key 1 is retired") { try DNSSECPlanner.markDSSeen(keys: st.swapped, tag: 1, now: plus(st.w, hour)) }
        expectCoreError(.conflict, "key 1 was removed") { try DNSSECPlanner.markDSSeen(keys: st.done, tag: 1, now: plus(st.x, hour)) }
        expectCoreError(.conflict, "after now", "check the clock") { try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 9, now: plus(st.r, -1)) }
    }
}
