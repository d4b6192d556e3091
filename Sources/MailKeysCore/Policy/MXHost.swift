import Foundation

/// An MX target with its preference.
public struct MXHost: Sendable, Equatable {
    public var host: DomainName
    public var preference: UInt16
    public var addresses: [IPAddress]
}
