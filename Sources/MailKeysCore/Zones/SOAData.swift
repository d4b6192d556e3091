import Foundation

/// SOA values as they appear in a zone, without the serial (which the store owns).
public struct SOAData: Sendable, Equatable {
    public var ttl: UInt32
    public var mname: DomainName
    public var rname: DomainName
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    public var minimum: UInt32
}
