import CLDNS
import MailKeysCore

/// A signing key loaded for one run: the libldns key (which holds the OpenSSL key) and its
/// DNSKEY fields. Read-only once built, so the workers share it.
final class LoadedKey: @unchecked Sendable {
    let key: LDNSKey
    let tag: UInt16
    let algorithm: UInt8
    let dnskeyRDATA: String
    let signsKeySet: Bool
    let signsZone: Bool
    var pkey: OpaquePointer { ldns_key_evp_key(key.pointer) }

    init(_ k: SignRequest.SigningKey, zone: DomainName) throws {
        key = try DNSSECKeys.load(k.key, zone: zone)
        tag = key.tag
        algorithm = UInt8(truncatingIfNeeded: ldns_key_algorithm(key.pointer).rawValue)
        dnskeyRDATA = try Signer.rdataOf(key.dnskey(ttl: 3600))
        signsKeySet = k.signsKeySet
        signsZone = k.signsZone
        guard ldns_key_evp_key(key.pointer) != nil else {
            throw DNSError(.unsupported, "DNSSEC key \(tag) has no OpenSSL key (algorithm \(algorithm))")
        }
    }
}
