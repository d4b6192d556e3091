import Testing

@testable import MailKeysCore

@Suite("Quote: input in messages")
struct QuoteTests {
    @Test func shortInputIsQuotedWhole() {
        #expect(Quote.short("mail.example.org") == "'mail.example.org'")
        #expect(Quote.short("") == "''")
        #expect(Quote.bare("ns1") == "ns1")
    }

    @Test func longInputIsCutAndItsLengthGiven() {
        let text = String(repeating: "a", count: 10_485_760)
        let q = Quote.short(text)
        #expect(q == "'\(String(repeating: "a", count: 80))…' (10485760 characters)")
        #expect(Quote.bare(text) == String(repeating: "a", count: 80) + "…")
        #expect(Quote.short(String(repeating: "b", count: 81)).hasSuffix("…' (81 characters)"))
        #expect(Quote.short(String(repeating: "b", count: 80)) == "'\(String(repeating: "b", count: 80))'")
    }

    @Test func controlCharactersAreEscapedSoTheMessageIsOneLine() {
        #expect(Quote.short("a\nb\r\tc\0d\u{7f}e\u{2028}") == "'a\\nb\\r\\tc\\u{0}d\\u{7f}e\\u{2028}'")
        #expect(Quote.short("é—ü") == "'é—ü'")
    }

    @Test func oneGraphemeOfAMillionScalarsIsCutToo() {
        let text = "a" + String(repeating: "\u{301}", count: 1_000_000)
        #expect(Quote.short(text).count < 120)
    }

    @Test func validatorsQuoteLongInputShort() throws {
        let long = String(repeating: "x", count: 100_000)
        for error in [
            expectCoreError(.invalidSPF) { try SPFRecord("v=spf1 \(long) -all") },
            expectCoreError(.invalidDMARC) { try DMARCRecord("v=DMARC1; p=\(long)") },
            expectCoreError(.invalidName) { try DomainName(long) },
            expectCoreError(.invalidName) { try DomainName("\(long)é") },
            expectCoreError(.invalidAddress) { try IPAddress(long) },
            expectCoreError(.invalidDuration) { try TimeSpan.seconds(long) },
            expectCoreError(.invalidDuration) { try TimeSpan.seconds(String(repeating: "9", count: 100_000) + "d") },
        ] {
            let reason = try #require(error?.reason)
            #expect(reason.count < 300, "\(reason.prefix(400))")
            #expect(!reason.contains("\n"))
        }
    }
}
