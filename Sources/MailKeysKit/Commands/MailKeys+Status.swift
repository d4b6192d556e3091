import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Reads the policy, the templates and the store (under a shared lock) and reports, per
    /// domain, the serial, the records the zone holds, the keys, what `tick` would do next and
    /// the latest events. Changes nothing. For one domain, the policy is read through the
    /// ``PolicyIndex`` (that domain's file, and only the other files that changed since a run
    /// recorded them), so the cost hardly grows with the number of domains.
    public static func status(_ home: Home, domain: String?, now: Date, lockWait: Double) throws -> StatusReport {
        var domains: [StatusReport.DomainInfo] = []
        try status(home, domain: domain, now: now, lockWait: lockWait) { domains.append($0) }
        return StatusReport(home: home.root.path, now: RunClock.format(now), domains: domains)
    }

    /// How many domains ``status(_:domain:now:lockWait:each:)`` reads at a time.
    static let statusChunk = 200

    /// ``status(_:domain:now:lockWait:)`` one domain at a time, in the order of the report:
    /// `each` gets every domain's status as soon as it is made, and the domains are read
    /// ``statusChunk`` at a time (their policy files, keys and zones), so memory stays flat and
    /// output starts at once whatever the number of domains. The policy is read through the
    /// ``PolicyIndex``: each domain file once.
    public static func status(
        _ home: Home,
        domain: String?,
        now: Date,
        lockWait: Double,
        each: (StatusReport.DomainInfo) throws -> Void
    ) throws {
        let session = try Session(home, lockWait: lockWait, shared: true, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        if let domain, let policy = try PolicyIndex.one(home, store: store, name: try DomainName(domain)) {
            try each(try statusChunk(home, policy, store: store, now: now).first!)
            return
        }
        let index = try PolicyIndex.load(home, store: store)
        if let domain { try index.check(domain, store: store) }
        let names = try domain.map { [try DomainName($0)] } ?? index.names
        for start in stride(from: 0, to: names.count, by: statusChunk) {
            let chunk = Array(names[start..<min(start + statusChunk, names.count)])
            let policy = try index.policy(Set(chunk))
            let byName = Dictionary(uniqueKeysWithValues: policy.domains.map { ($0.name, $0) })
            let ordered = Policy(
                domains: chunk.compactMap { byName[$0] },
                signers: policy.signers,
                reportAuthorisations: policy.reportAuthorisations
            )
            for d in try statusChunk(home, ordered, store: store, now: now) { try each(d) }
        }
    }

    /// The status of every domain of `policy`, in its order.
    private static func statusChunk(_ home: Home, _ policy: Policy, store: Store, now: Date) throws
        -> [StatusReport.DomainInfo]
    {
        let inputs = try StatusInputs(home, policy: policy, selected: policy.domains, store: store, now: now)
        let rows = try store.domainRows(domains: policy.domains.map(\.name))
        return try inputs.wanted.map { w in
            try domainStatus(home, w, row: rows[w.policy.name], inputs: inputs, store: store, now: now)
        }
    }

    /// What status reads for the selected domains: keys, templates, certificates, desired zones.
    private struct StatusInputs {
        var dkim: [DomainName: [DKIMKey]] = [:]
        var dnssec: [DomainName: DNSSECSigning] = [:]
        var templates: [DomainName: [TemplateRecord]] = [:]
        var tls: [DomainName: [TLSCertificate]] = [:]
        var tlsNext: [DomainName: [TLSNextKey]] = [:]
        var exports: [DomainName: [String: ExportState]] = [:]
        /// The TTLs caches may still hold (a TTL lowered recently): the deploy gate waits with them.
        var floors: [DomainName: TTLFloor] = [:]
        var removals: [DomainName: DomainRemoval] = [:]
        var wanted: [DesiredZone] = []

        init(_ home: Home, policy: Policy, selected: [DomainPolicy], store: Store, now: Date) throws {
            let names = selected.map(\.name)
            dkim = try store.dkimKeys(domains: names)
            let dnssecKeys = try store.dnssecKeys(domains: names)
            removals = try store.removals()
            for p in selected {
                let keys = dnssecKeys[p.name] ?? []
                dnssec[p.name] =
                    p.dnssec.enabled ? try DNSSECKeyFiles.signing(home, p, keys: keys) : DNSSECSigning(keys: keys)
                dnssec[p.name]!.cdsDelete = p.dnssec.enabled && removals[p.name] != nil
            }
            templates = try MailKeys.templates(home, selected)
            tls = try store.tlsCertificates(domains: names)
            tlsNext = try store.tlsNextKeys(domains: names)
            exports = try store.exports(domains: names)
            floors = try store.ttlFloors(domains: names, now: now)
            wanted = try MailKeys.desired(
                home,
                policy: policy,
                domains: selected,
                dkim: dkim,
                dnssec: dnssec,
                tls: tls,
                tlsNext: tlsNext,
                templates: templates.mapValues { Template(records: $0) }
            )
        }
    }

    /// One domain's status: zone state, records, keys, what comes next, recent events.
    private static func domainStatus(
        _ home: Home,
        _ w: DesiredZone,
        row: DomainRow?,
        inputs: StatusInputs,
        store: Store,
        now: Date
    ) throws -> StatusReport.DomainInfo {
        let name = w.policy.name
        let disk = try fileHash(home.zoneFile(name))
        let plan = ZoneBuildPlanner.plan(
            desired: [name: w.contentHash],
            stored: [name: row?.state ?? ZoneState()],
            onDisk: [name: disk],
            now: now
        )
        var state = disk == nil ? "missing" : plan.actions.isEmpty ? "current" : "stale"
        if state == "current" && !w.signingKeys.isEmpty,
            let reason = try resignState(home, store: store, w, now: now).reason
        {
            state = "stale (\(reason))"
        }
        var keys = (inputs.dkim[name] ?? []).map { keyInfo($0, now: now) }
        keys += (inputs.dnssec[name]?.keys ?? []).map(keyInfo)
        var signatures: String?
        if w.policy.dnssec.enabled, let expires = try store.signingState(name).expiresAt {
            signatures = RunClock.format(expires)
        }
        var next = plan.actions.map {
            StatusReport.EventInfo(at: RunClock.format(now), action: "tick", detail: $0.description)
        }
        next += keySteps(
            w,
            dkim: inputs.dkim[name] ?? [],
            dnssec: inputs.dnssec[name]?.keys,
            template: inputs.templates[name] ?? [],
            now: now
        )
        // When a gated certificate goes live: with the TLSA TTL caches may still hold, as tick counts.
        let gateTTL = max(w.policy.ttl(for: .tlsa), inputs.floors[name]?[.tlsa] ?? 0)
        let tlsInfo =
            try w.policy.tls.enabled ? tlsStatus(w, store: store, certs: inputs.tls[name] ?? [], gateTTL: gateTTL) : []
        next += try comingEvents(
            w,
            gateTTL: gateTTL,
            store: store,
            certs: inputs.tls[name] ?? [],
            exports: inputs.exports[name] ?? [:],
            signaturesExpire: w.policy.dnssec.enabled ? try store.signingState(name).expiresAt : nil,
            now: now
        )
        next.sort { ($0.at ?? "") < ($1.at ?? "") }
        if let wake = plan.nextWake {
            next.append(.init(at: RunClock.format(wake), action: "wake", detail: "next scheduled run"))
        }
        let recent = try store.events(domain: name, limit: 5).map {
            StatusReport.EventInfo(at: RunClock.format($0.at), action: $0.action, detail: $0.detail)
        }
        return StatusReport.DomainInfo(
            domain: name.description,
            serial: row?.state.serial,
            builtAt: row?.builtAt.map(RunClock.format),
            zoneFile: home.show(home.zoneFile(name)),
            zoneState: state,
            records: recordInfo(home, w, serial: row?.state.serial),
            keys: keys,
            next: next,
            recent: recent,
            warnings: w.warnings,
            signaturesExpire: signatures,
            tls: tlsInfo,
            exports: exportStatus(w.policy, states: inputs.exports[name] ?? [:]),
            removal: removalStatus(w.policy, inputs.removals[name], now: now)
        )
    }

    /// Where a removal stands, as the runs say it.
    private static func removalStatus(_ p: DomainPolicy, _ r: DomainRemoval?, now: Date) -> String? {
        guard let r else { return nil }
        let line = r.describe(
            p.name,
            signed: p.dnssec.enabled,
            dsInterval: DomainRemoval.dsInterval(p),
            now: now,
            format: RunClock.format
        )
        return String(line.dropFirst("\(p.name): ".count))
    }

    /// The events besides key steps that a run will act on: the re-signing of the zone, each
    /// certificate the deploy gate holds going live, each export that failed being retried.
    static func comingEvents(
        _ w: DesiredZone,
        gateTTL: UInt32,
        store: Store,
        certs: [TLSCertificate],
        exports: [String: ExportState],
        signaturesExpire: Date?,
        now: Date
    ) throws -> [StatusReport.EventInfo] {
        var out: [StatusReport.EventInfo] = []
        let p = w.policy
        if let expires = signaturesExpire {
            let due = Resign.due(expiration: expires, policy: p.dnssec)
            out.append(.init(at: RunClock.format(max(due, now)), action: "resign", detail: Resign.reason))
        }
        if p.tls.enabled {
            let published = try store.tlsaPublished(domain: p.name)
            for c in certs where c.state == .pending && TLSCertificateFiles.publishesTLSA(p, host: c.host) {
                let owner = "_\(p.tls.ports[0])._tcp.\(c.host.fqdn) 3 1 1 \(c.spki)"
                let live = published[owner].map { TLSA.coveredAt(publishedAt: $0, ttl: gateTTL) } ?? now
                out.append(
                    .init(
                        at: RunClock.format(max(live, now)),
                        action: "tls",
                        detail: "certificate \(c.fingerprint.prefix(16)) of \(c.host) is installed (deploy gate)"
                    )
                )
            }
        }
        for (target, e) in exports.sorted(by: { $0.key < $1.key }) where e.error != nil {
            out.append(
                .init(at: RunClock.format(now), action: "export", detail: "export to \(target) is retried (it failed)")
            )
        }
        return out
    }

    /// Each export target of the policy with its last attempt, the serial it was last seen
    /// serving and the last error (a target never tried has no entry).
    static func exportStatus(_ p: DomainPolicy, states: [String: ExportState]) -> [StatusReport.ExportInfo] {
        p.exports.compactMap { t in
            states[t.description].map { e in
                StatusReport.ExportInfo(
                    target: t.description,
                    serial: e.serial,
                    attempted: RunClock.format(e.attempted),
                    confirmedSerial: e.lastConfirmedSerial,
                    confirmed: e.lastConfirmed.map(RunClock.format),
                    error: e.error
                )
            }
        }
    }

    /// The SOA and the records of `w`'s zone, each with where it comes from.
    static func recordInfo(_ home: Home, _ w: DesiredZone, serial: UInt32?) -> [StatusReport.RecordInfo] {
        let name = w.policy.name
        var records = [
            StatusReport.RecordInfo(
                owner: name.description,
                ttl: w.zone.soa.ttl,
                type: "SOA",
                rdata: w.zone.soaRDATA(serial: serial ?? 0),
                source: "policy"
            )
        ]
        records += w.zone.records.map { r in
            let source: String
            switch r.source {
            case .generated(let what): source = "policy \(what)"
            case .template(let line): source = "\(home.show(home.template(name))):\(line)"
            }
            return .init(owner: r.owner.description, ttl: r.ttl, type: r.type.mnemonic, rdata: r.rdata, source: source)
        }
        return records
    }

    /// The next DKIM and DNSSEC key steps (up to four each), from the planners run ahead on
    /// copies of the keys, and the new KSKs/CSKs that wait for their DS now.
    static func keySteps(
        _ w: DesiredZone,
        dkim: [DKIMKey],
        dnssec: [DNSSECKey]?,
        template: [TemplateRecord],
        now: Date
    ) -> [StatusReport.EventInfo] {
        var next = dkimSteps(w.policy, dkim: dkim, now: now)
        if w.policy.dnssec.enabled, let dk = dnssec, !dk.isEmpty {
            next += dnssecSteps(w.policy, dnssec: dk, template: template, now: now)
        }
        return next
    }

    /// The next DKIM steps (at most four wake-ups ahead), simulated on a copy of the keys.
    private static func dkimSteps(_ p: DomainPolicy, dkim: [DKIMKey], now: Date) -> [StatusReport.EventInfo] {
        var next: [StatusReport.EventInfo] = []
        var probe = now
        var simulated = dkim
        for _ in 0..<4 {
            let dkimPlan = DKIMPlanner.plan(keys: simulated, policy: p.dkim, now: probe)
            if probe > now || !dkimPlan.actions.isEmpty {
                for a in dkimPlan.actions {
                    next.append(.init(at: RunClock.format(probe), action: "dkim", detail: a.description))
                }
            }
            guard let wake = dkimPlan.wake?.at, wake > probe else { break }
            simulated = DKIMPlanner.apply(dkimPlan.actions, to: simulated, now: probe, newKeys: [:])
            probe = wake
        }
        return next
    }

    /// The next DNSSEC steps (at most four wake-ups ahead) and the keys waiting for their DS.
    private static func dnssecSteps(_ p: DomainPolicy, dnssec: [DNSSECKey], template: [TemplateRecord], now: Date)
        -> [StatusReport.EventInfo]
    {
        let timing = DNSSECTiming(
            policy: p.dnssec,
            propagation: p.propagationDelay,
            maxZoneTTL: maxTTL(p, template: template)
        )
        var next: [StatusReport.EventInfo] = []
        var simulated = dnssec
        var probe = now
        for _ in 0..<4 {
            let step = DNSSECPlanner.plan(keys: simulated, timing: timing, now: probe)
            for a in step.actions {
                next.append(.init(at: RunClock.format(probe), action: "dnssec", detail: a.description))
            }
            for tag in step.waitingForDS(keys: simulated) where probe == now {
                next.append(
                    .init(
                        at: nil,
                        action: "dnssec",
                        detail:
                            "key \(tag) waits for its DS at the parent (run `mailkeys ds seen \(p.name) \(tag)` once the registrar shows it)"
                    )
                )
            }
            guard let wake = step.wake?.at, wake > probe else { break }
            simulated = DNSSECPlanner.apply(step.actions, to: simulated, now: probe)
            probe = wake
        }
        return next
    }

    /// The TLSA owners of `w`'s MX hosts in the zone: the certificates served, the records
    /// published and since when, and the certificates pending until their record is covered.
    static func tlsStatus(_ w: DesiredZone, store: Store, certs: [TLSCertificate], gateTTL: UInt32) throws
        -> [StatusReport.TLSInfo]
    {
        let name = w.policy.name
        var tlsInfo: [StatusReport.TLSInfo] = []
        let published = try store.tlsaPublished(domain: name)
        for mx in w.policy.mx where mx.host.isSubdomain(of: name) {
            for port in w.policy.tls.ports {
                let owner = "_\(port)._tcp.\(mx.host.fqdn)"
                let served = certs.filter { $0.host == mx.host && $0.state == .served }.map {
                    "\($0.keyType.rawValue) \($0.fingerprint.prefix(16)) (key \($0.spki.prefix(16))) until \(RunClock.format($0.notAfter))"
                }
                let records = published.filter { $0.key.hasPrefix(owner + " ") }.sorted { $0.key < $1.key }.map {
                    "\($0.key.dropFirst(owner.count + 1)) since \(RunClock.format($0.value))"
                }
                let pending = certs.filter { $0.host == mx.host && $0.state == .pending }.map { c in
                    let at = published["\(owner) 3 1 1 \(c.spki)"].map {
                        TLSA.coveredAt(publishedAt: $0, ttl: gateTTL)
                    }
                    return
                        "\(c.keyType.rawValue) \(c.fingerprint.prefix(16)) goes live \(at.map(RunClock.format) ?? "once its record is published")"
                }
                if !served.isEmpty || !records.isEmpty || !pending.isEmpty {
                    var info = StatusReport.TLSInfo(owner: owner, served: served, records: records, pending: pending)
                    info.certificates = certs.filter { $0.host == mx.host && $0.state != .replaced }.map { c in
                        StatusReport.CertificateInfo(
                            state: c.state == .served ? "served" : "pending",
                            keyType: c.keyType.rawValue,
                            fingerprint: c.fingerprint,
                            spki: c.spki,
                            notBefore: RunClock.format(c.notBefore),
                            notAfter: RunClock.format(c.notAfter),
                            goesLive: c.state == .pending
                                ? published["\(owner) 3 1 1 \(c.spki)"].map {
                                    RunClock.format(TLSA.coveredAt(publishedAt: $0, ttl: gateTTL))
                                } : nil
                        )
                    }
                    info.tlsa = published.filter { $0.key.hasPrefix(owner + " ") }.sorted { $0.key < $1.key }.compactMap
                    {
                        let f = $0.key.dropFirst(owner.count + 1).split(separator: " ")
                        guard f.count == 4, let u = Int(f[0]), let s = Int(f[1]), let m = Int(f[2]) else { return nil }
                        return StatusReport.TLSARecordInfo(
                            usage: u,
                            selector: s,
                            matchingType: m,
                            data: String(f[3]),
                            published: RunClock.format($0.value)
                        )
                    }
                    tlsInfo.append(info)
                }
            }
        }
        return tlsInfo
    }

    /// A DKIM key as `status` lists it, in its state at `now`.
    static func keyInfo(_ k: DKIMKey, now: Date) -> StatusReport.KeyInfo {
        StatusReport.KeyInfo(
            kind: "dkim",
            name: k.selector,
            algorithm: k.algorithm.rawValue,
            created: RunClock.format(k.created),
            published: k.published.map(RunClock.format),
            active: k.active.map(RunClock.format),
            retired: k.retired.map(RunClock.format),
            removed: k.removed.map(RunClock.format),
            revoked: k.revoked.map(RunClock.format),
            state: k.state(at: now).rawValue,
            publicKey: k.publicKey
        )
    }

    /// A DNSSEC key as `status` lists it: its recorded state and role ("removed" alone).
    static func keyInfo(_ k: DNSSECKey) -> StatusReport.KeyInfo {
        let state: String
        switch k.state {
        case .removed: state = "removed"
        // A key is published when it is generated; one without a publication time shows so too.
        case .created: state = "\(DNSSECKeyState.published.rawValue) \(k.role.rawValue)"
        case .published, .ready, .dsSeen, .active, .retired: state = "\(k.state.rawValue) \(k.role.rawValue)"
        }
        return StatusReport.KeyInfo(
            kind: "dnssec",
            name: String(k.tag),
            algorithm: String(k.algorithm),
            created: RunClock.format(k.created),
            published: k.published.map(RunClock.format),
            active: k.active.map(RunClock.format),
            retired: k.retired.map(RunClock.format),
            removed: k.removed.map(RunClock.format),
            revoked: nil,
            state: state,
            publicKey: k.dnskey
        )
    }

    /// The human form of a status report.
    public static func render(_ s: StatusReport) -> String { s.domains.map(render).joined() }

    /// The human form of one domain's status.
    public static func render(_ d: StatusReport.DomainInfo) -> String {
        var out = ""
        do {
            out += "\(d.domain)\n"
            out += "  serial   \(d.serial.map(String.init) ?? "none yet")\(d.builtAt.map { " (built \($0))" } ?? "")\n"
            out += "  zone     \(d.zoneFile): \(d.zoneState)\n"
            if let r = d.removal { out += "  removal  \(r)\n" }
            if let s = d.signaturesExpire { out += "  signed   \(d.zoneFile).signed, signatures valid until \(s)\n" }
            let counts = Dictionary(grouping: d.records, by: \.type).map { "\($0.key) \($0.value.count)" }.sorted()
            out += "  records  \(d.records.count) (\(counts.joined(separator: ", ")))\n"
            for r in d.records {
                let rdata = r.rdata.count > 70 ? String(r.rdata.prefix(67)) + "..." : r.rdata
                out += "           \(r.owner) \(r.ttl) \(r.type) \(rdata)\n"
            }
            if d.keys.isEmpty {
                out += "  keys     none\n"
            } else {
                out += "  keys\n"
                for k in d.keys {
                    var dates = "created \(k.created)"
                    if let d = k.published { dates += ", published \(d)" }
                    if let d = k.active { dates += ", active \(d)" }
                    if let d = k.retired { dates += ", retired \(d)" }
                    if let d = k.revoked { dates += ", revoked \(d)" }
                    if let d = k.removed { dates += ", removed \(d)" }
                    out += "           \(k.kind) \(k.name) \(k.algorithm) \(k.state): \(dates)\n"
                }
            }
            for t in d.tls {
                out += "  tlsa     \(t.owner)\n"
                for c in t.served { out += "           served \(c)\n" }
                for r in t.records { out += "           \(r)\n" }
                for c in t.pending { out += "           pending \(c)\n" }
            }
            for e in d.exports {
                let served = e.confirmedSerial.map { "serves serial \($0) (confirmed \(e.confirmed ?? ""))" }
                if let error = e.error {
                    out +=
                        "  export   \(e.target): serial \(e.serial) failed \(e.attempted): \(error); "
                        + "\(served ?? "never confirmed")\n"
                } else {
                    out += "  export   \(e.target): \(served ?? "serial \(e.serial)")\n"
                }
            }
            if d.next.isEmpty {
                out += "  next     nothing scheduled\n"
            } else {
                for (i, e) in d.next.enumerated() {
                    out += "  \(i == 0 ? "next    " : "        ") \(e.at ?? "") \(e.detail)\n"
                }
            }
            for (i, e) in d.recent.enumerated() {
                out += "  \(i == 0 ? "recent  " : "        ") \(e.at ?? "") \(e.action): \(e.detail)\n"
            }
            for w in d.warnings { out += "  warning  \(w)\n" }
        }
        return out
    }
}
