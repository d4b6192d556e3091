import Foundation
import Testing

@testable import MailKeysDNS

/// The byte-level encoders the signing threads write the signed zone with, against Foundation and
/// hand-made DER.
@Suite struct SignerEncodingTests {
    @Test func base64MatchesFoundation() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...70 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var out: [UInt8] = []
            bytes.withUnsafeBytes { out.append(base64: $0) }
            #expect(String(decoding: out, as: UTF8.self) == Data(bytes).base64EncodedString(), "length \(length)")
        }
    }

    @Test func decimals() {
        for v: UInt32 in [0, 7, 9, 10, 99, 100, 3600, 86_400, 1_000_000_000, UInt32.max] {
            var out: [UInt8] = []
            out.append(decimal: v)
            #expect(String(decoding: out, as: UTF8.self) == String(v))
        }
    }

    /// DER integers come with a leading zero (high bit set) or shorter than 32 octets (leading
    /// zeros dropped); r‖s pads each to 32.
    @Test func derToRawECDSA() {
        let r = [0x00, 0x80] + [UInt8](repeating: 0x11, count: 31)  // 33 octets, sign byte
        let s = [UInt8](repeating: 0x22, count: 30)  // 30 octets
        let der: [UInt8] =
            [0x30, UInt8(2 + r.count + 2 + s.count), 0x02, UInt8(r.count)] + r + [0x02, UInt8(s.count)] + s
        var raw = [UInt8](repeating: 0xFF, count: 64)
        #expect(SigningContext.rawECDSA(der + [0, 0], length: der.count, size: 32, into: &raw))
        #expect(Array(raw[0..<32]) == [0x80] + [UInt8](repeating: 0x11, count: 31))
        #expect(Array(raw[32..<64]) == [0, 0] + s)
        // Malformed: not a sequence, an integer over 32 octets, truncated.
        #expect(!SigningContext.rawECDSA([0x31] + der.dropFirst(), length: der.count, size: 32, into: &raw))
        let long: [UInt8] = [0x30, 38, 0x02, 34, 0x01] + [UInt8](repeating: 1, count: 33) + [0x02, 1, 1]
        #expect(!SigningContext.rawECDSA(long, length: long.count, size: 32, into: &raw))
        #expect(!SigningContext.rawECDSA(der, length: der.count - 5, size: 32, into: &raw))
    }
}
