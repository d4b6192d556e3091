import MailKeysCore

/// The DKIM step of a run: the rollover transitions due for one domain (and a rollover started
/// by `rotate dkim`), key files staged, store rows planned.
enum DKIMStep {
    static func run(_ d: inout DomainRun, _ c: StepContext, pool: DKIMKeyPool = DKIMKeyPool()) throws -> StepOutcome {
        let force = try c.mode.rotatesDKIM(d.name)
        let (keys, lines, wake) = try DKIMKeyFiles.advance(
            c.home,
            policy: d.timing,
            keys: d.dkim,
            now: c.now,
            rotate: force,
            pool: pool,
            pending: c.pending
        )
        // The records the zone shows: the selectors in DNS, revoked or not.
        let shown = { (ks: [DKIMKey]) in Set(ks.filter(\.inDNS).map { "\($0.selector) \($0.revoked != nil)" }) }
        if shown(d.dkim) != shown(keys) { d.changes.append("DKIM records") }
        d.dkim = keys
        var out = StepOutcome(lines: lines)
        out.wake(wake, domain: d.name)
        return out
    }
}
