import Foundation

/// The DNSSEC part of a domain's policy (`[domains."x".dnssec]`).
public struct DNSSECPolicy: Sendable, Equatable {
    /// Single combined key (flags 257) or a KSK (257) signing the DNSKEY RRset plus a ZSK (256).
    public enum Scheme: String, Sendable { case csk, kskzsk = "ksk+zsk" }

    public var enabled: Bool
    /// 13 ECDSAP256SHA256 (default), 15 Ed25519, 8 RSASHA256 (RFC 8624).
    public var algorithm: Int
    public var scheme: Scheme
    public var nsec3: Bool
    /// Signature validity.
    public var validity: Int
    /// Re-sign when less than this much validity is left.
    public var refresh: Int
    /// Signatures start this long before the signing time (clock skew).
    public var inceptionOffset: Int
    /// Expirations are spread over up to this much, so not every signature expires at once.
    public var jitter: Int
    public var dnskeyTTL: UInt32
    /// How long a ZSK signs before a successor is pre-published (0: only `rotate zsk`).
    public var zskLifetime: Int
    /// How long a KSK/CSK signs before `tick` starts its double-DS rollover (0, the default:
    /// only `rotate ksk`; otherwise at least 30 days).
    public var kskLifetime: Int
    /// TTLds: the TTL of the zone's DS RRset at the parent (default 1 day).
    public var parentDSTTL: Int
    /// DprpP: how long a DS change takes to reach every server of the parent (default 1 hour).
    public var parentPropagation: Int
    /// The parent zone's authoritative servers: when set, `tick` asks each for the zone's DS
    /// RRset and marks a new key's DS seen once every one of them serves it.
    public var parentServers: [ServerAddress]

    /// Validates `[domains."x".dnssec]`; absent: the defaults (enabled, 13, CSK, NSEC, 14 days
    /// validity, refresh 5 days, inception 1 hour back, jitter 12 hours).
    public init(table t: PolicyTable?, defaultTTL: UInt32) throws {
        enabled = try t?.bool("enabled") ?? true
        algorithm = try t?.int("algorithm") ?? 13
        guard [8, 13, 15].contains(algorithm) else {
            throw CoreError(
                .invalidPolicy, "\(t?.path ?? "dnssec").algorithm: \(algorithm) is not 13 (ECDSAP256SHA256), 15 (Ed25519) or 8 (RSASHA256)")
        }
        let schemeText = try t?.string("scheme") ?? "csk"
        guard let scheme = Scheme(rawValue: schemeText) else {
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").scheme: \(Quote.short(schemeText)) is not csk or ksk+zsk")
        }
        self.scheme = scheme
        nsec3 = try t?.bool("nsec3") ?? false
        validity = try t?.seconds("validity") ?? 14 * 86400
        refresh = try t?.seconds("refresh") ?? 5 * 86400
        inceptionOffset = try t?.seconds("inception_offset") ?? 3600
        jitter = try t?.seconds("jitter") ?? 12 * 3600
        dnskeyTTL = try t?.ttl("dnskey_ttl") ?? defaultTTL
        zskLifetime = try t?.seconds("zsk_lifetime") ?? 90 * 86400
        if zskLifetime != 0 && zskLifetime < 7 * 86400 {
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").zsk_lifetime: at least 7d (or 0 for manual rollovers only)")
        }
        kskLifetime = try t?.seconds("ksk_lifetime") ?? 0
        if kskLifetime != 0 && kskLifetime < 30 * 86400 {
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").ksk_lifetime: at least 30d (or 0 for manual rollovers only)")
        }
        parentDSTTL = Int(try t?.ttl("parent_ds_ttl") ?? 86400)
        parentPropagation = try t?.seconds("parent_propagation") ?? 3600
        parentServers = try (t?.strings("parent_servers") ?? []).map {
            do { return try ServerAddress($0) } catch let e as CoreError {
                throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").parent_servers: \(e.reason)")
            }
        }
        guard parentPropagation <= 2 * 86400 else {
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").parent_propagation: at most 2d")
        }
        let path = t?.path ?? "dnssec"
        guard validity >= 2 * 86400, validity <= 90 * 86400 else {
            throw CoreError(.invalidPolicy, "\(path).validity: \(TimeSpan.format(validity)) is out of range 2d...90d")
        }
        guard refresh > 0, Double(refresh) < 0.9 * Double(validity), refresh > jitter else {
            throw CoreError(.invalidPolicy, "\(path).refresh: must be above the jitter and below 0.9 × validity")
        }
        guard inceptionOffset <= 86400 else {
            throw CoreError(.invalidPolicy, "\(path).inception_offset: at most 1d")
        }
        try t?.finish()
    }
}

/// A DNSSEC key as the store records it.
public struct DNSSECKey: Sendable, Equatable {
    public enum Role: String, Sendable { case csk, ksk, zsk }
    public var tag: UInt16
    public var role: Role
    public var algorithm: Int
    /// The DNSKEY record, presentation form.
    public var dnskey: String
    public var created: Date
    public var published: Date?
    /// KSK/CSK rollover: when the new key's DNSKEY had reached every cache (Tpub + IpubC), so
    /// its CDS/CDNSKEY joined the apex next to the current key's (the parent may add its DS).
    public var ready: Date?
    /// KSK/CSK rollover: when the new key's DS was seen at the parent (`mailkeys ds seen` or a
    /// parent query); the swap waits the parent's DS TTL and propagation from here.
    public var dsSeen: Date?
    public var active: Date?
    public var retired: Date?
    public var removed: Date?

    public init(tag: UInt16, role: Role, algorithm: Int, dnskey: String, created: Date, published: Date?, active: Date?) {
        self.tag = tag
        self.role = role
        self.algorithm = algorithm
        self.dnskey = dnskey
        self.created = created
        self.published = published
        self.active = active
    }

    /// The flags field: 257 for KSK and CSK, 256 for ZSK.
    public var flags: UInt16 { role == .zsk ? 256 : 257 }

    /// A KSK or CSK: it signs the DNSKEY RRset and has (or will have) a DS at the parent.
    public var isKeySigning: Bool { role != .zsk }

    /// BIND's file name stem: `K<zone>.+<alg>+<tag>`.
    public func fileStem(zone: DomainName) -> String {
        String(format: "K%@+%03d+%05d", zone.fqdn, algorithm, Int(tag))
    }
}

/// When a signed zone must be signed again.
public enum Resign {
    /// The signature expiration for a signing at `now`: `now + validity − jitter`, the jitter a
    /// stable function of the domain and serial (reproducible runs, spread across domains).
    public static func expiration(now: Date, policy: DNSSECPolicy, domain: DomainName, serial: UInt32) -> Date {
        let digest = SHA256.hash(Array("\(domain) \(serial)".utf8))
        let spread = policy.jitter == 0 ? 0 : Int(digest[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) % policy.jitter
        return now.addingTimeInterval(TimeInterval(policy.validity - spread))
    }

    /// When a zone whose signatures expire at `expiration` is due again.
    public static func due(expiration: Date, policy: DNSSECPolicy) -> Date {
        expiration.addingTimeInterval(-TimeInterval(policy.refresh))
    }
}

/// The intervals of RFC 7583 that DNSSEC key rollovers wait on.
public struct DNSSECTiming: Sendable, Equatable {
    /// Dprp: time for a new zone to reach every authoritative server.
    public var propagation: Int
    /// TTL of the DNSKEY RRset.
    public var dnskeyTTL: Int
    /// TTLsig: the largest TTL of any signed RRset in the zone.
    public var maxZoneTTL: Int
    public var publishSafety: Int
    public var retireSafety: Int
    /// How long a ZSK signs before its successor is published (0: only `rotate zsk`).
    public var zskLifetime: Int
    /// How long a KSK/CSK signs before its successor is created (0: only `rotate ksk`).
    public var kskLifetime: Int
    /// TTLds: the TTL of the DS RRset at the parent.
    public var parentDSTTL: Int
    /// DprpP: time for a DS change to reach every server of the parent.
    public var parentPropagation: Int

    public init(
        propagation: Int, dnskeyTTL: Int, maxZoneTTL: Int, publishSafety: Int = 3600, retireSafety: Int = 3600, zskLifetime: Int,
        kskLifetime: Int = 0, parentDSTTL: Int = 86400, parentPropagation: Int = 3600
    ) {
        self.propagation = propagation
        self.dnskeyTTL = dnskeyTTL
        self.maxZoneTTL = maxZoneTTL
        self.publishSafety = publishSafety
        self.retireSafety = retireSafety
        self.zskLifetime = zskLifetime
        self.kskLifetime = kskLifetime
        self.parentDSTTL = parentDSTTL
        self.parentPropagation = parentPropagation
    }

    /// The timing of a domain: its policy's DNSKEY TTL, lifetimes and parent figures, its
    /// propagation delay (Dprp) and the largest TTL of its signed RRsets (TTLsig).
    public init(policy: DNSSECPolicy, propagation: Int, maxZoneTTL: Int) {
        self.init(
            propagation: propagation, dnskeyTTL: Int(policy.dnskeyTTL), maxZoneTTL: maxZoneTTL, zskLifetime: policy.zskLifetime,
            kskLifetime: policy.kskLifetime, parentDSTTL: policy.parentDSTTL, parentPropagation: policy.parentPropagation)
    }

    /// Ipub = Dprp + TTLkey + publish safety: a pre-published ZSK may sign from then on.
    public var zskPublishInterval: Int { propagation + dnskeyTTL + publishSafety }
    /// Iret = Dsgn (0: the whole zone is re-signed at once) + Dprp + TTLsig + retire safety.
    public var zskRetireInterval: Int { propagation + max(maxZoneTTL, dnskeyTTL) + retireSafety }
    /// IpubC = Dprp + TTLkey + publish safety: a new KSK/CSK's DNSKEY is in every cache, so its
    /// CDS/CDNSKEY may join the apex (the key becomes ready).
    public var kskPublishInterval: Int { propagation + dnskeyTTL + publishSafety }
    /// From the new DS seen at the parent to the swap: TTLds + DprpP + retire safety, after which
    /// no validator holds a DS set without the new key.
    public var dsSwapInterval: Int { parentDSTTL + parentPropagation + retireSafety }

    /// Iret of a retired KSK or CSK: Dprp + TTLkey + retire safety for a KSK (its signatures
    /// cover the DNSKEY RRset only); a CSK also signed zone data, so the larger of that and the
    /// ZSK's ``zskRetireInterval``. A ZSK: ``zskRetireInterval``.
    public func retireInterval(_ role: DNSSECKey.Role) -> Int {
        let ksk = propagation + dnskeyTTL + retireSafety
        switch role {
        case .ksk: return ksk
        case .csk: return max(ksk, zskRetireInterval)
        case .zsk: return zskRetireInterval
        }
    }
}

/// One DNSSEC key transition due now: ZSK pre-publication and KSK/CSK double-DS rollovers.
public enum DNSSECAction: Sendable, Equatable, CustomStringConvertible {
    /// Generate a ZSK and publish its DNSKEY (it does not sign yet).
    case createZSK
    /// Generate a key of `role` (KSK or CSK, the role of the current one) and publish its DNSKEY;
    /// from now on it also signs the DNSKEY RRset (double signature), but no zone data.
    case createKSK(role: DNSSECKey.Role)
    /// Record `ready` for the new KSK/CSK: its DNSKEY is in every cache, so the CDS/CDNSKEY of
    /// the current and the new key are both published (double DS) and its DS may go to the parent.
    case ready(tag: UInt16)
    /// The key starts signing: a ZSK its zone data; a new KSK/CSK takes over from the one it
    /// replaces (a CSK also signs zone data from now on) and alone has CDS/CDNSKEY.
    case activate(tag: UInt16)
    /// The key stops signing; its DNSKEY stays for the retire interval (a retired KSK/CSK's DS
    /// leaves the CDS/CDNSKEY set, so the parent may withdraw it).
    case retire(tag: UInt16)
    /// The DNSKEY leaves the zone.
    case remove(tag: UInt16)

    public var description: String {
        switch self {
        case .createZSK: return "create and publish a new ZSK (pre-publication)"
        case .createKSK(let role):
            return "create and publish a new \(role.rawValue.uppercased()) (double-DS rollover; it signs the DNSKEY RRset from now on)"
        case .ready(let t): return "key \(t) is ready: CDS/CDNSKEY now list it next to the current key; its DS may go to the parent"
        case .activate(let t): return "key \(t) starts signing"
        case .retire(let t): return "key \(t) stops signing (its DNSKEY stays for cached signatures)"
        case .remove(let t): return "remove DNSKEY \(t)"
        }
    }
}

/// What the DNSSEC planner decides at one `now`.
public struct DNSSECPlan: Sendable, Equatable {
    /// The transitions due now, in the order to apply them (all at `now`).
    public var actions: [DNSSECAction]
    /// The earliest future transition (nil: none is scheduled). A rollover waiting for its DS to
    /// be seen at the parent has no wake for that step: it waits on the operator.
    public var nextWake: Date?
    /// New KSKs/CSKs (once `actions` are applied) whose CDS/CDNSKEY are published and whose DS
    /// nobody has marked seen: status should say "waiting for DS of key N at the parent (run
    /// `mailkeys ds seen DOMAIN N` once the registrar shows it)".
    public var waitingForDS: [UInt16]
    /// Requests that changed nothing, and why (`rotate ksk` during a rollover, a clock earlier
    /// than the recorded steps).
    public var notes: [String]

    public init(actions: [DNSSECAction] = [], nextWake: Date? = nil, waitingForDS: [UInt16] = [], notes: [String] = []) {
        self.actions = actions
        self.nextWake = nextWake
        self.waitingForDS = waitingForDS
        self.notes = notes
    }
}

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
    public static func plan(keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotateZSK: Bool = false, rotateKSK: Bool = false) -> DNSSECPlan {
        var plan = DNSSECPlan()
        if let latest = keys.compactMap(\.lastEvent).max(), now < latest {
            plan.waitingForDS = waitingForDS(keys: keys)
            plan.notes.append(
                "now (\(stamp(now))) is before the last recorded key step (\(stamp(latest))): nothing is planned until the clock passes it")
            return plan
        }
        var wakes: [Date] = []
        let zsk = zskSteps(keys: keys, timing: timing, now: now, rotate: rotateZSK)
        plan.actions += zsk.actions
        wakes += zsk.wakes
        kskSteps(keys: keys, timing: timing, now: now, rotate: rotateKSK, into: &plan, wakes: &wakes)
        plan.nextWake = wakes.min()
        plan.waitingForDS = waitingForDS(keys: keys) + plan.actions.compactMap { if case .ready(let t) = $0 { t } else { nil } }
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
        return (live.filter(\.isKeySigning).map(\.tag), live.filter { $0.role != .ksk && $0.state == .active }.map(\.tag))
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
                .conflict, "no DNSSEC key \(tag) in this zone (its KSK/CSK: \(known.isEmpty ? "none" : known.joined(separator: ", ")))")
        }
        let k = keys[i]
        guard k.isKeySigning else {
            throw CoreError(.conflict, "key \(tag) is a ZSK: only a KSK or CSK has a DS at the parent")
        }
        guard k.state != .removed else { throw CoreError(.conflict, "key \(tag) was removed from the zone; its DS must not be at the parent") }
        guard k.state != .retired else {
            throw CoreError(.conflict, "key \(tag) is retired: its DS is being withdrawn from the parent, not added")
        }
        if k.dsSeen != nil { return keys }
        guard k.state != .active else {
            throw CoreError(
                .conflict, "key \(tag) is the active key, not the new key of a rollover: there is no DS to mark seen (start one with `rotate ksk`)")
        }
        guard let ready = k.ready else {
            throw CoreError(
                .conflict,
                "key \(tag) is not ready yet: its CDS/CDNSKEY were never published, so the parent cannot have its DS; you are early (wait until `mailkeys status` says it waits for its DS)"
            )
        }
        guard now >= ready else {
            throw CoreError(.conflict, "key \(tag) became ready at \(stamp(ready)), after now (\(stamp(now))); check the clock")
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
                    DNSSECKey(tag: 0, role: role, algorithm: keys.first?.algorithm ?? 13, dnskey: "", created: now, published: now, active: nil))
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

    static func zskSteps(keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotate: Bool) -> (actions: [DNSSECAction], wakes: [Date]) {
        let zsks = keys.filter { $0.role == .zsk && $0.state != .removed }
        guard !zsks.isEmpty else { return ([], []) }
        var actions: [DNSSECAction] = []
        var wakes: [Date] = []
        let signing = zsks.filter { $0.state == .active }
        let pending = zsks.filter { $0.active == nil && $0.published != nil }
        if let next = pending.max(by: { $0.created < $1.created }) {
            let ready = at(next.published!, timing.zskPublishInterval)
            if now >= ready {
                actions.append(.activate(tag: next.tag))
                for k in signing { actions.append(.retire(tag: k.tag)) }
                wakes.append(at(now, timing.zskRetireInterval))
                if timing.zskLifetime > 0 { wakes.append(at(now, timing.zskLifetime)) }
            } else {
                wakes.append(ready)
            }
        } else if let current = signing.max(by: { $0.active! < $1.active! }) {
            let due = timing.zskLifetime > 0 ? at(current.active!, timing.zskLifetime) : nil
            if rotate || due.map({ now >= $0 }) == true {
                actions.append(.createZSK)
                wakes.append(at(now, timing.zskPublishInterval))
            } else if let due {
                wakes.append(due)
            }
        }
        for k in zsks where k.state == .retired {
            let gone = at(k.retired!, timing.zskRetireInterval)
            if now >= gone { actions.append(.remove(tag: k.tag)) } else { wakes.append(gone) }
        }
        return (actions, wakes)
    }

    static func kskSteps(keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotate: Bool, into plan: inout DNSSECPlan, wakes: inout [Date]) {
        let ksks = keys.filter { $0.isKeySigning && $0.state != .removed }
        let current = ksks.filter { $0.state == .active }
        let incoming = ksks.filter { $0.published != nil && $0.active == nil && $0.retired == nil }
        if let next = incoming.max(by: { $0.created < $1.created }) {
            let stage: String
            if let seen = next.dsSeen {
                let swap = at(seen, timing.dsSwapInterval)
                if now >= swap {
                    plan.actions.append(.activate(tag: next.tag))
                    for k in current {
                        plan.actions.append(.retire(tag: k.tag))
                        wakes.append(at(now, timing.retireInterval(k.role)))
                    }
                    if timing.kskLifetime > 0 { wakes.append(at(now, timing.kskLifetime)) }
                    stage = "it takes over now"
                } else {
                    wakes.append(swap)
                    stage = "its DS was seen at the parent; it takes over at \(stamp(swap))"
                }
            } else if next.state == .published {
                let ready = at(next.published!, timing.kskPublishInterval)
                if now >= ready {
                    plan.actions.append(.ready(tag: next.tag))
                    stage = "its CDS/CDNSKEY are published now; then it waits for its DS at the parent"
                } else {
                    wakes.append(ready)
                    stage = "its CDS/CDNSKEY are published at \(stamp(ready))"
                }
            } else {
                stage = "waiting for its DS at the parent"
            }
            if rotate {
                plan.notes.append("rotate ksk: the rollover to key \(next.tag) is in progress (\(stage)); one KSK rollover at a time")
            }
        } else if let cur = current.max(by: { $0.active! < $1.active! }) {
            let due = timing.kskLifetime > 0 ? at(cur.active!, timing.kskLifetime) : nil
            let leaving = ksks.filter { $0.state == .retired }.map { ($0.tag, at($0.retired!, timing.retireInterval($0.role))) }
                .filter { $0.1 > now }
            if rotate || due.map({ now >= $0 }) == true {
                if let (tag, gone) = leaving.max(by: { $0.1 < $1.1 }) {
                    // The removal below wakes the planner, and a due lifetime starts the next rollover then.
                    if rotate {
                        plan.notes.append(
                            "rotate ksk: the previous rollover ends when DNSKEY \(tag) leaves at \(stamp(gone)); one KSK rollover at a time")
                    }
                } else {
                    plan.actions.append(.createKSK(role: cur.role))
                    wakes.append(at(now, timing.kskPublishInterval))
                }
            } else if let due {
                wakes.append(due)
            }
        } else if rotate {
            plan.notes.append("rotate ksk: there is no active KSK or CSK to roll")
        }
        for k in ksks where k.state == .retired {
            let gone = at(k.retired!, timing.retireInterval(k.role))
            if now >= gone { plan.actions.append(.remove(tag: k.tag)) } else { wakes.append(gone) }
        }
    }
}

extension DNSSECKey {
    /// The newest recorded timestamp.
    var lastEvent: Date? { [created, published, ready, dsSeen, active, retired, removed].compactMap { $0 }.max() }
}

/// A server address written `IP`, `IP:PORT` or `[IPv6]:PORT` (port 53 unless given): the
/// parent's servers, export targets, NOTIFY receivers, the SMTP server `check` probes.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    public init(_ text: String) throws {
        var host = Substring(text)
        var port = 53
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else {
                    throw CoreError(.invalidPolicy, "\(Quote.short(text)) is not [IPv6]:PORT")
                }
                port = p
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            guard let p = Int(text[text.index(after: colon)...]) else { throw CoreError(.invalidPolicy, "\(Quote.short(text)) is not IP:PORT") }
            port = p
        }
        guard (1...65535).contains(port) else { throw CoreError(.invalidPolicy, "\(Quote.short(text)): port \(port) is out of range 1...65535") }
        address = try IPAddress(String(host))
        self.port = port
    }

    public var description: String { address.isV4 ? "\(address):\(port)" : "[\(address)]:\(port)" }
}
