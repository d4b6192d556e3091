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
    /// `Zones/`, open: each domain's files are looked up in it.
    private let zones: DirectoryHandle

    /// `readRows: false` for a run that works only on the domains it names (and reads the
    /// earliest event of the others from the store with ``earliest(store:inline:except:)``).
    init(
        home: Home,
        store: Store,
        digest: PolicyDigest,
        authorisations: ReportAuthorisations,
        now: Date,
        readRows: Bool = true
    ) throws {
        self.home = home
        self.digest = digest
        self.authorisations = authorisations
        self.now = now
        zones = DirectoryHandle(home.zonesDir.path)
        rows = readRows ? try store.schedules() : [:]
    }

    /// The fingerprint of everything a run of `name` reads outside the store.
    func inputs(_ name: DomainName) -> String {
        // The names `Home` gives the files, looked up in the open directory: no path resolved
        // from the root per domain.
        let stem = name.description
        var text = FileMarker.program + "\n" + home.root.path + "\n" + digest.zoneText(name, authorisations)
        for suffix in [".zone.in", ".zone", ".zone.signed", ".mta-sts.txt"] {
            text += "\n" + zones.marker(stem + suffix)
        }
        return Digest.sha256Hex(text)
    }

    /// The domains a run looks at, and those whose re-signing it puts off.
    struct Due {
        var run: [DomainName]
        var deferred: [DomainName] = []
        /// How many re-signings a run takes on before it puts off the rest.
        var share = 0
    }

    /// The domains of `all` this run looks at; `named` are run whatever their schedule (nil:
    /// every domain), and with `only`, no other. Domains due only to renew their signatures, with time left before their
    /// deadline, are run a fair share at a time (``share(of:windows:)``), earliest deadline first:
    /// a day when thousands of zones fall due is spread over the runs of an hourly timer.
    func due(_ all: [DomainName], named: Set<DomainName>?, only: Bool = false) -> Due {
        guard let named else { return Due(run: all) }
        if only { return Due(run: all.filter(named.contains)) }
        var run: [DomainName] = []
        var resign: [DomainSchedule] = []
        for name in all {
            guard !named.contains(name), let row = rows[name], !row.poll, row.inputs == inputs(name) else {
                run.append(name)
                continue
            }
            guard let at = row.nextAt, at <= now else { continue }
            if row.reason == Resign.reason, let deadline = row.deadline, deadline > now {
                resign.append(row)
            } else {
                run.append(name)
            }
        }
        let share = Self.share(of: all.count, windows: resign.map { $0.deadline!.timeIntervalSince($0.nextAt!) })
        guard resign.count > share else { return Due(run: run + resign.map(\.domain)) }
        resign.sort { ($0.deadline!, $0.domain.description) < ($1.deadline!, $1.domain.description) }
        return Due(
            run: run + resign.prefix(share).map(\.domain),
            deferred: resign.dropFirst(share).map(\.domain),
            share: share
        )
    }

    /// The re-signings one run takes on in a home of `count` domains: every zone once per the
    /// shortest window (from due to deadline) if the timer runs hourly, `count × 1 h / window`,
    /// at least one. A zone put off past its deadline is run whatever the share, so a timer
    /// that runs less often is late with none, only less even.
    static func share(of count: Int, windows: [TimeInterval]) -> Int {
        guard let window = windows.min() else { return 0 }
        return max(1, Int((Double(count) * 3600 / max(window, 3600)).rounded(.up)))
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
        // A re-signing put off is due again now.
        return Wake(at: max(at, now), reason: "\(best.domain): \(best.reason ?? "scheduled event")")
    }

    /// The earliest event of the domains a run that read no rows left alone: the store's
    /// earliest row of a domain a domain file or `inline` (the domains of `mailkeys.toml`) lists.
    func earliest(store: Store, inline: Set<DomainName>, except ran: Set<DomainName>) throws -> Wake? {
        guard let row = try store.earliestSchedule(except: ran, inline: inline), let at = row.nextAt else { return nil }
        return Wake(at: max(at, now), reason: "\(row.domain): \(row.reason ?? "scheduled event")")
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
                poll: outcome.polled.contains(name),
                deadline: outcome.domainDeadlines[name]
            )
        }
        try store.saveSchedules(rows)
    }
}
