import Foundation

/// A DKIM signing algorithm mailkeys generates keys for.
public enum DKIMAlgorithm: String, Sendable, CaseIterable, Codable {
    /// RSA-SHA256 (RFC 6376, RFC 8301: at least 1024 bits to verify, 2048 to sign).
    case rsa
    /// Ed25519-SHA256 (RFC 8463).
    case ed25519

    /// The letter that ends a selector of this algorithm.
    public var selectorSuffix: String { self == .rsa ? "r" : "e" }
}
