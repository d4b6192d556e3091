import CLDNS
import Foundation
import MailKeysCore

/// DNSSEC keys through libldns: generation, BIND-format `.private` files, key tags and DS
/// records (the counterpart of ``DKIMKeys``). Signing is ``Signer``; checking a signed zone
/// is ``SignedZoneVerifier``.
public enum DNSSECKeys {
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
        return Generated(
            privateText: LDNSRecord.take(ldns_key2str(key.pointer)),
            dnskey: key.dnskey(ttl: ttl),
            tag: key.tag
        )
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
        guard let ds = ldns_key_rr2ds(rr, LDNS_SHA256) else {
            throw DNSError(.unsupported, "libldns could not make a DS")
        }
        defer { ldns_rr_free(ds) }
        return LDNSRecord.take(ldns_rr2str(ds)).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
