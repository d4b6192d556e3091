import Testing

@testable import MailKeysCore

@Suite("DMARCRecord and ReportURI")
struct DMARCTests {
    @Test func parsesMinimalRecord() throws {
        let d = try DMARCRecord("v=DMARC1; p=reject; rua=mailto:dmarc@example.org")
        #expect(d.tags.map(\.name) == ["v", "p", "rua"])
        #expect(d["p"] == "reject")
        #expect(d["rua"] == "mailto:dmarc@example.org")
        #expect(d["sp"] == nil)
        #expect(d.text == "v=DMARC1; p=reject; rua=mailto:dmarc@example.org")
        #expect(d.warnings.isEmpty)
    }

    @Test func parsesEveryKnownTagWithLooseSpacing() throws {
        let d = try DMARCRecord(
            "v=DMARC1 ;p = quarantine;  sp=none ; np=reject; adkim=s; aspf=r; pct=100; fo=0:1:d:s; rf=afrf; ri=86400; "
                + "rua=mailto:a@example.org,mailto:b@example.net!10m; ruf=mailto:f@example.org; psd=n; t=y;"
        )
        #expect(d["p"] == "quarantine")
        #expect(d["sp"] == "none")
        #expect(d["np"] == "reject")
        #expect(d["fo"] == "0:1:d:s")
        #expect(d["ri"] == "86400")
        #expect(d["rua"] == "mailto:a@example.org,mailto:b@example.net!10m")
        #expect(d.tags.count == 14)
        #expect(d.tags.first?.name == "v")
        #expect(d.warnings.isEmpty)
        #expect(d.text.hasPrefix("v=DMARC1; p=quarantine; sp=none; np=reject; adkim=s;"))
    }

    @Test func tagNamesAreCaseInsensitive() throws {
        let d = try DMARCRecord("v=DMARC1; P=reject; RUA=mailto:d@example.org")
        #expect(d["p"] == "reject")
        #expect(d["rua"] == "mailto:d@example.org")
    }

    @Test(arguments: ["p=reject; v=DMARC1", "v=DMARC2; p=reject", "v=dmarc1; p=reject", "p=reject", ""])
    func versionMustComeFirst(text: String) {
        expectCoreError(.invalidDMARC, "must start with 'v=DMARC1'") { try DMARCRecord(text) }
    }

    @Test func unknownTagRefusedByName() {
        expectCoreError(.invalidDMARC, "unknown tag 'foo'", "known: v, p, sp") {
            try DMARCRecord("v=DMARC1; p=reject; foo=bar")
        }
    }

    @Test func notATagValuePairRefused() {
        expectCoreError(.invalidDMARC, "'garbage' is not a tag=value pair") {
            try DMARCRecord("v=DMARC1; p=reject; garbage")
        }
    }

    @Test(arguments: [
        ("p", "block"), ("p", "Reject"), ("p", ""), ("sp", "deny"), ("np", "allow"),
    ])
    func badPolicyValueRefused(tag: String, value: String) {
        let text = tag == "p" ? "v=DMARC1; p=\(value)" : "v=DMARC1; p=none; \(tag)=\(value)"
        expectCoreError(.invalidDMARC, "\(tag)='\(value)': use none, quarantine or reject") { try DMARCRecord(text) }
    }

    @Test(arguments: ["101", "-1", "abc", "", "50.5"])
    func pctOutOfRangeRefused(value: String) {
        expectCoreError(.invalidDMARC, "pct='\(value)' must be 0 to 100") {
            try DMARCRecord("v=DMARC1; p=reject; pct=\(value)")
        }
    }

    @Test func pctBelow100Warns() throws {
        let d = try DMARCRecord("v=DMARC1; p=reject; rua=mailto:d@example.org; pct=0")
        #expect(d.warnings == ["pct=0: the policy applies to only 0% of failing mail"])
        #expect(try DMARCRecord("v=DMARC1; p=reject; rua=mailto:d@example.org; pct=100").warnings.isEmpty)
    }

    @Test(arguments: ["0", "1", "d", "s", "0:1", "0:1:d:s", "d:s"])
    func foValuesAccepted(value: String) throws {
        #expect(try DMARCRecord("v=DMARC1; p=reject; fo=\(value)")["fo"] == value)
    }

    @Test(arguments: ["2", "x", "0:", ":1", "0::1", "", "0,1"])
    func foValuesRefused(value: String) {
        expectCoreError(.invalidDMARC, "fo='\(value)': use 0, 1, d or s") {
            try DMARCRecord("v=DMARC1; p=reject; fo=\(value)")
        }
    }

    @Test func alignmentAndOtherTagValues() {
        expectCoreError(.invalidDMARC, "adkim='x': use r (relaxed) or s (strict)") {
            try DMARCRecord("v=DMARC1; p=reject; adkim=x")
        }
        expectCoreError(.invalidDMARC, "aspf='relaxed'") { try DMARCRecord("v=DMARC1; p=reject; aspf=relaxed") }
        expectCoreError(.invalidDMARC, "ri='1d' must be a number of seconds") {
            try DMARCRecord("v=DMARC1; p=reject; ri=1d")
        }
        expectCoreError(.invalidDMARC, "rf='iodef': the only report format is afrf") {
            try DMARCRecord("v=DMARC1; p=reject; rf=iodef")
        }
        expectCoreError(.invalidDMARC, "psd='x': use y, n or u") { try DMARCRecord("v=DMARC1; p=reject; psd=x") }
        expectCoreError(.invalidDMARC, "t='yes': use y or n") { try DMARCRecord("v=DMARC1; p=reject; t=yes") }
    }

    @Test func duplicateTagRefused() {
        expectCoreError(.invalidDMARC, "tag 'p' appears twice") { try DMARCRecord("v=DMARC1; p=reject; p=none") }
        expectCoreError(.invalidDMARC, "tag 'rua' appears twice") {
            try DMARCRecord("v=DMARC1; p=reject; rua=mailto:a@example.org; RUA=mailto:b@example.org")
        }
    }

    @Test func missingPolicyRefused() {
        expectCoreError(.invalidDMARC, "the policy tag 'p' is missing") {
            try DMARCRecord("v=DMARC1; rua=mailto:d@example.org")
        }
        expectCoreError(.invalidDMARC, "the policy tag 'p' is missing") { try DMARCRecord("v=DMARC1; sp=reject") }
    }

    @Test(arguments: [
        ("mailto:not-an-address", "'mailto:not-an-address' is not a valid mail address"),
        ("mailto:@example.org", "is not a valid mail address"),
        ("mailto:a@b@example.org", "is not a valid mail address"),
        ("mailto:a b@example.org", "is not a valid mail address"),
        ("mailto:d@-bad.example", "must not start or end with '-'"),
        ("mailto:d@192.0.2.1", "an IP address is not a host name"),
        ("https://reports.example.org/dmarc", "is not a mailto: URI"),
        ("dmarc@example.org", "is not a mailto: URI"),
        ("mailto:d@example.org!10x", "bad size limit '!10x'"),
        ("mailto:d@example.org!m", "bad size limit '!m'"),
        ("mailto:d@example.org!", "bad size limit"),
        ("mailto:d@example.org!10mb", "bad size limit"),
        ("mailto:d@example.org,", "is not a mailto: URI"),
    ])
    func badRUARefused(uri: String, fragment: String) {
        expectCoreError(.invalidDMARC, "rua: ", fragment) { try DMARCRecord("v=DMARC1; p=reject; rua=\(uri)") }
    }

    @Test(arguments: [
        "mailto:d@example.org!10m", "mailto:d@example.org!10", "mailto:d@example.org!5K", "MAILTO:d@Example.ORG",
        "mailto:d@example.org, mailto:e@example.net!1g",
    ])
    func goodRUAAccepted(uri: String) throws {
        #expect(try DMARCRecord("v=DMARC1; p=reject; rua=\(uri)")["rua"] == uri)
    }

    @Test func rufIsCheckedLikeRua() {
        expectCoreError(.invalidDMARC, "ruf: ", "is not a valid mail address") {
            try DMARCRecord("v=DMARC1; p=reject; ruf=mailto:x")
        }
    }

    @Test func noneAndMissingRuaWarn() throws {
        let d = try DMARCRecord("v=DMARC1; p=none")
        #expect(d.warnings.count == 2)
        #expect(d.warnings.contains("p=none only monitors: MECSA and internet.nl want quarantine or reject"))
        #expect(d.warnings.contains("no rua: nobody receives aggregate reports"))
        let withRua = try DMARCRecord("v=DMARC1; p=none; rua=mailto:d@example.org")
        #expect(withRua.warnings == ["p=none only monitors: MECSA and internet.nl want quarantine or reject"])
        let quarantine = try DMARCRecord("v=DMARC1; p=quarantine")
        #expect(quarantine.warnings == ["no rua: nobody receives aggregate reports"])
    }

    @Test func initFromTagsPutsVersionFirst() throws {
        let withoutV = try DMARCRecord(tags: [("p", "reject"), ("rua", "mailto:d@example.org")])
        #expect(withoutV.text == "v=DMARC1; p=reject; rua=mailto:d@example.org")
        let vLast = try DMARCRecord(tags: [("p", "reject"), ("v", "DMARC1")])
        #expect(vLast.tags.map(\.name) == ["v", "p"])
        expectCoreError(.invalidDMARC, "v must be DMARC1, not 'DMARC2'") {
            try DMARCRecord(tags: [("v", "DMARC2"), ("p", "reject")])
        }
    }

    @Test func equalityComparesTags() throws {
        #expect(try DMARCRecord("v=DMARC1;p=reject") == DMARCRecord("v=DMARC1; p=reject"))
        #expect(try DMARCRecord("v=DMARC1; p=reject") != DMARCRecord("v=DMARC1; p=quarantine"))
    }

    @Test func errorNamesTheRecord() {
        let e = expectCoreError(.invalidDMARC) { try DMARCRecord("v=DMARC1; p=block") }
        #expect(e?.reason == "DMARC record 'v=DMARC1; p=block': p='block': use none, quarantine or reject")
    }

    // MARK: ReportURI

    @Test func reportURIMailtoAndHTTPS() throws {
        try ReportURI.check("mailto:tlsrpt@example.org")
        try ReportURI.check("mailto:tlsrpt@example.org", allowHTTPS: true)
        try ReportURI.check("https://reports.example.net/tls-rpt", allowHTTPS: true)
        try ReportURI.check("HTTPS://reports.example.net:8443/x", allowHTTPS: true)
        try ReportURI.check("mailto:d@example.org!10m", allowSize: true)
    }

    @Test func reportURIRefusals() {
        expectCoreError(.invalidPolicy, "'https://reports.example.net/x' is not a mailto: URI") {
            try ReportURI.check("https://reports.example.net/x")
        }
        expectCoreError(.invalidPolicy, "'ftp://example.net/' is not a mailto: or https: URI") {
            try ReportURI.check("ftp://example.net/", allowHTTPS: true)
        }
        expectCoreError(.invalidPolicy, "'https://bad_host/x'", "contains '_'") {
            try ReportURI.check("https://bad_host/x", allowHTTPS: true)
        }
        expectCoreError(.invalidPolicy, "'https:///x'", "empty domain name") {
            try ReportURI.check("https:///x", allowHTTPS: true)
        }
        // Without allowSize, "!10m" is part of the domain and invalid.
        expectCoreError(.invalidPolicy, "'mailto:d@example.org!10m'", "contains '!'") {
            try ReportURI.check("mailto:d@example.org!10m")
        }
    }

    @Test func mailboxAndMailtoDomain() throws {
        #expect(try ReportURI.mailboxDomain("d@Example.ORG", in: "ctx") == name("example.org"))
        expectCoreError(.invalidPolicy, "'ctx' is not a valid mail address") {
            try ReportURI.mailboxDomain("d<x>@example.org", in: "ctx")
        }
        #expect(ReportURI.mailtoDomain("mailto:d@Reports.Example.ORG!10m") == name("reports.example.org"))
        #expect(ReportURI.mailtoDomain("MAILTO:d@example.net") == name("example.net"))
        #expect(ReportURI.mailtoDomain("https://example.org/") == nil)
        #expect(ReportURI.mailtoDomain("mailto:nobody") == nil)
        #expect(ReportURI.mailtoDomain("mailto:d@bad..example") == nil)
    }
}
