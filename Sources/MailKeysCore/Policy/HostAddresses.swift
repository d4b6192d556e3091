import Foundation

/// A host with the addresses mailkeys publishes for it when it lies inside the zone.
public struct HostAddresses: Sendable, Equatable {
    public var name: DomainName
    public var addresses: [IPAddress]
}
