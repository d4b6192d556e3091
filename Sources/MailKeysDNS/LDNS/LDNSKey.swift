import CLDNS
import Foundation
import MailKeysCore

/// A DNSSEC key owned by Swift (`ldns_key`), with its owner and key tag set (libldns sets
/// neither by itself, and RRSIGs would carry key tag 0).
final class LDNSKey {
    let pointer: UnsafeMutablePointer<ldns_key>

    init(_ pointer: UnsafeMutablePointer<ldns_key>, zone: DomainName, flags: UInt16) {
        self.pointer = pointer
        ldns_key_set_flags(pointer, flags)
        ldns_key_set_pubkey_owner(pointer, ldns_dname_new_frm_str(zone.fqdn))
        let rr = ldns_key2rr(pointer)
        ldns_key_set_keytag(pointer, ldns_calc_keytag(rr))
        ldns_rr_free(rr)
    }

    deinit { ldns_key_deep_free(pointer) }

    var tag: UInt16 { ldns_key_keytag(pointer) }

    /// The DNSKEY record in presentation form.
    func dnskey(ttl: UInt32) -> String {
        guard let rr = ldns_key2rr(pointer) else { return "" }
        defer { ldns_rr_free(rr) }
        ldns_rr_set_ttl(rr, ttl)
        return LDNSRecord.take(ldns_rr2str(rr)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
