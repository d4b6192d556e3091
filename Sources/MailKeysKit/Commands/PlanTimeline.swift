import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// `mailkeys plan`: the real planners run on a virtual clock from `now`, over the store's keys,
/// without writing anything.
public struct Timeline: Sendable {
    /// One coming event.
    public struct Event: Sendable, Equatable {
        public var at: Date
        public var domain: String
        /// dkim, dnssec, tls, zone, export.
        public var kind: String
        /// The key or thing it concerns (selector, key tag, host, zone).
        public var subject: String
        public var detail: String
    }

    /// A key's states over the window, for the SVG lanes.
    public struct Lane: Sendable {
        public var domain: String
        public var label: String
        /// (state, from, to): `published`, `active`, `retired`, `pending`, `served`.
        public var spans: [(state: String, from: Date, to: Date)]
    }

    public var from: Date
    public var to: Date
    public var events: [Event] = []
    public var lanes: [Lane] = []

    /// The table `plan` prints.
    public var table: String {
        var out = "plan from \(RunClock.format(from)) to \(RunClock.format(to))\n"
        out += "time                  domain        kind    subject              event\n"
        for e in events {
            out +=
                RunClock.format(e.at).padding(toLength: 22, withPad: " ", startingAt: 0)
                + e.domain.padding(toLength: 14, withPad: " ", startingAt: 0) + e.kind.padding(toLength: 8, withPad: " ", startingAt: 0)
                + e.subject.padding(toLength: 21, withPad: " ", startingAt: 0) + e.detail + "\n"
        }
        if events.isEmpty { out += "nothing happens in this window\n" }
        return out
    }

    /// The timeline as an SVG: one lane per key, states as coloured bars, events as ticks, `now`
    /// marked with a red line.
    public var svg: String {
        let width = 1100.0
        let left = 260.0
        let laneHeight = 22.0
        let top = 40.0
        let height = top + Double(lanes.count) * laneHeight + 40
        let span = max(to.timeIntervalSince(from), 1)
        func x(_ d: Date) -> Double { left + (width - left - 20) * min(max(d.timeIntervalSince(from) / span, 0), 1) }
        func esc(_ s: String) -> String {
            s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;")
        }
        let colours = ["published": "#f2c14e", "active": "#3c9d5d", "retired": "#9e9e9e", "pending": "#e07a5f", "served": "#3c78d8"]
        var out = """
            <?xml version="1.0" encoding="UTF-8"?>
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <title>mailkeys plan \(RunClock.format(from)) to \(RunClock.format(to))</title>
            <rect x="0" y="0" width="\(Int(width))" height="\(Int(height))" fill="#ffffff"/>

            """
        // Month ticks.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        var tick = calendar.date(from: calendar.dateComponents([.year, .month], from: from))!
        while tick <= to {
            if tick >= from {
                out += "<line x1=\"\(x(tick))\" y1=\"\(top - 10)\" x2=\"\(x(tick))\" y2=\"\(height - 30)\" stroke=\"#dddddd\"/>\n"
                let label = String(RunClock.format(tick).prefix(7))
                out += "<text x=\"\(x(tick) + 2)\" y=\"\(top - 14)\" fill=\"#555555\">\(label)</text>\n"
            }
            tick = calendar.date(byAdding: .month, value: 1, to: tick)!
        }
        for (i, lane) in lanes.enumerated() {
            let y = top + Double(i) * laneHeight
            out += "<text x=\"6\" y=\"\(y + 15)\">\(esc(lane.domain)) \(esc(lane.label))</text>\n"
            for s in lane.spans where s.to > s.from {
                let w = max(x(s.to) - x(s.from), 1)
                out +=
                    "<rect x=\"\(x(s.from))\" y=\"\(y + 4)\" width=\"\(w)\" height=\"\(laneHeight - 8)\" fill=\"\(colours[s.state] ?? "#cccccc")\"><title>\(esc(s.state)) \(RunClock.format(s.from)) – \(RunClock.format(s.to))</title></rect>\n"
            }
        }
        out += "<line x1=\"\(x(from))\" y1=\"\(top - 10)\" x2=\"\(x(from))\" y2=\"\(height - 30)\" stroke=\"#d00000\" stroke-width=\"2\"/>\n"
        out += "<text x=\"\(x(from) + 3)\" y=\"\(height - 16)\" fill=\"#d00000\">now</text>\n"
        var legend = left
        for (state, colour) in colours.sorted(by: { $0.key < $1.key }) {
            out +=
                "<rect x=\"\(legend)\" y=\"\(height - 26)\" width=\"12\" height=\"12\" fill=\"\(colour)\"/><text x=\"\(legend + 16)\" y=\"\(height - 16)\">\(state)</text>\n"
            legend += 110
        }
        return out + "</svg>\n"
    }
}

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
