/// What the RRSIG lines of a signed zone file say, read from its bytes: how many there are, the
/// earliest expiration, the latest inception and the key tags that signed. Used to check the
/// claims a zone map makes about the part of a signed file a splice copies without reading it
/// (the map is a cache: it never vouches for what is published).
public struct SignatureScan: Equatable, Sendable {
    public var count = 0
    public var earliestExpiration = UInt32.max
    public var latestInception = UInt32(0)
    public var keyTags: Set<UInt16> = []

    public init() {}

    /// Scans the lines of `bytes` within `ranges` (each starting at a line start).
    public static func scan(_ bytes: UnsafeBufferPointer<UInt8>, ranges: [Range<Int>]) -> SignatureScan? {
        var out = SignatureScan()
        for r in ranges {
            var at = r.lowerBound
            while at < r.upperBound {
                var end = at
                while end < r.upperBound && bytes[end] != 0x0A { end += 1 }
                if !out.add(bytes, at..<end) { return nil }
                at = end + 1
            }
        }
        return out
    }

    /// Adds one line (`owner TTL IN TYPE RDATA`, tab-separated); false when an RRSIG line is malformed.
    mutating func add(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Bool {
        // The fourth tab-separated field is the type.
        var i = line.lowerBound
        for _ in 0..<3 {
            while i < line.upperBound && b[i] != 0x09 { i += 1 }
            i += 1
        }
        let rrsig: [UInt8] = Array("RRSIG\t".utf8)
        guard i + rrsig.count <= line.upperBound, (0..<rrsig.count).allSatisfy({ b[i + $0] == rrsig[$0] }) else { return true }
        i += rrsig.count
        // RDATA: type covered, algorithm, labels, original TTL, expiration, inception, key tag.
        var fields: [Range<Int>] = []
        while fields.count < 7 && i < line.upperBound {
            let start = i
            while i < line.upperBound && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            fields.append(start..<i)
            i += 1
        }
        guard fields.count == 7, let expiration = Self.time(b, fields[4]), let inception = Self.time(b, fields[5]), fields[6].count <= 5 else {
            return false
        }
        var tag = 0
        for j in fields[6] {
            guard (0x30...0x39).contains(b[j]) else { return false }
            tag = tag * 10 + Int(b[j] - 0x30)
        }
        guard tag <= 65535 else { return false }
        count += 1
        earliestExpiration = min(earliestExpiration, expiration)
        latestInception = max(latestInception, inception)
        keyTags.insert(UInt16(tag))
        return true
    }

    static func time(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt32? {
        DNSSECWire.parseTime(String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self))
    }
}
