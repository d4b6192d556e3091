import Foundation

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

    public init(tag: UInt16, role: Role, algorithm: Int, dnskey: String, created: Date, published: Date?, active: Date?)
    {
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

extension DNSSECKey {
    /// The newest recorded timestamp.
    var lastEvent: Date? { [created, published, ready, dsSeen, active, retired, removed].compactMap { $0 }.max() }
}
