import Foundation
import MailKeysCore
import MailKeysStore

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
    /// Mark the home a simulation (for good), which lets its runs act ahead of the clock.
    var simulate = false

    func run(lockWait: Double) throws -> Report {
        Trace.begin()
        defer { Progress.clear() }
        Progress.show("waiting for the home's lock, reading the policy and the store")
        _ = try ZoneStep.batch()  // a bad MAILKEYS_ZONE_BATCH is refused before anything is done
        // A run that advances reads the policy through the index, after the store is open.
        let session = try Session(home, lockWait: lockWait, readPolicy: !mode.advances)
        // The lock is held until the run returns, whatever the optimizer makes of the last use.
        defer { withExtendedLifetime(session) {} }
        let selected = mode.advances ? [] : try mode.domains(in: session.policy)
        try FileSafety.checkHome(home)
        // A run of a certificate's domains checks the keys it reads (as they are read).
        if !mode.onlyNamed { try FileSafety.sweepKeys(home) }
        let store = try session.store()
        // Finish (or sweep) what a run that died left, so the files agree with the store.
        var report = try Journal.recover(home, store: store)
        try ClockGuard.check(now: now, store: store, home: home, simulate: simulate)
        Trace.mark("lock, policy, store, recovery, key permissions")
        let scope =
            mode.advances
            ? try advancingScope(store)
            : Scope(
                policy: session.policy,
                digest: session.digest,
                selected: selected,
                signerDomains: SignerDomain.all(session.policy)
            )
        // A full read of the policy also tells which domains of the store it lost: those a removal
        // took off every nameserver are archived, the others reported.
        var archiving: [DomainName] = []
        if let index = scope.index, !mode.onlyNamed {
            let missing = try store.domains(missingFrom: index.names)
            if !missing.isEmpty {
                let removals = try store.removals()
                archiving = missing.filter { removals[$0]?.unexported != nil }
                report.warnings += try RemovedDomains.warnings(
                    missing.filter { removals[$0]?.unexported == nil },
                    removals: removals,
                    store: store
                )
            }
        }
        Trace.mark("policy files and schedule")
        var domains = try DomainRun.load(scope.selected, home: home, store: store, now: now)
        Trace.mark("keys of the domains due")
        Progress.show("planning \(domains.count) domain\(domains.count == 1 ? "" : "s")")
        let context = StepContext(
            home: home,
            store: store,
            policy: scope.policy,
            digest: scope.digest,
            signerDomains: scope.signerDomains,
            mode: mode,
            now: now,
            acceptClock: acceptClock,
            pending: Pending(home)
        )
        let checked = domains.flatMap(\.keyFileChecks)
        if !checked.isEmpty { context.pending.record { tx in try tx.record(keyFileChecks: checked) } }
        for i in domains.indices { try domains[i].readZoneInputs(home, policyHash: context.zoneHash(domains[i].name)) }
        Trace.mark("read templates and zone maps")
        let archived = try DomainArchive.stage(archiving, home: home, store: store, now: now, pending: context.pending)
        let planned = try planAndCommit(&domains, context)
        defer { Trace.print() }
        report.lines += archived
        report.add(planned)
        switch mode {
        case .zoneBuild, .zoneSign: return report
        default:
            // Past the commit, a failure still reports what the run did.
            Progress.show("exporting the zones and writing the signers' tables")
            do {
                // An archived domain leaves the signers' tables: they are written in full.
                report.add(try ExportStep.run(domains, context, subset: scope.schedule != nil && archiving.isEmpty))
            } catch let e as ExportFailure {
                report.add(e.outcome)
                throw RunFailure(report: report, error: e.error)
            } catch {
                throw RunFailure(report: report, error: error)
            }
        }
        if case .zoneExport = mode { return report }
        var wakes = planned.wakes
        if let schedule = scope.schedule, let index = scope.index {
            let ran = domains.map(\.name)
            let deferred = scope.due?.deferred.count ?? 0
            if ran.count + deferred < index.total {
                let idle = index.total - ran.count - deferred
                let s = idle == 1 ? "" : "s"
                report.lines.append(
                    mode.onlyNamed
                        ? "\(idle) other domain\(s) not looked at: their events and edits are the next tick's"
                        : "\(idle) domain\(s) with nothing due: left alone"
                )
            }
            if deferred > 0 {
                report.lines.append(
                    "\(deferred) zone\(deferred == 1 ? "" : "s") due for new signatures left for the next runs "
                        + "(at most \(scope.due!.share) a run, each before half its refresh window is gone)"
                )
            }
            try schedule.save(ran, outcome: planned, store: store)
            try store.savePolicyFiles(index.changed, removed: index.removed)
            let others =
                mode.onlyNamed
                ? try schedule.earliest(store: store, inline: index.inline, except: Set(ran))
                : schedule.earliest(index.names, except: Set(ran))
            if let w = others { wakes.append(w) }
        }
        report.lines.append("next: \(Self.next(wakes))")
        for line in report.lines { Log.logger.info("\(line)") }
        return report
    }

    /// What a run works on: the policy of the domains it runs (with every domain's report
    /// authorisations), their hashes, the DKIM signers of all domains; for a run that advances,
    /// the schedule and the policy index it chose the domains by.
    private struct Scope {
        var policy: Policy
        var digest: PolicyDigest
        var selected: [DomainPolicy]
        var signerDomains: [SignerDomain]
        var schedule: RunSchedule? = nil
        var index: PolicyIndex? = nil
        var due: RunSchedule.Due? = nil
    }

    /// The scope of a run that advances: the domains the mode names, new, changed or due, read
    /// from the policy index.
    private func advancingScope(_ store: Store) throws -> Scope {
        // A certificate's run reads only the domains that list its hosts.
        let index =
            try mode.certificateHosts().map { try PolicyIndex.certificate($0, home: home, store: store) }
            ?? PolicyIndex.load(home, store: store)
        if let d = mode.namedDomain { try index.check(d, store: store) }
        let schedule = try RunSchedule(
            home: home,
            store: store,
            digest: index.digest,
            authorisations: index.reportAuthorisations,
            now: now,
            readRows: !mode.onlyNamed
        )
        let due = schedule.due(index.names, named: try mode.named(listing: index.listing), only: mode.onlyNamed)
        let policy = try index.policy(Set(due.run))
        // The mode's own checks of the domain it names (a ZSK to roll, DNSSEC to be on).
        _ = try mode.domains(in: policy)
        return Scope(
            policy: policy,
            digest: index.digest,
            selected: policy.domains,
            signerDomains: index.signerDomains,
            schedule: schedule,
            index: index,
            due: due
        )
    }

    /// Every step before the commit, then the commit; a run refused before its commit removes
    /// what it staged.
    private func planAndCommit(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        defer { c.pending.journal.abandon() }
        var planned = try plan(&domains, c)
        Trace.mark("write zones")
        Progress.show("committing the store and putting the files in place")
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
            // When a lowered TTL runs out, the waits it held shorten: the domain runs again then.
            for d in domains {
                out.wake(d.floor.lowers.map { Wake(at: $0, reason: "a lowered TTL runs out") }, domain: d.name)
            }
        }
        if mode.advances {
            for i in domains.indices { out.add(try RemovalStep.run(&domains[i], c)) }
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
