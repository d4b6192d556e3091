import MailKeysCore
import MailKeysDNS

/// A domain's DNSSEC keys and what they do in this run.
struct DNSSECSigning {
    var keys: [DNSSECKey] = []
    /// The keys that sign, each with what it signs.
    var signing: [SignRequest.SigningKey] = []
    /// DNSKEY records published without signing (pre-published, or new KSKs' ZSK partners).
    var publishedOnly: [String] = []
    /// DNSKEY records whose CDS and CDNSKEY the apex publishes.
    var cds: [String] = []
    /// The CDS/CDNSKEY "delete" records replace ``cds``: the domain is being removed.
    var cdsDelete = false
    /// What each key does now, by tag (`keyset`, `zone`, `keyset+zone`, `published`).
    var uses: [UInt16: String] = [:]
}
