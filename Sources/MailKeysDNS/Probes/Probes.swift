import CLDNS
import COpenSSL
import Foundation
import MailKeysCore

/// An SMTP server's STARTTLS offer, read with OpenSSL: the TLS version and the SPKI SHA-256 of
/// every certificate it sends (leaf first), for matching against TLSA records.
public enum SMTPProbe {
    public struct Result: Sendable {
        public var tlsVersion: String
        public var spkis: [String]
    }

    /// Connects to `address`, speaks SMTP up to STARTTLS, and completes a TLS handshake with SNI
    /// `host` (no certificate verification: the caller matches the keys against TLSA).
    public static func starttls(host: DomainName, address: ServerAddress, timeout: Int = 5) throws -> Result {
        let family = address.address.isV4 ? AF_INET : AF_INET6
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw DNSError(.unreadable, "socket: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var tv = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        let connected: Int32
        if address.address.isV4 {
            var sa = sockaddr_in()
            sa.sin_family = sa_family_t(AF_INET)
            sa.sin_port = in_port_t(UInt16(address.port).bigEndian)
            inet_pton(AF_INET, address.address.description, &sa.sin_addr)
            connected = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            var sa = sockaddr_in6()
            sa.sin6_family = sa_family_t(AF_INET6)
            sa.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            inet_pton(AF_INET6, address.address.description, &sa.sin6_addr)
            connected = withUnsafePointer(to: &sa) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        guard connected == 0 else { throw DNSError(.unreadable, "SMTP \(address): \(String(cString: strerror(errno)))") }

        var pending = [UInt8]()
        func reply() throws -> (code: String, lines: [String]) {
            var lines: [String] = []
            while true {
                while !pending.contains(10) {
                    var buffer = [UInt8](repeating: 0, count: 1024)
                    let n = recv(fd, &buffer, buffer.count, 0)
                    guard n > 0 else { throw DNSError(.unreadable, "SMTP \(address): connection closed or timed out") }
                    pending += buffer[0..<n]
                }
                let i = pending.firstIndex(of: 10)!
                let line = String(decoding: pending[..<i], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                pending.removeSubrange(...i)
                lines.append(line)
                if line.count < 4 || line[line.index(line.startIndex, offsetBy: 3)] != "-" { return (String(line.prefix(3)), lines) }
            }
        }
        func send(_ text: String) throws {
            let bytes = Array((text + "\r\n").utf8)
            guard Foundation.send(fd, bytes, bytes.count, 0) == bytes.count else { throw DNSError(.unreadable, "SMTP \(address): send failed") }
        }
        guard try reply().code == "220" else { throw DNSError(.unreadable, "SMTP \(address): no 220 greeting") }
        try send("EHLO mailkeys.check")
        let ehlo = try reply()
        guard ehlo.code == "250" else { throw DNSError(.unreadable, "SMTP \(address): EHLO refused") }
        guard ehlo.lines.contains(where: { $0.dropFirst(4).uppercased().hasPrefix("STARTTLS") }) else {
            throw DNSError(.verify, "SMTP \(address) does not offer STARTTLS")
        }
        try send("STARTTLS")
        guard try reply().code == "220" else { throw DNSError(.verify, "SMTP \(address): STARTTLS refused") }

        guard let ctx = SSL_CTX_new(TLS_client_method()) else { throw DNSError(.unsupported, "OpenSSL: no TLS context") }
        defer { SSL_CTX_free(ctx) }
        guard let ssl = SSL_new(ctx) else { throw DNSError(.unsupported, "OpenSSL: no TLS connection") }
        defer { SSL_free(ssl) }
        _ = host.description.withCString { SSL_ctrl(ssl, 55, 0, UnsafeMutableRawPointer(mutating: $0)) }  // SNI
        SSL_set_fd(ssl, fd)
        guard SSL_connect(ssl) == 1 else { throw DNSError(.verify, "TLS handshake with \(address) failed: \(openSSLError())") }
        defer { SSL_shutdown(ssl) }
        let version = String(cString: SSL_get_version(ssl))
        var spkis: [String] = []
        if let chain = SSL_get_peer_cert_chain(ssl) {
            let stack = chain
            for i in 0..<OPENSSL_sk_num(stack) {
                guard let raw = OPENSSL_sk_value(stack, i) else { continue }
                let x = OpaquePointer(raw)
                guard let pub = X509_get_X509_PUBKEY(x) else { continue }
                var der: UnsafeMutablePointer<UInt8>?
                let n = i2d_X509_PUBKEY(pub, &der)
                guard n > 0, let der else { continue }
                spkis.append(Digest.sha256Hex(UnsafeBufferPointer(start: der, count: Int(n))))
                CRYPTO_free(der, #file, #line)
            }
        }
        return Result(tlsVersion: version, spkis: spkis)
    }
}

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
            guard ldns_rr_new_frm_str(&rr, text, 3600, nil, nil) == LDNS_STATUS_OK, let rr else { throw DNSError(.syntax, "not a DNSKEY: \(text)") }
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
            if !keysValid { keysProblem = "no signature on the DNSKEY RRset validates with the trust anchor at the time checked" }
        }
    }

    deinit { ldns_rr_list_deep_free(keys) }

    static func verify(
        _ set: UnsafeMutablePointer<ldns_rr_list>, _ sigs: UnsafeMutablePointer<ldns_rr_list>, with keys: UnsafeMutablePointer<ldns_rr_list>,
        now: Date
    ) -> Bool {
        (0..<ldns_rr_list_rr_count(sigs)).contains { i in
            let good = ldns_rr_list_new()!
            defer { ldns_rr_list_free(good) }
            return ldns_verify_rrsig_keylist_time(set, ldns_rr_list_rr(sigs, i), keys, time_t(now.timeIntervalSince1970), good) == LDNS_STATUS_OK
        }
    }

    /// The RRset of `name`/`type` with its RRSIGs (caller frees both lists).
    func fetch(_ name: DomainName, _ type: ldns_rr_type) throws -> (UnsafeMutablePointer<ldns_rr_list>, UnsafeMutablePointer<ldns_rr_list>) {
        let packet = try DNSQuery.send(name, type, server: server, timeout: 2, dnssec: true)
        defer { ldns_pkt_free(packet) }
        guard let owner = ldns_dname_new_frm_str(name.fqdn) else { throw DNSError(.syntax, "bad name \(name)") }
        defer { ldns_rdf_deep_free(owner) }
        let set = ldns_pkt_rr_list_by_name_and_type(packet, owner, type, LDNS_SECTION_ANSWER) ?? ldns_rr_list_new()!
        let sigs = ldns_rr_list_new()!
        if let all = ldns_pkt_rr_list_by_name_and_type(packet, owner, LDNS_RR_TYPE_RRSIG, LDNS_SECTION_ANSWER) {
            for i in 0..<ldns_rr_list_rr_count(all) {
                let sig = ldns_rr_list_rr(all, i)
                if ldns_rdf2rr_type(ldns_rr_rrsig_typecovered(sig)) == type { ldns_rr_list_push_rr(sigs, ldns_rr_clone(sig)) }
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
        let records = (0..<ldns_rr_list_rr_count(set)).map { LDNSRecord.normalizedRDATA(ldns_rr_list_rr(set, $0), keepCase: true) }
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
