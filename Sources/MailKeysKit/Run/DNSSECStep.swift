import Foundation
import MailKeysCore

/// The DNSSEC step of a run for one domain: keys made where the policy asks for them, a DS
/// the operator saw at the parent, what the parent servers publish, the rollover transitions due;
/// then which keys sign and publish the zone.
enum DNSSECStep {
    static func run(_ d: inout DomainRun, _ c: StepContext) throws -> StepOutcome {
        let p = d.policy
        var out = StepOutcome()
        if let warning = schemeMismatch(p, keys: d.storedDNSSEC) { out.warnings.append(warning) }
        var (keys, lines) = try DNSSECKeyFiles.ensureKeys(
            c.home,
            policy: p,
            keys: d.storedDNSSEC,
            now: c.now,
            pending: c.pending
        )
        out.lines += lines
        if c.advancing && p.dnssec.enabled {
            keys = try advance(d, keys: keys, c, &out)
            // The parent's servers are asked on every run until they serve the new DS.
            if !p.dnssec.parentServers.isEmpty && !DNSSECPlanner.waitingForDS(keys: keys).isEmpty {
                out.polled.insert(p.name)
            }
        }
        keys.sort(by: DNSSECKey.storeOrder)
        if Self.steps(d.storedDNSSEC) != Self.steps(keys) { d.changes.append("DNSSEC keys") }
        d.dnssec =
            p.dnssec.enabled
            ? try DNSSECKeyFiles.signing(c.home, p, keys: keys, pending: c.pending) : DNSSECSigning(keys: keys)
        // A domain being removed asks its parent to drop the DS (RFC 8078 §4).
        d.dnssec.cdsDelete = p.dnssec.enabled && d.removal != nil
        return out
    }

    /// Which steps each key has taken (what the DNSKEY, CDS and RRSIG sets follow).
    private static func steps(_ keys: [DNSSECKey]) -> Set<String> {
        Set(
            keys.map { k in
                "\(k.tag) "
                    + [k.published, k.ready, k.dsSeen, k.active, k.retired, k.removed].map { $0 == nil ? "-" : "+" }
                    .joined()
            }
        )
    }

    /// A warning when the live keys are not of the policy's algorithm or scheme (rollovers of
    /// either are not automated, so the keys stay).
    static func schemeMismatch(_ p: DomainPolicy, keys: [DNSSECKey]) -> String? {
        let live = keys.filter { $0.state != .removed }
        guard
            p.dnssec.enabled && !live.isEmpty
                && (live.contains { $0.algorithm != p.dnssec.algorithm }
                    || (p.dnssec.scheme == .csk) != live.contains { $0.role == .csk })
        else { return nil }
        let signedWith = live.map { "\($0.role.rawValue) \($0.algorithm)" }.joined(separator: ", ")
        return
            "\(p.name): the policy asks for algorithm \(p.dnssec.algorithm), scheme \(p.dnssec.scheme.rawValue), but the zone is signed with \(signedWith); algorithm and scheme rollovers are not automated yet, so the existing keys stay"
    }

    /// The DS seen, the parent checked, and the rollover transitions due (or started now).
    private static func advance(_ d: DomainRun, keys: [DNSSECKey], _ c: StepContext, _ out: inout StepOutcome) throws
        -> [DNSSECKey]
    {
        let p = d.policy
        // Waits are planned with the TTLs caches may still hold (a TTL lowered recently).
        let timing = DNSSECTiming(
            policy: d.timing.dnssec,
            propagation: p.propagationDelay,
            maxZoneTTL: max(MailKeys.maxTTL(p, templateMax: d.templateMaxTTL), Int(d.floor[.zone]))
        )
        var keys = keys
        if let tag = try c.mode.dsSeen(p.name) { keys = try markDSSeen(p, keys: keys, tag: tag, c, &out) }
        let parent = try DNSSECKeyFiles.checkParent(p, keys: keys, now: c.now, pending: c.pending)
        out.lines += parent.lines
        let (moved, lines, wake) = try DNSSECKeyFiles.advance(
            c.home,
            policy: p,
            keys: parent.keys,
            timing: timing,
            now: c.now,
            rotateZSK: try c.mode.rotatesZSK(p.name),
            rotateKSK: try c.mode.rotatesKSK(p.name),
            pending: c.pending
        )
        out.lines += lines
        out.wake(wake, domain: p.name)
        return moved
    }

    /// `ds seen DOMAIN TAG`: the key's DS is at the parent from now on (once).
    private static func markDSSeen(
        _ p: DomainPolicy,
        keys: [DNSSECKey],
        tag: UInt16,
        _ c: StepContext,
        _ out: inout StepOutcome
    ) throws -> [DNSSECKey] {
        let marked: [DNSSECKey]
        do { marked = try DNSSECPlanner.markDSSeen(keys: keys, tag: tag, now: c.now) } catch let e as CoreError {
            throw HomeError(.usage, "\(p.name): \(e.reason)")
        }
        guard marked != keys else {
            out.lines.append("\(p.name): DNSSEC: the DS of key \(tag) was already marked seen")
            return keys
        }
        let key = marked.first { $0.tag == tag }!
        let domain = p.name
        let now = c.now
        c.pending.storeOps.append { tx in
            try tx.updateDNSSEC(key, domain: domain)
            try tx.log("dnssec", domain: domain, detail: "DS of key \(tag) seen at the parent", at: now)
        }
        out.lines.append("\(p.name): DNSSEC: DS of key \(tag) seen at the parent")
        return marked
    }
}
