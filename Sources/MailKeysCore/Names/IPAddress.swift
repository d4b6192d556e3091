/// An IPv4 or IPv6 address, parsed strictly and printed in canonical form (RFC 5952 for IPv6).
public enum IPAddress: Hashable, Sendable, CustomStringConvertible {
    case v4([UInt8])
    case v6([UInt16])

    /// Parses `text` as an IPv4 dotted quad (no leading zeros, each part 0–255) or an IPv6 address
    /// (with `::` compression and an optional embedded IPv4 tail); anything else throws.
    public init(_ text: String) throws {
        if let v4 = Self.parseV4(Substring(text)) {
            self = .v4(v4)
        } else if text.contains(":"), let v6 = Self.parseV6(text) {
            self = .v6(v6)
        } else {
            throw CoreError(.invalidAddress, "\(Quote.short(text)) is not an IPv4 or IPv6 address")
        }
    }

    /// Whether this is an IPv4 address (an `A` record) rather than IPv6 (`AAAA`).
    public var isV4: Bool {
        if case .v4 = self { return true }
        return false
    }

    /// The record type that publishes this address.
    public var recordType: RRType { isV4 ? .a : .aaaa }

    static func parseV4(_ text: Substring) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var out: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            if part.count > 1 && part.hasPrefix("0") { return nil }
            guard let value = UInt8(part) else { return nil }
            out.append(value)
        }
        return out
    }

    static func parseV6(_ text: String) -> [UInt16]? {
        var body = Substring(text)
        var tail: [UInt16] = []
        if let lastColon = body.lastIndex(of: ":"), body[body.index(after: lastColon)...].contains(".") {
            guard let v4 = parseV4(body[body.index(after: lastColon)...]) else { return nil }
            tail = [UInt16(v4[0]) << 8 | UInt16(v4[1]), UInt16(v4[2]) << 8 | UInt16(v4[3])]
            body = body[...lastColon]
            if body.hasSuffix("::") {
                // keep "::" intact
            } else {
                body = body.dropLast()
            }
        }
        func groups(_ s: Substring) -> [UInt16]? {
            if s.isEmpty { return [] }
            var out: [UInt16] = []
            for g in s.split(separator: ":", omittingEmptySubsequences: false) {
                guard (1...4).contains(g.count), g.allSatisfy(\.isHexDigit), let v = UInt16(g, radix: 16) else {
                    return nil
                }
                out.append(v)
            }
            return out
        }
        let halves = body.components(separatedBy: "::")
        var result: [UInt16]
        switch halves.count {
        case 1:
            guard let all = groups(Substring(halves[0])) else { return nil }
            result = all + tail
            guard result.count == 8 else { return nil }
        case 2:
            guard let head = groups(Substring(halves[0])), let rest = groups(Substring(halves[1])) else { return nil }
            let known = head.count + rest.count + tail.count
            guard known <= 7 else { return nil }
            result = head + Array(repeating: 0, count: 8 - known) + rest + tail
        default:
            return nil
        }
        return result
    }

    /// Canonical text: dotted quad, or RFC 5952 (lower case, longest zero run of 2+ groups as `::`).
    public var description: String {
        switch self {
        case .v4(let b):
            return b.map(String.init).joined(separator: ".")
        case .v6(let g):
            if g[0..<5].allSatisfy({ $0 == 0 }) && g[5] == 0xffff {
                return "::ffff:\(g[6] >> 8).\(g[6] & 0xff).\(g[7] >> 8).\(g[7] & 0xff)"
            }
            var bestStart = -1
            var bestLen = 0
            var i = 0
            while i < 8 {
                if g[i] == 0 {
                    var j = i
                    while j < 8 && g[j] == 0 { j += 1 }
                    if j - i > bestLen {
                        bestStart = i
                        bestLen = j - i
                    }
                    i = j
                } else {
                    i += 1
                }
            }
            let hex = g.map { String($0, radix: 16) }
            if bestLen < 2 { return hex.joined(separator: ":") }
            let head = hex[0..<bestStart].joined(separator: ":")
            let tail = hex[(bestStart + bestLen)...].joined(separator: ":")
            return head + "::" + tail
        }
    }
}
