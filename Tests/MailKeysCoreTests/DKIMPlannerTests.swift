import Foundation
import Testing

@testable import MailKeysCore

// Every test runs on a fake clock: plain `Date` values that the test advances. Nothing sleeps.

private let minute = 60
private let hour = 3600
private let day = 86400

/// The default DKIM policy of a domain with a 1 h TXT TTL and 5 min propagation delay
/// (publish_ahead 2 h 5 min, overlap 7 d, rotate_every 90 d), changed by `modify`.
private func dkimPolicy(_ modify: (inout DKIMPolicy) -> Void = { _ in }) -> DKIMPolicy {
    var p = DKIMPolicy.defaults(txtTTL: 3600, propagation: 300)
    modify(&p)
    return p
}

private func plus(_ date: Date, _ seconds: Int) -> Date { date.addingTimeInterval(TimeInterval(seconds)) }

/// The fake public key the driver hands `apply` for a created selector.
private func fakePublicKey(_ selector: String) -> String { "PUB\(selector)" }

private func rsa(_ selector: String) -> DKIMAction { .create(selector: selector, algorithm: .rsa) }
private func ed(_ selector: String) -> DKIMAction { .create(selector: selector, algorithm: .ed25519) }

/// Plans and applies like `tick` does: plan at `now`, apply the actions at `now` with a fake
/// public key for every created selector.
private struct Driver {
    var policy: DKIMPolicy
    var keys: [DKIMKey] = []
    /// Every applied action with the instant it was applied.
    var history: [(at: Date, action: DKIMAction)] = []

    init(policy: DKIMPolicy) { self.policy = policy }

    @discardableResult
    mutating func tick(at now: Date, rotate: Bool = false) -> KeyPlan<DKIMAction> {
        let result = DKIMPlanner.plan(keys: keys, policy: policy, now: now, rotate: rotate)
        var publicKeys: [String: String] = [:]
        for case .create(let selector, _) in result.actions { publicKeys[selector] = fakePublicKey(selector) }
        keys = DKIMPlanner.apply(result.actions, to: keys, now: now, newKeys: publicKeys)
        history += result.actions.map { (now, $0) }
        return result
    }

    /// What would happen at `now`, without applying it.
    func peek(at now: Date, rotate: Bool = false) -> KeyPlan<DKIMAction> {
        DKIMPlanner.plan(keys: keys, policy: policy, now: now, rotate: rotate)
    }

    func key(_ selector: String) -> DKIMKey? { keys.first { $0.selector == selector } }

    func keys(_ algorithm: DKIMAlgorithm) -> [DKIMKey] { keys.filter { $0.algorithm == algorithm } }
}

/// 2026-11-21 12:00 UTC and a driver that created both keys then and activated them at
/// publish_ahead (14:05 UTC).
private func steadyDriver(_ modify: (inout DKIMPolicy) -> Void = { _ in }) -> (
    driver: Driver, created: Date, active: Date
) {
    var d = Driver(policy: dkimPolicy(modify))
    let t0 = utc(2026, 11, 21)
    d.tick(at: t0)
    let t1 = plus(t0, d.policy.publishAhead)
    d.tick(at: t1)
    return (d, t0, t1)
}

@Suite("DKIM planner: a fresh domain")
struct DKIMFreshDomainTests {
    @Test func createsOneKeyPerAlgorithmWithDatedSelectors() {
        let p = dkimPolicy()
        #expect(p.publishAhead == 7500)
        let t0 = utc(2026, 11, 21)
        let plan = DKIMPlanner.plan(keys: [], policy: p, now: t0)
        #expect(plan.actions == [rsa("mk20261121r"), ed("mk20261121e")])
        #expect(plan.nextWake == plus(t0, 7500))

        var d = Driver(policy: p)
        d.tick(at: t0)
        #expect(
            d.keys == [
                DKIMKey(
                    selector: "mk20261121r",
                    algorithm: .rsa,
                    publicKey: "PUBmk20261121r",
                    created: t0,
                    published: t0
                ),
                DKIMKey(
                    selector: "mk20261121e",
                    algorithm: .ed25519,
                    publicKey: "PUBmk20261121e",
                    created: t0,
                    published: t0
                ),
            ]
        )
        #expect(d.keys.map { $0.state(at: t0) } == [.published, .published])
        #expect(d.keys.allSatisfy { $0.inDNS && !$0.signing })
    }

    @Test func onlyTheEnabledAlgorithmsGetKeys() {
        let t0 = utc(2026, 11, 21)
        #expect(
            DKIMPlanner.plan(keys: [], policy: dkimPolicy { $0.algorithms = [.ed25519] }, now: t0).actions == [
                ed("mk20261121e")
            ]
        )
        #expect(
            DKIMPlanner.plan(keys: [], policy: dkimPolicy { $0.algorithms = [.rsa] }, now: t0).actions == [
                rsa("mk20261121r")
            ]
        )
        let off = DKIMPlanner.plan(keys: [], policy: dkimPolicy { $0.enabled = false }, now: t0)
        #expect(off.actions == [])
        #expect(off.nextWake == nil)
    }

    @Test func notActiveBeforePublishAheadActiveExactlyAtIt() {
        var d = Driver(policy: dkimPolicy())
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)

        // Nothing to do right after the creation, nor one second before publish_ahead.
        for seconds in [0, 1, 3600, 7499] {
            let early = d.peek(at: plus(t0, seconds))
            #expect(early.actions == [], "at +\(seconds) s")
            #expect(early.nextWake == plus(t0, 7500), "at +\(seconds) s")
        }

        let t1 = plus(t0, 7500)
        let result = d.tick(at: t1)
        #expect(result.actions == [.activate(selector: "mk20261121r"), .activate(selector: "mk20261121e")])
        #expect(result.nextWake == plus(t1, 90 * day))
        #expect(d.keys.map(\.active) == [t1, t1])
        #expect(d.keys.map { $0.state(at: t1) } == [.active, .active])
        #expect(d.keys.map { $0.state(at: plus(t1, -1)) } == [.published, .published])
        #expect(d.keys.map(\.signing) == [true, true])

        // Nothing more until the rotation.
        #expect(d.peek(at: plus(t1, 1)).actions == [])
        #expect(d.peek(at: plus(t1, 90 * day - 1)).actions == [])
        #expect(d.peek(at: plus(t1, 90 * day - 1)).nextWake == plus(t1, 90 * day))
    }

    @Test func aLongerPublishAheadIsHonoured() {
        var d = Driver(policy: dkimPolicy { $0.publishAhead = 2 * day })
        let t0 = utc(2026, 11, 21)
        #expect(d.tick(at: t0).nextWake == plus(t0, 2 * day))
        #expect(d.peek(at: plus(t0, 2 * day - 1)).actions == [])
        #expect(d.tick(at: plus(t0, 2 * day)).actions.map(\.selector) == ["mk20261121r", "mk20261121e"])
        #expect(d.keys.map(\.active) == [plus(t0, 2 * day), plus(t0, 2 * day)])
    }
}

@Suite("DKIM planner: rotation")
struct DKIMRotationTests {
    @Test func rotationRetiresTheOldKeyWhenTheNewOneActivatesAndRemovesItAfterTheOverlap() {
        var d = Driver(policy: dkimPolicy { $0.algorithms = [.rsa] })
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        let t1 = plus(t0, 7500)
        #expect(d.tick(at: t1).actions == [.activate(selector: "mk20261121r")])

        // One second before rotate_every: nothing.
        let due = plus(t1, 90 * day)
        #expect(d.peek(at: plus(due, -1)).actions == [])
        #expect(d.peek(at: plus(due, -1)).nextWake == due)

        // At rotate_every: a new key (2026-11-21 14:05 + 90 d = 2027-02-19).
        let created = d.tick(at: due)
        #expect(created.actions == [rsa("mk20270219r")])
        #expect(created.nextWake == plus(due, 7500))
        #expect(d.key("mk20270219r")?.published == due)
        #expect(d.key("mk20270219r")?.publicKey == "PUBmk20270219r")

        // The old key keeps signing while the new one waits.
        for seconds in [0, 1, 7499] {
            let t = plus(due, seconds)
            #expect(d.peek(at: t).actions == [], "at +\(seconds) s")
            #expect(d.key("mk20261121r")?.state(at: t) == .active)
            #expect(d.key("mk20270219r")?.state(at: t) == .published)
        }
        #expect(d.key("mk20261121r")?.signing == true)

        // At publish_ahead the new one activates and the old retires at the same instant.
        let t3 = plus(due, 7500)
        let swap = d.tick(at: t3)
        #expect(swap.actions == [.activate(selector: "mk20270219r"), .retire(selector: "mk20261121r")])
        #expect(swap.nextWake == plus(t3, 7 * day))
        #expect(d.key("mk20270219r")?.active == t3)
        #expect(d.key("mk20261121r")?.retired == t3)
        #expect(d.keys.filter(\.signing).map(\.selector) == ["mk20270219r"])
        #expect(d.keys.filter(\.inDNS).map(\.selector) == ["mk20261121r", "mk20270219r"])

        // Removed exactly `overlap` after retirement, not one second earlier.
        let early = d.peek(at: plus(t3, 7 * day - 1))
        #expect(early.actions == [])
        #expect(early.nextWake == plus(t3, 7 * day))
        #expect(d.key("mk20261121r")?.state(at: plus(t3, 7 * day - 1)) == .retired)
        let removal = d.tick(at: plus(t3, 7 * day))
        #expect(removal.actions == [.remove(selector: "mk20261121r")])
        #expect(removal.nextWake == plus(t3, 90 * day))
        #expect(d.key("mk20261121r")?.removed == plus(t3, 7 * day))
        #expect(d.key("mk20261121r")?.revoked == nil)
        #expect(d.key("mk20261121r")?.state(at: plus(t3, 7 * day)) == .removed)
        #expect(d.keys.filter(\.inDNS).map(\.selector) == ["mk20270219r"])
    }

    @Test func withRevokedForTheOldKeyIsRevokedFirstThenRemoved() {
        var d = Driver(
            policy: dkimPolicy {
                $0.algorithms = [.rsa]; $0.revokedFor = 2 * day
            }
        )
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        let t1 = plus(t0, 7500)
        d.tick(at: t1)
        let due = plus(t1, 90 * day)
        d.tick(at: due)
        let t3 = plus(due, 7500)
        #expect(d.tick(at: t3).actions == [.activate(selector: "mk20270219r"), .retire(selector: "mk20261121r")])

        #expect(d.peek(at: plus(t3, 7 * day - 1)).actions == [])
        let revoke = d.tick(at: plus(t3, 7 * day))
        #expect(revoke.actions == [.revoke(selector: "mk20261121r")])
        #expect(revoke.nextWake == plus(t3, 9 * day))
        let old = d.key("mk20261121r")
        #expect(old?.revoked == plus(t3, 7 * day))
        #expect(old?.removed == nil)
        #expect(old?.inDNS == true)
        #expect(old?.state(at: plus(t3, 7 * day)) == .revoked)
        #expect(old?.recordText(policy: d.policy) == "v=DKIM1; k=rsa; p=")
        #expect(d.key("mk20270219r")?.recordText(policy: d.policy) == "v=DKIM1; k=rsa; p=PUBmk20270219r")

        let early = d.peek(at: plus(t3, 9 * day - 1))
        #expect(early.actions == [])
        #expect(early.nextWake == plus(t3, 9 * day))
        let removal = d.tick(at: plus(t3, 9 * day))
        #expect(removal.actions == [.remove(selector: "mk20261121r")])
        #expect(removal.nextWake == plus(t3, 90 * day))
        #expect(d.key("mk20261121r")?.removed == plus(t3, 9 * day))
        #expect(d.key("mk20261121r")?.state(at: plus(t3, 9 * day)) == .removed)
        #expect(d.keys.filter(\.inDNS).map(\.selector) == ["mk20270219r"])
    }

    @Test func bothAlgorithmsRotateTogether() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        let due = plus(t1, 90 * day)
        #expect(d.tick(at: due).actions == [rsa("mk20270219r"), ed("mk20270219e")])
        let swap = d.tick(at: plus(due, 7500))
        #expect(
            swap.actions == [
                .activate(selector: "mk20270219r"), .retire(selector: "mk20261121r"),
                .activate(selector: "mk20270219e"), .retire(selector: "mk20261121e"),
            ]
        )
        #expect(
            d.tick(at: plus(due, 7500 + 7 * day)).actions == [
                .remove(selector: "mk20261121r"), .remove(selector: "mk20261121e"),
            ]
        )
    }
}

// MARK: - Simulations

/// What a simulation observed; every entry of `violations` is a broken invariant.
private struct SimulationReport {
    var driver: Driver
    var violations: [String] = []
    var steps = 0
    /// Activation instants per algorithm, in order.
    var activations: [DKIMAlgorithm: [Date]] = [:]

    mutating func fail(_ text: String) { if violations.count < 30 { violations.append(text) } }
}

/// Runs ticks from `start` to `end` (inclusive) at the instants `next` chooses and checks the
/// rollover invariants at every instant.
private func simulate(
    policy: DKIMPolicy,
    from start: Date,
    to end: Date,
    rotateAt: (Date) -> Bool = { _ in false },
    next: (_ now: Date, _ wake: Date?) -> Date
) -> SimulationReport {
    var report = SimulationReport(driver: Driver(policy: policy))
    var now = start
    var announcedWake: Date?
    var firstActivation: [DKIMAlgorithm: Date] = [:]
    var everSigned: Set<String> = []
    let fmt = ISO8601DateFormatter()

    func checkSafety(_ keys: [DKIMKey], at t: Date, _ when: String, _ r: inout SimulationReport) {
        for k in keys where everSigned.contains(k.selector) {
            guard let retired = k.retired else {
                if !(k.inDNS && k.revoked == nil && k.state(at: t) == .active) {
                    r.fail("\(fmt.string(from: t)) \(when): \(k.selector) signs but is not active in DNS")
                }
                continue
            }
            // In DNS with its full key until retirement + overlap (the tick at exactly that
            // instant may remove it, so `before` checks include the instant itself).
            let limit = plus(retired, policy.overlap)
            let covered = when == "before" ? t <= limit : t < limit
            if covered
                && !(k.inDNS && k.revoked == nil
                    && k.recordText(policy: policy).hasSuffix("p=\(fakePublicKey(k.selector))"))
            {
                r.fail(
                    "\(fmt.string(from: t)) \(when): \(k.selector) retired \(fmt.string(from: retired)) left DNS too early"
                )
            }
        }
    }

    while now <= end {
        report.steps += 1
        let before = report.driver.keys
        checkSafety(before, at: now, "before", &report)
        let rotate = rotateAt(now)
        let ticked = report.driver.tick(at: now, rotate: rotate)
        let (actions, wake) = (ticked.actions, ticked.nextWake)
        if !actions.isEmpty, let announced = announcedWake, now < announced, !rotate {
            report.fail(
                "\(fmt.string(from: now)): \(actions) due before the announced wake \(fmt.string(from: announced))"
            )
        }
        let keys = report.driver.keys

        // Applying is idempotent at the same instant, and the wake does not move.
        let again = DKIMPlanner.plan(keys: keys, policy: policy, now: now)
        if !again.actions.isEmpty { report.fail("\(fmt.string(from: now)): planning again gives \(again.actions)") }
        if again.nextWake != wake {
            report.fail(
                "\(fmt.string(from: now)): wake \(String(describing: wake)) then \(String(describing: again.nextWake))"
            )
        }
        guard let w = wake, w > now else {
            report.fail("\(fmt.string(from: now)): next wake \(String(describing: wake)) is not in the future")
            break
        }
        announcedWake = w

        for case .activate(let s) in actions {
            if let k = keys.first(where: { $0.selector == s }) {
                report.activations[k.algorithm, default: []].append(now)
                if firstActivation[k.algorithm] == nil { firstActivation[k.algorithm] = now }
            }
        }
        for k in keys where k.signing { everSigned.insert(k.selector) }

        // Selectors are never reused.
        if Set(keys.map(\.selector)).count != keys.count {
            report.fail("\(fmt.string(from: now)): a selector is used twice")
        }

        for algorithm in policy.algorithms {
            let signing = keys.filter { $0.algorithm == algorithm && $0.signing }
            let expected = firstActivation[algorithm] == nil ? 0 : 1
            if signing.count != expected {
                report.fail("\(fmt.string(from: now)): \(signing.count) \(algorithm) keys sign, expected \(expected)")
            }
            if keys.filter({ $0.algorithm == algorithm && $0.state(at: now) == .active }).count != signing.count {
                report.fail("\(fmt.string(from: now)): state(at:) and signing disagree for \(algorithm)")
            }
        }
        for k in keys {
            // Timestamps in order; a signing key was in DNS for publish_ahead first.
            let stamps = [k.created, k.published, k.active, k.retired, k.revoked, k.removed].compactMap { $0 }
            if stamps != stamps.sorted() || k.published != k.created || stamps.last! > now {
                report.fail("\(k.selector): timestamps out of order")
            }
            if let active = k.active, let published = k.published,
                active.timeIntervalSince(published) < TimeInterval(policy.publishAhead)
            {
                report.fail("\(k.selector): signed \(active.timeIntervalSince(published)) s after publication")
            }
            if let retired = k.retired {
                let limit = plus(retired, policy.overlap)
                if let revoked = k.revoked, revoked < limit {
                    report.fail("\(k.selector): revoked before retirement + overlap")
                }
                if let removed = k.removed, removed < limit {
                    report.fail("\(k.selector): removed before retirement + overlap")
                }
                if let revoked = k.revoked, let removed = k.removed, removed < plus(revoked, policy.revokedFor) {
                    report.fail("\(k.selector): removed before revoked_for")
                }
                if policy.revokedFor > 0, k.removed != nil, k.revoked == nil {
                    report.fail("\(k.selector): removed without revocation")
                }
            }
            if k.signing && k.revoked != nil { report.fail("\(k.selector): signs while revoked") }
        }
        checkSafety(keys, at: now, "after", &report)

        let following = next(now, w)
        if following <= now {
            report.fail("the clock did not advance")
            break
        }
        now = following
    }
    return report
}

@Suite("DKIM planner: invariants over a simulated year")
struct DKIMSimulationTests {
    static let start = utc(2026, 11, 21, 0, 0)
    static let end = plus(start, 365 * day)

    @Test func sixHourTicks() {
        let p = dkimPolicy()
        let report = simulate(policy: p, from: Self.start, to: Self.end) { now, _ in plus(now, 6 * hour) }
        #expect(report.violations == [])
        #expect(report.steps == 365 * 4 + 1)

        // Created at each rotation tick, active at the first tick after publish_ahead (6 h later).
        for algorithm in DKIMAlgorithm.allCases {
            let keys = report.driver.keys(algorithm)
            let suffix = algorithm.selectorSuffix
            #expect(
                keys.map(\.selector)
                    == ["mk20261121", "mk20270219", "mk20270520", "mk20270818", "mk20271117"].map { $0 + suffix }
            )
            #expect(keys.map(\.created) == (0..<5).map { plus(Self.start, $0 * (90 * day + 6 * hour)) })
            let activations = (0..<5).map { plus(Self.start, 6 * hour + $0 * (90 * day + 6 * hour)) }
            #expect(keys.map(\.active) == activations)
            #expect(report.activations[algorithm] == activations)
            #expect(keys.map(\.retired) == [activations[1], activations[2], activations[3], activations[4], nil])
            #expect(
                keys.map(\.removed) == [
                    plus(activations[1], 7 * day), plus(activations[2], 7 * day), plus(activations[3], 7 * day), nil,
                    nil,
                ]
            )
            #expect(keys.filter(\.inDNS).count == 2)
        }
    }

    @Test func wakeDrivenTicksAreExact() {
        // Ticking exactly at every announced wake: activations exactly rotate_every +
        // publish_ahead apart, removals exactly `overlap` after retirement.
        let p = dkimPolicy { $0.revokedFor = day }
        let report = simulate(policy: p, from: Self.start, to: Self.end) { _, wake in wake! }
        #expect(report.violations == [])
        for algorithm in DKIMAlgorithm.allCases {
            let keys = report.driver.keys(algorithm)
            #expect(keys.count == 5)
            for (k, key) in keys.enumerated() {
                #expect(key.created == plus(Self.start, k * (90 * day + 7500)))
                #expect(key.active == plus(key.created, 7500))
                if k + 1 < keys.count {
                    #expect(key.retired == keys[k + 1].active)
                    #expect(keys[k + 1].created == plus(key.active!, 90 * day))
                }
                if let retired = key.retired, plus(retired, 8 * day) <= Self.end {
                    #expect(key.revoked == plus(retired, 7 * day))
                    #expect(key.removed == plus(retired, 8 * day))
                }
            }
        }
    }

    @Test(arguments: [UInt64(1), 42, 0xDEAD_BEEF])
    func randomTicksBetweenAMinuteAndThreeDays(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let maxStep = 3 * day
        let p = dkimPolicy { $0.revokedFor = 2 * day }
        let report = simulate(policy: p, from: Self.start, to: Self.end) { now, _ in
            plus(now, Int.random(in: minute...maxStep, using: &rng))
        }
        #expect(report.violations == [])
        #expect(report.steps > 200)
        for algorithm in DKIMAlgorithm.allCases {
            let activations = report.activations[algorithm] ?? []
            #expect(activations.count >= 4)
            #expect(activations.first! < plus(Self.start, 7500 + 2 * maxStep))
            // Roughly every rotate_every: never sooner than rotate_every + publish_ahead, and at
            // most two late ticks later.
            for (a, b) in zip(activations, activations.dropFirst()) {
                let interval = Int(b.timeIntervalSince(a))
                #expect(interval >= 90 * day + 7500, "\(algorithm) rotated after \(interval) s")
                #expect(interval < 90 * day + 7500 + 2 * maxStep, "\(algorithm) rotated after \(interval) s")
            }
            let keys = report.driver.keys(algorithm)
            #expect(keys.count == activations.count || keys.count == activations.count + 1)
        }
    }

    @Test(arguments: [UInt64(7), 2026])
    func randomTicksWithForcedRotationsStaySafe(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var forced = SplitMix64(seed: seed &* 31)
        let p = dkimPolicy { $0.revokedFor = hour }
        let report = simulate(
            policy: p,
            from: Self.start,
            to: Self.end,
            rotateAt: { _ in Int.random(in: 0..<10, using: &forced) == 0 },
            next: { now, _ in plus(now, Int.random(in: minute...(2 * day), using: &rng)) }
        )
        #expect(report.violations == [])
        // Forced rotations make many more keys than the 5 per algorithm of a quiet year.
        for algorithm in DKIMAlgorithm.allCases { #expect(report.driver.keys(algorithm).count > 5) }
    }
}

@Suite("DKIM planner: late ticks and clocks")
struct DKIMLateTickTests {
    @Test func ticksMissedForWeeksMoveKeysInOrderAndNeverShortenAnInterval() {
        var d = Driver(policy: dkimPolicy { $0.algorithms = [.rsa] })
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        let t1 = plus(t0, 7500)
        d.tick(at: t1)

        // The rotation was due at t1 + 90 d; the next tick comes 3 weeks late: only the creation.
        let late1 = plus(t1, 90 * day + 21 * day)
        let created = d.tick(at: late1)
        #expect(created.actions == [rsa("mk20270312r")])
        #expect(created.nextWake == plus(late1, 7500))
        #expect(d.key("mk20261121r")?.signing == true)

        // Missed again for two weeks: activation and retirement at the late tick.
        let late2 = plus(late1, 14 * day)
        let swap = d.tick(at: late2)
        #expect(swap.actions == [.activate(selector: "mk20270312r"), .retire(selector: "mk20261121r")])
        #expect(swap.nextWake == plus(late2, 7 * day))
        #expect(d.key("mk20270312r")?.active == late2)
        #expect(d.key("mk20261121r")?.retired == late2)

        // The removal is due `overlap` after the late retirement, not after the time the
        // activation was first possible (late1 + publish_ahead).
        #expect(d.peek(at: plus(late2, 1)).nextWake == plus(late2, 7 * day))
        #expect(d.peek(at: plus(late2, 7 * day - 1)).actions == [])
        #expect(d.tick(at: plus(late2, 7 * day)).actions == [.remove(selector: "mk20261121r")])

        // The next rotation counts from the late activation.
        let next = d.peek(at: plus(late2, 90 * day - 1))
        #expect(next.actions == [])
        #expect(next.nextWake == plus(late2, 90 * day))
    }

    @Test func aLateTickPastTheOverlapRevokesThenWaitsTheFullRevokedFor() {
        var d = Driver(
            policy: dkimPolicy {
                $0.algorithms = [.rsa]; $0.revokedFor = 2 * day
            }
        )
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        d.tick(at: plus(t0, 7500))
        let due = plus(t0, 7500 + 90 * day)
        d.tick(at: due)
        let retired = plus(due, 7500)
        d.tick(at: retired)

        // Nobody ticks for 30 days after retirement + overlap (and revoked_for has long passed too).
        let late = plus(retired, 7 * day + 30 * day)
        let revoke = d.tick(at: late)
        #expect(revoke.actions == [.revoke(selector: "mk20261121r")])
        #expect(revoke.nextWake == plus(late, 2 * day))
        #expect(d.key("mk20261121r")?.revoked == late)
        #expect(d.peek(at: plus(late, 2 * day - 1)).actions == [])
        #expect(d.tick(at: plus(late, 2 * day)).actions == [.remove(selector: "mk20261121r")])
        #expect(d.key("mk20261121r")?.removed == plus(late, 2 * day))
    }

    @Test func aVeryLateTickDoesOneStepPerKeyAndCreatesNoSecondSuccessor() {
        var d = Driver(policy: dkimPolicy { $0.algorithms = [.rsa] })
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        d.tick(at: plus(t0, 7500))
        let created = plus(t0, 7500 + 90 * day)
        d.tick(at: created)

        // A year later the pending key activates and the old one retires; nothing is created
        // although the old key is far past rotate_every, and the removal waits the full overlap.
        let late = plus(created, 365 * day)
        let result = d.tick(at: late)
        #expect(result.actions == [.activate(selector: "mk20270219r"), .retire(selector: "mk20261121r")])
        #expect(result.nextWake == plus(late, 7 * day))
        #expect(d.peek(at: plus(late, 7 * day - 1)).actions == [])
        #expect(d.peek(at: plus(late, 7 * day)).actions == [.remove(selector: "mk20261121r")])
    }

    @Test func aMissedActivationOnAFreshDomainHappensAtTheLateTick() {
        var d = Driver(policy: dkimPolicy())
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        let late = plus(t0, 10 * day)
        let result = d.tick(at: late)
        #expect(result.actions == [.activate(selector: "mk20261121r"), .activate(selector: "mk20261121e")])
        #expect(result.nextWake == plus(late, 90 * day))
        #expect(d.keys.map(\.active) == [late, late])
    }

    @Test func aClockEarlierThanTheNewestKeyEventPlansNothing() {
        let (d, t0, t1) = steadyDriver()
        for now in [plus(t1, -1), t0, plus(t0, -day)] {
            let result = d.peek(at: now)
            #expect(result.actions == [])
            #expect(result.nextWake == nil)
            let forced = d.peek(at: now, rotate: true)
            #expect(forced.actions == [])
            #expect(forced.nextWake == nil)
            let disabled = DKIMPlanner.plan(keys: d.keys, policy: dkimPolicy { $0.enabled = false }, now: now)
            #expect(disabled.actions == [])
            #expect(disabled.nextWake == nil)
        }
        // At the newest event itself the planner works normally.
        let atNewest = d.peek(at: t1)
        #expect(atNewest.actions == [])
        #expect(atNewest.nextWake == plus(t1, 90 * day))
    }

    @Test func aRevealTimestampCountsAsAKeyEvent() {
        let t = utc(2027, 3, 1)
        let removed = DKIMKey(
            selector: "mk20261121r",
            algorithm: .rsa,
            publicKey: "PUB",
            created: plus(t, -100 * day),
            published: plus(t, -100 * day),
            active: plus(t, -99 * day),
            retired: plus(t, -10 * day),
            removed: plus(t, -3 * day),
            revealed: t
        )
        #expect(removed.lastEvent == t)
        let p = dkimPolicy { $0.algorithms = [.rsa] }
        let before = DKIMPlanner.plan(keys: [removed], policy: p, now: plus(t, -1))
        #expect(before.actions == [])
        #expect(before.nextWake == nil)
        #expect(DKIMPlanner.plan(keys: [removed], policy: p, now: t).actions == [rsa("mk20270301r")])
    }
}

@Suite("DKIM planner: forced rotation")
struct DKIMForcedRotationTests {
    @Test func rotateForcesACreateWhenNoSuccessorIsPending() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        let now = plus(t1, 10 * day)  // 2026-12-01 14:05
        #expect(d.peek(at: now).actions == [])
        let forced = d.tick(at: now, rotate: true)
        #expect(forced.actions == [rsa("mk20261201r"), ed("mk20261201e")])
        #expect(forced.nextWake == plus(now, 7500))

        // While the successors wait, a second forced rotation creates nothing.
        let second = d.tick(at: plus(now, hour), rotate: true)
        #expect(second.actions == [])
        #expect(second.nextWake == plus(now, 7500))
        #expect(d.keys.count == 4)
        let third = d.peek(at: plus(now, 7499), rotate: true)
        #expect(third.actions == [])

        // The successors activate on the normal schedule.
        let swap = d.tick(at: plus(now, 7500), rotate: true)
        #expect(
            swap.actions == [
                .activate(selector: "mk20261201r"), .retire(selector: "mk20261121r"),
                .activate(selector: "mk20261201e"), .retire(selector: "mk20261121e"),
            ]
        )
        #expect(swap.nextWake == plus(now, 7500 + 7 * day))
    }

    @Test func overlappingRolloversKeepThreeKeysInDNSEachRemovedOnItsOwnSchedule() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        let r1 = plus(t1, 10 * day)  // 2026-12-01 14:05
        d.tick(at: r1, rotate: true)
        let t2 = plus(r1, 7500)  // 16:10: the first successors activate
        d.tick(at: t2)
        #expect(d.keys.filter(\.signing).map(\.selector) == ["mk20261201r", "mk20261201e"])

        // Rotate again right away: the same day, so the selectors get a counter.
        let r2 = plus(t2, hour)
        let forced = d.tick(at: r2, rotate: true)
        #expect(forced.actions == [rsa("mk20261201r2"), ed("mk20261201e2")])
        let t3 = plus(r2, 7500)
        let swap = d.tick(at: t3)
        #expect(
            swap.actions == [
                .activate(selector: "mk20261201r2"), .retire(selector: "mk20261201r"),
                .activate(selector: "mk20261201e2"), .retire(selector: "mk20261201e"),
            ]
        )
        #expect(swap.nextWake == plus(t2, 7 * day))

        // Three RSA keys in DNS: the first (retired at t2), the second (retired at t3), the signer.
        for algorithm in DKIMAlgorithm.allCases {
            let inDNS = d.keys(algorithm).filter(\.inDNS)
            #expect(inDNS.count == 3)
            #expect(inDNS.map { $0.state(at: t3) } == [.retired, .retired, .active])
            #expect(inDNS.filter(\.signing).count == 1)
        }

        #expect(d.peek(at: plus(t2, 7 * day - 1)).actions == [])
        let first = d.tick(at: plus(t2, 7 * day))
        #expect(first.actions == [.remove(selector: "mk20261121r"), .remove(selector: "mk20261121e")])
        #expect(first.nextWake == plus(t3, 7 * day))
        #expect(d.keys.filter(\.inDNS).count == 4)

        #expect(d.peek(at: plus(t3, 7 * day - 1)).actions == [])
        let second = d.tick(at: plus(t3, 7 * day))
        #expect(second.actions == [.remove(selector: "mk20261201r"), .remove(selector: "mk20261201e")])
        #expect(second.nextWake == plus(t3, 90 * day))
        #expect(d.keys.filter(\.inDNS).map(\.selector) == ["mk20261201r2", "mk20261201e2"])
    }

    @Test func rotateOnlyStartsAlgorithmsWithoutAPendingSuccessor() {
        // RSA signs since the start; Ed25519 is added to the policy later.
        var d = Driver(policy: dkimPolicy { $0.algorithms = [.rsa] })
        let t0 = utc(2026, 11, 21)
        d.tick(at: t0)
        d.tick(at: plus(t0, 7500))
        d.policy.algorithms = [.rsa, .ed25519]
        let t2 = plus(t0, 20 * day)  // 2026-12-11 12:00: Ed25519 joins
        #expect(d.tick(at: t2).actions == [ed("mk20261211e")])
        let t3 = plus(t2, 7500)
        #expect(d.tick(at: t3).actions == [.activate(selector: "mk20261211e")])
        let t4 = plus(t3, day)  // 2026-12-12 14:05: a forced rotation starts both
        #expect(d.tick(at: t4, rotate: true).actions == [rsa("mk20261212r"), ed("mk20261212e")])
        // A second forced rotation an hour later: both have a successor waiting.
        let again = d.peek(at: plus(t4, hour), rotate: true)
        #expect(again.actions == [])
        #expect(again.nextWake == plus(t4, 7500))

        // When only RSA has a successor waiting, a forced rotation starts Ed25519 alone.
        let rsaOnlyPending = d.keys.filter { $0.selector != "mk20261212e" }
        let partial = DKIMPlanner.plan(keys: rsaOnlyPending, policy: d.policy, now: plus(t4, hour), rotate: true)
        #expect(partial.actions == [ed("mk20261212e")])
        #expect(partial.nextWake == plus(t4, 7500))
    }

    @Test func rotateOnAFreshDomainJustCreates() {
        let t0 = utc(2026, 11, 21)
        let result = DKIMPlanner.plan(keys: [], policy: dkimPolicy(), now: t0, rotate: true)
        #expect(result.actions == [rsa("mk20261121r"), ed("mk20261121e")])
        #expect(result.nextWake == plus(t0, 7500))
    }

    @Test func rotateWithDKIMDisabledCreatesNothing() {
        let (d, _, t1) = steadyDriver()
        let now = plus(t1, day)
        let result = DKIMPlanner.plan(keys: d.keys, policy: dkimPolicy { $0.enabled = false }, now: now, rotate: true)
        #expect(result.actions == [.retire(selector: "mk20261121r"), .retire(selector: "mk20261121e")])
    }
}

@Suite("DKIM planner: policy changes")
struct DKIMPolicyChangeTests {
    @Test func removingAnAlgorithmRetiresItsSigningKey() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        d.policy.algorithms = [.rsa]
        let t4 = plus(t1, 30 * day)
        let result = d.tick(at: t4)
        #expect(result.actions == [.retire(selector: "mk20261121e")])
        #expect(result.nextWake == plus(t4, 7 * day))
        #expect(d.key("mk20261121e")?.retired == t4)
        #expect(d.key("mk20261121r")?.signing == true)

        #expect(d.peek(at: plus(t4, 7 * day - 1)).actions == [])
        let removal = d.tick(at: plus(t4, 7 * day))
        #expect(removal.actions == [.remove(selector: "mk20261121e")])
        #expect(removal.nextWake == plus(t1, 90 * day))

        // Later rotations only concern RSA.
        #expect(d.tick(at: plus(t1, 90 * day)).actions == [rsa("mk20270219r")])
        #expect(d.keys(.ed25519).filter(\.inDNS).isEmpty)
    }

    @Test func removingAnAlgorithmRemovesItsPendingKeys() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        let due = plus(t1, 90 * day)
        d.tick(at: due)
        d.policy.algorithms = [.rsa]
        let now = plus(due, hour)
        let result = d.tick(at: now)
        #expect(result.actions == [.retire(selector: "mk20261121e"), .remove(selector: "mk20270219e")])
        #expect(result.nextWake == plus(due, 7500))
        #expect(d.key("mk20270219e")?.removed == now)
        #expect(d.key("mk20270219e")?.active == nil)
        #expect(d.keys(.ed25519).filter(\.signing).isEmpty)

        // RSA continues: its successor activates at publish_ahead.
        let swap = d.tick(at: plus(due, 7500))
        #expect(swap.actions == [.activate(selector: "mk20270219r"), .retire(selector: "mk20261121r")])
        #expect(swap.nextWake == plus(now, 7 * day))
    }

    @Test func disablingRetiresEverythingThenRemovesIt() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        d.policy.enabled = false
        let now = plus(t1, 5 * day)
        let result = d.tick(at: now)
        #expect(result.actions == [.retire(selector: "mk20261121r"), .retire(selector: "mk20261121e")])
        #expect(result.nextWake == plus(now, 7 * day))
        #expect(d.keys.filter(\.signing).isEmpty)
        #expect(d.keys.filter(\.inDNS).count == 2)

        #expect(d.peek(at: plus(now, 7 * day - 1)).actions == [])
        let removal = d.tick(at: plus(now, 7 * day))
        #expect(removal.actions == [.remove(selector: "mk20261121r"), .remove(selector: "mk20261121e")])
        #expect(removal.nextWake == nil)
        #expect(d.keys.filter(\.inDNS).isEmpty)

        let idle = d.peek(at: plus(now, 400 * day))
        #expect(idle.actions == [])
        #expect(idle.nextWake == nil)
    }

    @Test func disablingDuringARolloverRetiresSignersAndRemovesPendingKeys() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        let due = plus(t1, 90 * day)
        d.tick(at: due)
        d.policy.enabled = false
        let result = d.tick(at: plus(due, 1))
        #expect(
            result.actions == [
                .retire(selector: "mk20261121r"), .remove(selector: "mk20270219r"),
                .retire(selector: "mk20261121e"), .remove(selector: "mk20270219e"),
            ]
        )
        #expect(result.nextWake == plus(due, 1 + 7 * day))
    }

    @Test func reEnablingStartsFreshKeys() {
        let steady = steadyDriver()
        var d = steady.driver
        let t1 = steady.active
        d.policy.enabled = false
        let off = plus(t1, day)
        d.tick(at: off)
        d.policy.enabled = true
        let on = plus(off, 2 * day)  // 2026-11-24 14:05
        let result = d.tick(at: on)
        #expect(result.actions == [rsa("mk20261124r"), ed("mk20261124e")])
        #expect(result.nextWake == plus(on, 7500))
    }
}

@Suite("DKIM planner: selectors")
struct DKIMSelectorTests {
    @Test func selectorIsTheUTCDateAndTheAlgorithmLetter() {
        #expect(DKIMPlanner.selector(for: .rsa, at: utc(2026, 11, 21, 0, 0), taken: []) == "mk20261121r")
        #expect(DKIMPlanner.selector(for: .ed25519, at: plus(utc(2026, 11, 22, 0, 0), -1), taken: []) == "mk20261121e")
        #expect(DKIMPlanner.selector(for: .rsa, at: utc(2026, 11, 22, 0, 0), taken: []) == "mk20261122r")
        #expect(DKIMPlanner.selector(for: .ed25519, at: utc(2027, 1, 5, 9, 30), taken: []) == "mk20270105e")
    }

    @Test func aTakenSelectorGetsACounterFromTwo() {
        let t = utc(2026, 11, 21)
        #expect(DKIMPlanner.selector(for: .rsa, at: t, taken: ["mk20261121r"]) == "mk20261121r2")
        #expect(DKIMPlanner.selector(for: .rsa, at: t, taken: ["mk20261121r", "mk20261121r2"]) == "mk20261121r3")
        #expect(
            DKIMPlanner.selector(
                for: .rsa,
                at: t,
                taken: ["mk20261121r", "mk20261121r2", "mk20261121r3", "mk20261121r4"]
            )
                == "mk20261121r5"
        )
        // The first free counter, even when a later one is taken.
        #expect(DKIMPlanner.selector(for: .rsa, at: t, taken: ["mk20261121r", "mk20261121r3"]) == "mk20261121r2")
        // Names of the other algorithm or other days do not collide.
        #expect(DKIMPlanner.selector(for: .ed25519, at: t, taken: ["mk20261121r", "mk20261120e"]) == "mk20261121e")
        // The counter is only added when the base name is taken.
        #expect(DKIMPlanner.selector(for: .rsa, at: t, taken: ["mk20261121r2"]) == "mk20261121r")
    }

    @Test func planNeverReusesTheSelectorOfARemovedKey() {
        let t = utc(2026, 11, 21, 20, 0)
        let gone = DKIMKey(
            selector: "mk20261121r",
            algorithm: .rsa,
            publicKey: "PUB",
            created: utc(2026, 11, 21, 1, 0),
            published: utc(2026, 11, 21, 1, 0),
            removed: utc(2026, 11, 21, 2, 0)
        )
        let gone2 = DKIMKey(
            selector: "mk20261121r2",
            algorithm: .rsa,
            publicKey: "PUB",
            created: utc(2026, 11, 21, 3, 0),
            published: utc(2026, 11, 21, 3, 0),
            removed: utc(2026, 11, 21, 4, 0)
        )
        let result = DKIMPlanner.plan(keys: [gone, gone2], policy: dkimPolicy(), now: t)
        #expect(result.actions == [rsa("mk20261121r3"), ed("mk20261121e")])
    }
}

@Suite struct DKIMAlgorithmSwitchTests {
    @Test func droppingAnAlgorithmKeepsItSigningUntilTheNewOneSigns() throws {
        let t0 = Date(timeIntervalSince1970: 1_800_000_000)
        var policy = DKIMPolicy.defaults(txtTTL: 3600, propagation: 300)
        policy.algorithms = [.rsa]
        let rsa = DKIMKey(selector: "mk1r", algorithm: .rsa, publicKey: "R", created: t0, published: t0, active: t0)
        policy.algorithms = [.ed25519]
        let now = t0.addingTimeInterval(86400)
        let first = DKIMPlanner.plan(keys: [rsa], policy: policy, now: now).actions
        #expect(first.contains { if case .create(_, .ed25519) = $0 { return true } else { return false } })
        #expect(!first.contains(.retire(selector: "mk1r")), "RSA keeps signing while Ed25519 is only published")
        let keys = DKIMPlanner.apply(first, to: [rsa], now: now, newKeys: ["mk19700101e": "E"])
        let ready = now.addingTimeInterval(TimeInterval(policy.publishAhead))
        let second = DKIMPlanner.plan(keys: keys, policy: policy, now: ready).actions
        #expect(second.contains { if case .activate = $0 { return true } else { return false } })
        #expect(second.contains(.retire(selector: "mk1r")), "RSA retires the moment Ed25519 signs")
    }
}
