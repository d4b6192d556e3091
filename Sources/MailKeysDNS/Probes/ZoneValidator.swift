import CLDNS
import COpenSSL
import Foundation
import MailKeysCore

/// DNSSEC validation against an authoritative server, from trust anchors mailkeys holds
/// (libldns does the cryptography): the DNSKEY RRset must be signed by an anchor, every other
/// RRset by a key of that validated set, at `now`.
public final class ZoneValidator {
    public struct Answer: Sendable {
        /// RDATA of the records (presentation form).
        public var records: [String]
        /// RRSIGs were present.
        public var signed: Bool
        /// One of them validates at `now` against the validated DNSKEY set.
        public var valid: Bool
        public var problem: String?
        public init(records: [String], signed: Bool, valid: Bool, problem: String?) {
            self.records = records
            self.signed = signed
            self.valid = valid
            self.problem = problem
        }
    }

    let zone: DomainName
    let server: ServerAddress
    let now: Date
    private let keys: UnsafeMutablePointer<ldns_rr_list>
    public private(set) var keysValid = false
    public private(set) var keysProblem: String?

    /// Fetches and validates the DNSKEY RRset of `zone` with the DNSKEY records in `anchors`.
    public init(zone: DomainName, server: ServerAddress, anchors: [String], now: Date) throws {
        self.zone = zone
        self.server = server
        self.now = now
        keys = ldns_rr_list_new()
        let trusted = ldns_rr_list_new()!
        defer { ldns_rr_list_deep_free(trusted) }
        for text in anchors {
            var rr: UnsafeMutablePointer<ldns_rr>?
            guard ldns_rr_new_frm_str(&rr, text, 3600, nil, nil) == LDNS_STATUS_OK, let rr else {
                throw DNSError(.syntax, "not a DNSKEY: \(text)")
            }
            ldns_rr_list_push_rr(trusted, rr)
        }
        let (set, sigs) = try fetch(zone, LDNS_RR_TYPE_DNSKEY)
        defer {
            ldns_rr_list_deep_free(set)
            ldns_rr_list_deep_free(sigs)
        }
        for i in 0..<ldns_rr_list_rr_count(set) { ldns_rr_list_push_rr(keys, ldns_rr_clone(ldns_rr_list_rr(set, i))) }
        if ldns_rr_list_rr_count(set) == 0 {
            keysProblem = "no DNSKEY served"
        } else if ldns_rr_list_rr_count(sigs) == 0 {
            keysProblem = "the DNSKEY RRset is not signed"
        } else {
            keysValid = Self.verify(set, sigs, with: trusted, now: now)
            if !keysValid {
                keysProblem = "no signature on the DNSKEY RRset validates with the trust anchor at the time checked"
            }
        }
    }

    deinit { ldns_rr_list_deep_free(keys) }

    static func verify(
        _ set: UnsafeMutablePointer<ldns_rr_list>,
        _ sigs: UnsafeMutablePointer<ldns_rr_list>,
        with keys: UnsafeMutablePointer<ldns_rr_list>,
        now: Date
    ) -> Bool {
        (0..<ldns_rr_list_rr_count(sigs)).contains { i in
            let good = ldns_rr_list_new()!
            defer { ldns_rr_list_free(good) }
            return ldns_verify_rrsig_keylist_time(
                set,
                ldns_rr_list_rr(sigs, i),
                keys,
                time_t(now.timeIntervalSince1970),
                good
            ) == LDNS_STATUS_OK
        }
    }

    /// The RRset of `name`/`type` with its RRSIGs (caller frees both lists).
    func fetch(_ name: DomainName, _ type: ldns_rr_type) throws -> (
        UnsafeMutablePointer<ldns_rr_list>, UnsafeMutablePointer<ldns_rr_list>
    ) {
        let packet = try DNSQuery.send(name, type, server: server, timeout: 2, dnssec: true)
        defer { ldns_pkt_free(packet) }
        guard let owner = ldns_dname_new_frm_str(name.fqdn) else { throw DNSError(.syntax, "bad name \(name)") }
        defer { ldns_rdf_deep_free(owner) }
        let set = ldns_pkt_rr_list_by_name_and_type(packet, owner, type, LDNS_SECTION_ANSWER) ?? ldns_rr_list_new()!
        let sigs = ldns_rr_list_new()!
        if let all = ldns_pkt_rr_list_by_name_and_type(packet, owner, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER) {
            for i in 0..<ldns_rr_list_rr_count(all) {
                let sig = ldns_rr_list_rr(all, i)
                if ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) == type {
                    ldns_rr_list_push_rr(sigs, ldns_rr_clone(sig))
                }
            }
            ldns_rr_list_deep_free(all)
        }
        return (set, sigs)
    }

    /// The RRset `name`/`type`, and whether it is signed and validates against the DNSKEY set.
    public func answer(_ name: DomainName, _ typeName: String) throws -> Answer {
        let type = ldns_get_rr_type_by_name(typeName)
        let (set, sigs) = try fetch(name, type)
        defer {
            ldns_rr_list_deep_free(set)
            ldns_rr_list_deep_free(sigs)
        }
        let records = (0..<ldns_rr_list_rr_count(set)).map {
            LDNSRecord.normalizedRDATA(ldns_rr_list_rr(set, $0), keepCase: true)
        }
        let signed = ldns_rr_list_rr_count(sigs) > 0
        var valid = false
        var problem: String?
        if records.isEmpty {
            problem = "no \(typeName) at \(name)"
        } else if !signed {
            problem = "\(name) \(typeName) is not signed"
        } else {
            valid = keysValid && Self.verify(set, sigs, with: keys, now: now)
            if !valid { problem = "no RRSIG of \(name) \(typeName) validates at the time checked" }
        }
        return Answer(records: records, signed: signed, valid: valid, problem: problem)
    }
}
