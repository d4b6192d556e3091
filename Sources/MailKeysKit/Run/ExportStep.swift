import MailKeysCore

/// The step after the commit: zones exported to their nameservers, DKIM key files handed to the
/// signers' group, and the signer configuration rewritten (and reloaded) where it changed. An
/// export failure is thrown once the signers are up to date. A run over some of the domains
/// (`subset`) exports those; it rewrites the signer configuration from every domain's keys
/// when it ran any, and leaves everything alone when it ran none.
enum ExportStep {
    static func run(_ domains: [DomainRun], _ c: StepContext, subset: Bool = false) throws -> StepOutcome {
        if subset && domains.isEmpty { return StepOutcome() }
        var report = Report()
        defer { Trace.mark("exports and signer configuration") }
        var exportError: Error?
        do {
            try Exports.run(c.home, store: c.store, domains: domains.map(\.policy), now: c.now, report: &report)
        } catch {
            exportError = error
        }
        // `zone export` touches only the zones; its failure is its result.
        if case .zoneExport = c.mode {
            if let exportError { throw exportError }
            return StepOutcome(lines: report.lines, warnings: report.warnings)
        }
        for d in domains { try DKIMKeyFiles.applyGroup(c.home, d.policy, keys: d.dkim) }
        var keys = Dictionary(uniqueKeysWithValues: domains.map { ($0.name, $0.dkim) })
        let others = c.signerDomains.map(\.name).filter { keys[$0] == nil }
        if !others.isEmpty {
            for (name, stored) in try c.store.dkimKeys(domains: others) { keys[name] = stored }
        }
        try DKIMKeyFiles.writeSignerConfigs(
            c.home,
            signers: c.policy.signers,
            domains: c.signerDomains,
            keys: keys,
            report: &report
        )
        if let exportError { throw exportError }
        return StepOutcome(lines: report.lines, warnings: report.warnings)
    }
}
