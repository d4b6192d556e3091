import MailKeysCore
import MailKeysStore

/// The step after the commit: zones exported to their nameservers, DKIM key files handed to the
/// signers' group, and the signer configuration rewritten (and reloaded) where it changed. An
/// export failure is thrown once the signers are up to date, as an ``ExportFailure`` with what
/// the step did before it. A run over some of the domains
/// (`subset`) exports those; it rewrites the signer configuration from every domain's keys
/// when it cannot show the tables hold them already (``SignerTables``), and leaves everything
/// alone when it ran none.
enum ExportStep {
    static func run(_ domains: [DomainRun], _ c: StepContext, subset: Bool = false) throws -> StepOutcome {
        if subset && domains.isEmpty { return StepOutcome() }
        var report = Report()
        defer { Trace.mark("exports and signer configuration") }
        var exportError: Error?
        do {
            let skip = try removals(domains, c, report: &report)
            try Exports.run(
                c.home,
                store: c.store,
                domains: domains.map(\.policy),
                now: c.now,
                report: &report,
                skipping: skip
            )
        } catch {
            exportError = error
        }
        // `zone export` touches only the zones; its failure is its result.
        if case .zoneExport = c.mode {
            if let exportError { throw ExportFailure(outcome: Self.outcome(report), error: exportError) }
            return Self.outcome(report)
        }
        do {
            for d in domains { try DKIMKeyFiles.applyGroup(c.home, d.policy, keys: d.dkim) }
            try signerTables(domains, c, subset: subset, report: &report)
        } catch {
            throw ExportFailure(outcome: Self.outcome(report), error: error)
        }
        if let exportError { throw ExportFailure(outcome: Self.outcome(report), error: exportError) }
        return Self.outcome(report)
    }

    /// Domains being removed: those whose phase allows it leave their targets (in a run that
    /// advances); the targets each has left are not exported to again.
    private static func removals(_ domains: [DomainRun], _ c: StepContext, report: inout Report) throws
        -> [DomainName: Set<String>]
    {
        var skip: [DomainName: Set<String>] = [:]
        for d in domains {
            guard var r = d.removal else { continue }
            let phase = r.phase(
                signed: d.policy.dnssec.enabled,
                dsInterval: DomainRemoval.dsInterval(d.policy),
                now: c.now
            )
            if phase == .leavingNameservers && c.advancing {
                r = try Exports.leave(d.policy, removal: r, store: c.store, now: c.now, report: &report)
            }
            skip[d.name] = r.unexported != nil ? Set(d.policy.exports.map(\.description)) : r.left
        }
        return skip
    }

    private static func outcome(_ report: Report) -> StepOutcome {
        StepOutcome(lines: report.lines, warnings: report.warnings)
    }

    /// The signers' tables: left as they are when a run over some domains finds them as it
    /// last wrote them and its domains' signing keys unchanged (``SignerTables``; only those
    /// domains' rspamd copies and group access are brought up to date), else written from
    /// every domain's keys and their state recorded.
    private static func signerTables(
        _ domains: [DomainRun],
        _ c: StepContext,
        subset: Bool,
        report: inout Report
    ) throws {
        let signers = c.policy.signers
        let groups = Dictionary(c.signerDomains.map { ($0.name, $0.group) }, uniquingKeysWith: { a, _ in a })
        let inputs = SignerTables.inputs(c.home, digest: c.digest, domains: c.signerDomains)
        var keys = Dictionary(uniqueKeysWithValues: domains.map { ($0.name, $0.dkim) })
        var ran: [DomainName: String] = [:]
        for d in domains {
            if let group = groups[d.name] { ran[d.name] = SignerTables.entries(d.dkim, group: group) }
        }
        if subset, let state = try c.store.signerTables(domains: domains.map(\.name)), state.inputs == inputs,
            state.markers == SignerTables.markers(c.home, signers: signers),
            domains.allSatisfy({ state.domains[$0.name] == ran[$0.name] })
        {
            let mine = c.signerDomains.filter { ran[$0.name] != nil }
            try DKIMKeyFiles.refreshSignerFiles(
                c.home,
                signers: signers,
                domains: mine,
                keys: keys,
                report: &report
            )
            return
        }
        // The full rewrite reads every domain's keys (rspamd's copies): a certificate's run,
        // which skipped the permission sweep, makes it first.
        if c.mode.onlyNamed { try FileSafety.sweepKeys(c.home) }
        let others = c.signerDomains.map(\.name).filter { keys[$0] == nil }
        if !others.isEmpty {
            for (name, stored) in try c.store.dkimKeys(domains: others) { keys[name] = stored }
        }
        try DKIMKeyFiles.writeSignerConfigs(
            c.home,
            signers: signers,
            domains: c.signerDomains,
            keys: keys,
            report: &report
        )
        var all: [DomainName: String] = [:]
        for d in c.signerDomains { all[d.name] = SignerTables.entries(keys[d.name] ?? [], group: d.group) }
        try c.store.saveSignerTables(
            SignerTablesState(inputs: inputs, markers: SignerTables.markers(c.home, signers: signers), domains: all)
        )
    }
}
