import Foundation

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
            return
                "create and publish a new \(role.rawValue.uppercased()) (double-DS rollover; it signs the DNSKEY RRset from now on)"
        case .ready(let t):
            return "key \(t) is ready: CDS/CDNSKEY now list it next to the current key; its DS may go to the parent"
        case .activate(let t): return "key \(t) starts signing"
        case .retire(let t): return "key \(t) stops signing (its DNSKEY stays for cached signatures)"
        case .remove(let t): return "remove DNSKEY \(t)"
        }
    }
}
