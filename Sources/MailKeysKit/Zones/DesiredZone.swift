import MailKeysCore
import MailKeysDNS

/// The zone mailkeys wants for a domain right now, with the texts and hashes the planner needs.
struct DesiredZone {
    var policy: DomainPolicy
    var zone: Zone
    var warnings: [String]
    var contentHash: String
    var mtaSTSText: String?
    /// The keys that sign the zone (empty: not signed).
    var dnssec = DNSSECSigning()
    var signingKeys: [SignRequest.SigningKey] { dnssec.signing }
    /// What the next run needs to rebuild incrementally (file parts are filled when written);
    /// nil when this zone cannot be rebuilt in part.
    var map: ZoneMap?
    /// Set when `zone` holds only the map's owners: the previous unsigned file, which gives the
    /// rest of the zone byte for byte.
    var previousUnsigned: MappedFile?
    /// What changed since the zone was last written, as the run saw it (the policy, the
    /// template, DKIM, TLSA, DNSKEY records): the reason of a rebuild.
    var changes: [String] = []
}
