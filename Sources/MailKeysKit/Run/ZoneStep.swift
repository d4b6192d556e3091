import Foundation
import MailKeysCore

/// The zone step of a run: every domain's zone built from its keys and certificates as the
/// steps before left them (in part from its zone map where it can), then written where it
/// changed or its signatures fall due (``ZoneWriter``); ``batch(_:)`` domains at a time, so a run
/// over thousands of domains (the first tick) holds a batch of zones in memory, not all.
enum ZoneStep {
    /// How many zones are built, then written, at a time: 16 per core, enough to keep every
    /// core busy, unless `MAILKEYS_ZONE_BATCH` says otherwise (fewer: less memory).
    static func batch(_ environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int {
        guard let text = environment["MAILKEYS_ZONE_BATCH"], !text.isEmpty else { return 16 * ZoneWriter.width }
        guard let n = Int(text), (1...100_000).contains(n) else {
            throw HomeError(.usage, "MAILKEYS_ZONE_BATCH must be a number of zones from 1 to 100000, not '\(text)'")
        }
        return n
    }

    static func run(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        var out = StepOutcome()
        let batch = try batch()
        for start in stride(from: 0, to: domains.count, by: batch) {
            let range = start..<min(start + batch, domains.count)
            Progress.show(
                domains.count == 1
                    ? "building and signing the zone of \(domains[start].name)"
                    : "building and signing zones \(start + 1)–\(range.upperBound) of \(domains.count)"
            )
            out.add(try run(&domains[range], c))
        }
        return out
    }

    /// One batch: its zones built, then written; the templates and zone maps it read are let go.
    private static func run(_ domains: inout ArraySlice<DomainRun>, _ c: StepContext) throws -> StepOutcome {
        let wanted = try domains.map { d in
            var w = try desired(d, c, partial: true)
            w.changes = d.changes
            return w
        }
        // The zones hold what they need; a large template is not kept twice.
        for i in domains.indices { domains[i].template = nil }
        Trace.mark("build zones")
        var out = StepOutcome(warnings: wanted.flatMap(\.warnings))
        let byName = Dictionary(uniqueKeysWithValues: domains.map { ($0.name, $0) })
        let writer = ZoneWriter(
            home: c.home,
            store: c.store,
            now: c.now,
            acceptClock: c.acceptClock,
            pending: c.pending,
            rebuild: { p in try desired(byName[p.name]!, c, partial: false) }
        )
        out.add(try writer.write(wanted))
        for i in domains.indices { domains[i].map = nil }
        for d in domains { out.wake(lowering(d, now: c.now), domain: d.name) }
        return out
    }

    /// A run that writes a TTL below one the zone served until now: the waits that TTL held
    /// shorten once the old one has run out from now, so the domain runs again then (the next
    /// runs know it from the store's `ttl_served`).
    static func lowering(_ d: DomainRun, now: Date) -> Wake? {
        let written = TTLFloor.written(d.policy, zoneMax: 0)
        let ends = [TTLFloor.Kind.tlsa, .txt, .dnskey].compactMap { k -> Date? in
            guard let w = written[k], d.floor[k] > w else { return nil }
            return now.addingTimeInterval(TimeInterval(d.floor[k]))
        }
        return ends.min().map { Wake(at: $0, reason: "a lowered TTL runs out") }
    }

    /// The zone a domain wants now; `partial` allows building it from its zone map.
    private static func desired(_ d: DomainRun, _ c: StepContext, partial: Bool) throws -> DesiredZone {
        try MailKeys.desired(
            c.home,
            policy: c.policy,
            d.policy,
            dkim: d.dkim,
            dnssec: d.dnssec,
            tls: d.tls,
            tlsNext: d.tlsNext,
            template: partial ? d.template : nil,
            map: partial ? d.map : nil,
            policyHash: c.zoneHash(d.name)
        )
    }
}
