import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Runs the DKIM, DNSSEC, TLS and re-sign planners from `now` for `days` on copies of the
    /// store's keys (nothing is written) and returns the events and the key lanes.
    public static func plan(_ home: Home, domain: String?, days: Int, now: Date, lockWait: Double) throws -> Timeline {
        guard (1...3650).contains(days) else { throw HomeError(.usage, "--days: \(days) is not within 1...3650") }
        let session = try Session(home, lockWait: lockWait, shared: true)
        defer { withExtendedLifetime(session) {} }
        let policy = session.policy
        let selected = try select(policy, domain)
        let store = try session.store()
        let end = now.addingTimeInterval(TimeInterval(days) * 86400)
        var timeline = Timeline(from: now, to: end)
        let templates = try templates(home, selected)
        let removals = try store.removals()
        for p in selected {
            var domainPlan = DomainPlan(policy: p, now: now, end: end, timeline: timeline)
            try domainPlan.planDKIM(store)
            if p.dnssec.enabled {
                try domainPlan.planDNSSEC(store, maxZoneTTL: maxTTL(p, template: templates[p.name] ?? []))
                try domainPlan.planResigns(store)
            }
            try domainPlan.planTLS(store)
            domainPlan.planExports()
            domainPlan.planRemoval(removals[p.name])
            timeline = domainPlan.timeline
        }
        timeline.events.sort { ($0.at, $0.domain, $0.kind, $0.subject) < ($1.at, $1.domain, $1.kind, $1.subject) }
        return timeline
    }

    static func clip(_ spans: [(String, Date, Date)], _ from: Date, _ to: Date) -> [(
        state: String, from: Date, to: Date
    )] {
        spans.compactMap { s in
            let a = max(s.1, from)
            let b = min(s.2, to)
            return b > a ? (s.0, a, b) : nil
        }
    }

    static func subject(_ a: DNSSECAction, _ keys: [DNSSECKey]) -> String {
        switch a {
        case .createZSK: return "new zsk"
        case .createKSK(let role): return "new \(role.rawValue)"
        case .ready(let t), .activate(let t), .retire(let t), .remove(let t):
            guard let k = keys.first(where: { $0.tag == t }) else { return "key \(t)" }
            return t > 65000 && k.dnskey.isEmpty
                ? "new \(k.role.rawValue) #\(65535 - Int(t))" : "\(k.role.rawValue) \(t)"
        }
    }
}

extension DKIMAction {
    /// The selector the action concerns.
    var selector: String {
        switch self {
        case .create(let s, _), .activate(let s), .retire(let s), .revoke(let s), .remove(let s), .reveal(let s):
            return s
        }
    }
}

/// What `plan` adds to the timeline for one domain, one key kind at a time, in this order:
/// DKIM, DNSSEC keys, re-signs, TLS, then the exports that follow every zone change.
private struct DomainPlan {
    let policy: DomainPolicy
    let now: Date
    let end: Date
    var timeline: Timeline
    /// When the zone changes: each is followed by an export to every target.
    var zoneChanges: [Date] = []

    init(policy: DomainPolicy, now: Date, end: Date, timeline: Timeline) {
        self.policy = policy
        self.now = now
        self.end = end
        self.timeline = timeline
    }

    var domain: String { policy.name.description }

    /// Adds an event if it falls within the plan's window.
    mutating func add(_ at: Date, _ kind: String, _ subject: String, _ detail: String) {
        if at >= now && at <= end {
            timeline.events.append(.init(at: at, domain: domain, kind: kind, subject: subject, detail: detail))
        }
    }

    /// Adds a lane of the given spans, clipped to the window.
    mutating func lane(_ label: String, _ spans: [(String, Date, Date)]) {
        timeline.lanes.append(.init(domain: domain, label: label, spans: MailKeys.clip(spans, now, end)))
    }

    /// Runs the DKIM planner over the window on a copy of the keys: its actions, then one lane per key.
    mutating func planDKIM(_ store: Store) throws {
        var dkim = try store.dkimKeys(domain: policy.name)
        var t = now
        var steps = 0
        while t <= end && steps < 10_000 {
            steps += 1
            let dkimPlan = DKIMPlanner.plan(keys: dkim, policy: policy.dkim, now: t)
            for a in dkimPlan.actions {
                add(t, "dkim", a.selector, a.description)
                // Only a record published, emptied or removed changes the zone (and is exported).
                switch a {
                case .create, .revoke, .remove: zoneChanges.append(t)
                case .activate, .retire, .reveal: break
                }
            }
            dkim = DKIMPlanner.apply(dkimPlan.actions, to: dkim, now: t, newKeys: [:])
            guard let wake = dkimPlan.nextWake, wake > t else { break }
            t = wake
        }
        for k in dkim {
            var spans: [(String, Date, Date)] = []
            if let pub = k.published { spans.append(("published", pub, k.active ?? k.removed ?? end)) }
            if let act = k.active { spans.append(("active", act, k.retired ?? k.removed ?? end)) }
            if let ret = k.retired { spans.append(("retired", ret, k.removed ?? end)) }
            if (k.removed ?? end) >= now { lane("dkim \(k.selector)", spans) }
        }
    }

    /// Runs the DNSSEC planner over the window on a copy of the keys: its actions, then one lane per key.
    mutating func planDNSSEC(_ store: Store, maxZoneTTL: Int) throws {
        let timing = DNSSECTiming(policy: policy.dnssec, propagation: policy.propagationDelay, maxZoneTTL: maxZoneTTL)
        var keys = try store.dnssecKeys(domain: policy.name)
        var created = 0
        var t = now
        var steps = 0
        while t <= end && steps < 10_000 {
            steps += 1
            let step = DNSSECPlanner.plan(keys: keys, timing: timing, now: t)
            for a in step.actions {
                add(t, "dnssec", MailKeys.subject(a, keys), Self.detail(a, keys))
                zoneChanges.append(t)
            }
            for tag in step.waitingForDS(keys: keys) where t == now {
                add(t, "dnssec", "key \(tag)", "waits for its DS at the parent (ds seen)")
            }
            keys = DNSSECPlanner.apply(step.actions, to: keys, now: t).map { k in
                var k = k
                if k.tag == 0 {
                    created += 1
                    k.tag = UInt16(65535 - created)  // a placeholder: the real tag is known when the key is made
                }
                return k
            }
            guard let wake = step.nextWake, wake > t else { break }
            t = wake
        }
        for k in keys where (k.removed ?? end) >= now {
            let role = k.role.rawValue
            let name = k.dnskey.isEmpty ? "new \(role) #\(65535 - Int(k.tag))" : "\(role) \(k.tag)"
            var spans: [(String, Date, Date)] = []
            if let pub = k.published { spans.append(("published", pub, k.active ?? k.retired ?? k.removed ?? end)) }
            if let act = k.active { spans.append(("active", act, k.retired ?? k.removed ?? end)) }
            if let ret = k.retired { spans.append(("retired", ret, k.removed ?? end)) }
            lane("dnssec \(name)", spans)
        }
    }

    /// An action's description with each key tag replaced by the key's name in the plan.
    static func detail(_ a: DNSSECAction, _ keys: [DNSSECKey]) -> String {
        switch a {
        case .ready(let tag), .activate(let tag), .retire(let tag), .remove(let tag):
            let name = MailKeys.subject(a, keys)
            return a.description.replacingOccurrences(of: "DNSKEY \(tag)", with: "DNSKEY of \(name)")
                .replacingOccurrences(of: "key \(tag)", with: name)
        default: return a.description
        }
    }

    /// The re-signs due within the window, from the signatures' current expiry on.
    mutating func planResigns(_ store: Store) throws {
        guard let expires = try store.signingState(policy.name).expiresAt else { return }
        let dnssec = policy.dnssec
        var due = Resign.due(expiration: expires, policy: dnssec)
        var serial: UInt32 = 1
        while due <= end {
            let at = max(due, now)
            let expiry = RunClock.format(due.addingTimeInterval(TimeInterval(dnssec.refresh)))
            add(at, "zone", domain, "re-sign (signatures expire \(expiry))")
            zoneChanges.append(at)
            serial += 1
            let expiration = Resign.expiration(now: at, policy: dnssec, domain: policy.name, serial: serial)
            due = Resign.due(expiration: expiration, policy: dnssec)
        }
    }

    /// TLS: expected renewals (about two thirds of the lifetime), expiries, gated installs. A
    /// certificate the deploy gate holds is drawn pending until it goes live, then served until
    /// it expires; the one it replaces is served until then.
    mutating func planTLS(_ store: Store) throws {
        let published = try store.tlsaPublished(domain: policy.name)
        let certs = try store.tlsCertificates(domain: policy.name).filter { $0.state != .replaced }
        var live: [String: Date] = [:]  // host and key type → when its pending certificate goes live
        for c in certs where c.state == .pending {
            if let pub = published["_\(policy.tls.ports[0])._tcp.\(c.host.fqdn) 3 1 1 \(c.spki)"] {
                live["\(c.host) \(c.keyType.rawValue)"] = TLSA.coveredAt(publishedAt: pub, ttl: policy.ttl(for: .tlsa))
            }
        }
        for c in certs {
            let slot = "\(c.host) \(c.keyType.rawValue)"
            if c.state == .served {
                lane("tls \(slot)", [("served", c.installed ?? now, min(live[slot] ?? c.notAfter, c.notAfter))])
                // One the gate replaces is neither renewed nor left to expire in service.
                if live[slot] == nil { addLifeEvents(c) }
            } else if let goesLive = live[slot],
                let pub = published["_\(policy.tls.ports[0])._tcp.\(c.host.fqdn) 3 1 1 \(c.spki)"]
            {
                add(goesLive, "tls", c.host.description, "deploy gate installs certificate \(c.fingerprint.prefix(12))")
                lane("tls \(slot) next", [("pending", pub, goesLive), ("served", goesLive, c.notAfter)])
                addLifeEvents(c)
            }
        }
    }

    /// A certificate's expected certbot renewal (two thirds of its lifetime) and its expiry.
    mutating func addLifeEvents(_ c: TLSCertificate) {
        let life = c.notAfter.timeIntervalSince(c.notBefore)
        let host = c.host.description
        add(c.notBefore.addingTimeInterval(life * 2 / 3), "tls", host, "expected certbot renewal (2/3 of the lifetime)")
        add(c.notAfter, "tls", host, "certificate \(c.fingerprint.prefix(12)) expires")
    }

    /// A removal under way (`domain remove`): its next step, and when it falls.
    mutating func planRemoval(_ removal: DomainRemoval?) {
        guard let r = removal else { return }
        let interval = DomainRemoval.dsInterval(policy)
        let archive = "archived by the first run after its section leaves the policy"
        switch r.phase(signed: policy.dnssec.enabled, dsInterval: interval, now: now) {
        case .waitingForDSRemoval:
            add(now, "removal", domain, "waits for the parent to drop the DS (`ds gone`, or dnssec.parent_servers)")
        case .waitingForCaches(let until):
            add(until, "removal", domain, "the DS is out of every cache: taken off every export target")
            add(until, "removal", domain, archive)
        case .waitingForConfirmation:
            add(now, "removal", domain, "the unsigned zone waits for `domain remove \(domain) --confirm`")
        case .leavingNameservers:
            add(now, "removal", domain, "taken off every export target by the next run")
            add(now, "removal", domain, archive)
        case .offNameservers:
            add(now, "removal", domain, archive)
        }
    }

    /// Exports follow every zone change.
    mutating func planExports() {
        for at in Set(zoneChanges).sorted() {
            for target in policy.exports {
                add(at, "export", target.server.rawValue, "export the new serial to \(target)")
            }
        }
    }
}
