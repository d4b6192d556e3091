import Foundation
import MailKeysCore

/// An entry of the store's event log.
public struct EventRow: Sendable, Equatable {
    /// When it happened.
    public var at: Date
    /// The domain it concerns (nil: the whole home).
    public var domain: DomainName?
    /// What happened, one word (`init`, `dkim`, `zone-build`, ...).
    public var action: String
    /// The details, for a person.
    public var detail: String
}
