import Foundation
import MailKeysCore

/// A key row: every key mailkeys tracks (DKIM, TLS, DNSSEC) with its lifecycle timestamps.
public struct KeyRow: Sendable, Equatable {
    /// The row id.
    public var id: Int64
    /// The domain the key belongs to.
    public var domain: DomainName
    /// `dkim`, `tls` or `dnssec`.
    public var kind: String
    /// The selector (DKIM) or key tag (DNSSEC).
    public var name: String
    /// The algorithm as the store writes it.
    public var algorithm: String
    /// When the key was made.
    public var createdAt: Date
    /// When it entered the zone.
    public var publishedAt: Date?
    /// When it started signing.
    public var activeAt: Date?
    /// When it stopped signing.
    public var retiredAt: Date?
    /// When it left the zone.
    public var removedAt: Date?
}
