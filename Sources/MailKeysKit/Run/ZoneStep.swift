import MailKeysCore

/// The zone step of a run: every domain's zone built from its keys and certificates as the
/// steps before left them (in part from its zone map where it can), then written where it
/// changed or its signatures fall due (``ZoneWriter``).
enum ZoneStep {
    static func run(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        let wanted = try domains.map { try desired($0, c, partial: true) }
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
        return out
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
