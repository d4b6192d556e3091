import COpenSSL
import Foundation
import MailKeysCore

/// DKIM key pairs through OpenSSL: generation, PEM, and the public value a `_domainkey` record
/// publishes.
public enum DKIMKeys {
    /// A generated key: the private half as PKCS#8 PEM and the record's `p=` value.
    public struct Pair: Sendable {
        public let pem: String
        public let publicKey: String
    }

    /// Generates a key: RSA of `bits` (2048, 3072 or 4096) or Ed25519.
    public static func generate(_ algorithm: DKIMAlgorithm, bits: Int = 2048) throws -> Pair {
        let name = algorithm == .rsa ? "RSA" : "ED25519"
        guard let ctx = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw DNSError(.unsupported, "OpenSSL cannot make \(name) keys: \(openSSLError())")
        }
        defer { EVP_PKEY_CTX_free(ctx) }
        guard EVP_PKEY_keygen_init(ctx) == 1 else {
            throw DNSError(.unsupported, "OpenSSL keygen init: \(openSSLError())")
        }
        if algorithm == .rsa {
            guard [2048, 3072, 4096].contains(bits) else {
                throw DNSError(.unsupported, "RSA keys of \(bits) bits are refused; use 2048, 3072 or 4096")
            }
            guard EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, Int32(bits)) == 1 else {
                throw DNSError(.unsupported, "OpenSSL RSA bits: \(openSSLError())")
            }
        }
        var raw: OpaquePointer?
        guard EVP_PKEY_generate(ctx, &raw) == 1, let raw else {
            throw DNSError(.unsupported, "OpenSSL key generation failed: \(openSSLError())")
        }
        let key = EVPKey(raw)
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw DNSError(.unsupported, "OpenSSL PEM write: \(openSSLError())")
        }
        return Pair(pem: bio.contents, publicKey: try publicValue(key, algorithm))
    }

    /// Reads a PEM private key and returns its algorithm, size and the `p=` value, so a key file
    /// can be checked against the store. Throws for anything that is not an RSA or Ed25519
    /// private key.
    public static func inspect(pem: String, name: String) throws -> (
        algorithm: DKIMAlgorithm, bits: Int, publicKey: String
    ) {
        let key = try privateKey(pem: pem, name: name)
        let algorithm: DKIMAlgorithm
        if EVP_PKEY_is_a(key.pointer, "RSA") == 1 {
            algorithm = .rsa
        } else if EVP_PKEY_is_a(key.pointer, "ED25519") == 1 {
            algorithm = .ed25519
        } else {
            throw DNSError(.unsupported, "\(name) holds neither an RSA nor an Ed25519 key")
        }
        return (algorithm, Int(EVP_PKEY_get_bits(key.pointer)), try publicValue(key, algorithm))
    }

    /// The private key of `pem` (PKCS#1 RSA, or PKCS#8) as PKCS#8 PEM, the form mailkeys keeps.
    public static func pkcs8(pem: String, name: String) throws -> String {
        let key = try privateKey(pem: pem, name: name)
        let bio = try MemoryBIO()
        guard PEM_write_bio_PrivateKey(bio.pointer, key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw DNSError(.unsupported, "OpenSSL PEM write: \(openSSLError())")
        }
        return bio.contents
    }

    /// An Ed25519 private key in rspamd's own format, as `rspamadm dkim_keygen -t ed25519`
    /// writes it: base64 of the 32-octet seed followed by the 32-octet public key (libsodium's
    /// secret key). rspamd 3.4 cannot read Ed25519 keys from PEM.
    public static func rspamdEd25519(pem: String, name: String) throws -> String {
        let key = try privateKey(pem: pem, name: name)
        guard EVP_PKEY_is_a(key.pointer, "ED25519") == 1 else {
            throw DNSError(.unsupported, "\(name) is not an Ed25519 key")
        }
        var secret = [UInt8](repeating: 0, count: 64)
        var seedLength = 32
        var publicLength = 32
        let ok = secret.withUnsafeMutableBufferPointer { b in
            EVP_PKEY_get_raw_private_key(key.pointer, b.baseAddress, &seedLength) == 1
                && EVP_PKEY_get_raw_public_key(key.pointer, b.baseAddress! + 32, &publicLength) == 1
        }
        defer { secret.withUnsafeMutableBufferPointer { b in OPENSSL_cleanse(b.baseAddress, 64) } }
        guard ok, seedLength == 32, publicLength == 32 else {
            throw DNSError(.unsupported, "OpenSSL raw Ed25519 key of \(name): \(openSSLError())")
        }
        return Data(secret).base64EncodedString()
    }

    /// The private key in a PEM text; `name` (the file) goes into the error. An Ed25519 key in
    /// the PKCS#8 form mailkeys writes is made from its seed directly: OpenSSL 3's PEM decoder
    /// costs far more than the key (it builds a chain of decoders per call), which counted when
    /// a run copied the keys of 10,000 domains for rspamd.
    static func privateKey(pem: String, name: String) throws -> EVPKey {
        if let key = ed25519(pkcs8: pem) { return key }
        let bio = try MemoryBIO(pem)
        guard let raw = PEM_read_bio_PrivateKey(bio.pointer, nil, nil, nil) else {
            ERR_clear_error()
            throw DNSError(.unreadable, "\(name) is not a PEM private key")
        }
        return EVPKey(raw)
    }

    /// The DER prefix of an Ed25519 private key in PKCS#8 (RFC 8410): version 0, algorithm
    /// 1.3.101.112, then the 32-octet seed as an OCTET STRING inside the privateKey OCTET STRING.
    static let ed25519PKCS8Prefix: [UInt8] = [
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
    ]

    /// The key of a one-key `PRIVATE KEY` PEM holding exactly an Ed25519 PKCS#8 structure
    /// (``ed25519PKCS8Prefix`` and the seed); nil for anything else, which the decoder reads.
    static func ed25519(pkcs8 pem: String) -> EVPKey? {
        let begin = "-----BEGIN PRIVATE KEY-----"
        let end = "-----END PRIVATE KEY-----"
        guard pem.utf8.count < 256, let b = pem.range(of: begin), let e = pem.range(of: end),
            b.upperBound < e.lowerBound,
            pem[e.upperBound...].allSatisfy(\.isWhitespace), pem[..<b.lowerBound].allSatisfy(\.isWhitespace)
        else { return nil }
        let body = pem[b.upperBound..<e.lowerBound].filter { !$0.isWhitespace }
        guard var der = Data(base64Encoded: String(body)) else { return nil }
        defer { der.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) } }
        guard der.count == ed25519PKCS8Prefix.count + 32, der.starts(with: ed25519PKCS8Prefix) else { return nil }
        let raw = der.withUnsafeBytes { d in
            EVP_PKEY_new_raw_private_key_ex(
                nil,
                "ED25519",
                nil,
                d.baseAddress!.assumingMemoryBound(to: UInt8.self) + ed25519PKCS8Prefix.count,
                32
            )
        }
        guard let raw else {
            ERR_clear_error()
            return nil
        }
        return EVPKey(raw)
    }

    static func publicValue(_ key: EVPKey, _ algorithm: DKIMAlgorithm) throws -> String {
        if algorithm == .ed25519 {
            var length = 32
            var raw = [UInt8](repeating: 0, count: 32)
            guard EVP_PKEY_get_raw_public_key(key.pointer, &raw, &length) == 1, length == 32 else {
                throw DNSError(.unsupported, "OpenSSL raw Ed25519 public key: \(openSSLError())")
            }
            return Data(raw).base64EncodedString()
        }
        let length = i2d_PUBKEY(key.pointer, nil)
        guard length > 0 else { throw DNSError(.unsupported, "OpenSSL i2d_PUBKEY: \(openSSLError())") }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var p: UnsafeMutablePointer<UInt8>? = buffer.baseAddress
            return i2d_PUBKEY(key.pointer, &p)
        }
        guard written == length else {
            throw DNSError(.unsupported, "OpenSSL i2d_PUBKEY wrote \(written) of \(length) bytes")
        }
        return Data(der).base64EncodedString()
    }
}
