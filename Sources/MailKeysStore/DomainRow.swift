import Foundation
import MailKeysCore

/// A domain row of the store.
public struct DomainRow: Sendable, Equatable {
    /// The mail domain.
    public var name: DomainName
    /// The serial and hashes of the zone last written.
    public var state: ZoneState
    /// When the zone was last written (nil: never).
    public var builtAt: Date?
    /// When the store first saw the domain.
    public var addedAt: Date
}
