/// A record as read from a user's template zone (`Zones/<domain>.zone.in`): absolute owner,
/// type, TTL and RDATA in presentation form, and the line it ended on.
public struct TemplateRecord: Sendable, Equatable {
    public var owner: DomainName
    public var ttl: UInt32
    public var type: RRType
    public var rdata: String
    public var line: Int
    /// The RDATA in canonical wire form, when the reader kept it (see ``Record/wire``); not part
    /// of equality.
    public var wire: [UInt8]?

    public init(owner: DomainName, ttl: UInt32, type: RRType, rdata: String, line: Int, wire: [UInt8]? = nil) {
        self.owner = owner
        self.ttl = ttl
        self.type = type
        self.rdata = rdata
        self.line = line
        self.wire = wire
    }

    public static func == (a: TemplateRecord, b: TemplateRecord) -> Bool {
        a.owner == b.owner && a.ttl == b.ttl && a.type == b.type && a.rdata == b.rdata && a.line == b.line
    }
}
