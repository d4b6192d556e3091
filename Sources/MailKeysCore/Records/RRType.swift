/// A DNS record type: its code (which orders records in a zone) and its mnemonic.
public struct RRType: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let code: UInt16
    public let mnemonic: String

    public init(code: UInt16, mnemonic: String) {
        self.code = code
        self.mnemonic = mnemonic
    }

    public static let a = RRType(code: 1, mnemonic: "A")
    public static let ns = RRType(code: 2, mnemonic: "NS")
    public static let cname = RRType(code: 5, mnemonic: "CNAME")
    public static let soa = RRType(code: 6, mnemonic: "SOA")
    public static let mx = RRType(code: 15, mnemonic: "MX")
    public static let txt = RRType(code: 16, mnemonic: "TXT")
    public static let aaaa = RRType(code: 28, mnemonic: "AAAA")
    public static let srv = RRType(code: 33, mnemonic: "SRV")
    public static let ds = RRType(code: 43, mnemonic: "DS")
    public static let rrsig = RRType(code: 46, mnemonic: "RRSIG")
    public static let nsec = RRType(code: 47, mnemonic: "NSEC")
    public static let dnskey = RRType(code: 48, mnemonic: "DNSKEY")
    public static let nsec3 = RRType(code: 50, mnemonic: "NSEC3")
    public static let nsec3param = RRType(code: 51, mnemonic: "NSEC3PARAM")
    public static let tlsa = RRType(code: 52, mnemonic: "TLSA")
    public static let cds = RRType(code: 59, mnemonic: "CDS")
    public static let cdnskey = RRType(code: 60, mnemonic: "CDNSKEY")
    public static let caa = RRType(code: 257, mnemonic: "CAA")

    /// The types a template may not contain because mailkeys owns them (DNSSEC material).
    public static let dnssecTypes: Set<RRType> = [.rrsig, .nsec, .dnskey, .nsec3, .nsec3param, .cds, .cdnskey]

    /// The record types a `[ttls]` table in the policy may name.
    public static let known: [RRType] = [
        .a, .ns, .cname, .soa, .mx, .txt, .aaaa, .srv, .ds, .dnskey, .tlsa, .cds, .cdnskey, .caa,
    ]

    public var description: String { mnemonic }

    public static func < (lhs: RRType, rhs: RRType) -> Bool { lhs.code < rhs.code }
}
