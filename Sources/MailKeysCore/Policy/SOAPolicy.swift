import Foundation

/// SOA fields the operator controls; the serial belongs to the store.
public struct SOAPolicy: Sendable, Equatable {
    public var mname: DomainName
    public var rname: DomainName
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The negative-caching TTL (RFC 2308).
    public var minimum: UInt32
}
