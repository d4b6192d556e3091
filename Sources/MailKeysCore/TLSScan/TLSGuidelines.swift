/// The NCSC TLS guidelines (2025) as internet.nl's mail test applies them, for the names
/// OpenSSL gives: versions, cipher suites, key-exchange groups, certificate keys and signatures.
/// Anything not listed as good, sufficient or phase out is insufficient.
public enum TLSGuidelines {
    /// TLS 1.3 good, 1.2 sufficient, everything older insufficient.
    public static func version(_ v: String) -> TLSClass {
        switch v {
        case "TLSv1.3": return .good
        case "TLSv1.2": return .sufficient
        default: return .insufficient
        }
    }

    /// The class of a cipher suite by its OpenSSL name (TLS 1.3 suites by their IANA name).
    public static func cipher(_ name: String) -> TLSClass {
        if goodCiphers.contains(name) { return .good }
        if sufficientCiphers.contains(name) { return .sufficient }
        if phaseOutCiphers.contains(name) { return .phaseOut }
        return .insufficient
    }

    static let goodCiphers: Set<String> = ["TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256"]
    static let sufficientCiphers: Set<String> = [
        "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-CCM",
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-CCM",
        "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES128-GCM-SHA256",
    ]
    static let phaseOutCiphers: Set<String> = [
        "ECDHE-ECDSA-CAMELLIA256-SHA384", "ECDHE-ECDSA-CAMELLIA128-SHA256", "ECDHE-ECDSA-ARIA256-GCM-SHA384",
        "ECDHE-ECDSA-ARIA128-GCM-SHA256", "ECDHE-ECDSA-AES256-SHA384", "ECDHE-ECDSA-AES128-SHA256",
        "ECDHE-RSA-CAMELLIA256-SHA384", "ECDHE-RSA-CAMELLIA128-SHA256", "ECDHE-ARIA256-GCM-SHA384",
        "ECDHE-ARIA128-GCM-SHA256", "ECDHE-RSA-AES256-SHA384", "ECDHE-RSA-AES128-SHA256",
        "DHE-RSA-CHACHA20-POLY1305", "DHE-RSA-CAMELLIA256-SHA256", "DHE-RSA-CAMELLIA128-SHA256",
        "DHE-RSA-ARIA256-GCM-SHA384", "DHE-RSA-ARIA128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-AES256-CCM",
        "DHE-RSA-AES256-SHA256", "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES128-CCM", "DHE-RSA-AES128-SHA256",
    ]

    /// An elliptic curve or RFC 7919 group offered for key exchange (names as ``TLSProfile/groups``).
    public static func group(_ name: String) -> TLSClass {
        switch name {
        case "x25519", "x448", "secp256r1", "prime256v1", "secp384r1", "secp521r1", "brainpoolP256r1",
            "brainpoolP384r1", "brainpoolP512r1":
            return .good
        case "secp224r1", "ffdhe3072", "ffdhe4096", "ffdhe6144", "ffdhe8192": return .phaseOut
        default: return .insufficient
        }
    }

    /// The server's own DHE group: only RFC 7919's ffdhe3072 and larger are allowed (phase out);
    /// ffdhe2048 and any group of the server's own making are insufficient, whatever their size.
    public static func serverDH(bits: Int, group: String?) -> TLSClass {
        guard let group, group.hasPrefix("ffdhe"), bits >= 3072 else { return .insufficient }
        return .phaseOut
    }

    /// A certificate's public key: RSA 3072+ good, 2048+ phase out; the good curves; EdDSA good.
    public static func certificateKey(_ c: TLSCertificateFacts) -> TLSClass {
        switch c.keyType {
        case "RSA": return c.keyBits >= 3072 ? .good : c.keyBits >= 2048 ? .phaseOut : .insufficient
        case "EC": return c.curve.map(group) ?? .insufficient
        case "Ed25519", "Ed448": return .good
        default: return .insufficient
        }
    }

    /// A certificate's signature: RSA or ECDSA with SHA-256/384/512 and EdDSA sufficient,
    /// SHA-224 phase out, anything else (SHA-1, MD5, DSA, RSASSA-PSS) insufficient.
    public static func signature(_ c: TLSCertificateFacts) -> TLSClass {
        guard ["RSA", "EC", "Ed25519", "Ed448"].contains(c.keyType) else { return .insufficient }
        switch c.signatureHash {
        case nil:
            return c.keyType.hasPrefix("Ed") && c.signature.uppercased().hasPrefix("ED") ? .sufficient : .insufficient
        case "SHA256", "SHA384", "SHA512": return c.signature.lowercased().contains("pss") ? .insufficient : .sufficient
        case "SHA224": return .phaseOut
        default: return .insufficient
        }
    }
}
