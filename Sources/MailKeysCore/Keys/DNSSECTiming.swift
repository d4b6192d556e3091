import Foundation

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
        propagation: Int,
        dnskeyTTL: Int,
        maxZoneTTL: Int,
        publishSafety: Int = 3600,
        retireSafety: Int = 3600,
        zskLifetime: Int,
        kskLifetime: Int = 0,
        parentDSTTL: Int = 86400,
        parentPropagation: Int = 3600
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
            propagation: propagation,
            dnskeyTTL: Int(policy.dnskeyTTL),
            maxZoneTTL: maxZoneTTL,
            zskLifetime: policy.zskLifetime,
            kskLifetime: policy.kskLifetime,
            parentDSTTL: policy.parentDSTTL,
            parentPropagation: policy.parentPropagation
        )
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
