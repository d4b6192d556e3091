import CLDNS
import COpenSSL
import MailKeysCore

extension Signer {
    /// The RDATA of a record line, as libldns prints it (DNSKEY comments dropped).
    static func rdataOf(_ text: String) throws -> String {
        var rr: UnsafeMutablePointer<ldns_rr>?
        guard ldns_rr_new_frm_str(&rr, text, 3600, nil, nil) == LDNS_STATUS_OK, let rr else {
            throw DNSError(.syntax, "not a record: \(text)")
        }
        return LDNSRecord(rr).rdata
    }

    /// The canonical wire RDATA (RFC 4034 §6.2) of a record line.
    static func canonicalRDATA(_ text: String, buffer: UnsafeMutablePointer<ldns_buffer>) throws -> [UInt8] {
        var rr: UnsafeMutablePointer<ldns_rr>?
        let status = ldns_rr_new_frm_str(&rr, text, 0, nil, nil)
        guard status == LDNS_STATUS_OK, let rr else {
            throw DNSError(
                .syntax,
                "record does not parse (\(String(cString: ldns_get_errorstr_by_id(status)))): \(text)"
            )
        }
        defer { ldns_rr_free(rr) }
        return try canonicalRDATA(rr, buffer: buffer)
    }

    /// The canonical wire RDATA of a parsed record (lower-cases the names in it, RFC 4034 §6.2).
    static func canonicalRDATA(_ rr: UnsafeMutablePointer<ldns_rr>, buffer: UnsafeMutablePointer<ldns_buffer>) throws
        -> [UInt8]
    {
        ldns_rr2canonical(rr)
        ldns_buffer_clear(buffer)
        guard ldns_rr_rdata2buffer_wire(buffer, rr) == LDNS_STATUS_OK else {
            throw DNSError(.syntax, "cannot encode a record's RDATA")
        }
        return Array(UnsafeBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer)))
    }

    /// SHA-1, for NSEC3 owner hashes.
    static func sha1(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { Digest.digest($0, EVP_sha1()) } }
}
