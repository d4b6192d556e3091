import Foundation

/// DNSSEC key rollovers as a pure function of the keys, the timing and `now`; each wait counts
/// from the recorded step before, so a late tick delays later steps and never shortens one.
///
/// ZSK pre-publication (RFC 7583 §3.2.1): publish the successor → after Ipub it signs and the
/// old ZSK retires → after Iret the old DNSKEY is removed.
///
/// KSK/CSK double-DS with CDS/CDNSKEY (RFC 7583 §3.3, RFC 7344), one rollover at a time, by
/// `rotate ksk` or after `kskLifetime`: create the successor (same role), its DNSKEY published
/// and signing the DNSKEY RRset at once → ready at Tpub + IpubC: CDS/CDNSKEY list old and new →
/// the operator (or a parent query) marks the new DS seen (``markDSSeen(keys:tag:now:)``) →
/// at DS seen + TTLds + DprpP + retire safety the new key activates and the old one retires
/// (CDS/CDNSKEY: the new key alone) → the old DNSKEY leaves after ``DNSSECTiming/retireInterval(_:)``,
/// which ends the rollover. ZSK and KSK rollovers may overlap.
public enum DNSSECPlanner {
    /// The transitions due at `now` and when the next one falls due. `rotateZSK` pre-publishes a
    /// ZSK now unless one is waiting; `rotateKSK` starts a KSK/CSK rollover now, and is a no-op
    /// with a note while one is in progress, up to the old DNSKEY's removal (never an error: the
    /// ZSK steps of the same run go on). A `kskLifetime` that ends meanwhile waits for that removal.
    /// A `now` earlier than any recorded timestamp plans nothing (the clock went backwards).
    public static func plan(
        keys: [DNSSECKey],
        timing: DNSSECTiming,
        now: Date,
        rotateZSK: Bool = false,
        rotateKSK: Bool = false
    ) -> DNSSECPlan {
        var plan = DNSSECPlan()
        if let latest = keys.compactMap(\.lastEvent).max(), now < latest {
            plan.notes.append(
                "now (\(stamp(now))) is before the last recorded key step (\(stamp(latest))): nothing is planned until the clock passes it"
            )
            return plan
        }
        var wakes: [Wake] = []
        let zsk = zskSteps(keys: keys, timing: timing, now: now, rotate: rotateZSK)
        plan.actions += zsk.actions
        wakes += zsk.wakes
        kskSteps(keys: keys, timing: timing, now: now, rotate: rotateKSK, into: &plan, wakes: &wakes)
        plan.wake = Wake.earliest(wakes)
        return plan
    }

    /// The key tags whose CDS and CDNSKEY the apex publishes: the active KSK/CSK, plus a new one
    /// from `ready` until it activates (double DS). Once it activates the old key retires, so the
    /// set is the new key alone and the parent may withdraw the old DS. Empty without keys.
    public static func cdsKeys(keys: [DNSSECKey]) -> [UInt16] {
        live(keys).filter { $0.isKeySigning && ($0.active != nil || $0.ready != nil) }.map(\.tag)
    }

    /// Which keys sign what now: every published, non-retired KSK/CSK signs the DNSKEY, CDS and
    /// CDNSKEY RRsets (a new one from its publication: double signature); zone data is signed by
    /// the active ZSKs, or the active CSK (a new CSK only once it activates). Published-only ZSKs
    /// and retired or removed keys sign nothing.
    public static func signers(keys: [DNSSECKey]) -> (dnskeySigners: [UInt16], zoneSigners: [UInt16]) {
        let live = live(keys)
        return (
            live.filter(\.isKeySigning).map(\.tag), live.filter { $0.role != .ksk && $0.state == .active }.map(\.tag)
        )
    }

    /// New KSKs/CSKs that are ready (CDS/CDNSKEY published) but whose DS nobody marked seen.
    public static func waitingForDS(keys: [DNSSECKey]) -> [UInt16] {
        live(keys).filter { $0.isKeySigning && $0.state == .ready }.map(\.tag)
    }

    /// Records at `now` that the DS of key `tag` is at the parent (`mailkeys ds seen DOMAIN TAG`,
    /// or a parent query). Only the new key of a KSK/CSK rollover qualifies, once it is ready (its
    /// CDS/CDNSKEY published): an unknown tag, a ZSK, a removed or retired key, the key that
    /// already signs, or a key not ready yet (the operator is early) is refused with a
    /// ``CoreError`` (`.conflict`) that says why. A key already marked keeps its first time.
    public static func markDSSeen(keys: [DNSSECKey], tag: UInt16, now: Date) throws -> [DNSSECKey] {
        guard let i = keys.firstIndex(where: { $0.tag == tag }) else {
            let known = keys.filter { $0.isKeySigning && $0.state != .removed }.map { String($0.tag) }
            throw CoreError(
                .conflict,
                "no DNSSEC key \(tag) in this zone (its KSK/CSK: \(known.isEmpty ? "none" : known.joined(separator: ", ")))"
            )
        }
        let k = keys[i]
        guard k.isKeySigning else {
            throw CoreError(.conflict, "key \(tag) is a ZSK: only a KSK or CSK has a DS at the parent")
        }
        guard k.state != .removed else {
            throw CoreError(.conflict, "key \(tag) was removed from the zone; its DS must not be at the parent")
        }
        guard k.state != .retired else {
            throw CoreError(.conflict, "key \(tag) is retired: its DS is being withdrawn from the parent, not added")
        }
        if k.dsSeen != nil { return keys }
        guard k.state != .active else {
            throw CoreError(
                .conflict,
                "key \(tag) is the active key, not the new key of a rollover: there is no DS to mark seen (start one with `rotate ksk`)"
            )
        }
        guard let ready = k.ready else {
            throw CoreError(
                .conflict,
                "key \(tag) is not ready yet: its CDS/CDNSKEY were never published, so the parent cannot have its DS; you are early (wait until `mailkeys status` says it waits for its DS)"
            )
        }
        guard now >= ready else {
            throw CoreError(
                .conflict,
                "key \(tag) became ready at \(stamp(ready)), after now (\(stamp(now))); check the clock"
            )
        }
        var out = keys
        out[i].dsSeen = now
        return out
    }

    /// `keys` after `actions` at `now`, for looking ahead (`status`); a created key gets tag 0
    /// and the role its action names.
    public static func apply(_ actions: [DNSSECAction], to keys: [DNSSECKey], now: Date) -> [DNSSECKey] {
        var out = keys
        for a in actions {
            func set(_ tag: UInt16, _ change: (inout DNSSECKey) -> Void) {
                if let i = out.firstIndex(where: { $0.tag == tag }) { change(&out[i]) }
            }
            switch a {
            case .createZSK, .createKSK:
                var role = DNSSECKey.Role.zsk
                if case .createKSK(let r) = a { role = r }
                out.append(
                    DNSSECKey(
                        tag: 0,
                        role: role,
                        algorithm: keys.first?.algorithm ?? 13,
                        dnskey: "",
                        created: now,
                        published: now,
                        active: nil
                    )
                )
            case .ready(let t): set(t) { $0.ready = now }
            case .activate(let t): set(t) { $0.active = now }
            case .retire(let t): set(t) { $0.retired = now }
            case .remove(let t): set(t) { $0.removed = now }
            }
        }
        return out
    }

    static func live(_ keys: [DNSSECKey]) -> [DNSSECKey] {
        keys.filter { $0.published != nil && $0.retired == nil && $0.removed == nil }
    }

    static func at(_ d: Date, _ s: Int) -> Date { d.addingTimeInterval(TimeInterval(s)) }

    static func stamp(_ d: Date) -> String { ISO8601DateFormatter().string(from: d) }

    static func zskSteps(keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotate: Bool) -> (
        actions: [DNSSECAction], wakes: [Wake]
    ) {
        let zsks = keys.filter { $0.role == .zsk && $0.state != .removed }
        guard !zsks.isEmpty else { return ([], []) }
        var actions: [DNSSECAction] = []
        var wakes: [Wake] = []
        let signing = zsks.filter { $0.state == .active }
        let pending = zsks.filter { $0.active == nil && $0.published != nil }
        if let next = pending.max(by: { $0.created < $1.created }) {
            let ready = at(next.published!, timing.zskPublishInterval)
            if now >= ready {
                actions.append(.activate(tag: next.tag))
                for k in signing { actions.append(.retire(tag: k.tag)) }
                wakes.append(Wake(at: at(now, timing.zskRetireInterval), reason: "the retired ZSK leaves the zone"))
                if timing.zskLifetime > 0 {
                    wakes.append(Wake(at: at(now, timing.zskLifetime), reason: "ZSK \(next.tag) reaches its lifetime"))
                }
            } else {
                wakes.append(Wake(at: ready, reason: "ZSK \(next.tag) starts signing"))
            }
        } else if let current = signing.max(by: { $0.active! < $1.active! }) {
            let due = timing.zskLifetime > 0 ? at(current.active!, timing.zskLifetime) : nil
            if rotate || due.map({ now >= $0 }) == true {
                actions.append(.createZSK)
                wakes.append(Wake(at: at(now, timing.zskPublishInterval), reason: "the new ZSK starts signing"))
            } else if let due {
                wakes.append(Wake(at: due, reason: "ZSK \(current.tag) reaches its lifetime"))
            }
        }
        for k in zsks where k.state == .retired {
            let gone = at(k.retired!, timing.zskRetireInterval)
            if now >= gone {
                actions.append(.remove(tag: k.tag))
            } else {
                wakes.append(Wake(at: gone, reason: "ZSK \(k.tag) leaves the zone"))
            }
        }
        return (actions, wakes)
    }

    /// The KSK/CSK steps due at `now`: the rollover in progress, else a new one when the active
    /// key's lifetime ends or `rotate` asks; retired keys leave after their retire interval.
    static func kskSteps(
        keys: [DNSSECKey],
        timing: DNSSECTiming,
        now: Date,
        rotate: Bool,
        into plan: inout DNSSECPlan,
        wakes: inout [Wake]
    ) {
        let ksks = keys.filter { $0.isKeySigning && $0.state != .removed }
        let current = ksks.filter { $0.state == .active }
        let incoming = ksks.filter { $0.published != nil && $0.active == nil && $0.retired == nil }
        if let next = incoming.max(by: { $0.created < $1.created }) {
            let stage = incomingKSKSteps(next, current: current, timing: timing, now: now, into: &plan, wakes: &wakes)
            if rotate {
                plan.notes.append(
                    "rotate ksk: the rollover to key \(next.tag) is in progress (\(stage)); one KSK rollover at a time"
                )
            }
        } else if let cur = current.max(by: { $0.active! < $1.active! }) {
            newKSKSteps(current: cur, ksks: ksks, timing: timing, now: now, rotate: rotate, into: &plan, wakes: &wakes)
        } else if rotate {
            plan.notes.append("rotate ksk: there is no active KSK or CSK to roll")
        }
        for k in ksks where k.state == .retired {
            let gone = at(k.retired!, timing.retireInterval(k.role))
            if now >= gone {
                plan.actions.append(.remove(tag: k.tag))
            } else {
                wakes.append(Wake(at: gone, reason: "\(k.role.rawValue.uppercased()) \(k.tag) leaves the zone"))
            }
        }
    }

    /// The next step of the incoming KSK `next`: CDS/CDNSKEY ready, then taking over from
    /// `current` once its DS has been seen long enough. Returns where the rollover stands.
    private static func incomingKSKSteps(
        _ next: DNSSECKey,
        current: [DNSSECKey],
        timing: DNSSECTiming,
        now: Date,
        into plan: inout DNSSECPlan,
        wakes: inout [Wake]
    ) -> String {
        if let seen = next.dsSeen {
            let swap = at(seen, timing.dsSwapInterval)
            guard now >= swap else {
                wakes.append(Wake(at: swap, reason: "\(next.role.rawValue.uppercased()) \(next.tag) takes over"))
                return "its DS was seen at the parent; it takes over at \(stamp(swap))"
            }
            plan.actions.append(.activate(tag: next.tag))
            for k in current {
                plan.actions.append(.retire(tag: k.tag))
                wakes.append(
                    Wake(
                        at: at(now, timing.retireInterval(k.role)),
                        reason: "\(k.role.rawValue.uppercased()) \(k.tag) leaves the zone"
                    )
                )
            }
            if timing.kskLifetime > 0 {
                wakes.append(
                    Wake(
                        at: at(now, timing.kskLifetime),
                        reason: "\(next.role.rawValue.uppercased()) \(next.tag) reaches its lifetime"
                    )
                )
            }
            return "it takes over now"
        } else if next.state == .published {
            let ready = at(next.published!, timing.kskPublishInterval)
            guard now >= ready else {
                wakes.append(
                    Wake(at: ready, reason: "CDS/CDNSKEY of \(next.role.rawValue.uppercased()) \(next.tag) published")
                )
                return "its CDS/CDNSKEY are published at \(stamp(ready))"
            }
            plan.actions.append(.ready(tag: next.tag))
            return "its CDS/CDNSKEY are published now; then it waits for its DS at the parent"
        } else {
            return "waiting for its DS at the parent"
        }
    }

    /// With no rollover in progress: a successor of the active key `cur` when `rotate` asks or
    /// its lifetime is over, unless a previous rollover's old DNSKEY has yet to leave.
    private static func newKSKSteps(
        current cur: DNSSECKey,
        ksks: [DNSSECKey],
        timing: DNSSECTiming,
        now: Date,
        rotate: Bool,
        into plan: inout DNSSECPlan,
        wakes: inout [Wake]
    ) {
        let due = timing.kskLifetime > 0 ? at(cur.active!, timing.kskLifetime) : nil
        let leaving = ksks.filter { $0.state == .retired }.map {
            ($0.tag, at($0.retired!, timing.retireInterval($0.role)))
        }
        .filter { $0.1 > now }
        if rotate || due.map({ now >= $0 }) == true {
            if let (tag, gone) = leaving.max(by: { $0.1 < $1.1 }) {
                // The removal in kskSteps wakes the planner, and a due lifetime starts the next rollover then.
                if rotate {
                    plan.notes.append(
                        "rotate ksk: the previous rollover ends when DNSKEY \(tag) leaves at \(stamp(gone)); one KSK rollover at a time"
                    )
                }
            } else {
                plan.actions.append(.createKSK(role: cur.role))
                wakes.append(
                    Wake(
                        at: at(now, timing.kskPublishInterval),
                        reason: "CDS/CDNSKEY of the new \(cur.role.rawValue.uppercased()) published"
                    )
                )
            }
        } else if let due {
            wakes.append(Wake(at: due, reason: "\(cur.role.rawValue.uppercased()) \(cur.tag) reaches its lifetime"))
        }
    }
}
