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
