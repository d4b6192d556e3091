import Foundation

/// Where a DKIM key stands at a moment, derived from its timestamps (never stored).
public enum DKIMState: String, Sendable, Codable {
    /// Generated, not yet in DNS.
    case created
    /// In DNS, not yet signing (waiting for `publish_ahead`).
    case published
    /// Signing.
    case active
    /// No longer signing, still in DNS for mail in transit.
    case retired
    /// In DNS with an empty `p=`.
    case revoked
    /// Gone from DNS.
    case removed
}
