import Foundation

/// The TTLs resolvers may still hold a domain's records with after a TTL was lowered: for each
/// kind of record a wait depends on, the largest TTL the zone served within that TTL of now
/// (a set served with TTL T until time u may sit in caches until u + T). Every wait (the deploy
/// gate, DKIM publish, retire and reveal, DNSSEC publication and retirement) takes at least
/// these, so lowering a TTL never shortens a wait below the old TTL's.
public struct TTLFloor: Sendable, Equatable {
    /// The kinds of TTL recorded.
    public enum Kind: String, Sendable, CaseIterable {
        case tlsa, txt, dnskey
        /// The largest TTL in the zone (RFC 7583's TTLsig).
        case zone
    }

    public var ttls: [Kind: UInt32]
    /// When an old TTL of the floor runs out and the waits shorten (nil: none will).
    public var lowers: Date?

    public init(_ ttls: [Kind: UInt32] = [:], lowers: Date? = nil) {
        self.ttls = ttls
        self.lowers = lowers
    }

    public subscript(_ kind: Kind) -> UInt32 { ttls[kind] ?? 0 }

    /// The TTLs a zone of `p` is written with, by kind (`zoneMax`: its largest TTL).
    public static func written(_ p: DomainPolicy, zoneMax: Int) -> [Kind: UInt32] {
        [
            .tlsa: p.ttl(for: .tlsa), .txt: p.ttl(for: .txt), .dnskey: p.dnssec.dnskeyTTL,
            .zone: UInt32(clamping: zoneMax),
        ]
    }

    /// The largest TTL of each kind among `served` (TTL, and when the zone stopped serving it;
    /// nil: still served) that caches may still hold at `now`.
    public static func effective(_ served: [(kind: Kind, ttl: UInt32, until: Date?)], now: Date) -> TTLFloor {
        var out: [Kind: UInt32] = [:]
        var lowers: Date?
        for s in served {
            let end = s.until.map { $0.addingTimeInterval(TimeInterval(s.ttl)) }
            guard end.map({ $0 > now }) ?? true else { continue }
            out[s.kind] = max(out[s.kind] ?? 0, s.ttl)
            if let end { lowers = min(lowers ?? end, end) }
        }
        return TTLFloor(out, lowers: lowers)
    }

    /// `p` with every timing a TTL bounds raised to this floor: the TLSA TTL of the deploy gate,
    /// DKIM's `publish_ahead` (2 × TXT TTL + propagation), `overlap` and reveal delay (TXT TTL +
    /// propagation), the DNSKEY TTL of the DNSSEC timings. For planning waits only: the zone is
    /// written with `p`'s own TTLs.
    public func timing(_ p: DomainPolicy) -> DomainPolicy {
        var q = p
        if self[.tlsa] > p.ttl(for: .tlsa) { q.ttls[.tlsa] = self[.tlsa] }
        let txt = Int(self[.txt])
        q.dkim.publishAhead = max(p.dkim.publishAhead, 2 * txt + p.propagationDelay)
        q.dkim.overlap = max(p.dkim.overlap, txt + p.propagationDelay)
        q.dkim.revealAfter = max(p.dkim.revealAfter, txt + p.propagationDelay)
        q.dnssec.dnskeyTTL = max(p.dnssec.dnskeyTTL, self[.dnskey])
        return q
    }
}
