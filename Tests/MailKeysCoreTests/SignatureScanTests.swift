import Testing

@testable import MailKeysCore

/// The RRSIG scan a splice uses to check a zone map's claims reads what DNSSECWire writes.
@Suite struct SignatureScanTests {
    static func scan(_ text: String) -> SignatureScan? {
        let bytes = Array(text.utf8)
        return bytes.withUnsafeBufferPointer { SignatureScan.scan($0, ranges: [0..<bytes.count]) }
    }

    @Test func readsCountTimesAndTags() throws {
        let (e1, i1, e2, i2): (UInt32, UInt32, UInt32, UInt32) = (
            1_796_458_968, 1_795_251_600, 1_797_000_000, 1_795_000_000
        )
        let text = """
            a.example.\t3600\tIN\tA\t192.0.2.1
            a.example.\t3600\tIN\tRRSIG\tA 13 2 3600 \(DNSSECWire.time(e1)) \(DNSSECWire.time(i1)) 4711 example. AAAA
            b.example.\t3600\tIN\tRRSIG\tTXT 13 2 3600 \(DNSSECWire.time(e2)) \(DNSSECWire.time(i2)) 65535 example. BBBB
            b.example.\t3600\tIN\tTXT\t"RRSIG\tnot a signature"

            """
        let s = try #require(Self.scan(text))
        #expect(s.count == 2)
        #expect(s.earliestExpiration == min(e1, e2))
        #expect(s.latestInception == max(i1, i2))
        #expect(s.keyTags == [4711, 65535])
        for t: UInt32 in [0, 86399, 951_782_400, 4_102_444_799] {
            let bytes = Array(DNSSECWire.time(t).utf8)
            #expect(
                bytes.withUnsafeBufferPointer { SignatureScan.time($0, 0..<bytes.count) }
                    == DNSSECWire.parseTime(DNSSECWire.time(t))
            )
        }
    }

    @Test(arguments: [
        "x.\t1\tIN\tRRSIG\tA 13 2 3600 20261301000000 20261101000000 1 x. AA",
        "x.\t1\tIN\tRRSIG\tA 13 2 3600 20261201000000 20261101000000 65536 x. AA",
        "x.\t1\tIN\tRRSIG\tA 13 2 3600 2026120100000x 20261101000000 1 x. AA",
        "x.\t1\tIN\tRRSIG\tA 13 2",
    ])
    func malformedSignaturesFailTheScan(line: String) {
        #expect(Self.scan(line + "\n") == nil)
    }
}
