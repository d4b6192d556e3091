import Foundation

extension Support {
    /// The key tag (RFC 4034 Appendix B) of a DNSKEY given by its RDATA in presentation form
    /// (`flags protocol algorithm base64`), computed here independently of mailkeys and libldns.
    static func keyTag(_ rdata: String) -> Int {
        let f = rdata.split(separator: " ", maxSplits: 3)
        let key = Data(base64Encoded: f[3].replacingOccurrences(of: " ", with: ""))!
        let flags = Int(f[0])!
        var wire: [UInt8] = [UInt8(flags >> 8), UInt8(flags & 0xFF), UInt8(f[1])!, UInt8(f[2])!] + Array(key)
        if wire.count % 2 == 1 { wire.append(0) }
        var acc = 0
        for i in stride(from: 0, to: wire.count, by: 2) { acc += Int(wire[i]) << 8 + Int(wire[i + 1]) }
        acc += acc >> 16 & 0xFFFF
        return acc & 0xFFFF
    }
}
