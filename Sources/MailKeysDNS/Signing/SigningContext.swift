import COpenSSL

/// One thread's signing state for one key, reused for every signature: a digest context and a
/// signing context initialised once (ECDSA and RSA sign a SHA-256 digest; Ed25519 signs the data).
final class SigningContext {
    let algorithm: UInt8
    let pkey: OpaquePointer
    let md: OpaquePointer
    let mdctx: OpaquePointer
    let pctx: OpaquePointer?
    var sig = [UInt8](repeating: 0, count: 1024)
    var raw = [UInt8](repeating: 0, count: 64)

    init(_ key: LoadedKey) throws {
        algorithm = key.algorithm
        pkey = key.pkey
        // An explicitly fetched digest: EVP_sha256() would be fetched again on every init.
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { throw DNSError(.unsupported, "OpenSSL has no SHA-256") }
        self.md = md
        mdctx = EVP_MD_CTX_new()
        if algorithm == 15 {
            pctx = nil
            return
        }
        guard let ctx = EVP_PKEY_CTX_new(pkey, nil), EVP_PKEY_sign_init(ctx) == 1 else {
            throw DNSError(.unsupported, "OpenSSL cannot sign with key \(key.tag)")
        }
        pctx = ctx
        if algorithm == 8 {
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1, EVP_PKEY_CTX_set_signature_md(ctx, md) == 1
            else {
                throw DNSError(.unsupported, "OpenSSL cannot set RSA PKCS#1 v1.5 with SHA-256")
            }
        }
    }

    deinit {
        EVP_MD_CTX_free(mdctx)
        EVP_MD_free(md)
        if let pctx { EVP_PKEY_CTX_free(pctx) }
    }

    /// Appends the DNSSEC signature over `data` to `out` in base64: r‖s for ECDSA (RFC 6605), raw
    /// for RSA and Ed25519.
    func sign(_ data: [UInt8], base64Into out: inout [UInt8]) throws {
        try sign(data) { out.append(base64: $0) }
    }

    private func sign(_ data: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws {
        var length = sig.count
        if algorithm == 15 {
            guard EVP_DigestSignInit(mdctx, nil, nil, nil, pkey) == 1,
                EVP_DigestSign(mdctx, &sig, &length, data, data.count) == 1
            else {
                throw DNSError(.unsupported, "Ed25519 signing failed")
            }
            return sig.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        }
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        try withUnsafeMutableBytes(of: &digest) { d in
            let dp = d.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var size: UInt32 = 0
            guard EVP_DigestInit_ex(mdctx, md, nil) == 1, EVP_DigestUpdate(mdctx, data, data.count) == 1,
                EVP_DigestFinal_ex(mdctx, dp, &size) == 1,
                EVP_PKEY_sign(pctx, &sig, &length, dp, 32) == 1
            else { throw DNSError(.unsupported, "signing failed") }
        }
        if algorithm != 13 { return sig.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) } }
        guard Self.rawECDSA(sig, length: length, size: 32, into: &raw) else {
            throw DNSError(.unsupported, "bad ECDSA signature from OpenSSL")
        }
        raw.withUnsafeBytes { body($0) }
    }

    /// Converts a DER `SEQUENCE { INTEGER r, INTEGER s }` (the first `length` octets of `der`)
    /// into r‖s, each left-padded to `size`, in `out` (2 × `size` octets); false if malformed.
    static func rawECDSA(_ der: [UInt8], length end: Int, size: Int, into out: inout [UInt8]) -> Bool {
        var i = 0
        func length() -> Int? {
            guard i < end else { return nil }
            let first = Int(der[i])
            i += 1
            if first < 0x80 { return first }
            let n = first & 0x7F
            guard n <= 2, i + n <= end else { return nil }
            var v = 0
            for k in 0..<n { v = v << 8 | Int(der[i + k]) }
            i += n
            return v
        }
        guard end > 0, der[0] == 0x30 else { return false }
        i = 1
        guard length() != nil else { return false }
        for part in 0..<2 {
            guard i < end, der[i] == 0x02 else { return false }
            i += 1
            guard var n = length(), i + n <= end else { return false }
            var start = i
            i += n
            while n > size, der[start] == 0 {
                start += 1
                n -= 1
            }
            guard n <= size else { return false }
            let base = part * size
            for k in 0..<(size - n) { out[base + k] = 0 }
            for k in 0..<n { out[base + size - n + k] = der[start + k] }
        }
        return true
    }
}
