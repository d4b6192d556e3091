import CLDNS
import Foundation
import MailKeysCore

/// Asks an authoritative server (libldns, no recursion): a parent for a child's DS RRset, an
/// export target for the new serial, and sends NOTIFY to secondaries.
public enum DNSQuery {
    /// The DS records `server` serves for `zone`, each as `tag algorithm digesttype digest`
    /// (digest in lower-case hex). Throws when the server does not answer or refuses.
    public static func ds(zone: DomainName, server: ServerAddress, timeout: Int = 3) throws -> [String] {
        try query(zone, LDNS_RR_TYPE_DS, server: server, timeout: timeout)
    }

    /// The SOA serial `server` serves for `zone` (nil when it answers without one).
    public static func serial(zone: DomainName, server: ServerAddress, timeout: Int = 2) throws -> UInt32? {
        try query(zone, LDNS_RR_TYPE_SOA, server: server, timeout: timeout).first.flatMap {
            UInt32($0.split(separator: " ")[2])
        }
    }

    /// The DNSKEY records `server` serves for `zone` (RDATA).
    public static func dnskeys(zone: DomainName, server: ServerAddress, timeout: Int = 2) throws -> [String] {
        try query(zone, LDNS_RR_TYPE_DNSKEY, server: server, timeout: timeout)
    }

    /// Whether `server` still serves `zone`: it answers its SOA query authoritatively (AA) with
    /// the zone's SOA. A refusal, a referral or any other answer without it is "no"; no answer at
    /// all throws (the server may be down, which says nothing). `tcp`: asks over TCP, not UDP.
    public static func serves(zone: DomainName, server: ServerAddress, timeout: Int = 2, tcp: Bool = false) throws
        -> Bool
    {
        let packet = try exchange(zone, LDNS_RR_TYPE_SOA, server: server, timeout: timeout, tcp: tcp)
        defer { ldns_pkt_free(packet) }
        guard ldns_pkt_get_rcode(packet) == LDNS_RCODE_NOERROR, ldns_pkt_aa(packet) != 0 else { return false }
        guard let owner = ldns_dname_new_frm_str(zone.fqdn) else { throw DNSError(.syntax, "bad name \(zone)") }
        defer { ldns_rdf_deep_free(owner) }
        guard let list = ldns_pkt_rr_list_by_name_and_type(packet, owner, LDNS_RR_TYPE_SOA, LDNS_SECTION_ANSWER)
        else { return false }
        defer { ldns_rr_list_deep_free(list) }
        return ldns_rr_list_rr_count(list) > 0
    }

    static func resolver(_ server: ServerAddress, timeout: Int) throws -> UnsafeMutablePointer<ldns_resolver> {
        guard let resolver = ldns_resolver_new() else { throw DNSError(.unsupported, "libldns: no resolver") }
        let type = server.address.isV4 ? LDNS_RDF_TYPE_A : LDNS_RDF_TYPE_AAAA
        guard let address = ldns_rdf_new_frm_str(type, server.address.description) else {
            ldns_resolver_deep_free(resolver)
            throw DNSError(.syntax, "not an address: \(server.address)")
        }
        defer { ldns_rdf_deep_free(address) }
        guard ldns_resolver_push_nameserver(resolver, address) == LDNS_STATUS_OK else {
            ldns_resolver_deep_free(resolver)
            throw DNSError(.unsupported, "libldns: cannot use server \(server)")
        }
        ldns_resolver_set_port(resolver, UInt16(server.port))
        ldns_resolver_set_recursive(resolver, 0)
        ldns_resolver_set_retry(resolver, 1)
        ldns_resolver_set_timeout(resolver, timeval(tv_sec: timeout, tv_usec: 0))
        return resolver
    }

    /// Asks `server` for `name`/`type` (with the DO bit when `dnssec`, falling back to TCP for a
    /// truncated answer); the caller frees the packet. Throws without an answer or for an rcode
    /// other than NOERROR and NXDOMAIN.
    static func send(
        _ name: DomainName,
        _ type: ldns_rr_type,
        server: ServerAddress,
        timeout: Int,
        dnssec: Bool = false
    ) throws
        -> UnsafeMutablePointer<ldns_pkt>
    {
        let packet = try exchange(name, type, server: server, timeout: timeout, dnssec: dnssec)
        let rcode = ldns_pkt_get_rcode(packet)
        guard rcode == LDNS_RCODE_NOERROR || rcode == LDNS_RCODE_NXDOMAIN else {
            ldns_pkt_free(packet)
            throw DNSError(.unreadable, "server \(server) answered rcode \(rcode.rawValue) for \(name)")
        }
        return packet
    }

    /// ``send(_:_:server:timeout:dnssec:)`` whatever the answer's rcode; throws only without one.
    /// `tcp`: over TCP only (no UDP first).
    static func exchange(
        _ name: DomainName,
        _ type: ldns_rr_type,
        server: ServerAddress,
        timeout: Int,
        dnssec: Bool = false,
        tcp: Bool = false
    ) throws
        -> UnsafeMutablePointer<ldns_pkt>
    {
        let resolver = try resolver(server, timeout: timeout)
        defer { ldns_resolver_deep_free(resolver) }
        if tcp { ldns_resolver_set_usevc(resolver, 1) }
        if dnssec {
            ldns_resolver_set_dnssec(resolver, 1)
            ldns_resolver_set_edns_udp_size(resolver, 4096)
            ldns_resolver_set_fallback(resolver, 1)
        }
        guard let owner = ldns_dname_new_frm_str(name.fqdn) else { throw DNSError(.syntax, "bad name \(name)") }
        defer { ldns_rdf_deep_free(owner) }
        var packet: UnsafeMutablePointer<ldns_pkt>?
        let status = ldns_resolver_query_status(&packet, resolver, owner, type, LDNS_RR_CLASS_IN, 0)
        guard status == LDNS_STATUS_OK, let packet else {
            throw DNSError(
                .unreadable,
                "server \(server): no answer for \(name) (\(String(cString: ldns_get_errorstr_by_id(status))))"
            )
        }
        return packet
    }

    static func query(_ zone: DomainName, _ type: ldns_rr_type, server: ServerAddress, timeout: Int) throws -> [String]
    {
        let packet = try send(zone, type, server: server, timeout: timeout)
        defer { ldns_pkt_free(packet) }
        guard let list = ldns_pkt_rr_list_by_type(packet, type, LDNS_SECTION_ANSWER) else { return [] }
        defer { ldns_rr_list_deep_free(list) }
        return (0..<ldns_rr_list_rr_count(list)).map { i in LDNSRecord.normalizedRDATA(ldns_rr_list_rr(list, i)) }
    }

    /// Sends a NOTIFY (RFC 1996) for `zone` to `server` and waits for its answer.
    public static func notify(zone: DomainName, server: ServerAddress, timeout: Int = 2) throws {
        let resolver = try resolver(server, timeout: timeout)
        defer { ldns_resolver_deep_free(resolver) }
        guard let name = ldns_dname_new_frm_str(zone.fqdn),
            let packet = ldns_pkt_query_new(name, LDNS_RR_TYPE_SOA, LDNS_RR_CLASS_IN, UInt16(LDNS_AA))
        else { throw DNSError(.unsupported, "libldns: cannot build a NOTIFY") }
        defer { ldns_pkt_free(packet) }
        ldns_pkt_set_opcode(packet, LDNS_PACKET_NOTIFY)
        ldns_pkt_set_id(packet, UInt16.random(in: 1...UInt16.max))
        var answer: UnsafeMutablePointer<ldns_pkt>?
        let status = ldns_resolver_send_pkt(&answer, resolver, packet)
        guard status == LDNS_STATUS_OK, let answer else {
            throw DNSError(
                .unreadable,
                "NOTIFY to \(server): no answer (\(String(cString: ldns_get_errorstr_by_id(status))))"
            )
        }
        defer { ldns_pkt_free(answer) }
        guard ldns_pkt_get_rcode(answer) == LDNS_RCODE_NOERROR else {
            throw DNSError(.unreadable, "NOTIFY to \(server): refused (rcode \(ldns_pkt_get_rcode(answer).rawValue))")
        }
    }
}
