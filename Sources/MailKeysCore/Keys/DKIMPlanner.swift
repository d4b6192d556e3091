import Foundation

/// The DKIM rollover schedule: a pure function of the keys, the policy and `now`.
///
/// Timeline of one key: created and published together → active once it has been in DNS for
/// `publish_ahead` (the predecessor of the same algorithm retires at that moment) → retired
/// after `rotate_every` when its successor activates → (revoked for `revoked_for`) → removed
/// `overlap` after retirement. Every interval is measured from the recorded timestamp of the
/// step before, so a tick that comes late only delays later steps and never shortens one.
public enum DKIMPlanner {
    /// The selector for a new key: `mk` + date (UTC) + `r`/`e`, plus a counter from 2 when that
    /// name was used before (selectors are never reused).
    public static func selector(for algorithm: DKIMAlgorithm, at now: Date, taken: Set<String>) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: now)
        let base = String(format: "mk%04d%02d%02d%@", c.year!, c.month!, c.day!, algorithm.selectorSuffix)
        if !taken.contains(base) { return base }
        var n = 2
        while taken.contains("\(base)\(n)") { n += 1 }
        return "\(base)\(n)"
    }

    /// The transitions due at `now` (in the order to apply them) and when the next one falls due.
    /// `rotate` starts a rollover now for every algorithm that has no successor waiting.
    /// A `now` earlier than the newest key event plans nothing (the clock went backwards; no
    /// timestamp is ever written out of order).
    public static func plan(keys: [DKIMKey], policy: DKIMPolicy, now: Date, rotate: Bool = false) -> KeyPlan<DKIMAction>
    {
        if let newest = keys.map(\.lastEvent).max(), now < newest { return KeyPlan() }
        var actions: [DKIMAction] = []
        var wakes: [Wake] = []
        var taken = Set(keys.map(\.selector))
        let wanted = policy.enabled ? policy.algorithms : []

        // Wanted algorithms first: a dropped algorithm keeps signing until a wanted one signs,
        // so switching algorithms never leaves the domain without a signature.
        let order = wanted + DKIMAlgorithm.allCases.filter { !wanted.contains($0) }
        for algorithm in order {
            if wanted.contains(algorithm) {
                rolloverSteps(
                    algorithm,
                    keys: keys,
                    policy: policy,
                    now: now,
                    rotate: rotate,
                    taken: &taken,
                    actions: &actions,
                    wakes: &wakes
                )
            } else {
                droppedAlgorithmSteps(algorithm, keys: keys, wanted: wanted, actions: &actions)
            }
        }
        retiredKeySteps(keys: keys, policy: policy, now: now, actions: &actions, wakes: &wakes)
        revealSteps(keys: keys, policy: policy, now: now, actions: &actions, wakes: &wakes)
        // A retirement decided in this run starts its overlap now.
        for case .retire(let selector) in actions {
            wakes.append(Wake(at: at(now, policy.overlap), reason: "DKIM key \(selector) ends its overlap"))
        }
        return KeyPlan(actions: actions, wake: Wake.earliest(wakes))
    }

    /// `d` plus `s` seconds.
    private static func at(_ d: Date, _ s: Int) -> Date { d.addingTimeInterval(TimeInterval(s)) }

    /// The live keys of `algorithm` that sign, and those published but not yet active (oldest first).
    private static func liveKeys(
        _ algorithm: DKIMAlgorithm,
        in keys: [DKIMKey]
    ) -> (signing: [DKIMKey], pending: [DKIMKey]) {
        let live = keys.filter { $0.algorithm == algorithm && $0.removed == nil }
        let signing = live.filter(\.signing)
        let pending = live.filter { $0.published != nil && $0.active == nil }.sorted { $0.created < $1.created }
        return (signing, pending)
    }

    /// An algorithm the policy no longer wants: its signing keys retire once a wanted algorithm
    /// signs (or none is wanted), its pending keys go.
    private static func droppedAlgorithmSteps(
        _ algorithm: DKIMAlgorithm,
        keys: [DKIMKey],
        wanted: [DKIMAlgorithm],
        actions: inout [DKIMAction]
    ) {
        let (signing, pending) = liveKeys(algorithm, in: keys)
        let wantedSigns =
            keys.contains { wanted.contains($0.algorithm) && $0.signing }
            || actions.contains { if case .activate = $0 { return true } else { return false } }
        if wanted.isEmpty || wantedSigns {
            for k in signing { actions.append(.retire(selector: k.selector)) }
        }
        for k in pending { actions.append(.remove(selector: k.selector)) }
    }

    /// A wanted algorithm: activate the newest pending key once published long enough, or
    /// create a successor when there is no signing key, `rotate` is set or the signer is due.
    private static func rolloverSteps(
        _ algorithm: DKIMAlgorithm,
        keys: [DKIMKey],
        policy: DKIMPolicy,
        now: Date,
        rotate: Bool,
        taken: inout Set<String>,
        actions: inout [DKIMAction],
        wakes: inout [Wake]
    ) {
        let (signing, pending) = liveKeys(algorithm, in: keys)
        if let next = pending.last {
            let ready = at(next.published!, policy.publishAhead)
            if now >= ready {
                actions.append(.activate(selector: next.selector))
                for k in signing { actions.append(.retire(selector: k.selector)) }
                for k in pending.dropLast() { actions.append(.remove(selector: k.selector)) }
                wakes.append(
                    Wake(
                        at: at(now, policy.rotateEvery),
                        reason: "DKIM \(algorithm.rawValue) key \(next.selector) is due for rotation"
                    )
                )
            } else {
                wakes.append(Wake(at: ready, reason: "DKIM key \(next.selector) starts signing"))
            }
        } else if signing.isEmpty || rotate || now >= at(signing.map { $0.active! }.max()!, policy.rotateEvery) {
            let s = selector(for: algorithm, at: now, taken: taken)
            taken.insert(s)
            actions.append(.create(selector: s, algorithm: algorithm))
            wakes.append(Wake(at: at(now, policy.publishAhead), reason: "DKIM key \(s) starts signing"))
        } else {
            let due = at(signing.map { $0.active! }.max()!, policy.rotateEvery)
            wakes.append(Wake(at: due, reason: "DKIM \(algorithm.rawValue) key rotation"))
        }
    }

    /// Retired keys: revoked after `overlap` (when `revoked_for` is set), removed after that.
    private static func retiredKeySteps(
        keys: [DKIMKey],
        policy: DKIMPolicy,
        now: Date,
        actions: inout [DKIMAction],
        wakes: inout [Wake]
    ) {
        for k in keys where k.retired != nil && k.removed == nil {
            let end = at(k.retired!, policy.overlap)
            if let revoked = k.revoked {
                let gone = at(revoked, policy.revokedFor)
                if now >= gone {
                    actions.append(.remove(selector: k.selector))
                } else {
                    wakes.append(Wake(at: gone, reason: "DKIM key \(k.selector) leaves the zone"))
                }
            } else if now >= end {
                if policy.revokedFor > 0 {
                    actions.append(.revoke(selector: k.selector))
                    wakes.append(Wake(at: at(now, policy.revokedFor), reason: "DKIM key \(k.selector) leaves the zone"))
                } else {
                    actions.append(.remove(selector: k.selector))
                }
            } else {
                wakes.append(Wake(at: end, reason: "DKIM key \(k.selector) ends its overlap"))
            }
        }
    }

    /// Removed keys whose private half is due to be revealed (only with a reveal directory).
    private static func revealSteps(
        keys: [DKIMKey],
        policy: DKIMPolicy,
        now: Date,
        actions: inout [DKIMAction],
        wakes: inout [Wake]
    ) {
        guard let dir = policy.revealDir, !dir.isEmpty else { return }
        for k in keys where k.removed != nil && k.revealed == nil {
            let when = at(k.removed!, policy.revealAfter)
            if now >= when {
                actions.append(.reveal(selector: k.selector))
            } else {
                wakes.append(Wake(at: when, reason: "DKIM key \(k.selector) is revealed"))
            }
        }
    }

    /// Applies `actions` to `keys` at `now` (new keys need their public half from the caller).
    public static func apply(_ actions: [DKIMAction], to keys: [DKIMKey], now: Date, newKeys: [String: String])
        -> [DKIMKey]
    {
        var out = keys
        for action in actions {
            switch action {
            case .create(let s, let a):
                out.append(
                    DKIMKey(selector: s, algorithm: a, publicKey: newKeys[s] ?? "", created: now, published: now)
                )
            case .activate(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].active = now }
            case .retire(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].retired = now }
            case .revoke(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].revoked = now }
            case .remove(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].removed = now }
            case .reveal(let s):
                if let i = out.firstIndex(where: { $0.selector == s }) { out[i].revealed = now }
            }
        }
        return out
    }
}
