import CLDNS
import Foundation
import MailKeysCore

/// The libldns verification of signed zone text, independent of the signing path: the signer
/// runs it on the apex and a sample of every zone before the zone is written.
public enum SignedZoneVerifier {
    /// Parses zone text into an `ldns_zone` the caller frees with `ldns_zone_deep_free`.
    static func parse(_ text: String, origin: DomainName, defaultTTL: UInt32, what: String) throws
        -> UnsafeMutablePointer<ldns_zone>
    {
        var bytes = Array(text.utf8)
        var zone: UnsafeMutablePointer<ldns_zone>?
        let originRDF = ldns_dname_new_frm_str(origin.fqdn)
        defer { ldns_rdf_deep_free(originRDF) }
        let status = bytes.withUnsafeMutableBytes { buffer -> ldns_status in
            guard let file = fmemopen(buffer.baseAddress, buffer.count, "r") else { return LDNS_STATUS_FILE_ERR }
            defer { fclose(file) }
            var line: Int32 = 0
            return ldns_zone_new_frm_fp_l(&zone, file, originRDF, defaultTTL, LDNS_RR_CLASS_IN, &line)
        }
        guard status == LDNS_STATUS_OK, let zone else {
            throw DNSError(.syntax, "\(what) does not parse: \(String(cString: ldns_get_errorstr_by_id(status)))")
        }
        return zone
    }

    /// Checks that every authoritative RRset of a signed zone carries a signature that a DNSKEY
    /// at the apex validates at `now`; throws naming the first RRset that does not.
    public static func verify(signedText: String, origin: DomainName, now: Date) throws {
        let zone = try parse(signedText, origin: origin, defaultTTL: 3600, what: "signed zone")
        defer { ldns_zone_deep_free(zone) }
        var sets: [String: [UnsafeMutablePointer<ldns_rr>]] = [:]
        var sigs: [String: [UnsafeMutablePointer<ldns_rr>]] = [:]
        var delegations = Set<String>()
        let keys = ldns_rr_list_new()!
        defer { ldns_rr_list_free(keys) }
        var all = [ldns_zone_soa(zone)!]
        let rrs = ldns_zone_rrs(zone)
        for i in 0..<ldns_rr_list_rr_count(rrs) { all.append(ldns_rr_list_rr(rrs, i)) }
        let apex = origin.fqdn
        for rr in all {
            let owner = LDNSRecord.take(ldns_rdf2str(ldns_rr_owner(rr))).lowercased()
            let type = ldns_rr_get_type(rr)
            if type == LDNS_RR_TYPE_RRSIG {
                let covered = ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(rr))
                sigs["\(owner) \(covered.rawValue)", default: []].append(rr)
                continue
            }
            if type == LDNS_RR_TYPE_DNSKEY && owner == apex { ldns_rr_list_push_rr(keys, rr) }
            if type == LDNS_RR_TYPE_NS && owner != apex { delegations.insert(owner) }
            sets["\(owner) \(type.rawValue)", default: []].append(rr)
        }
        for (key, set) in sets.sorted(by: { $0.key < $1.key }) {
            let owner = String(key.split(separator: " ")[0])
            let type = ldns_rr_get_type(set[0])
            if delegations.contains(where: { owner == $0 || owner.hasSuffix("." + $0) })
                && !(type == LDNS_RR_TYPE_DS && delegations.contains(owner))
            {
                continue
            }
            guard let signatures = sigs[key], !signatures.isEmpty else {
                throw DNSError(.verify, "DNSSEC: \(owner) type \(type.rawValue) has no signature; nothing was written")
            }
            let list = ldns_rr_list_new()!
            defer { ldns_rr_list_free(list) }
            for rr in set { ldns_rr_list_push_rr(list, rr) }
            let ok = signatures.contains { sig in
                let good = ldns_rr_list_new()!
                defer { ldns_rr_list_free(good) }
                return ldns_verify_rrsig_keylist_time(list, sig, keys, time_t(now.timeIntervalSince1970), good)
                    == LDNS_STATUS_OK
            }
            guard ok else {
                throw DNSError(
                    .verify,
                    "DNSSEC: no valid signature on \(owner) type \(type.rawValue); nothing was written"
                )
            }
        }
    }
}
