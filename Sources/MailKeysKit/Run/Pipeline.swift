import Foundation
import MailKeysCore

/// The pipeline behind `tick`, `zone build|sign|export`, `rotate`, `ds seen`, `tls import` and
/// `certbot-hook`: under the home lock, finish what a dead run left, validate the policy, the
/// store and the key files of the domains it runs (``RunSchedule``: those with something due,
/// when the mode advances); plan every change in memory (``DKIMStep``, ``DNSSECStep``,
/// ``TLSStep``, ``ZoneStep``), staging files into ``Pending``; commit the store and the files in
/// one step (``Journal``); then export and update the signers (``ExportStep``), and record
/// each domain's schedule.
struct Pipeline {
    let home: Home
    let mode: MailKeys.Mode
    let now: Date
    let acceptClock: Bool

    func run(lockWait: Double) throws -> Report {
        Trace.begin()
        let session = try Session(home, lockWait: lockWait)
        Trace.mark("lock, read and check the policy")
        // The lock is held until the run returns, whatever the optimizer makes of the last use.
        defer { withExtendedLifetime(session) {} }
        let all = try mode.domains(in: session.policy)
        var selected = all
        try FileSafety.checkHome(home)
        try FileSafety.sweepKeys(home)
        let store = try session.store()
        // Finish (or sweep) what a run that died left, so the files agree with the store.
        var report = try Journal.recover(home, store: store)
        var schedule: RunSchedule?
        if mode.advances {
            let s = try RunSchedule(home: home, store: store, policy: session.policy, digest: session.digest, now: now)
            selected = s.due(all, named: try mode.named(in: session.policy))
            schedule = s
        }
        Trace.mark("store, recovery, key permissions, schedule")
        var domains = try DomainRun.load(selected, home: home, store: store)
        Trace.mark("keys of the domains due")
        let context = StepContext(
            home: home,
            store: store,
            policy: session.policy,
            digest: session.digest,
            mode: mode,
            now: now,
            acceptClock: acceptClock,
            pending: Pending(home)
        )
        for i in domains.indices { try domains[i].readZoneInputs(home, policyHash: context.zoneHash(domains[i].name)) }
        Trace.mark("read templates and zone maps")
        let planned = try planAndCommit(&domains, context)
        defer { Trace.print() }
        report.add(planned)
        switch mode {
        case .zoneBuild, .zoneSign: return report
        default: report.add(try ExportStep.run(domains, context, subset: schedule != nil))
        }
        if case .zoneExport = mode { return report }
        var wakes = planned.wakes
        if let schedule {
            let ran = domains.map(\.name)
            if ran.count < all.count {
                let idle = all.count - ran.count
                report.lines.append("\(idle) domain\(idle == 1 ? "" : "s") with nothing due: left alone")
            }
            try schedule.save(ran, outcome: planned, store: store)
            if let w = schedule.earliest(all, except: Set(ran)) { wakes.append(w) }
        }
        report.lines.append("next: \(Self.next(wakes))")
        for line in report.lines { Log.logger.info("\(line)") }
        return report
    }

    /// Every step before the commit, then the commit; a run refused before its commit removes
    /// what it staged.
    private func planAndCommit(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        defer { c.pending.journal.abandon() }
        var planned = try plan(&domains, c)
        Trace.mark("write zones")
        planned.lines += try c.pending.commit(c.store, now: now)
        Trace.mark("commit")
        return planned
    }

    /// Every step before the commit, in order, each over every domain.
    private func plan(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        var out = StepOutcome()
        if mode.advances {
            let pool = try DKIMKeyPool(counts: try DKIMKeyPool.needed(domains, mode: mode, now: now))
            Trace.mark("DKIM keys generated ahead")
            for i in domains.indices { out.add(try DKIMStep.run(&domains[i], c, pool: pool)) }
        }
        for i in domains.indices { out.add(try DNSSECStep.run(&domains[i], c)) }
        out.add(try TLSStep.run(&domains, c))
        out.add(try ZoneStep.run(&domains, c))
        return out
    }

    /// The `next:` line: when the earliest wake-up falls, and why (`2026-12-08T02:05:00Z
    /// (example.org: DKIM key event)`).
    static func next(_ wakes: [Wake]) -> String {
        guard let w = Wake.earliest(wakes) else {
            return "nothing scheduled; the timer re-checks policy and templates on every run"
        }
        return "\(RunClock.format(w.at)) (\(w.reason))"
    }
}
