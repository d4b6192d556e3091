/// One resource record with its RDATA in presentation form (names absolute, with the dot).
public struct Record: Hashable, Sendable {
    public var owner: DomainName
    public var ttl: UInt32
    public var type: RRType
    public var rdata: String
    public var source: RecordSource
    /// The RDATA in canonical wire form (RFC 4034 §6.2) when the parser that read the record
    /// kept it (template records); the signer encodes the others itself. Not part of equality.
    public var wire: [UInt8]?

    public init(owner: DomainName, ttl: UInt32, type: RRType, rdata: String, source: RecordSource, wire: [UInt8]? = nil)
    {
        self.owner = owner
        self.ttl = ttl
        self.type = type
        self.rdata = rdata
        self.source = source
        self.wire = wire
    }

    public static func == (a: Record, b: Record) -> Bool {
        a.owner == b.owner && a.ttl == b.ttl && a.type == b.type && a.rdata == b.rdata && a.source == b.source
    }

    public func hash(into h: inout Hasher) {
        h.combine(owner)
        h.combine(ttl)
        h.combine(type)
        h.combine(rdata)
        h.combine(source)
    }

    /// For TXT records, the character-strings decoded and concatenated (what SPF, DMARC, DKIM
    /// parsers read); nil for other types.
    public var text: String? {
        guard type == .txt else { return nil }
        return String(decoding: TXT.decode(rdata).joined(), as: UTF8.self)
    }

    /// What the record is for when it is a TXT with a well-known version tag; decides whether a
    /// template TXT replaces a generated one (same owner and purpose) or joins it.
    public var txtPurpose: String? {
        guard let text = text else { return nil }
        let lower = text.lowercased()
        for tag in ["v=spf1", "v=dmarc1", "v=stsv1", "v=tlsrptv1", "v=dkim1"]
        where lower == tag || lower.hasPrefix(tag + " ") || lower.hasPrefix(tag + ";") {
            return tag
        }
        return nil
    }
}
