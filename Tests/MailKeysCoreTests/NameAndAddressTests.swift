import Testing

@testable import MailKeysCore

@Suite("DomainName")
struct DomainNameTests {
    @Test func trailingDotAndCaseDoNotMatter() throws {
        let a = try DomainName("Example.ORG.")
        let b = try DomainName("example.org")
        #expect(a == b)
        #expect(a.hashValue == b.hashValue)
        #expect(Set([a, b]).count == 1)
        #expect(a.labels == ["example", "org"])
        #expect(a.description == "example.org")
        #expect(a.fqdn == "example.org.")
    }

    @Test func lowercasesEveryLabel() throws {
        let n = try DomainName("MAIL.Example.Org")
        #expect(n.labels == ["mail", "example", "org"])
        #expect(n.description == "mail.example.org")
    }

    @Test func emptyNameRefused() {
        expectCoreError(.invalidName, "empty domain name") { try DomainName("") }
    }

    @Test func rootRefused() {
        expectCoreError(.invalidName, "'.'", "the root is not allowed") { try DomainName(".") }
    }

    @Test(arguments: ["a..b", ".a", "a.b..", "..", "example..org."])
    func emptyLabelRefused(text: String) {
        expectCoreError(.invalidName, "'\(text)'", "empty label") { try DomainName(text) }
    }

    @Test func labelOf63OctetsAccepted() throws {
        let label = String(repeating: "a", count: 63)
        let n = try DomainName("\(label).example")
        #expect(n.labels.first == label)
        #expect(n.labels.first?.utf8.count == 63)
    }

    @Test func labelOf64OctetsRefused() {
        let label = String(repeating: "b", count: 64)
        expectCoreError(.invalidName, "label 1 is 64 octets long", "the limit is 63") {
            try DomainName("\(label).example")
        }
        expectCoreError(.invalidName, "label 2 is 64 octets long") { try DomainName("mail.\(label).example") }
    }

    /// Four labels of 63+63+63+61 octets and three dots: 253 characters.
    static let name253 = [63, 63, 63, 61].map { String(repeating: "x", count: $0) }.joined(separator: ".")
    /// 63+63+63+62 octets and three dots: 254 characters.
    static let name254 = [63, 63, 63, 62].map { String(repeating: "y", count: $0) }.joined(separator: ".")

    @Test func nameOf253CharactersAccepted() throws {
        #expect(Self.name253.utf8.count == 253)
        let n = try DomainName(Self.name253)
        #expect(n.description.utf8.count == 253)
        #expect(n.wireLength == 255)
        // The trailing dot does not count.
        #expect(try DomainName(Self.name253 + ".") == n)
    }

    @Test func nameOf254CharactersRefused() {
        #expect(Self.name254.utf8.count == 254)
        expectCoreError(.invalidName, "is 254 characters long", "the limit is 253") { try DomainName(Self.name254) }
    }

    @Test(arguments: ["bücher.example", "例え.jp", "mail.exämple.org"])
    func nonASCIIRefusedWithALabelHint(text: String) {
        expectCoreError(.invalidName, "non-ASCII", "A-label", "xn--") { try DomainName(text) }
    }

    @Test func aLabelAccepted() throws {
        #expect(try DomainName("xn--bcher-kva.example").labels == ["xn--bcher-kva", "example"])
    }

    @Test func underscoreRefusedInHostName() {
        expectCoreError(.invalidName, "label '_dmarc' contains '_'", "only letters, digits and '-' are allowed") {
            try DomainName("_dmarc.example.org")
        }
        expectCoreError(.invalidName, "contains '_'") { try DomainName("_dmarc.example.org", kind: .wildcardHost) }
    }

    @Test func underscoreAllowedInOwnerName() throws {
        #expect(try DomainName("_dmarc.Example.org", kind: .owner).labels == ["_dmarc", "example", "org"])
        #expect(try DomainName("_25._tcp.mail.example.org", kind: .owner).labels.count == 5)
    }

    @Test(arguments: ["ex ample.org", "exa!mple.org", "mail@example.org", "a/b.example"])
    func otherPunctuationRefused(text: String) {
        expectCoreError(.invalidName, "only letters, digits and '-'") { try DomainName(text) }
        expectCoreError(.invalidName, "only letters, digits, '-' and '_'") { try DomainName(text, kind: .owner) }
    }

    @Test(arguments: ["-mail.example.org", "mail-.example.org", "mail.-example.org", "mail.example.org-"])
    func leadingOrTrailingHyphenRefused(text: String) {
        expectCoreError(.invalidName, "must not start or end with '-'") { try DomainName(text) }
    }

    @Test func innerHyphenAccepted() throws {
        #expect(try DomainName("mail-1.my-domain.example").labels == ["mail-1", "my-domain", "example"])
    }

    @Test(arguments: ["1.2.3.4", "192.0.2.1", "example.123"])
    func numericTopLevelLabelRefusedForHosts(text: String) {
        expectCoreError(.invalidName, "numeric label", "an IP address is not a host name") { try DomainName(text) }
        expectCoreError(.invalidName, "numeric label") { try DomainName(text, kind: .wildcardHost) }
    }

    @Test func numericLabelsElsewhereAccepted() throws {
        #expect(try DomainName("123.example").labels == ["123", "example"])
        #expect(try DomainName("example.org1").labels == ["example", "org1"])
        // Owner names may be all numeric (reverse zones, `_25._tcp`-like owners).
        #expect(try DomainName("4.3.2.1", kind: .owner).labels == ["4", "3", "2", "1"])
    }

    @Test func wildcardOnlyAsFirstLabelOfWildcardHost() throws {
        let w = try DomainName("*.Example.org", kind: .wildcardHost)
        #expect(w.labels == ["*", "example", "org"])
        #expect(w.description == "*.example.org")
        expectCoreError(.invalidName, "contains '*'") { try DomainName("*.example.org") }
        expectCoreError(.invalidName, "contains '*'") { try DomainName("*.example.org", kind: .owner) }
        expectCoreError(.invalidName, "label '*' contains '*'") {
            try DomainName("mx.*.example.org", kind: .wildcardHost)
        }
        expectCoreError(.invalidName, "label '**' contains '*'") {
            try DomainName("**.example.org", kind: .wildcardHost)
        }
        expectCoreError(.invalidName, "label '*mx' contains '*'") {
            try DomainName("*mx.example.org", kind: .wildcardHost)
        }
    }

    @Test func rootConstant() {
        #expect(DomainName.root.labels.isEmpty)
        #expect(DomainName.root.description == ".")
        #expect(DomainName.root.fqdn == ".")
        #expect(DomainName.root.wireLength == 1)
    }

    @Test func presentationFormKeepsEscapesAndLowercases() {
        let p = DomainName(presentation: "Mail.Example.ORG.")
        #expect(p == name("mail.example.org"))
        let escaped = DomainName(presentation: "a\\.b.example.org.")
        #expect(escaped.labels == ["a\\.b", "example", "org"])
        #expect(DomainName(presentation: ".") == DomainName.root)
        // An escaped backslash does not escape the dot after it; escapes keep their case.
        #expect(DomainName(presentation: "A\\\\.B.org.").labels == ["a\\\\", "b", "org"])
        #expect(DomainName(presentation: "WWW\\046X.Example").labels == ["www\\046x", "example"])
        #expect(DomainName(presentation: "x.y.\\").labels == ["x", "y", "\\"])
    }

    @Test func parentWireLengthAndPrepending() throws {
        let n = name("mail.example.org")
        #expect(n.parent == name("example.org"))
        #expect(name("org").parent == DomainName.root)
        #expect(name("example.org").wireLength == 13)
        #expect(try name("example.org").prepending("_dmarc") == name("_dmarc.example.org"))
        #expect(try name("example.org").prepending("_smtp._tls").labels == ["_smtp", "_tls", "example", "org"])
        expectCoreError(.invalidName, "contains ' '") { try name("example.org").prepending("bad label") }
    }

    @Test func isSubdomain() {
        let org = name("example.org")
        #expect(name("mail.example.org").isSubdomain(of: org))
        #expect(name("a.b.example.org").isSubdomain(of: org))
        #expect(org.isSubdomain(of: org))
        #expect(!org.isSubdomain(of: name("mail.example.org")))
        #expect(!name("notexample.org").isSubdomain(of: org))
        #expect(!name("example.org.evil.test").isSubdomain(of: org))
        #expect(org.isSubdomain(of: DomainName.root))
        #expect(!DomainName.root.isSubdomain(of: org))
    }

    @Test func relativeToOrigin() {
        let origin = name("example.org")
        #expect(origin.relative(to: origin) == "@")
        #expect(name("mail.example.org").relative(to: origin) == "mail")
        #expect(name("_smtp._tls.example.org").relative(to: origin) == "_smtp._tls")
        #expect(name("mail.example.net").relative(to: origin) == "mail.example.net.")
        #expect(name("notexample.org").relative(to: origin) == "notexample.org.")
        #expect(name("org").relative(to: origin) == "org.")
    }

    /// RFC 4034 §6.1's example, minus the names that need escapes.
    @Test func canonicalOrderOfRFC4034Example() throws {
        let expected: [DomainName] = [
            try DomainName("example"),
            try DomainName("a.example"),
            try DomainName("yljkjljk.a.example"),
            try DomainName("Z.a.example"),
            try DomainName("zABC.a.EXAMPLE"),
            try DomainName("z.example"),
            try DomainName("*.z.example", kind: .wildcardHost),
        ]
        #expect(Array(expected.reversed()).sorted() == expected)
        let shuffled = [expected[3], expected[6], expected[0], expected[5], expected[1], expected[4], expected[2]]
        #expect(shuffled.sorted() == expected)
        for i in 0..<expected.count - 1 {
            #expect(expected[i] < expected[i + 1], "\(expected[i]) < \(expected[i + 1])")
            #expect(!(expected[i + 1] < expected[i]), "!(\(expected[i + 1]) < \(expected[i]))")
        }
        #expect(!(expected[2] < expected[2]))
    }

    /// The whole RFC 4034 §6.1 example, with the escaped labels `\001` and `\200` as a zone-file
    /// parser prints them: the order is by wire octets, so `\001` (0x01) sorts before `*` (0x2a).
    @Test func canonicalOrderOfFullRFC4034ExampleWithEscapes() {
        let texts = [
            "example.", "a.example.", "yljkjljk.a.example.", "Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
            "\\001.z.example.", "*.z.example.", "\\200.z.example.",
        ]
        let expected = texts.map { DomainName(presentation: $0) }
        #expect(Array(expected.reversed()).sorted().map(\.description) == expected.map(\.description))
    }

    @Test func shorterNameSortsFirstAndLabelsCompareByOctets() {
        #expect(name("example.org") < name("a.example.org"))
        // Labels compare right to left: "b" < "z" decides before the extra label matters.
        #expect(name("a.b.example.org") < name("z.example.org"))
        #expect(!(name("z.example.org") < name("a.b.example.org")))
        #expect(name("_dmarc.example.org") < name("mail.example.org"))  // '_' (0x5f) < 'm'
        #expect(name("mail.example.net") < name("example.org"))  // "net" < "org" decides first
    }
}

@Suite("IPAddress")
struct IPAddressTests {
    @Test(arguments: [
        ("192.0.2.1", "192.0.2.1"),
        ("0.0.0.0", "0.0.0.0"),
        ("255.255.255.255", "255.255.255.255"),
        ("10.0.0.10", "10.0.0.10"),
    ])
    func validIPv4(text: String, canonical: String) throws {
        let a = try IPAddress(text)
        #expect(a.isV4)
        #expect(a.recordType == .a)
        #expect(a.description == canonical)
    }

    @Test func ipv4Octets() throws {
        #expect(try IPAddress("192.0.2.1") == .v4([192, 0, 2, 1]))
    }

    @Test(arguments: [
        ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
        ("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"),
        ("2001:db8::1", "2001:db8::1"),
        ("::", "::"),
        ("::1", "::1"),
        ("1::", "1::"),
        ("2001:db8::", "2001:db8::"),
        ("0:0:0:0:0:0:0:0", "::"),
        // RFC 5952 §4.2.2: a single zero group is not compressed.
        ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
        // §4.2.3: the longest run is compressed; on a tie, the first.
        ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("2001:DB8:AAAA:BBBB:CCCC:DDDD:EEEE:FFFF", "2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff"),
        ("fe80::0:1", "fe80::1"),
        ("1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"),
    ])
    func validIPv6InRFC5952Form(text: String, canonical: String) throws {
        let a = try IPAddress(text)
        #expect(!a.isV4)
        #expect(a.recordType == .aaaa)
        #expect(a.description == canonical)
        // The canonical form parses back to the same address.
        #expect(try IPAddress(canonical) == a)
    }

    @Test func embeddedIPv4TailParses() throws {
        #expect(try IPAddress("::ffff:192.0.2.1") == .v6([0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201]))
        #expect(try IPAddress("::192.0.2.1") == .v6([0, 0, 0, 0, 0, 0, 0xc000, 0x0201]))
        #expect(try IPAddress("64:ff9b::192.0.2.33") == .v6([0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0221]))
        #expect(try IPAddress("1:2:3:4:5:6:10.0.0.1") == .v6([1, 2, 3, 4, 5, 6, 0x0a00, 0x0001]))
        #expect(try IPAddress("64:ff9b::192.0.2.33").description == "64:ff9b::c000:221")
    }

    @Test(arguments: [
        "01.2.3.4", "192.0.2.01", "192.000.2.1",  // leading zeros
        "256.0.0.1", "192.0.2.256", "1.2.3.999",  // out of range
        "1.2.3", "1.2.3.4.5", "1..3.4", "1.2.3.-4", "1.2.3.4.", " 192.0.2.1", "192.0.2.1 ", "١.٢.٣.٤",
        "", "garbage", "example.org", "::g", "12345::1", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
        "1:2:3:4:5:6:7:8::", "1::2::3", "::1::", ":::", ":1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:",
        "::ffff:192.0.2.01", "::ffff:1.2.3", "::ffff:256.1.1.1", "1:2:3:4:5:6:7:1.2.3.4", "1.2.3.4::",
        "fe80::1%eth0", "2001:db8::/32",
    ])
    func invalidAddressRefused(text: String) {
        expectCoreError(.invalidAddress, "'\(text)' is not an IPv4 or IPv6 address") { try IPAddress(text) }
    }

    /// Hex groups are digits only: a sign is not part of RFC 4291's text form.
    @Test(arguments: ["2001:db8::+1", "2001:db8::-0", "+1::"])
    func signedHexGroupRefused(text: String) {
        expectCoreError(.invalidAddress, "is not an IPv4 or IPv6 address") { try IPAddress(text) }
    }
}

@Suite struct IPv4MappedTests {
    @Test func ipv4MappedAddressesPrintTheirDottedTail() throws {
        #expect(try IPAddress("::ffff:192.0.2.1").description == "::ffff:192.0.2.1")
        #expect(try IPAddress("0:0:0:0:0:FFFF:C000:0201").description == "::ffff:192.0.2.1")
        #expect(try IPAddress("::fffe:c000:201").description == "::fffe:c000:201")
    }
}

@Suite("ConnectRoutes")
struct ConnectRoutesTests {
    @Test func routesAnAddressAndPortFoundInDNS() throws {
        let routes = try ConnectRoutes(["[2001:db8::25]:25=[::1]:2525", "192.0.2.53:53=127.0.0.1"])
        let mx = try ServerAddress("[2001:db8::25]:25")
        #expect(routes.target(mx) == (try ServerAddress("[::1]:2525")))
        #expect(routes.label(mx) == "[2001:db8::25]:25 via [::1]:2525")
        // TO without a port keeps FROM's.
        #expect(routes.target(try ServerAddress("192.0.2.53:53")) == (try ServerAddress("127.0.0.1:53")))
        // Another port of the same address is not routed.
        let submission = try ServerAddress("[2001:db8::25]:587")
        #expect(routes.target(submission) == submission)
        #expect(routes.label(submission) == "[2001:db8::25]:587")
        #expect(ConnectRoutes().target(mx) == mx)
    }

    @Test func refusesUnreadableRoutes() {
        expectCoreError(.invalidAddress, "is not FROM=TO") { try ConnectRoutes(["[::1]:25"]) }
        expectCoreError(.invalidAddress, "is not FROM=TO") { try ConnectRoutes(["a=b=c"]) }
        expectCoreError(.invalidAddress, "FROM needs its port") { try ConnectRoutes(["[2001:db8::25]=[::1]:25"]) }
        expectCoreError(.invalidAddress, "FROM needs its port") { try ConnectRoutes(["2001:db8::25=[::1]:25"]) }
        expectCoreError(.invalidAddress, "FROM needs its port") { try ConnectRoutes(["192.0.2.25=127.0.0.1:25"]) }
        expectCoreError(.invalidAddress, "is reached over IPv6 only") {
            try ConnectRoutes(["[2001:db8::25]:25=127.0.0.1:2525"])
        }
        expectCoreError(.invalidAddress, "is routed twice") {
            try ConnectRoutes(["[2001:db8::25]:25=[::1]:1", "[2001:db8::25]:25=[::1]:2"])
        }
    }
}
