import Foundation

/// CAA (RFC 8659) properties for the zone apex.
public struct CAAPolicy: Sendable, Equatable {
    public var issue: [String]
    public var issuewild: [String]
    public var iodef: [String]
}
