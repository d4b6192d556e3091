import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Which domains a run that advances (`tick`, `rotate`, `ds seen`, `tls import`, the certbot
/// hook) looks at, and what it records for the next run, so that a run costs what is due and
/// not what the home holds.
///
/// A domain is run when the mode names it, when it has no schedule row yet, when its inputs
/// fingerprint (its part of the policy, the report authorisations in its zone, its template and
/// zone files as `stat` sees them, the home's path, the program) differs from the one its last complete run
/// recorded, when its next event is due, or when it waits for its parent's DS. Every other
/// domain is left alone: nothing of it is read but its schedule row and four `stat`s (and, through
/// the ``PolicyIndex``, its `policy_file` row and a `stat` of its policy file).
struct RunSchedule {
    let home: Home
    let digest: PolicyDigest
    /// Every domain's report authorisations (an input of the zones that publish them).
    let authorisations: ReportAuthorisations
    let now: Date
    /// The rows as the run found them.
    let rows: [DomainName: DomainSchedule]
    /// `Zones/` with its final slash.
    private let zonesPath: String

    init(home: Home, store: Store, digest: PolicyDigest, authorisations: ReportAuthorisations, now: Date) throws {
        self.home = home
        self.digest = digest
        self.authorisations = authorisations
        self.now = now
        zonesPath = home.zonesDir.path + "/"
        rows = try store.schedules()
    }

    /// The fingerprint of everything a run of `name` reads outside the store.
    func inputs(_ name: DomainName) -> String {
        // Paths as text (as `Home` makes them): no URL built per domain.
        let stem = zonesPath + name.description
        let files = [".zone.in", ".zone", ".zone.signed", ".mta-sts.txt"].map { FileMarker.of(stem + $0) }
        // The home's path is in the signer tables' key paths: a moved home runs every domain.
        let text = ([FileMarker.program, home.root.path, digest.zone(name, authorisations)] + files)
            .joined(separator: "\n")
        return Digest.sha256Hex(text)
    }

    /// The domains of `all` this run looks at; `named` are run whatever their schedule (nil:
    /// every domain).
    func due(_ all: [DomainName], named: Set<DomainName>?) -> [DomainName] {
        guard let named else { return all }
        return all.filter { name in
            guard !named.contains(name), let row = rows[name], !row.poll else { return true }
            if let at = row.nextAt, at <= now { return true }
            return row.inputs != inputs(name)
        }
    }

    /// The earliest event of the domains of `all` this run left alone.
    func earliest(_ all: [DomainName], except ran: Set<DomainName>) -> Wake? {
        var best: DomainSchedule?
        for name in all where !ran.contains(name) {
            guard let row = rows[name], let at = row.nextAt else { continue }
            if let b = best, let bAt = b.nextAt, bAt <= at { continue }
            best = row
        }
        guard let best, let at = best.nextAt else { return nil }
        return Wake(at: at, reason: "\(best.domain): \(best.reason ?? "scheduled event")")
    }

    /// Records, for each domain the run completed, its fingerprint as the run left the files and
    /// its next event; called once everything is committed and exported.
    func save(_ ran: [DomainName], outcome: StepOutcome, store: Store) throws {
        let rows = ran.map { name in
            let wake = outcome.domainWakes[name]
            return DomainSchedule(
                domain: name,
                inputs: inputs(name),
                nextAt: wake?.at,
                reason: wake?.reason,
                poll: outcome.polled.contains(name)
            )
        }
        try store.saveSchedules(rows)
    }
}
