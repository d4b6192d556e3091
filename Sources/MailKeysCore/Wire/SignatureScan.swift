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

    /// Adds one line (`owner TTL IN TYPE RDATA`, tab-separated); false when an RRSIG line is
    /// malformed. No allocation: a splice scans every line it copies.
    mutating func add(_ b: UnsafeBufferPointer<UInt8>, _ line: Range<Int>) -> Bool {
        // The fourth tab-separated field is the type.
        var i = line.lowerBound
        for _ in 0..<3 {
            while i < line.upperBound && b[i] != 0x09 { i += 1 }
            i += 1
        }
        // "RRSIG\t"
        guard i + 6 <= line.upperBound, b[i] == 0x52, b[i + 1] == 0x52, b[i + 2] == 0x53, b[i + 3] == 0x49,
            b[i + 4] == 0x47,
            b[i + 5] == 0x09
        else { return true }
        i += 6
        // RDATA: type covered, algorithm, labels, original TTL, expiration, inception, key tag.
        var expiration: UInt32?
        var inception: UInt32?
        var tag: Int?
        for field in 0..<7 {
            let start = i
            while i < line.upperBound && b[i] != 0x20 && b[i] != 0x09 { i += 1 }
            switch field {
            case 4: expiration = Self.time(b, start..<i)
            case 5: inception = Self.time(b, start..<i)
            case 6: tag = Self.number(b, start..<i)
            default: break
            }
            i += 1
        }
        guard let expiration, let inception, let tag, tag <= 65535 else { return false }
        count += 1
        earliestExpiration = min(earliestExpiration, expiration)
        latestInception = max(latestInception, inception)
        keyTags.insert(UInt16(tag))
        return true
    }

    /// A decimal of at most 10 digits.
    static func number(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> Int? {
        guard !r.isEmpty, r.count <= 10, r.upperBound <= b.count else { return nil }
        var n = 0
        for j in r {
            guard b[j] >= 0x30 && b[j] <= 0x39 else { return nil }
            n = n * 10 + Int(b[j] - 0x30)
        }
        return n
    }

    /// An RRSIG time, `YYYYMMDDHHmmSS` (or plain seconds), as ``DNSSECWire/parseTime(_:)`` reads it.
    static func time(_ b: UnsafeBufferPointer<UInt8>, _ r: Range<Int>) -> UInt32? {
        guard r.count == 14, r.upperBound <= b.count else { return number(b, r).flatMap { UInt32(exactly: $0) } }
        guard let date = number(b, r.lowerBound..<r.lowerBound + 8),
            let clock = number(b, r.lowerBound + 8..<r.upperBound)
        else { return nil }
        return DNSSECWire.seconds(
            year: date / 10000,
            month: date / 100 % 100,
            day: date % 100,
            hour: clock / 10000,
            minute: clock / 100 % 100,
            second: clock % 100
        )
    }
}
