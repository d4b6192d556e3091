import Foundation

/// The key type of a TLS certificate: RSA and ECDSA certificates of one host get their own TLSA
/// records, and Let's Encrypt issues each type from its own intermediates.
public enum TLSKeyType: String, Sendable, CaseIterable, Codable {
    case rsa, ecdsa
}
