/// What a TLS scan of one mail server found: the versions, cipher suites, key-exchange groups and
/// options it accepts, and its certificate. Plain data read by ``TLSGrades``; the scan itself
/// (OpenSSL handshakes over STARTTLS) is `TLSScan` in MailKeysDNS.
public struct TLSProfile: Sendable, Equatable, Codable {
    /// The protocol versions a handshake succeeded with, in OpenSSL's names, oldest first
    /// (`TLSv1`, `TLSv1.1`, `TLSv1.2`, `TLSv1.3`).
    public var versions: [String] = []
    /// The TLS 1.0–1.2 cipher suites accepted, OpenSSL names, in the order the server picked them
    /// when offered all that were left (its own order when ``serverOrder`` is true).
    public var ciphers: [String] = []
    /// The TLS 1.3 cipher suites accepted (IANA names), in the same picking order.
    public var suites13: [String] = []
    /// Whether the server chooses by its own preference rather than the client's: nil with fewer
    /// than two TLS 1.0–1.2 suites (nothing to order).
    public var serverOrder: Bool?
    /// The key-exchange groups accepted when offered alone (`x25519`, `secp256r1`, `ffdhe3072`, …).
    public var groups: [String] = []
    /// Finite-field DHE offered without any named group: the size in bits of the server's own
    /// group, and its RFC 7919 name when it is one (nil: no DHE suite is accepted).
    public var dhBits: Int?
    public var dhGroup: String?
    /// The server signs a TLS 1.2 (EC)DHE key exchange with SHA-1 (or SHA-224) when a client
    /// offers nothing better (nil: it has no (EC)DHE suite with a signature).
    public var sha1KeyExchange: Bool?
    public var sha224KeyExchange: Bool?
    /// The server chose DEFLATE when the ClientHello offered it (nil: it answered no such hello).
    public var compression: Bool?
    /// RFC 5746 secure renegotiation announced (nil: no TLS 1.2 or older).
    public var secureRenegotiation: Bool?
    /// A client-initiated renegotiation was completed (nil: no TLS 1.2 or older).
    public var clientRenegotiation: Bool?
    /// RFC 7627 Extended Master Secret in a TLS 1.2 handshake (nil: no TLS 1.2 or older).
    public var extendedMasterSecret: Bool?
    /// The leaf certificates served (one per key type the server has).
    public var certificates: [TLSCertificateFacts] = []

    public init() {}
}

/// One served leaf certificate as `check` judges it.
public struct TLSCertificateFacts: Sendable, Equatable, Codable {
    /// `RSA`, `EC`, `Ed25519`, `Ed448`, `DSA` or OpenSSL's name for another kind.
    public var keyType: String
    public var keyBits: Int
    /// The named curve of an EC key (`prime256v1`, `secp384r1`, …).
    public var curve: String?
    /// The signature algorithm (`sha256WithRSAEncryption`) and its hash (`SHA256`; nil for
    /// EdDSA, which has none to choose).
    public var signature: String
    public var signatureHash: String?
    /// The certificate is valid for the MX host name (its SAN, RFC 6125).
    public var nameMatches: Bool
    /// The chain verifies at the run's `now` against the system's CAs (or `--ca`); else why not.
    public var trustProblem: String?

    public init(
        keyType: String,
        keyBits: Int,
        curve: String?,
        signature: String,
        signatureHash: String?,
        nameMatches: Bool,
        trustProblem: String?
    ) {
        self.keyType = keyType
        self.keyBits = keyBits
        self.curve = curve
        self.signature = signature
        self.signatureHash = signatureHash
        self.nameMatches = nameMatches
        self.trustProblem = trustProblem
    }
}
