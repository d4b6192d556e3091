import Foundation
import Testing

@testable import MailKeysCore

@Suite("DNSSEC wire pieces and chains")
struct DNSSECWireTests {
    @Test func base32hexMatchesRFC4648Vectors() {
        // RFC 4648 §10, base32hex, lower case and without padding as NSEC3 owners use it.
        let vectors = [
            "": "", "f": "co", "fo": "cpng", "foo": "cpnmu", "foob": "cpnmuog", "fooba": "cpnmuoj1",
            "foobar": "cpnmuoj1e8",
        ]
        for (input, output) in vectors { #expect(DNSSECWire.base32hex(Array(input.utf8)) == output, "\(input)") }
    }

    @Test func typeBitmapMatchesRFC4034Example() {
        // RFC 4034 §4.3: A MX RRSIG NSEC TYPE1234.
        let bitmap = DNSSECWire.typeBitmap([1, 15, 46, 47, 1234])
        let expected: [UInt8] =
            [0x00, 0x06, 0x40, 0x01, 0x00, 0x00, 0x00, 0x03, 0x04, 0x1b] + [UInt8](repeating: 0, count: 26) + [0x20]
        #expect(bitmap == expected)
    }

    @Test func rrsigTimesRoundTrip() {
        #expect(DNSSECWire.time(0) == "19700101000000")
        var rng = SplitMix64(seed: 7)
        for _ in 0..<2000 {
            let t = UInt32(truncatingIfNeeded: rng.next() % 4_102_444_800)
            #expect(DNSSECWire.parseTime(DNSSECWire.time(t)) == t)
        }
        #expect(DNSSECWire.time(951_782_400) == "20000229000000")  // a leap day
        #expect(DNSSECWire.parseTime("20261321000000") == nil)
        #expect(DNSSECWire.parseTime("1700000000") == 1_700_000_000)
    }

    @Test func canonicalNamesAndLabels() throws {
        let name = DomainName(presentation: "A\\.b.Example.ORG.")
        #expect(
            DNSSECWire.canonicalName(name) == [3, 0x61, 0x2e, 0x62, 7] + Array("example".utf8) + [3] + Array("org".utf8)
                + [0]
        )
        #expect(DNSSECWire.labelCount(DomainName(presentation: "*.mail.example.org.")) == 3)
        #expect(DNSSECWire.labelCount(try DomainName("example.org")) == 2)
    }

    @Test func chainsSkipOccludedNamesAndAddEmptyNonTerminals() throws {
        let apex = try DomainName("example.org")
        func node(_ n: String, _ t: [RRType]) -> DNSSECChain.Node {
            .init(name: DomainName(presentation: n), types: t, delegation: false)
        }
        let names = [
            node("example.org.", [.soa, .ns]), node("sub.example.org.", [.ns, .ds]), node("ns.sub.example.org.", [.a]),
            node("x._domainkey.example.org.", [.txt]),
        ]
        let auth = DNSSECChain.authoritative(names, apex: apex)
        #expect(auth.map(\.name.description) == ["example.org", "sub.example.org", "x._domainkey.example.org"])
        #expect(auth.map(\.delegation) == [false, true, false])
        let nsec = DNSSECChain.nsec(auth)
        #expect(nsec.map { $0.next!.description } == ["sub.example.org", "x._domainkey.example.org", "example.org"])
        #expect(DNSSECChain.typeList(nsec[1].types) == "NS DS RRSIG NSEC")

        // A stand-in hash (the name's first octets) keeps the order readable.
        let nsec3 = DNSSECChain.nsec3(auth, apex: apex) {
            Array($0.prefix(20)) + [UInt8](repeating: 0, count: max(0, 20 - $0.count))
        }
        #expect(nsec3.count == 4, "apex, the delegation, the name and the empty non-terminal _domainkey")
        #expect(nsec3.contains { $0.types.isEmpty })
        #expect(nsec3.allSatisfy { $0.owner.parent == apex })
        let apexLink = try #require(nsec3.first { $0.types.contains(.soa) })
        #expect(apexLink.types.contains(.nsec3param) && apexLink.types.contains(.rrsig))
        let cut = try #require(nsec3.first { $0.types.contains(.ds) })
        #expect(cut.types.contains(.rrsig), "a delegation with a DS has a signed RRset")
    }

    @Test func signedZoneIndexGroupsLinesAndSignatures() throws {
        let text = """
            ; header
            example.org.\t3600\tIN\tSOA\tns. h. 1 2 3 4 5
            example.org.\t3600\tIN\tRRSIG\tSOA 13 2 3600 20261205000000 20261121090000 27 example.org. AAAA
            example.org.\t3600\tIN\tNS\ta.
            example.org.\t3600\tIN\tNS\tb.
            example.org.\t3600\tIN\tRRSIG\tNS 13 2 3600 20261205000000 20261121090000 27 example.org. BBBB
            sub.example.org.\t3600\tIN\tNS\tns.sub.example.org.
            ns.sub.example.org.\t3600\tIN\tA\t192.0.2.1

            """
        let index = SignedZoneIndex(Array(text.utf8))
        func string(_ r: Range<Int>) -> String { String(decoding: index.bytes[r], as: UTF8.self) }
        let ns = try #require(index.block(key: "example.org.\t3600\tIN\tNS"))
        #expect(string(ns.lines) == "example.org.\t3600\tIN\tNS\ta.\nexample.org.\t3600\tIN\tNS\tb.\n")
        #expect(ns.signatures.count == 1)
        let sig = try #require(index.signature(ns.signatures[0]))
        #expect(sig.keyTag == 27 && sig.algorithm == 13 && sig.expiration == DNSSECWire.parseTime("20261205000000"))
        #expect(sig.inception == DNSSECWire.parseTime("20261121090000"))
        #expect(
            string(sig.line)
                == "example.org.\t3600\tIN\tRRSIG\tNS 13 2 3600 20261205000000 20261121090000 27 example.org. BBBB"
        )
        #expect(index.block(key: "sub.example.org.\t3600\tIN\tNS")?.signatures.isEmpty == true)
        #expect(index.block(key: "ns.sub.example.org.\t3600\tIN\tA") != nil)
        #expect(index.block(key: "example.org.\t3600\tIN\tN") == nil)
        #expect(index.block(key: "example.org.\t300\tIN\tNS") == nil)
        #expect(index.blocks.count == 4)
        var lines = Array("example.org.\t3600\tIN\tNS\ta.\nexample.org.\t3600\tIN\tNS\tb.\n".utf8)
        #expect(lines.withUnsafeBufferPointer { index.linesEqual(ns, $0) })
        lines.removeLast(2)
        #expect(!lines.withUnsafeBufferPointer { index.linesEqual(ns, $0) })
        let short = SignedZoneIndex(
            Array("example.org.\t3600\tIN\tNS\ta.\nexample.org.\t3600\tIN\tRRSIG\tNS 13 2\n".utf8)
        )
        #expect(
            short.block(key: "example.org.\t3600\tIN\tNS").flatMap { $0.signatures.first }.flatMap(short.signature)
                == nil
        )
    }
}
