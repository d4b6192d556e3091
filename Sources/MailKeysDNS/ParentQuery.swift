import CLDNS
import Foundation
import MailKeysCore

/// Asks a parent zone's authoritative server for a child's DS RRset (libldns, no recursion).
public enum ParentQuery {
    /// The DS records `server` serves for `zone`, each as `tag algorithm digesttype digest`
    /// (digest in lower-case hex). Throws when the server does not answer or refuses.
    public static func ds(zone: DomainName, server: ParentServer, timeout: Int = 3) throws -> [String] {
        guard let resolver = ldns_resolver_new() else { throw DNSError(.unsupported, "libldns: no resolver") }
        defer { ldns_resolver_deep_free(resolver) }
        let type = server.address.isV4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA
        guard let address = ldns_rdf_new_frm_str(type, server.address.description) else {
            throw DNSError(.syntax, "not an address: \(server.address)")
        }
        defer { ldns_rdf_deep_free(address) }
        guard ldns_resolver_push_nameserver(resolver, address) == LDNS_STATUS_OK else {
            throw DNSError(.unsupported, "libldns: cannot use server \(server)")
        }
        ldns_resolver_set_port(resolver, UInt16(server.port))
        ldns_resolver_set_recursive(resolver, 0)
        ldns_resolver_set_retry(resolver, 1)
        ldns_resolver_set_timeout(resolver, timeval(tv_sec: timeout, tv_usec: 0))
        guard let name = ldns_dname_new_frm_str(zone.fqdn) else { throw DNSError(.syntax, "bad name \(zone)") }
        defer { ldns_rdf_deep_free(name) }
        var packet: UnsafeMutablePointer<ldns_pkt>?
        let status = ldns_resolver_query_status(&packet, resolver, name, LDNS_RR_TYPE_DS, LDNS_RR_CLASS_IN, 0)
        guard status == LDNS_STATUS_OK, let packet else {
            throw DNSError(.unreadable, "parent server \(server): no answer (\(String(cString: ldns_get_errorstr_by_id(status))))")
        }
        defer { ldns_pkt_free(packet) }
        let rcode = ldns_pkt_get_rcode(packet)
        guard rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN else {
            throw DNSError(.unreadable, "parent server \(server) answered rcode \(rcode.rawValue) for \(zone) DS")
        }
        guard let list = ldns_pkt_rr_list_by_type(packet, LDNS_RR_TYPE_DS, LDNS_SECTION_ANSWER) else { return [] }
        defer { ldns_rr_list_deep_free(list) }
        return (0..<ldns_rr_list_rr_count(list)).map { i in
            LDNSRecord.normalizedRDATA(ldns_rr_list_rr(list, i))
        }
    }
}

extension LDNSRecord {
    /// RDATA fields joined by single spaces, lower-cased (DS digests compare case-insensitively).
    static func normalizedRDATA(_ rr: UnsafeMutablePointer<ldns_rr>) -> String {
        (0..<ldns_rr_rd_count(rr)).map { take(ldns_rdf2str(ldns_rr_rdf(rr, $0))) }.joined(separator: " ").lowercased()
    }
}
