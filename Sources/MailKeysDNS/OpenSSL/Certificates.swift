import COpenSSL
import Foundation
import MailKeysCore

/// X.509 certificates through OpenSSL: what a TLSA record needs from them.
public enum Certificates {
    /// One certificate of a PEM chain.
    public struct Info: Sendable, Equatable {
        /// SHA-256 of the DER SubjectPublicKeyInfo (hex): `3 1 1` / `2 1 1` data.
        public var spki: String
        /// SHA-256 of the whole certificate (DER, hex).
        public var fingerprint: String
        public var keyType: TLSKeyType?
        /// `rsa-2048`, `ecdsa-p256`, ...
        public var keyDescription: String
        public var notBefore: Date
        public var notAfter: Date
        public var subject: String
    }

    /// Every certificate in `pem`, in order; throws for text with no certificate or a damaged one.
    public static func read(pem: String, name: String) throws -> [Info] {
        try load(pem: pem, name: name).map(info)
    }

    static func load(pem: String, name: String) throws -> [X509Certificate] {
        let bio = try MemoryBIO(pem)
        var out: [X509Certificate] = []
        while let x = PEM_read_bio_X509(bio.pointer, nil, nil, nil) { out.append(X509Certificate(x)) }
        let trailing = ERR_peek_last_error()
        ERR_clear_error()
        // PEM_R_NO_START_LINE at the end of the input is how the loop ends; anything else is damage.
        guard !out.isEmpty else { throw DNSError(.unreadable, "\(name): no PEM certificate in it") }
        if trailing != 0 && ERR_GET_REASON_shim(trailing) != 108 {
            throw DNSError(.unreadable, "\(name): a damaged PEM certificate after the first \(out.count)")
        }
        return out
    }

    static func info(_ cert: X509Certificate) throws -> Info {
        let x = cert.pointer
        guard let pub = X509_get_X509_PUBKEY(x) else { throw DNSError(.unreadable, "certificate without a public key") }
        var der: UnsafeMutablePointer<UInt8>?
        let n = i2d_X509_PUBKEY(pub, &der)
        guard n > 0, let der else { throw DNSError(.unreadable, "cannot encode the public key") }
        let spki = Digest.sha256Hex(UnsafeBufferPointer(start: der, count: Int(n)))
        CRYPTO_free(der, #file, #line)
        var certDER: UnsafeMutablePointer<UInt8>?
        let m = i2d_X509(x, &certDER)
        guard m > 0, let certDER else { throw DNSError(.unreadable, "cannot encode the certificate") }
        let fingerprint = Digest.sha256Hex(UnsafeBufferPointer(start: certDER, count: Int(m)))
        CRYPTO_free(certDER, #file, #line)
        let key = X509_get0_pubkey(x)
        let bits = key.map { Int(EVP_PKEY_get_bits($0)) } ?? 0
        var type: TLSKeyType?
        var description = "unknown"
        switch key.map(EVP_PKEY_get_base_id) {
        case EVP_PKEY_RSA:
            type = .rsa
            description = "rsa-\(bits)"
        case EVP_PKEY_EC:
            type = .ecdsa
            description = "ecdsa-p\(bits)"
        default: break
        }
        guard let nb = date(X509_get0_notBefore(x)), let na = date(X509_get0_notAfter(x)) else {
            throw DNSError(.unreadable, "certificate with unreadable validity dates")
        }
        var subject = ""
        if let nameBIO = try? MemoryBIO(),
            X509_NAME_print_ex(nameBIO.pointer, X509_get_subject_name(x), 0, 0x111_0317 /* XN_FLAG_RFC2253 */) >= 0
        {
            subject = nameBIO.contents
        }
        return Info(
            spki: spki,
            fingerprint: fingerprint,
            keyType: type,
            keyDescription: description,
            notBefore: nb,
            notAfter: na,
            subject: subject
        )
    }

    /// Whether the leaf of `pem` is valid for host `name` (its SAN, RFC 6125 rules of OpenSSL).
    public static func matches(pem: String, host: DomainName) throws -> Bool {
        guard let leaf = try load(pem: pem, name: "certificate").first else { return false }
        let name = host.description
        return X509_check_host(leaf.pointer, name, name.utf8.count, 0, nil) == 1
    }

    /// Whether each certificate in `pem` is issued by the next one (leaf first).
    public static func chainIsOrdered(pem: String) throws -> Bool {
        let certs = try load(pem: pem, name: "chain")
        return zip(certs, certs.dropFirst()).allSatisfy { X509_check_issued($1.pointer, $0.pointer) == X509_V_OK }
    }

    /// SHA-256 of the SubjectPublicKeyInfo of a PEM private key (to match it with a certificate).
    public static func privateKeySPKI(pem: String, name: String) throws -> String {
        let bio = try MemoryBIO(pem)
        guard let key = PEM_read_bio_PrivateKey(bio.pointer, nil, nil, nil) else {
            throw DNSError(.unreadable, "\(name): not a PEM private key (\(openSSLError()))")
        }
        let k = EVPKey(key)
        var der: UnsafeMutablePointer<UInt8>?
        let n = i2d_PUBKEY(k.pointer, &der)
        guard n > 0, let der else { throw DNSError(.unreadable, "\(name): cannot encode its public key") }
        defer { CRYPTO_free(der, #file, #line) }
        return Digest.sha256Hex(UnsafeBufferPointer(start: der, count: Int(n)))
    }

    /// A new TLS private key (ECDSA P-256 or RSA 2048) as PKCS#8 PEM, with its SPKI SHA-256.
    public static func generateKey(_ type: TLSKeyType) throws -> (pem: String, spki: String) {
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, type == .rsa ? "RSA" : "EC", nil),
            EVP_PKEY_keygen_init(ctx) == 1
        else {
            throw DNSError(.unsupported, "OpenSSL cannot make \(type.rawValue) keys: \(openSSLError())")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        // NID 415: prime256v1.
        let ok =
            type == .rsa
            ? EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) : EVP_PKEY_CTX_set_ec_paramgen_curve_nid(ctx, 415)
        var raw: OpaquePointer?
        guard ok == 1, EVP_PKEY_generate(ctx, &raw) == 1, let raw else {
            throw DNSError(.unsupported, "OpenSSL key generation failed: \(openSSLError())")
        }
        let key = EVPKey(raw)
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw DNSError(.unsupported, "OpenSSL PEM write: \(openSSLError())")
        }
        let pem = bio.contents
        return (pem, try privateKeySPKI(pem: pem, name: "new key"))
    }

    static func date(_ t: UnsafePointer<ASN1_TIME>?) -> Date? {
        guard let t else { return nil }
        var tm = tm()
        guard ASN1_TIME_to_tm(t, &tm) == 1 else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(timegm(&tm)))
    }
}
