import Foundation

/// One DKIM transition due now.
public enum DKIMAction: Sendable, Equatable, CustomStringConvertible {
    /// Generate a key with this selector and publish it in the zone.
    case create(selector: String, algorithm: DKIMAlgorithm)
    /// Start signing with the key.
    case activate(selector: String)
    /// Stop signing with the key (it stays in DNS for the overlap).
    case retire(selector: String)
    /// Publish the key with an empty `p=`.
    case revoke(selector: String)
    /// Take the key out of DNS (its private half is deleted, or kept until it is revealed).
    case remove(selector: String)
    /// Publish the private key in the reveal directory (once no cache can hold the record).
    case reveal(selector: String)

    public var description: String {
        switch self {
        case .create(let s, let a): return "create and publish \(a.rawValue) key \(s)"
        case .activate(let s): return "start signing with \(s)"
        case .retire(let s): return "stop signing with \(s) (it stays in DNS for the overlap)"
        case .revoke(let s): return "publish \(s) revoked (empty p=)"
        case .remove(let s): return "remove \(s) from DNS"
        case .reveal(let s): return "reveal the private key of \(s)"
        }
    }

    public var selector: String {
        switch self {
        case .create(let s, _), .activate(let s), .retire(let s), .revoke(let s), .remove(let s), .reveal(let s):
            return s
        }
    }
}
