import Testing

@testable import MailKeysCore

@Suite("TXT and Record")
struct RecordTests {
    /// The quoted strings of `rdata`, split as a zone-file parser would.
    func quotedCount(_ rdata: String) -> Int { TXT.decode(rdata).count }

    @Test func emptyTextIsOneEmptyString() {
        #expect(TXT.rdata("") == "\"\"")
        #expect(TXT.decode("\"\"") == [[]])
    }

    @Test(arguments: [(1, 1), (254, 1), (255, 1), (256, 2), (510, 2), (511, 3), (600, 3)])
    func splitsEvery255Octets(length: Int, strings: Int) {
        let text = String((0..<length).map { Character(Unicode.Scalar(UInt8(ascii: "a") + UInt8($0 % 26))) })
        let rdata = TXT.rdata(text)
        let decoded = TXT.decode(rdata)
        #expect(decoded.count == strings)
        #expect(decoded.dropLast().allSatisfy { $0.count == 255 })
        #expect(decoded.last?.count == length - 255 * (strings - 1))
        #expect(decoded.flatMap { $0 } == Array(text.utf8))
        let r = Record(owner: name("example.org"), ttl: 3600, type: .txt, rdata: rdata, source: .generated("test"))
        #expect(r.text == text)
    }

    @Test func exactly255OctetsIsOneQuotedString() {
        let text = String(repeating: "x", count: 255)
        #expect(TXT.rdata(text) == "\"" + text + "\"")
    }

    @Test func stringOf256OctetsSplitsAfter255() {
        let text = String(repeating: "x", count: 255) + "y"
        #expect(TXT.rdata(text) == "\"" + String(repeating: "x", count: 255) + "\" \"y\"")
    }

    @Test func escapesQuoteAndBackslash() {
        #expect(TXT.rdata("a\"b\\c") == "\"a\\\"b\\\\c\"")
        #expect(TXT.decode("\"a\\\"b\\\\c\"") == [Array("a\"b\\c".utf8)])
    }

    @Test func nonPrintableOctetsAsDecimalEscapes() {
        #expect(TXT.quote("é".utf8) == "\"\\195\\169\"")
        #expect(TXT.quote([0x09, 0x00, 0x7f, 0x20, 0x7e]) == "\"\\009\\000\\127 ~\"")
        #expect(TXT.decode("\"\\195\\169\"") == [[0xc3, 0xa9]])
        #expect(TXT.decode("\"\\009\\000\\127 ~\"") == [[0x09, 0x00, 0x7f, 0x20, 0x7e]])
    }

    @Test func escapesCountAsOneOctetWhenSplitting() {
        // 255 quote characters are 255 octets: one string, though 510 characters in presentation.
        let text = String(repeating: "\"", count: 255) + "\\"
        let decoded = TXT.decode(TXT.rdata(text))
        #expect(decoded.count == 2)
        #expect(decoded[0] == [UInt8](repeating: UInt8(ascii: "\""), count: 255))
        #expect(decoded[1] == [UInt8(ascii: "\\")])
    }

    @Test func decodeBareWordsAndMixedStrings() {
        #expect(TXT.decode("abc def") == [Array("abc".utf8), Array("def".utf8)])
        #expect(TXT.decode("\"a b\"\t\"c\"") == [Array("a b".utf8), Array("c".utf8)])
        #expect(TXT.decode("\"v=spf1 \" \"mx -all\"").flatMap { $0 } == Array("v=spf1 mx -all".utf8))
        #expect(TXT.decode("a\\ b") == [Array("a b".utf8)])
    }

    @Test func textJoinsStrings() {
        let r = Record(
            owner: name("example.org"),
            ttl: 60,
            type: .txt,
            rdata: "\"v=spf1 \" \"mx -all\"",
            source: .template(line: 3)
        )
        #expect(r.text == "v=spf1 mx -all")
        #expect(r.txtPurpose == "v=spf1")
    }

    /// A multi-byte character that straddles the 255-octet split must come back whole.
    @Test func textRoundTripsUTF8SplitAcrossStrings() {
        let text = String(repeating: "a", count: 254) + "é" + "b"
        let rdata = TXT.rdata(text)
        #expect(TXT.decode(rdata).count == 2)
        #expect(TXT.decode(rdata).flatMap { $0 } == Array(text.utf8))
        let r = Record(owner: name("example.org"), ttl: 60, type: .txt, rdata: rdata, source: .generated("test"))
        #expect(r.text == text)
    }

    @Test func textIsNilForOtherTypes() {
        let r = Record(
            owner: name("example.org"),
            ttl: 60,
            type: .mx,
            rdata: "10 mail.example.org.",
            source: .generated("mx")
        )
        #expect(r.text == nil)
        #expect(r.txtPurpose == nil)
    }

    @Test(arguments: [
        ("v=spf1 mx -all", "v=spf1"),
        ("V=SPF1 -all", "v=spf1"),
        ("v=spf1", "v=spf1"),
        ("v=DMARC1; p=reject", "v=dmarc1"),
        ("v=DMARC1", "v=dmarc1"),
        ("v=STSv1; id=20240101", "v=stsv1"),
        ("v=TLSRPTv1; rua=mailto:t@example.org", "v=tlsrptv1"),
        ("v=DKIM1; k=rsa; p=MIIB", "v=dkim1"),
    ])
    func txtPurposeRecognised(text: String, purpose: String) {
        let r = Record(
            owner: name("example.org"),
            ttl: 60,
            type: .txt,
            rdata: TXT.rdata(text),
            source: .template(line: 1)
        )
        #expect(r.txtPurpose == purpose)
    }

    @Test(arguments: ["v=spf10 -all", "google-site-verification=abc", "spf1 v=spf1", "", "v=dmarc1x"])
    func txtPurposeNilForOtherText(text: String) {
        let r = Record(
            owner: name("example.org"),
            ttl: 60,
            type: .txt,
            rdata: TXT.rdata(text),
            source: .template(line: 1)
        )
        #expect(r.txtPurpose == nil)
    }

    @Test func rrTypeOrderAndSets() {
        #expect(RRType.a < RRType.ns)
        #expect(RRType.txt < RRType.caa)
        #expect(RRType.caa.code == 257)
        #expect(RRType.mx.description == "MX")
        #expect(RRType.dnssecTypes.contains(.rrsig))
        #expect(RRType.dnssecTypes.contains(.dnskey))
        #expect(RRType.dnssecTypes.contains(.nsec))
        #expect(!RRType.dnssecTypes.contains(.ds))
        #expect(!RRType.dnssecTypes.contains(.txt))
        #expect(RRType.known.contains(.caa))
        #expect(!RRType.known.contains(.rrsig))
    }

    @Test func caaRDATA() throws {
        #expect(CAA.rdata(tag: "issue", value: "letsencrypt.org") == "0 issue \"letsencrypt.org\"")
        #expect(CAA.rdata(tag: "iodef", value: "mailto:a\"b@example.org") == "0 iodef \"mailto:a\\\"b@example.org\"")
    }
}
