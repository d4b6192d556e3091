/// A DNS record type: its code (which orders records in a zone) and its mnemonic.
public struct RRType: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let code: UInt16
    public let mnemonic: String

    public init(code: UInt16, mnemonic: String) {
        self.code = code
        self.mnemonic = mnemonic
    }

    public static let a = RRType(code: 1, mnemonic: "A")
    public static let ns = RRType(code: 2, mnemonic: "NS")
    public static let cname = RRType(code: 5, mnemonic: "CNAME")
    public static let soa = RRType(code: 6, mnemonic: "SOA")
    public static let mx = RRType(code: 15, mnemonic: "MX")
    public static let txt = RRType(code: 16, mnemonic: "TXT")
    public static let aaaa = RRType(code: 28, mnemonic: "AAAA")
    public static let srv = RRType(code: 33, mnemonic: "SRV")
    public static let ds = RRType(code: 43, mnemonic: "DS")
    public static let rrsig = RRType(code: 46, mnemonic: "RRSIG")
    public static let nsec = RRType(code: 47, mnemonic: "NSEC")
    public static let dnskey = RRType(code: 48, mnemonic: "DNSKEY")
    public static let nsec3 = RRType(code: 50, mnemonic: "NSEC3")
    public static let nsec3param = RRType(code: 51, mnemonic: "NSEC3PARAM")
    public static let tlsa = RRType(code: 52, mnemonic: "TLSA")
    public static let cds = RRType(code: 59, mnemonic: "CDS")
    public static let cdnskey = RRType(code: 60, mnemonic: "CDNSKEY")
    public static let caa = RRType(code: 257, mnemonic: "CAA")

    /// The types a template may not contain because mailkeys owns them (DNSSEC material).
    public static let dnssecTypes: Set<RRType> = [.rrsig, .nsec, .dnskey, .nsec3, .nsec3param, .cds, .cdnskey]

    /// The record types a `[ttls]` table in the policy may name.
    public static let known: [RRType] = [
        .a, .ns, .cname, .soa, .mx, .txt, .aaaa, .srv, .ds, .dnskey, .tlsa, .cds, .cdnskey, .caa,
    ]

    public var description: String { mnemonic }

    public static func < (lhs: RRType, rhs: RRType) -> Bool { lhs.code < rhs.code }
}

/// Where a record came from, for warnings and for `status`.
public enum RecordSource: Hashable, Sendable {
    /// Built by mailkeys from the policy; the string says which part (`dmarc`, `mx`, ...).
    case generated(String)
    /// Read from the user's template zone, at this line.
    case template(line: Int)
}

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

    public init(owner: DomainName, ttl: UInt32, type: RRType, rdata: String, source: RecordSource, wire: [UInt8]? = nil) {
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

/// TXT character-strings: splitting into ≤255-octet strings and presentation escaping.
public enum TXT {
    /// The longest character-string DNS allows.
    public static let maxString = 255

    /// `text` as one or more quoted presentation strings, split every 255 octets.
    public static func rdata(_ text: String) -> String {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return "\"\"" }
        var parts: [String] = []
        var start = 0
        while start < bytes.count {
            let end = min(start + maxString, bytes.count)
            parts.append(quote(bytes[start..<end]))
            start = end
        }
        return parts.joined(separator: " ")
    }

    /// One quoted string: `"` and `\` escaped, other non-printable octets as `\DDD`.
    public static func quote<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = "\""
        for b in bytes {
            switch b {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20...0x7e: out.append(Character(Unicode.Scalar(b)))
            default:
                let digits = String(b)
                out += "\\" + String(repeating: "0", count: 3 - digits.count) + digits
            }
        }
        return out + "\""
    }

    /// Decodes `\DDD` and `\X` escapes of presentation text into octets.
    static func unescape(_ chars: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < chars.count {
            if chars[i] == UInt8(ascii: "\\") && i + 1 < chars.count {
                let digits = chars[(i + 1)...].prefix(3)
                if digits.count == 3, digits.allSatisfy({ (0x30...0x39).contains($0) }),
                    let v = UInt8(String(decoding: digits, as: UTF8.self))
                {
                    out.append(v)
                    i += 4
                } else {
                    out.append(chars[i + 1])
                    i += 2
                }
            } else {
                out.append(chars[i])
                i += 1
            }
        }
        return out
    }

    /// Decodes presentation RDATA (`"a" "b"` or bare words) into the octets of each string.
    public static func decode(_ rdata: String) -> [[UInt8]] {
        var strings: [[UInt8]] = []
        let chars = Array(rdata.utf8)
        var i = 0
        while i < chars.count {
            if chars[i] == UInt8(ascii: " ") || chars[i] == UInt8(ascii: "\t") {
                i += 1
                continue
            }
            let quoted = chars[i] == UInt8(ascii: "\"")
            if quoted { i += 1 }
            var raw: [UInt8] = []
            while i < chars.count {
                let c = chars[i]
                if quoted && c == UInt8(ascii: "\"") {
                    i += 1
                    break
                }
                if !quoted && (c == UInt8(ascii: " ") || c == UInt8(ascii: "\t")) { break }
                if c == UInt8(ascii: "\\") && i + 1 < chars.count {
                    raw += [c, chars[i + 1]]
                    i += 2
                    continue
                }
                raw.append(c)
                i += 1
            }
            let current = unescape(raw)
            strings.append(current)
        }
        return strings
    }
}
