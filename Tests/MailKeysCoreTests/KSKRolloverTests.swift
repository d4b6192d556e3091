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
    _ tag: UInt16,
    _ role: DNSSECKey.Role,
    published: Date,
    ready: Date? = nil,
    dsSeen: Date? = nil,
    active: Date? = nil,
    retired: Date? = nil,
    removed: Date? = nil
) -> DNSSECKey {
    var k = DNSSECKey(
        tag: tag,
        role: role,
        algorithm: 13,
        dnskey: "K\(tag)",
        created: published,
        published: published,
        active: active
    )
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

private func plan(_ keys: [DNSSECKey], _ now: Date, rotateKSK: Bool = false, timing t: DNSSECTiming = timing)
    -> DNSSECPlan
{
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
            $0["dnssec"] = .table([
                "ksk_lifetime": .string("365d"), "parent_ds_ttl": .string("2d"), "parent_propagation": .int(600),
            ])
        }.dnssec
        #expect(p.kskLifetime == 365 * day)
        #expect(p.parentDSTTL == 2 * day)
        #expect(p.parentPropagation == 600)
        let t = DNSSECTiming(policy: p, propagation: 300, maxZoneTTL: 7200)
        #expect(
            t
                == DNSSECTiming(
                    propagation: 300,
                    dnskeyTTL: 3600,
                    maxZoneTTL: 7200,
                    zskLifetime: 90 * day,
                    kskLifetime: 365 * day,
                    parentDSTTL: 2 * day,
                    parentPropagation: 600
                )
        )
    }

    @Test func policyRefusals() {
        expectCoreError(.invalidPolicy, "ksk_lifetime", "at least 30d") {
            try Fixture.policy { $0["dnssec"] = .table(["ksk_lifetime": .string("29d")]) }
        }
        expectCoreError(.invalidTTL, "parent_ds_ttl") {
            try Fixture.policy { $0["dnssec"] = .table(["parent_ds_ttl": .int(30)]) }
        }
        expectCoreError(.invalidPolicy, "parent_propagation", "at most 2d") {
            try Fixture.policy { $0["dnssec"] = .table(["parent_propagation": .string("3d")]) }
        }
        #expect(throws: Never.self) { try Fixture.policy { $0["dnssec"] = .table(["ksk_lifetime": .string("30d")]) } }
    }

    @Test func descriptions() {
        #expect(
            DNSSECAction.createKSK(role: .csk).description.hasPrefix("create and publish a new CSK (double-DS rollover")
        )
        #expect(DNSSECAction.createKSK(role: .ksk).description.hasPrefix("create and publish a new KSK"))
        #expect(DNSSECAction.ready(tag: 7).description.contains("key 7 is ready: CDS/CDNSKEY"))
        #expect(DNSSECAction.activate(tag: 7).description == "key 7 starts signing")
        #expect(
            DNSSECAction.retire(tag: 7).description == "key 7 stops signing (its DNSKEY stays for cached signatures)"
        )
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
    var seen: [DNSSECKey] {
        [key(1, role, published: a, active: a), key(9, role, published: p, ready: r, dsSeen: s)] + others
    }
    var swapped: [DNSSECKey] {
        [key(1, role, published: a, active: a, retired: w), key(9, role, published: p, ready: r, dsSeen: s, active: w)]
            + others
    }
    var done: [DNSSECKey] {
        [
            key(1, role, published: a, active: a, retired: w, removed: x),
            key(9, role, published: p, ready: r, dsSeen: s, active: w),
        ] + others
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
        #expect(
            apply([.createKSK(role: role)], to: st.steady, now: st.p, nextTag: &tag) == st.steady + [
                key(9, role, published: st.p)
            ]
        )

        let early = plan(st.published, plus(st.r, -1))
        #expect(early.actions.isEmpty)
        #expect(early.nextWake == st.r)
        let ready = plan(st.published, st.r)
        #expect(ready.actions == [.ready(tag: 9)])
        #expect(ready.waitingForDS(keys: st.published) == [9])

        // Waiting on the operator: no wake of its own.
        let waiting = plan(st.ready, plus(st.s, 30 * day))
        #expect(waiting.actions.isEmpty)
        #expect(waiting.nextWake == nil)
        #expect(waiting.waitingForDS(keys: st.ready) == [9])

        let beforeSwap = plan(st.seen, plus(st.w, -1))
        #expect(beforeSwap.actions.isEmpty)
        #expect(beforeSwap.nextWake == st.w)
        #expect(beforeSwap.waitingForDS(keys: st.seen).isEmpty)
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
            key(1, .ksk, published: t0, active: t0),
            key(2, .zsk, published: t0, active: t0, retired: plus(t0, 2 * day)),
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
            (st.ready, plus(st.r, hour), "waiting for its DS at the parent"),
            (st.seen, plus(st.s, hour), "its DS was seen at the parent"),
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
            ]
        )
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
        #expect(
            plan(after, plus(st.w, 5 * day + t.retireInterval(.csk)), timing: short).actions == [
                .createKSK(role: .csk), .remove(tag: 1),
            ]
        )
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
        for (keys, last) in [
            (st.published, st.p), (st.ready, st.r), (st.seen, st.s), (st.swapped, st.w), (st.done, st.x),
        ] {
            let r = plan(keys, plus(last, -1), rotateKSK: true)
            #expect(r.actions.isEmpty)
            #expect(r.nextWake == nil)
            #expect(r.notes.count == 1)
            #expect(r.notes.first?.contains("before the last recorded key step") == true)
            #expect(plan(keys, last).notes.allSatisfy { !$0.contains("before the last") })
        }
        #expect(plan(st.ready, plus(st.r, -1)).waitingForDS(keys: st.ready) == [9])
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
        expectCoreError(.conflict, "no DNSSEC key 77", "KSK/CSK: 1, 9") {
            try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 77, now: st.s)
        }
        expectCoreError(.conflict, "key 2 is a ZSK") { try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 2, now: st.s) }
        expectCoreError(.conflict, "key 9 is not ready yet", "you are early") {
            try DNSSECPlanner.markDSSeen(keys: st.published, tag: 9, now: plus(st.p, hour))
        }
        expectCoreError(.conflict, "key 1 is the active key") {
            try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 1, now: st.s)
        }
        expectCoreError(.conflict, "key 1 is retired") {
            try DNSSECPlanner.markDSSeen(keys: st.swapped, tag: 1, now: plus(st.w, hour))
        }
        expectCoreError(.conflict, "key 1 was removed") {
            try DNSSECPlanner.markDSSeen(keys: st.done, tag: 1, now: plus(st.x, hour))
        }
        expectCoreError(.conflict, "after now", "check the clock") {
            try DNSSECPlanner.markDSSeen(keys: st.ready, tag: 9, now: plus(st.r, -1))
        }
    }
}

// MARK: - A month of hours

/// A zone rolled hour by hour, with the parent and validator caches modelled from `world` (the
/// real TTLs and delays) while the planner is told `planner`. Collects every broken invariant.
private struct Simulation {
    var planner: DNSSECTiming
    var world: DNSSECTiming
    var keys: [DNSSECKey]
    var nextTag: UInt16 = 100
    /// The DS sets the parent served, each from `from` until the next one's.
    var parent: [(from: Date, tags: Set<UInt16>)]
    /// DS the parent withdraws at a given time (the CDS set dropped them DprpP before).
    var withdrawals: [(at: Date, tag: UInt16)] = []
    var lastSignedDNSKEY: [UInt16: Date] = [:]
    var lastSignedData: [UInt16: Date] = [:]
    var applied: [(at: Date, action: DNSSECAction)] = []
    var notes: [(at: Date, note: String)] = []
    var violations: [String] = []

    static let step = hour

    /// A zone whose keys were created 60 days before `t0` (long published, DS at the parent).
    init(scheme: DNSSECPolicy.Scheme, planner: DNSSECTiming, world: DNSSECTiming) {
        self.planner = planner
        self.world = world
        let born = plus(t0, -60 * day)
        keys =
            scheme == .csk
            ? [key(1, .csk, published: born, active: born)]
            : [key(1, .ksk, published: born, active: born), key(2, .zsk, published: born, active: born)]
        parent = [(born, [1])]
    }

    func violate(_ t: Date, _ text: String) -> String { "\(DNSSECPlanner.stamp(t)): \(text)" }

    /// Every DS set a validator may hold at `t`: those the parent served in [t − TTLds − DprpP, t].
    func cachedDSSets(at t: Date) -> [Set<UInt16>] {
        let since = plus(t, -(world.parentDSTTL + world.parentPropagation))
        return parent.indices.filter { i in
            parent[i].from <= t && (i + 1 == parent.count || parent[i + 1].from > since)
        }.map { parent[$0].tags }
    }

    /// Runs from `t0` for `days`, the operator marking each DS seen `operatorDelay` after its key
    /// became ready, `rotate ksk` at `rotations`.
    mutating func run(days: Int, operatorDelay: Int, rotations: Set<Date>) {
        var expectedWake: Date?? = .none  // the previous plan's wake, while nothing else happened
        var t = t0
        while t < plus(t0, days * day) {
            defer { t = plus(t, Self.step) }
            for w in withdrawals where w.at <= t {
                parent.append((w.at, parent.last!.tags.subtracting([w.tag])))
            }
            withdrawals.removeAll { $0.at <= t }

            var input = rotations.contains(t)
            for tag in DNSSECPlanner.waitingForDS(keys: keys) {
                let k = keys.first { $0.tag == tag }!
                guard plus(k.ready!, operatorDelay) <= t else { continue }
                do { keys = try DNSSECPlanner.markDSSeen(keys: keys, tag: tag, now: t) } catch {
                    violations.append(violate(t, "ds seen \(tag) refused: \(error)"))
                }
                parent.append((t, parent.last!.tags.union([tag])))
                input = true
            }

            let plan = DNSSECPlanner.plan(keys: keys, timing: planner, now: t, rotateKSK: rotations.contains(t))
            if !input, case .some(let wake) = expectedWake {
                if wake.map({ t < $0 }) ?? true, !plan.actions.isEmpty {
                    violations.append(
                        violate(t, "actions \(plan.actions) before the announced wake \(String(describing: wake))")
                    )
                }
                if let wake, t >= wake, plan.actions.isEmpty {
                    violations.append(violate(t, "nothing to do at the announced wake"))
                }
            }
            notes += plan.notes.map { (t, $0) }
            let before = keys
            keys = apply(plan.actions, to: keys, now: t, nextTag: &nextTag)
            applied += plan.actions.map { (t, $0) }
            for case .retire(let tag) in plan.actions where before.first(where: { $0.tag == tag })!.isKeySigning {
                withdrawals.append((plus(t, world.parentPropagation), tag))
            }
            // Planning again at the same instant finds nothing left and the same wake.
            let again = DNSSECPlanner.plan(keys: keys, timing: planner, now: t, rotateKSK: false)
            if !again.actions.isEmpty || again.nextWake != plan.nextWake
                || again.waitingForDS(keys: keys) != plan.waitingForDS(keys: before)
            {
                violations.append(violate(t, "replanning after applying gives \(again), first plan \(plan)"))
            }
            expectedWake = .some(plan.nextWake)
            check(at: t)
        }
    }

    /// The invariants of the zone served from `t` on (after the actions of `t`).
    mutating func check(at t: Date) {
        let (dnskeySigners, zoneSigners) = DNSSECPlanner.signers(keys: keys)
        let inZone = Set(keys.filter { $0.published != nil && $0.removed == nil }.map(\.tag))
        // (a) Whatever DS set a validator holds, a key in it signs the DNSKEY RRset.
        for ds in cachedDSSets(at: t) where ds.isDisjoint(with: dnskeySigners) {
            violations.append(
                violate(t, "(a) a validator may hold DS \(ds.sorted()) but only \(dnskeySigners) sign the DNSKEY RRset")
            )
        }
        // (b) A key signing zone data has been published for Ipub.
        for tag in zoneSigners {
            let k = keys.first { $0.tag == tag }!
            if plus(k.published!, world.zskPublishInterval) > t {
                violations.append(
                    violate(
                        t,
                        "(b) key \(tag) signs zone data but was published only at \(DNSSECPlanner.stamp(k.published!))"
                    )
                )
            }
        }
        // (c) A DNSKEY stays while signatures it made may be cached (the version signed at the
        // last step is served until this one, then propagates and lives its TTL).
        for k in keys where !inZone.contains(k.tag) {
            if let d = lastSignedDNSKEY[k.tag], plus(d, Self.step + world.propagation + world.dnskeyTTL) > t {
                violations.append(violate(t, "(c) DNSKEY \(k.tag) removed while its DNSKEY RRSIGs may be cached"))
            }
            if let d = lastSignedData[k.tag], plus(d, Self.step + world.propagation + world.maxZoneTTL) > t {
                violations.append(violate(t, "(c) DNSKEY \(k.tag) removed while its zone data RRSIGs may be cached"))
            }
        }
        for tag in dnskeySigners { lastSignedDNSKEY[tag] = t }
        for tag in zoneSigners { lastSignedData[tag] = t }
        // (d) The CDS/CDNSKEY set is never empty, and only lists keys that sign the DNSKEY RRset.
        let cds = DNSSECPlanner.cdsKeys(keys: keys)
        if cds.isEmpty { violations.append(violate(t, "(d) no CDS/CDNSKEY")) }
        if !Set(cds).isSubset(of: dnskeySigners) {
            violations.append(violate(t, "(d) CDS \(cds) for a key that does not sign"))
        }
        // The zone is always signed: the DNSKEY RRset and the data.
        if dnskeySigners.isEmpty || zoneSigners.isEmpty {
            violations.append(violate(t, "unsigned: \(dnskeySigners), \(zoneSigners)"))
        }
        // One KSK rollover at a time.
        if keys.filter({ $0.isKeySigning && $0.active == nil && $0.removed == nil }).count > 1 {
            violations.append(violate(t, "two KSK rollovers at once"))
        }
    }
}

@Suite("KSK rollover: a month of hours against the parent and the caches")
struct KSKSimulationTests {
    static let month = 30

    @Test func cskRollsTwiceByHand() {
        var sim = Simulation(scheme: .csk, planner: timing, world: timing)
        let busy = plus(t0, day + 12 * hour)  // inside the first rollover
        sim.run(days: Self.month, operatorDelay: 30 * hour, rotations: [plus(t0, day), busy, plus(t0, 15 * day)])
        #expect(sim.violations.isEmpty, "\(sim.violations.prefix(5))")
        #expect(
            sim.applied.map(\.action) == [
                .createKSK(role: .csk), .ready(tag: 100), .activate(tag: 100), .retire(tag: 1), .remove(tag: 1),
                .createKSK(role: .csk), .ready(tag: 101), .activate(tag: 101), .retire(tag: 100), .remove(tag: 100),
            ]
        )
        #expect(sim.notes.map(\.at) == [busy])
        #expect(sim.notes.first?.note.contains("rollover to key 100 is in progress") == true)
        // The first rollover's timeline: ready after IpubC (next hour), DS seen 30 h later, swap
        // after TTLds + DprpP + safety, the old CSK gone after the ZSK-sized Iret.
        func when(_ action: DNSSECAction) -> Date? { sim.applied.first { $0.action == action }?.at }
        #expect(when(.ready(tag: 100)) == plus(t0, day + 3 * hour))
        #expect(when(.activate(tag: 100)) == plus(t0, day + 3 * hour + 30 * hour + 26 * hour))
        #expect(when(.remove(tag: 1)) == plus(t0, day + 3 * hour + 30 * hour + 26 * hour + 2 * day + 2 * hour))
        #expect(sim.parent.map(\.tags) == [[1], [1, 100], [100], [100, 101], [101]])
        #expect(DNSSECPlanner.cdsKeys(keys: sim.keys) == [101])
    }

    @Test func kskAndZSKRollOnTheirLifetimesAndOverlap() {
        var t = timing
        t.zskLifetime = 7 * day
        t.kskLifetime = 62 * day  // the KSK made 60 days before t0 is due at t0 + 2 d
        var sim = Simulation(scheme: .kskzsk, planner: t, world: t)
        sim.run(days: Self.month, operatorDelay: 30 * hour, rotations: [])
        #expect(sim.violations.isEmpty, "\(sim.violations.prefix(5))")
        let role = Dictionary(uniqueKeysWithValues: sim.keys.map { ($0.tag, $0.role) })
        func isZSK(_ a: DNSSECAction) -> Bool {
            switch a {
            case .createZSK: return true
            case .createKSK, .ready: return false
            case .activate(let t), .retire(let t), .remove(let t): return role[t] == .zsk
            }
        }
        let ksk = sim.applied.filter { !isZSK($0.action) }
        #expect(ksk.map(\.action).count == 5)
        #expect(ksk.first?.action == .createKSK(role: .ksk))
        #expect(ksk.first?.at == plus(t0, 2 * day))
        #expect(ksk.last?.action == .remove(tag: 1))
        #expect(sim.keys.filter { $0.role == .zsk }.count >= 5, "a ZSK rollover every 7 days")
        // A ZSK step fell inside the KSK rollover.
        let window = ksk.first!.at...ksk.last!.at
        #expect(sim.applied.contains { isZSK($0.action) && window.contains($0.at) })
        #expect(sim.parent.count == 3)
    }

    /// The model can fail: a planner told a shorter wait than the world has breaks the invariant
    /// that guards that wait.
    @Test(arguments: [
        ("parent DS TTL", DNSSECPolicy.Scheme.csk, "(a)"), ("parent DS TTL", .kskzsk, "(a)"), ("TTLsig", .csk, "(c)"),
        ("TTLkey", .kskzsk, "(b)"),
    ])
    func aShortenedWaitIsCaught(what: String, scheme: DNSSECPolicy.Scheme, invariant: String) {
        var world = timing
        world.zskLifetime = 7 * day
        var told = world
        switch what {
        case "parent DS TTL": told.parentDSTTL = hour
        case "TTLsig": told.maxZoneTTL = hour
        default: told.dnskeyTTL = 60
        }
        var sim = Simulation(scheme: scheme, planner: told, world: world)
        sim.run(days: 10, operatorDelay: 30 * hour, rotations: [plus(t0, day)])
        #expect(sim.violations.contains { $0.contains(invariant) }, "\(what): \(sim.violations.prefix(3))")
    }
}

@Suite("Server addresses (parent servers, export targets)")
struct ServerAddressTests {
    @Test func parsesAddressesAndPorts() throws {
        #expect(try ServerAddress("192.0.2.53").description == "192.0.2.53:53")
        #expect(try ServerAddress("127.0.0.1:5353").port == 5353)
        #expect(try ServerAddress("2001:db8::53").description == "[2001:db8::53]:53")
        #expect(try ServerAddress("[2001:db8::53]:5353").port == 5353)
        for bad in ["ns1.example.net", "127.0.0.1:0", "127.0.0.1:x", "[2001:db8::53]x", "300.1.1.1"] {
            #expect(throws: CoreError.self, "\(bad)") { try ServerAddress(bad) }
        }
    }
}
