import COpenSSL
import Foundation
import MailKeysCore

/// The TLS scan behind `check`'s internet.nl lines: many STARTTLS handshakes with one server,
/// each offering a little, to learn what it accepts (versions, suites and their order, groups,
/// DH size, SHA-2 signatures, compression, renegotiation, Extended Master Secret) and which
/// certificates it serves. Each stage is one small function; ``TLSGrades`` judges the result.
public enum TLSScan {
    /// Scans the STARTTLS server at `address` for MX host `host`; certificates are verified
    /// against `caFile` (default: the system's CAs) at `now`. Throws when no handshake at all
    /// succeeds or the SMTP side fails.
    public static func scan(
        host: DomainName,
        address: ServerAddress,
        caFile: String? = nil,
        at now: Date,
        timeout: Int = 5
    ) throws -> TLSProfile {
        let scan = Scanner(host: host, address: address, timeout: timeout)
        var p = TLSProfile()
        p.versions = try scan.versions()
        guard !p.versions.isEmpty else {
            throw DNSError(.verify, "no TLS handshake with \(address) succeeds (TLS 1.0 to 1.3 offered)")
        }
        let legacy = p.versions.contains { $0 != "TLSv1.3" }
        if legacy {
            p.ciphers = try scan.ciphers()
            p.serverOrder = try scan.serverOrder(p.ciphers)
            (p.dhBits, p.dhGroup) = try scan.serverDH(p.ciphers)
            p.sha1KeyExchange = try scan.sha1KeyExchange(p.ciphers)
            p.sha224KeyExchange = try scan.sha224KeyExchange(p.ciphers)
            (p.secureRenegotiation, p.extendedMasterSecret) = try scan.legacyOptions()
            p.clientRenegotiation = try scan.clientRenegotiation()
            p.compression = try scan.compression()
        }
        if p.versions.contains("TLSv1.3") { p.suites13 = try scan.suites13() }
        p.groups = try scan.groups(tls13: p.versions.contains("TLSv1.3"), ecdhe: p.ciphers.contains(where: isECDHE))
        p.certificates = try scan.certificates(caFile: caFile, at: now)
        return p
    }

    static func isECDHE(_ cipher: String) -> Bool { cipher.hasPrefix("ECDHE-") || cipher.hasPrefix("AECDH-") }
    static func isDHE(_ cipher: String) -> Bool {
        cipher.hasPrefix("DHE-") || cipher.hasPrefix("EDH-") || cipher.hasPrefix("ADH-")
    }
    /// Anonymous (EC)DHE: no certificate, so no signature on the key exchange.
    static func isAnonymous(_ cipher: String) -> Bool { cipher.hasPrefix("ADH-") || cipher.hasPrefix("AECDH-") }

    /// One server's scan: the handshakes share the host, address and timeout.
    struct Scanner {
        let host: DomainName
        let address: ServerAddress
        let timeout: Int

        func attempt<T>(_ a: TLSAttempt, _ inspect: (OpaquePointer) throws -> T) throws -> T? {
            try a.run(host: host, address: address, timeout: timeout, inspect: inspect)
        }

        /// The versions a handshake succeeds with when it is the only one offered.
        func versions() throws -> [String] {
            let all: [(Int32, String)] = [
                (Int32(TLS1_VERSION), "TLSv1"), (Int32(TLS1_1_VERSION), "TLSv1.1"), (Int32(TLS1_2_VERSION), "TLSv1.2"),
                (Int32(TLS1_3_VERSION), "TLSv1.3"),
            ]
            return try all.filter { version, _ in
                var a = TLSAttempt()
                a.minVersion = version
                a.maxVersion = version
                a.groups = TLSAttempt.everyGroup
                return try attempt(a) { _ in true } ?? false
            }.map(\.1)
        }

        /// The TLS 1.0–1.2 suites accepted, found by offering all that are left and taking away
        /// the one chosen until the server refuses: the order is the server's when it enforces one.
        func ciphers() throws -> [String] {
            try takeAway(try Self.cipherNames()) { a, left in
                a.maxVersion = Int32(TLS1_2_VERSION)
                a.ciphers = left.joined(separator: ":") + ":@SECLEVEL=0"
            }
        }

        /// The TLS 1.3 suites accepted, by the same taking away.
        func suites13() throws -> [String] {
            try takeAway(TLSAttempt.everySuite13.split(separator: ":").map(String.init)) { a, left in
                a.minVersion = Int32(TLS1_3_VERSION)
                a.suites = left.joined(separator: ":")
            }
        }

        /// Offers `names` (set in an attempt by `offer`) and takes away the one the server picks,
        /// until it refuses: the names it accepts, in the order it picked them.
        private func takeAway(_ names: [String], offer: (inout TLSAttempt, [String]) -> Void) throws -> [String] {
            var left = names
            var found: [String] = []
            while !left.isEmpty {
                var a = TLSAttempt()
                a.groups = TLSAttempt.everyGroup
                offer(&a, left)
                guard let chosen = try attempt(a, Self.cipherName), let i = left.firstIndex(of: chosen) else { break }
                found.append(chosen)
                left.remove(at: i)
            }
            return found
        }

        /// Whether the server picks its own first choice when the client offers its suites in
        /// the reverse order.
        func serverOrder(_ ciphers: [String]) throws -> Bool? {
            guard ciphers.count >= 2 else { return nil }
            var a = TLSAttempt()
            a.maxVersion = Int32(TLS1_2_VERSION)
            a.ciphers = ciphers.reversed().joined(separator: ":") + ":@SECLEVEL=0"
            a.groups = TLSAttempt.everyGroup
            return try attempt(a, Self.cipherName).map { $0 == ciphers[0] }
        }

        /// The groups accepted when offered alone: in TLS 1.3, and for elliptic curves also with
        /// the ECDHE suites of TLS 1.2 (where a server may accept curves TLS 1.3 does not have).
        func groups(tls13: Bool, ecdhe: Bool) throws -> [String] {
            let offers: [(offer: String, name: String)] = [
                ("X25519", "x25519"), ("X448", "x448"), ("P-256", "secp256r1"), ("P-384", "secp384r1"),
                ("P-521", "secp521r1"), ("secp224r1", "secp224r1"), ("secp192r1", "secp192r1"),
                ("secp256k1", "secp256k1"), ("brainpoolP256r1", "brainpoolP256r1"),
                ("brainpoolP384r1", "brainpoolP384r1"), ("brainpoolP512r1", "brainpoolP512r1"),
                ("ffdhe2048", "ffdhe2048"), ("ffdhe3072", "ffdhe3072"), ("ffdhe4096", "ffdhe4096"),
                ("ffdhe6144", "ffdhe6144"), ("ffdhe8192", "ffdhe8192"),
            ]
            return try offers.filter { group in
                if tls13 {
                    var a = TLSAttempt()
                    a.minVersion = Int32(TLS1_3_VERSION)
                    a.groups = group.offer
                    if (try? attempt(a) { _ in true }) == true { return true }
                }
                guard ecdhe, !group.offer.hasPrefix("ffdhe") else { return false }
                var a = TLSAttempt()
                a.maxVersion = Int32(TLS1_2_VERSION)
                a.ciphers = "kECDHE:@SECLEVEL=0"
                a.groups = group.offer
                return try attempt(a) { _ in true } ?? false
            }.map(\.name)
        }

        /// The server's own finite-field group for DHE (no named group offered), the smallest
        /// over its signed and anonymous DHE suites: its size and, when it has one, its name.
        func serverDH(_ ciphers: [String]) throws -> (Int?, String?) {
            let kinds = [
                ciphers.filter { isDHE($0) && !isAnonymous($0) }, ciphers.filter { isDHE($0) && isAnonymous($0) },
            ]
            var smallest: (Int, String?)?
            for suites in kinds where !suites.isEmpty {
                var a = TLSAttempt()
                a.maxVersion = Int32(TLS1_2_VERSION)
                a.ciphers = suites.joined(separator: ":") + ":@SECLEVEL=0"
                a.groups = "X25519:P-256:P-384"
                let key: (Int, String?)? =
                    try attempt(a) { ssl in
                        guard let key = mk_SSL_get_peer_tmp_key(ssl) else { return nil }
                        defer { EVP_PKEY_free(key) }
                        return (Int(EVP_PKEY_get_bits(key)), Self.groupName(key))
                    } ?? nil
                if let key, key.0 < smallest?.0 ?? .max { smallest = key }
            }
            return (smallest?.0, smallest?.1)
        }

        /// Whether the server signs an (EC)DHE key exchange of TLS 1.2 with SHA-1 when a client
        /// offers only SHA-1 signature algorithms (nil: it has no (EC)DHE suite with a signature).
        func sha1KeyExchange(_ ciphers: [String]) throws -> Bool? {
            try signs(ciphers, with: "RSA+SHA1:ECDSA+SHA1:DSA+SHA1")
        }

        /// The same with SHA-224.
        func sha224KeyExchange(_ ciphers: [String]) throws -> Bool? {
            try signs(ciphers, with: "RSA+SHA224:ECDSA+SHA224:DSA+SHA224")
        }

        /// Whether a TLS 1.2 (EC)DHE handshake succeeds with only `sigalgs` offered.
        private func signs(_ ciphers: [String], with sigalgs: String) throws -> Bool? {
            let signed = ciphers.filter {
                (isECDHE($0) || isDHE($0)) && !isAnonymous($0)
            }
            guard !signed.isEmpty else { return nil }
            var a = TLSAttempt()
            a.maxVersion = Int32(TLS1_2_VERSION)
            a.ciphers = signed.joined(separator: ":") + ":@SECLEVEL=0"
            a.groups = TLSAttempt.everyGroup
            a.sigalgs = sigalgs
            return try attempt(a) { _ in true } ?? false
        }

        /// RFC 5746 secure renegotiation and RFC 7627 Extended Master Secret, from one handshake
        /// of TLS 1.2 or older.
        func legacyOptions() throws -> (Bool?, Bool?) {
            var a = TLSAttempt()
            a.maxVersion = Int32(TLS1_2_VERSION)
            a.groups = TLSAttempt.everyGroup
            let options: (Bool, Bool)? = try attempt(a) { ssl in
                (mk_SSL_get_secure_renegotiation_support(ssl) == 1, mk_SSL_get_extms_support(ssl) == 1)
            }
            return (options?.0, options?.1)
        }

        /// Whether the server completes a renegotiation the client starts (TLS 1.2 or older).
        func clientRenegotiation() throws -> Bool? {
            var a = TLSAttempt()
            a.maxVersion = Int32(TLS1_2_VERSION)
            a.groups = TLSAttempt.everyGroup
            return try attempt(a) { ssl in
                guard SSL_renegotiate(ssl) == 1 else { return false }
                let done = SSL_do_handshake(ssl) == 1
                ERR_clear_error()
                return done
            }
        }

        /// Whether the server chooses DEFLATE when a ClientHello offers it (a raw hello: this
        /// OpenSSL cannot offer compression).
        func compression() throws -> Bool? {
            let reply = try TLSAttempt.raw(
                TLSRecords.clientHello(host: host.description),
                address: address,
                timeout: timeout
            )
            return TLSRecords.compressionMethod(reply).map { $0 != 0 }
        }

        /// The leaf certificate of each key type the server has (RSA, then ECDSA), judged at `now`.
        func certificates(caFile: String?, at now: Date) throws -> [TLSCertificateFacts] {
            let kinds = [
                "rsa_pss_rsae_sha256:rsa_pss_rsae_sha384:rsa_pss_rsae_sha512:RSA+SHA256:RSA+SHA384:RSA+SHA512:RSA+SHA1",
                "ECDSA+SHA256:ECDSA+SHA384:ECDSA+SHA512:ECDSA+SHA1", "ed25519:ed448",
            ]
            var out: [TLSCertificateFacts] = []
            for sigalgs in kinds {
                var a = TLSAttempt()
                a.groups = TLSAttempt.everyGroup
                a.sigalgs = sigalgs
                let facts = try attempt(a) { ssl in
                    try ServedCertificate.facts(ssl, host: host, caFile: caFile, at: now)
                }
                if let facts = facts ?? nil, !out.contains(facts) { out.append(facts) }
            }
            return out
        }

        /// The name of the suite `ssl` agreed on.
        static func cipherName(_ ssl: OpaquePointer) -> String {
            SSL_get_current_cipher(ssl).flatMap { SSL_CIPHER_get_name($0) }.map { String(cString: $0) } ?? ""
        }

        /// The TLS 1.0–1.2 suites OpenSSL offers for ``TLSAttempt/everyCipher``, by name.
        static func cipherNames() throws -> [String] {
            let c = try TLSConnection(settings: TLSAttempt(), host: DomainName(presentation: "localhost"))
            guard let stack = SSL_get_ciphers(c.pointer) else { return [] }
            return (0..<OPENSSL_sk_num(stack)).compactMap { i in
                OPENSSL_sk_value(stack, i).flatMap { SSL_CIPHER_get_name(OpaquePointer($0)) }.map {
                    String(cString: $0)
                }
            }.filter { !$0.hasPrefix("TLS_") }
        }

        /// The group name of a key (an EC curve or an RFC 7919 finite-field group), if it has one.
        static func groupName(_ key: OpaquePointer) -> String? {
            var buffer = [CChar](repeating: 0, count: 64)
            var length = 0
            guard EVP_PKEY_get_group_name(key, &buffer, buffer.count, &length) == 1 else { return nil }
            return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }
}
