import Foundation

/// A complete zone: the SOA plus every other record, rendered in a deterministic order.
public struct Zone: Sendable, Equatable {
    public var origin: DomainName
    public var defaultTTL: UInt32
    public var soa: SOAData
    /// All records but the SOA, in canonical order (see ``sort()``).
    public var records: [Record]

    public init(origin: DomainName, defaultTTL: UInt32, soa: SOAData, records: [Record]) {
        self.origin = origin
        self.defaultTTL = defaultTTL
        self.soa = soa
        self.records = records
        sort()
    }

    /// A zone whose records are already in ``sort(_:)`` order (a large zone is not copied again).
    public init(origin: DomainName, defaultTTL: UInt32, soa: SOAData, sortedRecords: [Record]) {
        self.origin = origin
        self.defaultTTL = defaultTTL
        self.soa = soa
        self.records = sortedRecords
    }

    /// Canonical owner order (RFC 4034 §6.1), then type code (NS first at the apex after the
    /// SOA), then RDATA text: the same input always gives the same file.
    public mutating func sort() { Self.sort(&records) }

    /// Sorts records in zone order (see ``sort()``).
    public static func sort(_ records: inout [Record]) {
        records.sort { a, b in
            if a.owner != b.owner { return a.owner < b.owner }
            if a.type != b.type {
                return (a.type == .ns ? 0 : Int(a.type.code)) < (b.type == .ns ? 0 : Int(b.type.code))
            }
            return a.rdata < b.rdata
        }
    }

    /// The SOA RDATA with `serial`.
    public func soaRDATA(serial: UInt32) -> String {
        "\(soa.mname.fqdn) \(soa.rname.fqdn) \(serial) \(soa.refresh) \(soa.retry) \(soa.expire) \(soa.minimum)"
    }

    /// RFC 1035 presentation format with `$ORIGIN` and `$TTL`, owners relative to the origin,
    /// names inside RDATA absolute. `header` lines are written as comments first.
    public func render(serial: UInt32, header: [String] = []) -> String {
        render(serial: serial, header: header, tracking: []).text
    }

    /// ``render(serial:header:)`` with the UTF-8 byte range of each owner in `owners` that has
    /// records: the apex's starts at 0 (header and SOA included), any other owner's covers its
    /// record lines. Owners are contiguous because the records are in canonical order.
    public func render(serial: UInt32, header: [String] = [], tracking owners: Set<DomainName>) -> (
        text: String, blocks: [DomainName: Range<Int>]
    ) {
        var out = header.map { "; \($0)\n" }.joined()
        out += "$ORIGIN \(origin.fqdn)\n$TTL \(defaultTTL)\n"
        out += line(owner: origin, ttl: soa.ttl, type: .soa, rdata: soaRDATA(serial: serial))
        var blocks: [DomainName: Range<Int>] = [:]
        var open: (DomainName, Int)? = owners.contains(origin) ? (origin, 0) : nil
        var last = origin
        for r in records {
            if r.owner != last {
                if let (name, start) = open { blocks[name] = start..<out.utf8.count }
                open = owners.contains(r.owner) ? (r.owner, out.utf8.count) : nil
                last = r.owner
            }
            out += line(owner: r.owner, ttl: r.ttl, type: r.type, rdata: r.rdata)
        }
        if let (name, start) = open { blocks[name] = start..<out.utf8.count }
        return (out, blocks)
    }

    private func line(owner: DomainName, ttl: UInt32, type: RRType, rdata: String) -> String {
        let name = owner.relative(to: origin)
        let pad = name.count < 24 ? String(repeating: " ", count: 24 - name.count) : " "
        return "\(name)\(pad)\(ttl)\tIN\t\(type.mnemonic)\t\(rdata)\n"
    }

    /// The records at `owner` of `type`.
    public func rrset(_ owner: DomainName, _ type: RRType) -> [Record] {
        records.filter { $0.owner == owner && $0.type == type }
    }
}
