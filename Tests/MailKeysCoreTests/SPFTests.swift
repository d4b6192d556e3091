import Foundation
import Testing

@testable import MailKeysCore

@Suite("SPFRecord")
struct SPFTests {
    @Test(arguments: [
        ("v=spf1 mx -all", 1),
        ("v=spf1 include:_spf.google.com ~all", 1),
        ("v=spf1 ip4:192.0.2.0/24 -all", 0),
        ("v=spf1 ip4:192.0.2.1 ip4:198.51.100.0/32 ip4:0.0.0.0/0 -all", 0),
        ("v=spf1 ip6:2001:db8::/32 ip6:2001:db8::1 ip6:::1/128 -all", 0),
        ("v=spf1 a/24 -all", 1),
        ("v=spf1 mx//64 -all", 1),
        ("v=spf1 a/24//64 mx:mail.example.org/28 a:example.org//56 -all", 3),
        ("v=spf1 redirect=_spf.example.org", 1),
        ("v=spf1 mx -all exp=explain._spf.%{d}", 1),
        ("v=spf1 exists:%{i}._spf.%{d} -all", 1),
        ("v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d2} -all", 1),
        ("v=spf1 include:%{d}.spf.example.net -all", 1),
        ("V=SPF1 MX -ALL", 1),
        ("v=spf1 ?a ~mx -all", 2),
        ("v=spf1 mx -all unknown-mod=%{d}", 1),
    ])
    func validRecord(text: String, lookups: Int) throws {
        let spf = try SPFRecord(text)
        #expect(spf.text == text)
        #expect(spf.lookups == lookups)
        #expect(spf.hasStrictEnding)
    }

    @Test func extraSpacesAreNormalised() throws {
        let spf = try SPFRecord("  v=spf1   mx    -all ")
        #expect(spf.text == "v=spf1 mx -all")
        #expect(spf.warnings.isEmpty)
    }

    @Test func cleanRecordHasNoWarnings() throws {
        #expect(try SPFRecord("v=spf1 mx ip4:192.0.2.0/24 -all").warnings == [])
    }

    @Test func everyQueryingTermCountsOnce() throws {
        let spf = try SPFRecord(
            "v=spf1 a mx ptr exists:%{i}.x.example include:x.example ip4:192.0.2.1 ip6:2001:db8::1 redirect=y.example exp=e.example"
        )
        #expect(spf.lookups == 6)
    }

    func includes(_ n: Int) -> String {
        "v=spf1 " + (1...n).map { "include:spf\($0).example.net" }.joined(separator: " ") + " -all"
    }

    @Test func exactlyTenLookupsAccepted() throws {
        let spf = try SPFRecord(includes(10))
        #expect(spf.lookups == 10)
        #expect(SPFRecord.lookupLimit == 10)
        let mixed = try SPFRecord(
            "v=spf1 a mx ptr:example.org exists:%{i}.e.example "
                + (1...5).map { "include:i\($0).example" }.joined(separator: " ")
                + " redirect=r.example"
        )
        #expect(mixed.lookups == 10)
    }

    @Test func elevenLookupsRefused() {
        expectCoreError(.invalidSPF, "11 DNS-querying terms", "RFC 7208", "allows 10") { try SPFRecord(includes(11)) }
        expectCoreError(.invalidSPF, "11 DNS-querying terms", "RFC 7208") {
            try SPFRecord(includes(10).replacingOccurrences(of: " -all", with: " redirect=_spf.example.org"))
        }
    }

    @Test(arguments: ["v=spf1 +all", "v=spf1 all", "v=spf1 mx +ALL"])
    func passAllRefused(text: String) {
        expectCoreError(.invalidSPF, "authorises every host on the internet") { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 foo -all", "unknown mechanism 'foo'"),
        ("v=spf1 ip5:192.0.2.1 -all", "unknown mechanism 'ip5:192.0.2.1'"),
        ("v=spf1 include/24 -all", "unknown mechanism 'include/24'"),
        ("v=spf1 ~spf -all", "unknown mechanism '~spf'"),
        ("v=spf1 -all:example.org", "'all' takes no argument"),
        ("v=spf1 all/24", "unknown mechanism 'all/24'"),
    ])
    func unknownOrMalformedMechanismRefused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, "SPF record '\(text)'", fragment) { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 ip4:192.0.2.256 -all", "'192.0.2.256' in 'ip4:192.0.2.256' is not an IPv4 address"),
        ("v=spf1 ip4:192.0.2 -all", "is not an IPv4 address"),
        ("v=spf1 ip4:01.0.2.1 -all", "is not an IPv4 address"),
        ("v=spf1 ip4:2001:db8::1 -all", "is not an IPv4 address"),
        ("v=spf1 ip4:192.0.2.0/24/8 -all", "is not an IPv4 address or network"),
        ("v=spf1 ip4: -all", "is not an IPv4 address"),
        ("v=spf1 ip4 -all", "'ip4' needs an address"),
        ("v=spf1 ip4:192.0.2.0/33 -all", "prefix length in 'ip4:192.0.2.0/33' must be 0 to 32"),
        ("v=spf1 ip4:192.0.2.0/ -all", "must be 0 to 32"),
        ("v=spf1 ip4:192.0.2.0/x -all", "must be 0 to 32"),
    ])
    func badIPv4Refused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, fragment) { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 ip6:2001:db8::/129 -all", "prefix length in 'ip6:2001:db8::/129' must be 0 to 128"),
        ("v=spf1 ip6:zz::1 -all", "'zz::1' in 'ip6:zz::1' is not an IPv6 address"),
        ("v=spf1 ip6:192.0.2.1 -all", "is not an IPv6 address"),
        ("v=spf1 ip6:1::2::3 -all", "is not an IPv6 address"),
        ("v=spf1 ip6 -all", "'ip6' needs an address"),
    ])
    func badIPv6Refused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, fragment) { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 a/33 -all", "bad IPv4 prefix length in 'a/33'"),
        ("v=spf1 mx//129 -all", "bad IPv6 prefix length in 'mx//129'"),
        ("v=spf1 a/ -all", "bad IPv4 prefix length"),
        ("v=spf1 a/24// -all", "bad IPv6 prefix length"),
        ("v=spf1 mx/24//64//8 -all", "bad prefix length in 'mx/24//64//8'"),
        ("v=spf1 a:example.org/x -all", "bad IPv4 prefix length in 'a:example.org/x'"),
        ("v=spf1 mx:example.org//200 -all", "bad IPv6 prefix length"),
    ])
    func badDualCIDRRefused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, fragment) { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 include -all", "'include' needs a domain in 'include'"),
        ("v=spf1 include: -all", "'include' needs a domain"),
        ("v=spf1 exists -all", "'exists' needs a domain"),
        ("v=spf1 include:-bad.example -all", "bad domain in 'include:-bad.example'"),
        ("v=spf1 a: -all", "empty domain in 'a:'"),
        ("v=spf1 mx:bad..example -all", "bad domain in 'mx:bad..example'"),
        ("v=spf1 redirect= ", "empty domain in 'redirect='"),
        ("v=spf1 -all exp=", "empty domain in 'exp='"),
    ])
    func badDomainSpecRefused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, fragment) { try SPFRecord(text) }
    }

    @Test(arguments: [
        ("v=spf1 exists:%{x}.example -all", "unknown macro letter"),
        ("v=spf1 exists:%{i -all", "bad macro"),
        ("v=spf1 exists:%i.example -all", "bad macro"),
        ("v=spf1 exists:example.% -all", "dangling '%'"),
        ("v=spf1 exists:%{i5z}.example -all", "bad macro transformer"),
        ("v=spf1 exists:%{}.example -all", "unknown macro letter"),
        ("v=spf1 -all foo=bé", "invalid character in 'foo=bé'"),
    ])
    func badMacroRefused(text: String, fragment: String) {
        expectCoreError(.invalidSPF, fragment) { try SPFRecord(text) }
    }

    @Test func macroEscapesAccepted() throws {
        #expect(try SPFRecord("v=spf1 exists:%%%_%-%{d}.example -all").lookups == 1)
    }

    @Test(arguments: ["", "mx -all", "v=spf2 mx -all", "v=spf1x mx -all", "spf1 mx -all", "v=spf1\tmx -all"])
    func missingVersionRefused(text: String) {
        expectCoreError(.invalidSPF, "must start with 'v=spf1'") { try SPFRecord(text) }
    }

    @Test func tabsAndNewlinesRefused() {
        expectCoreError(.invalidSPF, "separated by spaces only") { try SPFRecord("v=spf1 mx\t-all") }
        expectCoreError(.invalidSPF, "separated by spaces only") { try SPFRecord("v=spf1 mx\n-all") }
    }

    @Test func duplicateModifiersRefused() {
        expectCoreError(.invalidSPF, "'redirect' appears twice") {
            try SPFRecord("v=spf1 redirect=a.example redirect=b.example")
        }
        expectCoreError(.invalidSPF, "'exp' appears twice") { try SPFRecord("v=spf1 -all exp=a.example exp=b.example") }
    }

    @Test func ptrWarns() throws {
        let spf = try SPFRecord("v=spf1 ptr -all")
        #expect(spf.lookups == 1)
        #expect(spf.hasStrictEnding)
        #expect(spf.warnings.count == 1)
        #expect(spf.warnings.first?.contains("'ptr' is deprecated") == true)
        #expect(spf.warnings.first?.contains("RFC 7208 §5.5") == true)
    }

    @Test func neutralAllWarnsAndIsNotStrict() throws {
        let spf = try SPFRecord("v=spf1 mx ?all")
        #expect(!spf.hasStrictEnding)
        #expect(spf.warnings == ["'?all' is neutral: receivers get no policy; use '-all' or '~all'"])
    }

    @Test func termsAfterAllWarn() throws {
        let spf = try SPFRecord("v=spf1 -all mx")
        #expect(spf.hasStrictEnding)
        #expect(spf.warnings == ["term 'mx' after '-all' is never evaluated"])
    }

    @Test func missingAllWarnsAndIsNotStrict() throws {
        let spf = try SPFRecord("v=spf1 mx")
        #expect(!spf.hasStrictEnding)
        #expect(spf.warnings.count == 1)
        #expect(spf.warnings.first?.contains("no 'all' term") == true)
    }

    @Test func redirectWithAllWarns() throws {
        let spf = try SPFRecord("v=spf1 mx -all redirect=_spf.example.org")
        #expect(spf.hasStrictEnding)
        #expect(spf.warnings == ["'redirect' is ignored because the record has 'all'"])
    }

    @Test(arguments: [
        ("v=spf1 -all", true),
        ("v=spf1 mx ~all", true),
        ("v=spf1 mx ?all", false),
        ("v=spf1 mx", false),
        ("v=spf1 redirect=_spf.example.net", true),
        ("v=spf1 ?all redirect=_spf.example.net", false),
        ("v=spf1 -ALL", true),
    ])
    func hasStrictEnding(text: String, strict: Bool) throws {
        #expect(try SPFRecord(text).hasStrictEnding == strict)
    }

    @Test func errorNamesTheRecord() {
        let error = expectCoreError(.invalidSPF) { try SPFRecord("v=spf1 bogus -all") }
        #expect(error?.reason == "SPF record 'v=spf1 bogus -all': unknown mechanism 'bogus'")
    }
}
