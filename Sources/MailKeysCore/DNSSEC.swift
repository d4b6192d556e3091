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
            throw CoreError(.invalidPolicy, "\(t?.path ?? "dnssec").scheme: '\(schemeText)' is not csk or ksk+zsk")
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

    public init(propagation: Int, dnskeyTTL: Int, maxZoneTTL: Int, publishSafety: Int = 3600, retireSafety: Int = 3600, zskLifetime: Int) {
        self.propagation = propagation
        self.dnskeyTTL = dnskeyTTL
        self.maxZoneTTL = maxZoneTTL
        self.publishSafety = publishSafety
        self.retireSafety = retireSafety
        self.zskLifetime = zskLifetime
    }

    /// Ipub = Dprp + TTLkey + publish safety: a pre-published ZSK may sign from then on.
    public var zskPublishInterval: Int { propagation + dnskeyTTL + publishSafety }
    /// Iret = Dsgn (0: the whole zone is re-signed at once) + Dprp + TTLsig + retire safety.
    public var zskRetireInterval: Int { propagation + max(maxZoneTTL, dnskeyTTL) + retireSafety }
}

/// One DNSSEC key transition due now.
public enum DNSSECAction: Sendable, Equatable, CustomStringConvertible {
    /// Generate a ZSK and publish its DNSKEY (it does not sign yet).
    case createZSK
    /// The key starts signing.
    case activate(tag: UInt16)
    /// The key stops signing; its DNSKEY stays for the retire interval.
    case retire(tag: UInt16)
    /// The DNSKEY leaves the zone.
    case remove(tag: UInt16)

    public var description: String {
        switch self {
        case .createZSK: return "create and publish a new ZSK (pre-publication)"
        case .activate(let t): return "ZSK \(t) starts signing"
        case .retire(let t): return "ZSK \(t) stops signing (its DNSKEY stays for cached signatures)"
        case .remove(let t): return "remove DNSKEY \(t)"
        }
    }
}

/// ZSK rollovers by pre-publication (RFC 7583 §3.2.1), as a pure function of the keys, the
/// timing and `now`: publish the successor → after Ipub it signs and the old ZSK retires →
/// after Iret the old DNSKEY is removed. Each wait counts from the recorded step before.
public enum DNSSECPlanner {
    public static func plan(keys: [DNSSECKey], timing: DNSSECTiming, now: Date, rotateZSK: Bool = false) -> (
        actions: [DNSSECAction], nextWake: Date?
    ) {
        func at(_ d: Date, _ s: Int) -> Date { d.addingTimeInterval(TimeInterval(s)) }
        let zsks = keys.filter { $0.role == .zsk && $0.removed == nil }
        guard !zsks.isEmpty else { return ([], nil) }
        let latest = keys.flatMap { [$0.created, $0.published, $0.active, $0.retired, $0.removed].compactMap { $0 } }.max()
        if let latest, now < latest { return ([], nil) }
        var actions: [DNSSECAction] = []
        var wakes: [Date] = []
        let signing = zsks.filter { $0.active != nil && $0.retired == nil }
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
            if rotateZSK || due.map({ now >= $0 }) == true {
                actions.append(.createZSK)
                wakes.append(at(now, timing.zskPublishInterval))
            } else if let due {
                wakes.append(due)
            }
        }
        for k in zsks where k.retired != nil {
            let gone = at(k.retired!, timing.zskRetireInterval)
            if now >= gone { actions.append(.remove(tag: k.tag)) } else { wakes.append(gone) }
        }
        return (actions, wakes.min())
    }
}
