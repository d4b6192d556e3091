import MailKeysCore

/// What to sign: the zone's records, the keys and the times, plus the previous signed file whose
/// still-valid signatures may be kept.
public struct SignRequest: Sendable {
    /// A key that signs in this run, and what it signs.
    public struct SigningKey: Sendable {
        public var key: DNSSECKeys.Key
        /// Signs the DNSKEY, CDS and CDNSKEY RRsets (a KSK or CSK).
        public var signsKeySet: Bool
        /// Signs every other RRset (a ZSK or CSK).
        public var signsZone: Bool
        public init(key: DNSSECKeys.Key, signsKeySet: Bool, signsZone: Bool) {
            self.key = key
            self.signsKeySet = signsKeySet
            self.signsZone = signsZone
        }
    }

    public var origin: DomainName
    /// The SOA RDATA (with the serial) and its TTL.
    public var soaRDATA: String
    public var soaTTL: UInt32
    /// Every other record, in canonical order (``Zone/records``).
    public var records: [Record]
    public var keys: [SigningKey]
    /// DNSKEY records published without signing (pre-published or retired keys).
    public var publishedOnly: [String]
    /// DNSKEY records (of keys in the zone) for which CDS (SHA-256) and CDNSKEY are published.
    public var cds: [String]
    /// Publish the CDS/CDNSKEY "delete" records instead (RFC 8078 §4: `0 0 0 00`, `0 3 0 AA==`),
    /// asking the parent to drop the DS: the zone is being taken down.
    public var cdsDelete = false
    public var dnskeyTTL: UInt32
    public var inception: UInt32
    public var expiration: UInt32
    public var nsec3: Bool
    public var now: UInt32
    /// The previous signed text: a signature in it over an unchanged RRset, by a key that still
    /// signs that RRset, valid now and beyond `keepBeyond`, is kept instead of made again.
    public var previous: [UInt8]?
    public var keepBeyond: UInt32
    /// Owners whose byte ranges the result reports (``SignResult/map``), for a later splice.
    public var track: [DomainName] = []
    /// When set, `records` are only the tracked owners' records (with the same owner names as
    /// the map), and everything else is copied from the previous file (see ``Splice``).
    public var splice: Splice?

    public init(
        origin: DomainName,
        soaRDATA: String,
        soaTTL: UInt32,
        records: [Record],
        keys: [SigningKey],
        publishedOnly: [String] = [],
        cds: [String] = [],
        dnskeyTTL: UInt32,
        inception: UInt32,
        expiration: UInt32,
        nsec3: Bool,
        now: UInt32,
        previous: [UInt8]? = nil,
        keepBeyond: UInt32 = 0
    ) {
        self.origin = origin
        self.soaRDATA = soaRDATA
        self.soaTTL = soaTTL
        self.records = records
        self.keys = keys
        self.publishedOnly = publishedOnly
        self.cds = cds
        self.dnskeyTTL = dnskeyTTL
        self.inception = inception
        self.expiration = expiration
        self.nsec3 = nsec3
        self.now = now
        self.previous = previous
        self.keepBeyond = keepBeyond
    }
}
