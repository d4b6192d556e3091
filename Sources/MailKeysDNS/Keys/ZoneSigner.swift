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

/// DNSSEC keys through libldns (generation, BIND-format files, DS) and the independent
/// libldns verification of signed zone text; signing itself is ``Signer``.
public enum ZoneSigner {
    /// A DNSSEC key as files hold it: BIND's `.private` text plus the flags (257 KSK/CSK, 256 ZSK).
    public struct Key: Sendable, Equatable {
        public var privateText: String
        public var flags: UInt16
        public init(privateText: String, flags: UInt16) {
            self.privateText = privateText
            self.flags = flags
        }
    }

    /// A generated key: its `.private` text (BIND format, readable by dnssec-signzone and
    /// ldns-signzone), the DNSKEY record, and the key tag.
    public struct Generated: Sendable {
        public let privateText: String
        public let dnskey: String
        public let tag: UInt16
    }

    static func signingAlgorithm(_ number: Int) throws -> ldns_signing_algorithm {
        switch number {
        case 8: return LDNS_SIGN_RSASHA256
        case 13: return LDNS_SIGN_ECDSAP256SHA256
        case 15: return LDNS_SIGN_ED25519
        default: throw DNSError(.unsupported, "DNSSEC algorithm \(number) is not supported; use 13 (default), 15 or 8")
        }
    }

    /// Generates a key of algorithm 8 (RSA 2048), 13 (ECDSA P-256) or 15 (Ed25519) for `zone`.
    public static func generate(algorithm: Int, flags: UInt16, zone: DomainName, ttl: UInt32) throws -> Generated {
        let a = try signingAlgorithm(algorithm)
        guard let raw = ldns_key_new_frm_algorithm(a, algorithm == 8 ? 2048 : 256) else {
            throw DNSError(.unsupported, "libldns could not generate an algorithm \(algorithm) key")
        }
        let key = LDNSKey(raw, zone: zone, flags: flags)
        return Generated(privateText: LDNSRecord.take(ldns_key2str(key.pointer)), dnskey: key.dnskey(ttl: ttl), tag: key.tag)
    }

    static func load(_ key: Key, zone: DomainName) throws -> LDNSKey {
        var bytes = Array(key.privateText.utf8)
        var raw: UnsafeMutablePointer<ldns_key>?
        let status = bytes.withUnsafeMutableBytes { buffer -> ldns_status in
            guard let file = fmemopen(buffer.baseAddress, buffer.count, "r") else { return LDNS_STATUS_FILE_ERR }
            defer { fclose(file) }
            return ldns_key_new_frm_fp(&raw, file)
        }
        guard status == LDNS_STATUS_OK, let raw else {
            throw DNSError(.unreadable, "DNSSEC key: \(String(cString: ldns_get_errorstr_by_id(status)))")
        }
        return LDNSKey(raw, zone: zone, flags: key.flags)
    }

    /// The key tag and DNSKEY record of a stored key (to check files against the store).
    public static func inspect(_ key: Key, zone: DomainName, ttl: UInt32) throws -> (tag: UInt16, dnskey: String) {
        let k = try load(key, zone: zone)
        return (k.tag, k.dnskey(ttl: ttl))
    }

    /// The DS record (SHA-256) of a DNSKEY record given in presentation form.
    public static func ds(dnskey: String) throws -> String {
        var rr: UnsafeMutablePointer<ldns_rr>?
        guard ldns_rr_new_frm_str(&rr, dnskey, 0, nil, nil) == LDNS_STATUS_OK, let rr else {
            throw DNSError(.syntax, "not a DNSKEY record: \(dnskey)")
        }
        defer { ldns_rr_free(rr) }
        guard let ds = ldns_key_rr2ds(rr, LDNS_SHA256) else { throw DNSError(.unsupported, "libldns could not make a DS") }
        defer { ldns_rr_free(ds) }
        return LDNSRecord.take(ldns_rr2str(ds)).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Parses zone text into an `ldns_zone` the caller frees with `ldns_zone_deep_free`.
    static func parse(_ text: String, origin: DomainName, defaultTTL: UInt32, what: String) throws -> UnsafeMutablePointer<ldns_zone> {
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
            if delegations.contains(where: { owner == $0 || owner.hasSuffix("." + $0) }) && !(type == LDNS_RR_TYPE_DS && delegations.contains(owner))
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
                return ldns_verify_rrsig_keylist_time(list, sig, keys, time_t(now.timeIntervalSince1970), good) == LDNS_STATUS_OK
            }
            guard ok else { throw DNSError(.verify, "DNSSEC: no valid signature on \(owner) type \(type.rawValue); nothing was written") }
        }
    }
}
