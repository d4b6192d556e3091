import Foundation

/// A TLS 1.2 ClientHello written byte by byte, and the ServerHello read back: the one question
/// OpenSSL's client cannot ask here (it is built without compression, so it never offers it)
/// is whether the server would choose DEFLATE (RFC 3749) when a client offers it.
enum TLSRecords {
    /// A ClientHello for `host` offering the common ECDHE, DHE and RSA suites of TLS 1.2, the
    /// usual groups and signature algorithms, and the compression methods DEFLATE and null.
    static func clientHello(host: String) -> [UInt8] {
        let suites: [UInt16] = [
            0xC02C, 0xC030, 0xCCA9, 0xCCA8, 0xC02B, 0xC02F, 0x009F, 0x009E, 0xCCAA, 0xC024, 0xC028, 0xC023, 0xC027,
            0xC00A, 0xC014, 0xC009, 0xC013, 0x006B, 0x0067, 0x0039, 0x0033, 0x009D, 0x009C, 0x003D, 0x003C, 0x0035,
            0x002F, 0x000A, 0x00FF,
        ]
        var body: [UInt8] = [0x03, 0x03]
        body += (0..<32).map { _ in UInt8.random(in: 0...255) }
        body.append(0)  // no session id
        body += u16(suites.count * 2) + suites.flatMap(u16)
        body += [2, 1, 0]  // DEFLATE, null
        var extensions: [UInt8] = []
        let name = Array(host.utf8)
        extensions += ext(0x0000, u16(name.count + 3) + [0] + u16(name.count) + name)
        let groups: [UInt16] = [0x001D, 0x0017, 0x0018, 0x0019, 0x001E, 0x0100, 0x0101, 0x0102]
        extensions += ext(0x000A, u16(groups.count * 2) + groups.flatMap(u16))
        extensions += ext(0x000B, [1, 0])
        let sigalgs: [UInt16] = [
            0x0403, 0x0503, 0x0603, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0201, 0x0203,
        ]
        extensions += ext(0x000D, u16(sigalgs.count * 2) + sigalgs.flatMap(u16))
        body += u16(extensions.count) + extensions
        let handshake: [UInt8] = [1] + u24(body.count) + body
        return [0x16, 0x03, 0x01] + u16(handshake.count) + handshake
    }

    /// The compression method of the ServerHello in `reply` (0 null, 1 DEFLATE), or nil when the
    /// reply is not a ServerHello (an alert, a closed connection).
    static func compressionMethod(_ reply: [UInt8]) -> UInt8? {
        guard reply.count >= 9, reply[0] == 0x16, reply[5] == 0x02 else { return nil }
        var i = 9 + 2 + 32  // record header, handshake header, version, random
        guard i < reply.count else { return nil }
        i += 1 + Int(reply[i])  // session id
        i += 2  // cipher suite
        return i < reply.count ? reply[i] : nil
    }

    /// Whether `bytes` holds at least one whole record (the reply has come).
    static func complete(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 5 else { return false }
        return bytes.count >= 5 + (Int(bytes[3]) << 8 | Int(bytes[4]))
    }

    private static func u16(_ n: Int) -> [UInt8] { [UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] }
    private static func u16(_ n: UInt16) -> [UInt8] { u16(Int(n)) }
    private static func u24(_ n: Int) -> [UInt8] { [UInt8(n >> 16 & 0xFF)] + u16(n & 0xFFFF) }
    private static func ext(_ type: UInt16, _ data: [UInt8]) -> [UInt8] { u16(type) + u16(data.count) + data }
}
