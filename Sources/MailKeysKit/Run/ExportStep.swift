import MailKeysCore

/// The step after the commit: zones exported to their nameservers, DKIM key files handed to the
/// signers' group, and the signer configuration rewritten (and reloaded) where it changed. An
/// export failure is thrown once the signers are up to date.
enum ExportStep {
    static func run(_ domains: [DomainRun], _ c: StepContext) throws -> StepOutcome {
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
        let keys = Dictionary(uniqueKeysWithValues: domains.map { ($0.name, $0.dkim) })
        try DKIMKeyFiles.writeSignerConfigs(c.home, policy: c.policy, keys: keys, report: &report)
        if let exportError { throw exportError }
        return StepOutcome(lines: report.lines, warnings: report.warnings)
    }
}
