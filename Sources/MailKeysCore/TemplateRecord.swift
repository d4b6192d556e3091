/// A record as read from a user's template zone (`Zones/<domain>.zone.in`): absolute owner,
/// type, TTL and RDATA in presentation form, and the line it ended on.
public struct TemplateRecord: Sendable, Equatable {
    public var owner: DomainName
    public var ttl: UInt32
    public var type: RRType
    public var rdata: String
    public var line: Int

    public init(owner: DomainName, ttl: UInt32, type: RRType, rdata: String, line: Int) {
        self.owner = owner
        self.ttl = ttl
        self.type = type
        self.rdata = rdata
        self.line = line
    }
}
