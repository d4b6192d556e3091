import Foundation
import MailKeysCore

/// The pipeline behind `tick`, `zone build|sign|export`, `rotate`, `ds seen`, `tls import` and
/// `certbot-hook`: under the home lock, finish what a dead run left, validate the policy, the
/// store and every key file; plan every change in memory (``DKIMStep``, ``DNSSECStep``,
/// ``TLSStep``, ``ZoneStep``), staging files into ``Pending``; commit the store and the files in
/// one step (``Journal``); then export and update the signers (``ExportStep``).
struct Pipeline {
    let home: Home
    let mode: MailKeys.Mode
    let now: Date
    let acceptClock: Bool

    func run(lockWait: Double) throws -> Report {
        let session = try Session(home, lockWait: lockWait)
        // The lock is held until the run returns, whatever the optimizer makes of the last use.
        defer { withExtendedLifetime(session) {} }
        let selected = try mode.domains(in: session.policy)
        try FileSafety.checkHome(home)
        let store = try session.store()
        // Finish (or sweep) what a run that died left, so the files agree with the store.
        var report = try Journal.recover(home, store: store)
        var domains = try selected.map { try DomainRun.load($0, home: home, store: store) }
        Trace.mark("open store, policy, keys")
        for i in domains.indices { try domains[i].readZoneInputs(home, policyHash: session.policyHash) }
        Trace.mark("read templates and zone maps")
        let pending = Pending(home)
        // A run refused before its commit removes what it staged (a no-op once committed).
        defer { pending.journal.abandon() }
        let context = StepContext(
            home: home,
            store: store,
            policy: session.policy,
            policyHash: session.policyHash,
            mode: mode,
            now: now,
            acceptClock: acceptClock,
            pending: pending
        )
        var planned = try plan(&domains, context)
        Trace.mark("write zones")
        planned.lines += try pending.commit(store, now: now)
        Trace.mark("commit")
        defer { Trace.print() }
        report.add(planned)
        switch mode {
        case .zoneBuild, .zoneSign: return report
        default: report.add(try ExportStep.run(domains, context))
        }
        if case .zoneExport = mode { return report }
        report.lines.append("next: \(Self.next(planned.wakes))")
        for line in report.lines { Log.logger.info("\(line)") }
        return report
    }

    /// Every step before the commit, in order, each over every domain.
    private func plan(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        var out = StepOutcome()
        if mode.advances { for i in domains.indices { out.add(try DKIMStep.run(&domains[i], c)) } }
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
