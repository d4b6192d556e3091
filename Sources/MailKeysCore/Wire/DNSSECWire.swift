import Foundation

/// The wire-format pieces DNSSEC signing needs (RFC 4034, RFC 5155), in pure Swift: canonical
/// names, type bitmaps, RRSIG headers and canonical RRsets, NSEC3 hashes as base32hex, and the
/// RRSIG time format.
public enum DNSSECWire {
    /// The name in canonical wire form (RFC 4034 §6.2): length-prefixed labels, ASCII letters
    /// lower-cased, escapes decoded, ending in the root label.
    public static func canonicalName(_ name: DomainName) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(name.wireLength)
        for label in name.labels {
            let octets = label.utf8.contains(UInt8(ascii: "\\")) ? DomainName.octets(label) : Array(label.utf8)
            out.append(UInt8(truncatingIfNeeded: octets.count))
            for b in octets { out.append((0x41...0x5A).contains(b) ? b | 0x20 : b) }
        }
        out.append(0)
        return out
    }

    /// The RRSIG labels field: the owner's labels without the root and without a leading `*`.
    public static func labelCount(_ name: DomainName) -> UInt8 {
        UInt8(truncatingIfNeeded: name.labels.first == "*" ? name.labels.count - 1 : name.labels.count)
    }

    /// The NSEC/NSEC3 type bitmap (RFC 4034 §4.1.2): window blocks of up to 32 octets.
    public static func typeBitmap(_ types: [UInt16]) -> [UInt8] {
        var windows: [UInt8: [UInt8]] = [:]
        for t in Set(types) {
            let window = UInt8(t >> 8)
            let low = Int(t & 0xFF)
            var bits = windows[window] ?? []
            if bits.count <= low / 8 { bits += [UInt8](repeating: 0, count: low / 8 + 1 - bits.count) }
            bits[low / 8] |= 0x80 >> UInt8(low % 8)
            windows[window] = bits
        }
        var out: [UInt8] = []
        for window in windows.keys.sorted() {
            let bits = windows[window]!
            out += [window, UInt8(bits.count)] + bits
        }
        return out
    }

    /// RFC 4648 base32 with the extended hex alphabet, lower case, no padding (NSEC3 owners).
    public static func base32hex(_ bytes: [UInt8]) -> String {
        let alphabet = Array("0123456789abcdefghijklmnopqrstuv".utf8)
        var out: [UInt8] = []
        var buffer: UInt64 = 0
        var bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt64(b)
            bits += 8
            while bits >= 5 {
                bits -= 5
                out.append(alphabet[Int(buffer >> UInt64(bits) & 31)])
            }
        }
        if bits > 0 { out.append(alphabet[Int(buffer << UInt64(5 - bits) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// An RRSIG time in presentation form, `YYYYMMDDHHmmSS` UTC.
    public static func time(_ t: UInt32) -> String {
        let days = Int(t / 86400)
        let secs = Int(t % 86400)
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        let z = days + 719_468
        let era = z / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        return String(format: "%04d%02d%02d%02d%02d%02d", year, month, day, secs / 3600, secs / 60 % 60, secs % 60)
    }

    /// Parses an RRSIG time written as `YYYYMMDDHHmmSS` (or as plain seconds since 1970).
    public static func parseTime<S: StringProtocol>(_ text: S) -> UInt32? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else { return nil }
        guard digits.count == 14 else { return UInt32(String(text)) }
        func n(_ r: Range<Int>) -> Int { digits[r].reduce(0) { $0 * 10 + Int($1 - 0x30) } }
        let (y0, m, d) = (n(0..<4), n(4..<6), n(6..<8))
        return seconds(year: y0, month: m, day: d, hour: n(8..<10), minute: n(10..<12), second: n(12..<14))
    }

    /// Seconds since 1970 of a UTC civil time (H. Hinnant's days-from-civil); nil when a field
    /// is out of range or the result does not fit 32 bits.
    public static func seconds(year y0: Int, month m: Int, day d: Int, hour: Int, minute: Int, second: Int) -> UInt32? {
        guard (1...12).contains(m), (1...31).contains(d), hour < 24, minute < 60, second < 61 else { return nil }
        let y = m <= 2 ? y0 - 1 : y0
        let era = y / 400
        let yoe = y - era * 400
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return UInt32(exactly: days * 86400 + hour * 3600 + minute * 60 + second)
    }

    /// Appends the RRSIG RDATA up to (not including) the signature to `out`: what precedes the
    /// RRset in the signed data (RFC 4034 §3.1.8.1).
    public static func appendRRSIGHeader(
        _ out: inout [UInt8],
        covered: UInt16,
        algorithm: UInt8,
        labels: UInt8,
        originalTTL: UInt32,
        expiration: UInt32,
        inception: UInt32,
        keyTag: UInt16,
        signer: [UInt8]
    ) {
        append16(&out, covered)
        out.append(algorithm)
        out.append(labels)
        append32(&out, originalTTL)
        append32(&out, expiration)
        append32(&out, inception)
        append16(&out, keyTag)
        out += signer
    }

    /// The RRset in canonical form (RFC 4034 §6.3): each RR as owner, type, class IN, `ttl`,
    /// RDLENGTH, RDATA, ordered by RDATA octets, duplicates dropped; appended to `out`.
    public static func appendRRset(_ out: inout [UInt8], owner: [UInt8], type: UInt16, ttl: UInt32, rdatas: [[UInt8]]) {
        var previous: [UInt8]? = nil
        for rdata in rdatas.sorted(by: { $0.lexicographicallyPrecedes($1) }) where rdata != previous {
            out += owner
            append16(&out, type)
            append16(&out, 1)
            append32(&out, ttl)
            append16(&out, UInt16(truncatingIfNeeded: rdata.count))
            out += rdata
            previous = rdata
        }
    }

    static func append16(_ out: inout [UInt8], _ v: UInt16) {
        out.append(UInt8(v >> 8))
        out.append(UInt8(v & 0xFF))
    }
    static func append32(_ out: inout [UInt8], _ v: UInt32) {
        out.append(UInt8(v >> 24))
        out.append(UInt8(v >> 16 & 0xFF))
        out.append(UInt8(v >> 8 & 0xFF))
        out.append(UInt8(v & 0xFF))
    }

    /// NSEC RDATA: the next owner (not lower-cased, RFC 6840 §5.1; mailkeys' names already are)
    /// and the type bitmap.
    public static func nsecRDATA(next: DomainName, types: [UInt16]) -> [UInt8] {
        canonicalName(next) + typeBitmap(types)
    }

    /// NSEC3 RDATA for SHA-1, flags 0 (no opt-out), `iterations` extra iterations, empty salt.
    public static func nsec3RDATA(nextHash: [UInt8], types: [UInt16], iterations: UInt16 = 0) -> [UInt8] {
        var out: [UInt8] = [1, 0]
        append16(&out, iterations)
        out += [0, UInt8(nextHash.count)] + nextHash
        return out + typeBitmap(types)
    }
}

extension DNSSECWire {
    /// The key tag (RFC 4034 Appendix B) of DNSKEY RDATA in presentation form
    /// (`FLAGS PROTOCOL ALGORITHM BASE64...`); nil when it is not that.
    public static func keyTag(dnskeyRDATA text: some StringProtocol) -> UInt16? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard fields.count >= 4, let flags = UInt16(fields[0]), let proto = UInt8(fields[1]),
            let algorithm = UInt8(fields[2]),
            let key = Data(base64Encoded: fields[3...].joined())
        else { return nil }
        let wire = [UInt8(flags >> 8), UInt8(flags & 0xFF), proto, algorithm] + Array(key)
        var sum: UInt32 = 0
        for (i, b) in wire.enumerated() { sum += i & 1 == 0 ? UInt32(b) << 8 : UInt32(b) }
        sum += (sum >> 16) & 0xFFFF
        return UInt16(sum & 0xFFFF)
    }
}
