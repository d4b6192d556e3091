import COpenSSL
import Foundation
import MailKeysCore

/// The leaf certificate a server sent on a finished connection, read for `check`: its key, its
/// signature, whether it names the MX host, and whether its chain verifies.
enum ServedCertificate {
    /// The facts of the peer's leaf on `ssl` (nil: none was sent); the chain is verified against
    /// `caFile` (default: the system's CAs) at `now`.
    static func facts(_ ssl: OpaquePointer, host: DomainName, caFile: String?, at now: Date) throws
        -> TLSCertificateFacts?
    {
        guard let leaf = SSL_get0_peer_certificate(ssl), let key = X509_get0_pubkey(leaf) else { return nil }
        let (signature, hash) = signatureAlgorithm(leaf)
        let name = host.description
        return TLSCertificateFacts(
            keyType: keyType(key),
            keyBits: Int(EVP_PKEY_get_bits(key)),
            curve: EVP_PKEY_get_base_id(key) == EVP_PKEY_EC ? TLSScan.Scanner.groupName(key) : nil,
            signature: signature,
            signatureHash: hash,
            nameMatches: X509_check_host(leaf, name, name.utf8.count, 0, nil) == 1,
            trustProblem: try trustProblem(leaf, chain: SSL_get_peer_cert_chain(ssl), caFile: caFile, at: now)
        )
    }

    /// `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA`, or OpenSSL's short name of another key type.
    static func keyType(_ key: OpaquePointer) -> String {
        switch EVP_PKEY_get_base_id(key) {
        case EVP_PKEY_RSA: return "RSA"
        case EVP_PKEY_EC: return "EC"
        case EVP_PKEY_ED25519: return "Ed25519"
        case EVP_PKEY_ED448: return "Ed448"
        case EVP_PKEY_DSA: return "DSA"
        case let id: return OBJ_nid2sn(id).map { String(cString: $0) } ?? "unknown"
        }
    }

    /// The signature algorithm's long name and its digest's short name (nil when it has none).
    static func signatureAlgorithm(_ cert: OpaquePointer) -> (String, String?) {
        let nid = X509_get_signature_nid(cert)
        let name = OBJ_nid2ln(nid).map { String(cString: $0) } ?? "unknown"
        var digest: Int32 = 0
        var pkey: Int32 = 0
        guard OBJ_find_sigid_algs(nid, &digest, &pkey) == 1, digest != NID_undef else { return (name, nil) }
        return (name, OBJ_nid2sn(digest).map { String(cString: $0) })
    }

    /// Why `leaf` (with the `chain` the server sent) does not verify at `now`, or nil.
    static func trustProblem(_ leaf: OpaquePointer, chain: OpaquePointer?, caFile: String?, at now: Date) throws
        -> String?
    {
        guard let store = X509_STORE_new() else { throw DNSError(.unsupported, "OpenSSL: no certificate store") }
        defer { X509_STORE_free(store) }
        let loaded = caFile.map { X509_STORE_load_file(store, $0) == 1 } ?? (X509_STORE_set_default_paths(store) == 1)
        guard loaded else {
            throw DNSError(.unreadable, "cannot load the CA certificates \(caFile ?? "of the system")")
        }
        guard let ctx = X509_STORE_CTX_new() else { throw DNSError(.unsupported, "OpenSSL: no verification context") }
        defer { X509_STORE_CTX_free(ctx) }
        guard X509_STORE_CTX_init(ctx, store, leaf, chain) == 1 else {
            throw DNSError(.unsupported, "OpenSSL: cannot verify: \(openSSLError())")
        }
        X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx), time_t(now.timeIntervalSince1970))
        guard X509_verify_cert(ctx) != 1 else { return nil }
        ERR_clear_error()
        return String(cString: X509_verify_cert_error_string(Int(X509_STORE_CTX_get_error(ctx))))
    }
}
