import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Runs the DKIM, DNSSEC, TLS and re-sign planners from `now` for `days` on copies of the
    /// store's keys (nothing is written) and returns the events and the key lanes.
    public static func plan(_ home: Home, domain: String?, days: Int, now: Date, lockWait: Double) throws -> Timeline {
        guard (1...3650).contains(days) else { throw HomeError(.usage, "--days: \(days) is not within 1...3650") }
        let lock = try HomeLock(home, wait: lockWait, shared: true)
        defer { _ = lock }
        let policy = try PolicyFile.load(home)
        let selected = try select(policy, domain)
        let store = try Store.open(at: home.storeFile.path)
        let end = now.addingTimeInterval(TimeInterval(days) * 86400)
        var timeline = Timeline(from: now, to: end)
        let templates = try templates(home, selected)
        for p in selected {
            let d = p.name.description
            func add(_ at: Date, _ kind: String, _ subject: String, _ detail: String) {
                if at >= now && at <= end { timeline.events.append(.init(at: at, domain: d, kind: kind, subject: subject, detail: detail)) }
            }
            var zoneChanges: [Date] = []
            // DKIM.
            var dkim = try store.dkimKeys(domain: p.name)
            var t = now
            var steps = 0
            while t <= end && steps < 10_000 {
                steps += 1
                let (actions, wake) = DKIMPlanner.plan(keys: dkim, policy: p.dkim, now: t)
                for a in actions {
                    add(t, "dkim", a.selector, a.description)
                    zoneChanges.append(t)
                }
                dkim = DKIMPlanner.apply(actions, to: dkim, now: t, newKeys: [:])
                guard let wake, wake > t else { break }
                t = wake
            }
            for k in dkim {
                var spans: [(String, Date, Date)] = []
                if let pub = k.published { spans.append(("published", pub, k.active ?? k.removed ?? end)) }
                if let act = k.active { spans.append(("active", act, k.retired ?? k.removed ?? end)) }
                if let ret = k.retired { spans.append(("retired", ret, k.removed ?? end)) }
                if (k.removed ?? end) >= now { timeline.lanes.append(.init(domain: d, label: "dkim \(k.selector)", spans: clip(spans, now, end))) }
            }
            // DNSSEC keys and re-signs.
            if p.dnssec.enabled {
                let timing = DNSSECTiming(
                    policy: p.dnssec, propagation: p.propagationDelay, maxZoneTTL: maxTTL(p, template: templates[p.name] ?? []))
                var keys = try store.dnssecKeys(domain: p.name)
                var created = 0
                t = now
                steps = 0
                while t <= end && steps < 10_000 {
                    steps += 1
                    let step = DNSSECPlanner.plan(keys: keys, timing: timing, now: t)
                    for a in step.actions {
                        var detail = a.description
                        switch a {
                        case .ready(let tag), .activate(let tag), .retire(let tag), .remove(let tag):
                            let name = subject(a, keys)
                            detail = detail.replacingOccurrences(of: "DNSKEY \(tag)", with: "DNSKEY of \(name)")
                                .replacingOccurrences(of: "key \(tag)", with: name)
                        default: break
                        }
                        add(t, "dnssec", subject(a, keys), detail)
                        zoneChanges.append(t)
                    }
                    for tag in step.waitingForDS where t == now { add(t, "dnssec", "key \(tag)", "waits for its DS at the parent (ds seen)") }
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
                    let name = k.dnskey.isEmpty ? "new \(k.role.rawValue) #\(65535 - Int(k.tag))" : "\(k.role.rawValue) \(k.tag)"
                    var spans: [(String, Date, Date)] = []
                    if let pub = k.published { spans.append(("published", pub, k.active ?? k.retired ?? k.removed ?? end)) }
                    if let act = k.active { spans.append(("active", act, k.retired ?? k.removed ?? end)) }
                    if let ret = k.retired { spans.append(("retired", ret, k.removed ?? end)) }
                    timeline.lanes.append(.init(domain: d, label: "dnssec \(name)", spans: clip(spans, now, end)))
                }
                if let expires = try store.signingState(p.name).expiresAt {
                    var due = Resign.due(expiration: expires, policy: p.dnssec)
                    var serial: UInt32 = 1
                    while due <= end {
                        let at = max(due, now)
                        add(at, "zone", d, "re-sign (signatures expire \(RunClock.format(due.addingTimeInterval(TimeInterval(p.dnssec.refresh)))))")
                        zoneChanges.append(at)
                        serial += 1
                        due = Resign.due(expiration: Resign.expiration(now: at, policy: p.dnssec, domain: p.name, serial: serial), policy: p.dnssec)
                    }
                }
            }
            // TLS: expected renewals (about two thirds of the lifetime), expiries, gated installs.
            let published = try store.tlsaPublished(domain: p.name)
            for c in try store.tlsCertificates(domain: p.name) where c.state != .replaced {
                let life = c.notAfter.timeIntervalSince(c.notBefore)
                if c.state == .served {
                    add(c.notBefore.addingTimeInterval(life * 2 / 3), "tls", c.host.description, "expected certbot renewal (2/3 of the lifetime)")
                    add(c.notAfter, "tls", c.host.description, "certificate \(c.fingerprint.prefix(12)) expires")
                    timeline.lanes.append(
                        .init(
                            domain: d, label: "tls \(c.host) \(c.keyType.rawValue)",
                            spans: clip([("served", c.installed ?? now, c.notAfter)], now, end)))
                } else if let pub = published["_\(p.tls.ports[0])._tcp.\(c.host.fqdn) 3 1 1 \(c.spki)"] {
                    let live = TLSA.coveredAt(publishedAt: pub, ttl: p.ttl(for: .tlsa))
                    add(live, "tls", c.host.description, "deploy gate installs certificate \(c.fingerprint.prefix(12))")
                    timeline.lanes.append(
                        .init(domain: d, label: "tls \(c.host) \(c.keyType.rawValue) pending", spans: clip([("pending", pub, live)], now, end)))
                }
            }
            // Exports follow every zone change.
            for at in Set(zoneChanges).sorted() {
                for target in p.exports { add(at, "export", target.server.rawValue, "export the new serial to \(target)") }
            }
        }
        timeline.events.sort { ($0.at, $0.domain, $0.kind, $0.subject) < ($1.at, $1.domain, $1.kind, $1.subject) }
        return timeline
    }

    static func clip(_ spans: [(String, Date, Date)], _ from: Date, _ to: Date) -> [(state: String, from: Date, to: Date)] {
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
            return t > 65000 && k.dnskey.isEmpty ? "new \(k.role.rawValue) #\(65535 - Int(t))" : "\(k.role.rawValue) \(t)"
        }
    }
}

extension DKIMAction {
    /// The selector the action concerns.
    var selector: String {
        switch self {
        case .create(let s, _), .activate(let s), .retire(let s), .revoke(let s), .remove(let s), .reveal(let s): return s
        }
    }
}
