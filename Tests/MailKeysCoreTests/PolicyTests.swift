import Testing

@testable import MailKeysCore

/// The policy of example.org with its minimal table changed by `modify`.
private func build(_ modify: (inout [String: PolicyValue]) -> Void = { _ in }) throws -> DomainPolicy {
    try Fixture.policy("example.org", modify)
}

/// Expects the policy of example.org changed by `modify` to be refused.
@discardableResult
private func refuses(
    _ code: CoreError.Code,
    _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ modify: (inout [String: PolicyValue]) -> Void
) -> CoreError? {
    expectCoreError(code, fragments: fragments, sourceLocation: sourceLocation) { try build(modify) }
}

private let v4ns = try! IPAddress("192.0.2.53")
private let v6ns = try! IPAddress("2001:db8::53")
private let v4mx = try! IPAddress("192.0.2.25")
private let v6mx = try! IPAddress("2001:db8::25")

@Suite("Policy: defaults and document structure")
struct PolicyDefaultsTests {
    @Test func minimalDocumentGetsEveryDefault() throws {
        let p = try build()
        #expect(p.name == name("example.org"))
        #expect(p.defaultTTL == 3600)
        #expect(p.ttls.isEmpty)
        #expect(p.ttl(for: .mx) == 3600)
        #expect(
            p.soa
                == SOAPolicy(
                    mname: name("ns1.example.org"),
                    rname: name("hostmaster.example.org"),
                    refresh: 10800,
                    retry: 3600,
                    expire: 604_800,
                    minimum: 3600
                )
        )
        #expect(
            p.nameservers == [
                HostAddresses(name: name("ns1.example.org"), addresses: [v4ns, v6ns]),
                HostAddresses(name: name("ns2.dns-provider.test"), addresses: []),
            ]
        )
        #expect(p.mx == [MXHost(host: name("mail.example.org"), preference: 10, addresses: [v4mx, v6mx])])
        #expect(p.spf.text == "v=spf1 mx -all")
        #expect(p.heloSPF)
        #expect(p.dmarc?.text == "v=DMARC1; p=reject; rua=mailto:dmarc@example.org")
        #expect(
            p.mtaSTS == MTASTSPolicy(mode: .enforce, maxAge: 604_800, mx: [name("mail.example.org")], addresses: [])
        )
        #expect(p.tlsRPT == ["mailto:tlsrpt@example.org"])
        #expect(p.caa == CAAPolicy(issue: ["letsencrypt.org"], issuewild: [], iodef: []))
        #expect(p.warnings == [])
    }

    @Test func defaultsFollowTheDomainName() throws {
        let p = try Fixture.policy("example.net")
        #expect(p.dmarc?["rua"] == "mailto:dmarc@example.net")
        #expect(p.tlsRPT == ["mailto:tlsrpt@example.net"])
        #expect(p.soa.rname == name("hostmaster.example.net"))
    }

    @Test func missingOrEmptyDomainsRefused() {
        expectCoreError(.invalidPolicy, "no [domains.\"NAME\"] table", "mailkeys init") { try Policy(document: [:]) }
        expectCoreError(.invalidPolicy, "no [domains.\"NAME\"] table") {
            try Policy(document: ["domains": .table([:])])
        }
        expectCoreError(.invalidPolicy, "domains: expected a table, found a string") {
            try Policy(document: ["domains": .string("example.org")])
        }
    }

    @Test func unknownTopLevelKeyRefused() {
        var doc = Fixture.document()
        doc["domian"] = .table([:])
        expectCoreError(.invalidPolicy, "domian: unknown key") { try Policy(document: doc) }
    }

    /// OpenDKIM signs with one algorithm per instance: the RSA and Ed25519 tables are four files,
    /// with defaults next to each other; a policy that would mix the algorithms in one table is refused.
    @Test func opendkimTablesArePerAlgorithm() throws {
        let defaults = try Policy(document: Fixture.document()).signers
        #expect(
            defaults.keyTable == "Keys/opendkim/KeyTable"
                && defaults.ed25519KeyTable == "Keys/opendkim/KeyTable.ed25519"
        )
        #expect(
            defaults.signingTable == "Keys/opendkim/SigningTable"
                && defaults.ed25519SigningTable == "Keys/opendkim/SigningTable.ed25519"
        )
        var doc = Fixture.document()
        doc["opendkim"] = .table([
            "ed25519_key_table": .string("/etc/opendkim/ed.keys"),
            "ed25519_signing_table": .string("/etc/opendkim/ed.signing"),
        ])
        let moved = try Policy(document: doc).signers
        #expect(
            moved.ed25519KeyTable == "/etc/opendkim/ed.keys" && moved.ed25519SigningTable == "/etc/opendkim/ed.signing"
        )
        doc["opendkim"] = .table(["ed25519_key_table": .string("Keys/opendkim/KeyTable")])
        expectCoreError(
            .invalidPolicy,
            "opendkim: key_table, signing_table, ed25519_key_table and ed25519_signing_table must be four different files"
        ) {
            try Policy(document: doc)
        }
    }

    @Test func unknownDomainKeyRefusedWithItsPath() {
        refuses(.invalidPolicy, "bogus", "unknown key (see the policy reference in the README)") {
            $0["bogus"] = .int(1)
        }
    }

    /// The path in messages is a TOML key path: a domain key contains dots, so it is quoted, as
    /// `PolicyTable.path` documents (`domains."example.org".dmarc`).
    @Test func unknownKeyPathQuotesTheDomain() {
        refuses(.invalidPolicy, "domains.\"example.org\".bogus: unknown key") { $0["bogus"] = .int(1) }
        refuses(.invalidPolicy, "domains.\"example.org\".soa.refersh: unknown key") {
            $0["soa"] = .table(["refersh": .int(3600)])
        }
    }

    @Test func unknownNestedKeysRefusedWithTheirPath() {
        refuses(.invalidPolicy, "soa.refersh: unknown key") { $0["soa"] = .table(["refersh": .int(3600)]) }
        refuses(.invalidPolicy, "mx[0].prio: unknown key") {
            $0["mx"] = .array([
                .table([
                    "host": .string("mail.example.org"), "addresses": Fixture.strings(["192.0.2.25"]), "prio": .int(5),
                ])
            ])
        }
        refuses(.invalidPolicy, "ns[1].address: unknown key") {
            $0["ns"] = .array([
                Fixture.ns("ns1.example.org", ["192.0.2.53"]),
                .table(["name": .string("ns2.dns-provider.test"), "address": .string("192.0.2.1")]),
            ])
        }
        refuses(.invalidPolicy, "mta_sts.modes: unknown key") { $0["mta_sts"] = .table(["modes": .string("testing")]) }
        refuses(.invalidPolicy, "tls_rpt.ruf: unknown key") {
            $0["tls_rpt"] = .table(["ruf": .string("mailto:t@example.org")])
        }
        refuses(.invalidPolicy, "caa.issuer: unknown key") {
            $0["caa"] = .table(["issuer": .string("letsencrypt.org")])
        }
    }

    @Test func unknownDMARCTagKeyRefused() {
        refuses(.invalidDMARC, "dmarc.policy: unknown DMARC tag", "known: p, sp, np, rua") {
            $0["dmarc"] = .table(["policy": .string("reject")])
        }
    }

    @Test func domainKeyMustBeAValidNameWithTwoLabels() {
        expectCoreError(.invalidPolicy, "domains.org: a mail domain needs at least two labels") {
            try Policy(document: Fixture.document(["org": Fixture.domainTable("org")]))
        }
        expectCoreError(.invalidName, "domains.\"ex ample.org\": domain name 'ex ample.org'") {
            try Policy(document: Fixture.document(["ex ample.org": Fixture.domainTable()]))
        }
        expectCoreError(.invalidPolicy, "expected a table, found a string") {
            try Policy(document: ["domains": .table(["example.org": .string("yes")])])
        }
    }

    @Test func sameDomainTwiceRefused() {
        let doc = Fixture.document([
            "example.org": Fixture.domainTable(), "Example.ORG.": Fixture.domainTable("example.org"),
        ])
        expectCoreError(.invalidPolicy, "a domain is listed twice") { try Policy(document: doc) }
    }

    @Test func domainLookupByName() throws {
        let policy = try Policy(
            document: Fixture.document([
                "example.org": Fixture.domainTable("example.org"), "example.net": Fixture.domainTable("example.net"),
            ])
        )
        #expect(policy.domains.map(\.name.description) == ["example.net", "example.org"])
        #expect(try policy.domain("EXAMPLE.org.").name == name("example.org"))
        #expect(try policy.domain("example.net").mx.first?.host == name("mail.example.net"))
        expectCoreError(.invalidPolicy, "unknown domain 'example.com': the policy has example.net, example.org") {
            try policy.domain("example.com")
        }
        expectCoreError(.invalidName, "empty domain name") { try policy.domain("") }
        expectCoreError(.invalidPolicy, "unknown domain 'example.org': the policy has no domains") {
            try Policy(domains: []).domain("example.org")
        }
    }

    @Test func wrongValueTypesNamed() {
        refuses(.invalidPolicy, "spf: expected a string, found an integer") { $0["spf"] = .int(1) }
        refuses(.invalidPolicy, "helo_spf: expected true or false, found a string") { $0["helo_spf"] = .string("no") }
        refuses(.invalidPolicy, "ttl: expected seconds or a duration like \"1h\", found a boolean") {
            $0["ttl"] = .bool(true)
        }
        refuses(.invalidPolicy, "ttl: expected seconds", "found a local date") { $0["ttl"] = .other("a local date") }
        refuses(.invalidPolicy, "ttl: expected seconds", "found a number") { $0["ttl"] = .double(3600.5) }
        refuses(.invalidPolicy, "ns: expected an array of tables, found a table") { $0["ns"] = .table([:]) }
        refuses(.invalidPolicy, "mx: expected tables, found a string") {
            $0["mx"] = Fixture.strings(["mail.example.org"])
        }
        refuses(.invalidPolicy, "dmarc: expected a table, found a boolean") { $0["dmarc"] = .bool(false) }
        refuses(.invalidPolicy, "addresses: expected an array of strings, found an integer") {
            $0["mx"] = .array([.table(["host": .string("mail.example.org"), "addresses": .int(1)])])
        }
        refuses(.invalidPolicy, "addresses: expected strings, found an integer") {
            $0["mx"] = .array([.table(["host": .string("mail.example.org"), "addresses": .array([.int(1)])])])
        }
    }
}

@Suite("Policy: hosts")
struct PolicyHostTests {
    @Test func inZoneHostWithoutAddressesRefused() {
        refuses(.invalidPolicy, "mx[0]: mail.example.org lies inside example.org, so its addresses are needed") {
            $0["mx"] = .array([Fixture.mx("mail.example.org")])
        }
        refuses(.invalidPolicy, "ns[0]: ns1.example.org lies inside example.org") {
            $0["ns"] = .array([Fixture.ns("ns1.example.org"), Fixture.ns("ns2.dns-provider.test")])
        }
        refuses(.invalidPolicy, "lies inside example.org") { $0["mx"] = .array([Fixture.mx("example.org")]) }
    }

    @Test func outOfZoneHostWithAddressesRefused() {
        refuses(
            .invalidPolicy,
            "ns[1]: ns2.dns-provider.test lies outside example.org; publish its addresses in its own zone"
        ) {
            $0["ns"] = .array([
                Fixture.ns("ns1.example.org", ["192.0.2.53"]), Fixture.ns("ns2.dns-provider.test", ["198.51.100.53"]),
            ])
        }
        refuses(.invalidPolicy, "mx[0]: mx.notexample.org lies outside example.org") {
            $0["mx"] = .array([Fixture.mx("mx.notexample.org", ["192.0.2.25"])])
        }
    }

    @Test func outOfZoneHostWithoutAddressesAccepted() throws {
        let p = try build { $0["mx"] = .array([Fixture.mx("mx.provider.test")]) }
        #expect(p.mx == [MXHost(host: name("mx.provider.test"), preference: 10, addresses: [])])
    }

    @Test func duplicateAddressRefused() {
        refuses(.invalidPolicy, "mx[0].addresses: an address is listed twice") {
            $0["mx"] = .array([Fixture.mx("mail.example.org", ["192.0.2.25", "192.0.2.25"])])
        }
        refuses(.invalidPolicy, "an address is listed twice") {
            $0["mx"] = .array([Fixture.mx("mail.example.org", ["2001:db8::25", "2001:DB8:0:0::25"])])
        }
    }

    @Test func badAddressOrHostRefused() {
        refuses(.invalidAddress, "mx[0].addresses: '999.0.2.1' is not an IPv4 or IPv6 address") {
            $0["mx"] = .array([Fixture.mx("mail.example.org", ["999.0.2.1"])])
        }
        refuses(.invalidName, "mx[0].host: domain name 'mail_1.example.org'") {
            $0["mx"] = .array([Fixture.mx("mail_1.example.org", ["192.0.2.25"])])
        }
        refuses(.invalidPolicy, "ns[0]: 'name' is missing") {
            $0["ns"] = .array([.table(["host": .string("ns1.example.org")])])
        }
        refuses(.invalidPolicy, "mx[0]: 'host' is missing") { $0["mx"] = .array([.table([:])]) }
    }

    @Test func duplicateHostsRefused() {
        refuses(.invalidPolicy, "nameserver ns2.dns-provider.test is listed twice") {
            $0["ns"] = .array([Fixture.ns("ns2.dns-provider.test"), Fixture.ns("NS2.dns-provider.test.")])
        }
        refuses(.invalidPolicy, "MX host mx.provider.test is listed twice") {
            $0["mx"] = .array([Fixture.mx("mx.provider.test"), Fixture.mx("mx.provider.test", preference: 20)])
        }
    }

    @Test func atLeastOneNameserverAndMXNeeded() {
        refuses(.invalidPolicy, "domains.\"example.org\": at least one [[ns]] nameserver is needed") { $0["ns"] = nil }
        refuses(.invalidPolicy, "at least one [[ns]] nameserver is needed") { $0["ns"] = .array([]) }
        refuses(.invalidPolicy, "domains.\"example.org\": at least one [[mx]] host is needed") { $0["mx"] = nil }
    }

    @Test func singleNameserverWarns() throws {
        let p = try build { $0["ns"] = .array([Fixture.ns("ns1.example.org", ["192.0.2.53"])]) }
        #expect(p.warnings == ["example.org has a single nameserver; RFC 2182 asks for at least two"])
    }

    @Test func mxPreferences() throws {
        let p = try build {
            $0["mx"] = .array([
                Fixture.mx("mx1.provider.test"), Fixture.mx("mx2.provider.test"),
                Fixture.mx("mx3.provider.test", preference: 5),
                Fixture.mx("mx4.provider.test", preference: 0),
            ])
        }
        #expect(p.mx.map(\.preference) == [10, 20, 5, 0])
        #expect(
            p.mx.map(\.host.description) == [
                "mx1.provider.test", "mx2.provider.test", "mx3.provider.test", "mx4.provider.test",
            ]
        )
        refuses(.invalidPolicy, "mx[0].preference: must be 0 to 65535") {
            $0["mx"] = .array([Fixture.mx("mx.provider.test", preference: 65536)])
        }
        refuses(.invalidPolicy, "mx[0].preference: must be 0 to 65535") {
            $0["mx"] = .array([Fixture.mx("mx.provider.test", preference: -1)])
        }
    }

    @Test func moreThanTenMXHostsWithSPFMxRefused() throws {
        let eleven = PolicyValue.array((1...11).map { Fixture.mx("mx\($0).provider.test") })
        refuses(.invalidSPF, "example.org: SPF 'mx' may look up at most 10 MX hosts", "RFC 7208") { $0["mx"] = eleven }
        let p = try build {
            $0["mx"] = eleven
            $0["spf"] = .string("v=spf1 ip4:192.0.2.0/24 -all")
        }
        #expect(p.mx.count == 11)
        let ten = try build { $0["mx"] = .array((1...10).map { Fixture.mx("mx\($0).provider.test") }) }
        #expect(ten.mx.count == 10)
    }
}

@Suite("Policy: TTLs and SOA")
struct PolicyTTLTests {
    @Test(arguments: [
        (PolicyValue.int(60), UInt32(60)), (.string("1h"), 3600), (.string("5m"), 300), (.string("1w"), 604_800),
    ])
    func defaultTTLAcceptsSecondsAndDurations(value: PolicyValue, seconds: UInt32) throws {
        #expect(try build { $0["ttl"] = value }.defaultTTL == seconds)
    }

    @Test(arguments: [
        (PolicyValue.int(59), "TTL 59 s is out of range 60...604800 s"), (.int(604_801), "TTL 604801 s"),
        (.string("8d"), "TTL 691200 s"),
    ])
    func defaultTTLOutOfRangeRefused(value: PolicyValue, fragment: String) {
        refuses(.invalidTTL, "ttl: ", fragment) { $0["ttl"] = value }
    }

    @Test func badDurationsRefused() {
        refuses(.invalidPolicy, "ttl: duration '1x': unknown unit 'x'") { $0["ttl"] = .string("1x") }
        refuses(.invalidPolicy, "ttl: must not be negative") { $0["ttl"] = .int(-5) }
        refuses(.invalidPolicy, "max_age: duration '7days'") { $0["mta_sts"] = .table(["max_age": .string("7days")]) }
    }

    @Test func perTypeTTLs() throws {
        let p = try build { $0["ttls"] = .table(["MX": .string("1d"), "txt": .int(300)]) }
        #expect(p.ttls == [.mx: 86400, .txt: 300])
        #expect(p.ttl(for: .mx) == 86400)
        #expect(p.ttl(for: .txt) == 300)
        #expect(p.ttl(for: .a) == 3600)
        refuses(.invalidPolicy, "ttls.FOO: unknown record type") { $0["ttls"] = .table(["FOO": .int(300)]) }
        refuses(.invalidPolicy, "ttls.RRSIG: unknown record type") { $0["ttls"] = .table(["RRSIG": .int(300)]) }
        refuses(.invalidTTL, "ttls.MX: ", "TTL 30 s is out of range") { $0["ttls"] = .table(["MX": .int(30)]) }
    }

    @Test func soaTimersAsDurations() throws {
        let p = try build {
            $0["soa"] = .table([
                "refresh": .string("2h"), "retry": .string("30m"), "expire": .string("2w"), "minimum": .string("5m"),
                "ttl": .string("1d"), "mname": .string("ns2.dns-provider.test"), "rname": .string("admin@example.org"),
            ])
        }
        #expect(
            p.soa
                == SOAPolicy(
                    mname: name("ns2.dns-provider.test"),
                    rname: name("admin.example.org"),
                    refresh: 7200,
                    retry: 1800,
                    expire: 1_209_600,
                    minimum: 300
                )
        )
        #expect(p.ttl(for: .soa) == 86400)
        #expect(p.ttls == [.soa: 86400])
    }

    @Test func rnameForms() throws {
        #expect(
            try build { $0["soa"] = .table(["rname": .string("dns-admin@example.net")]) }.soa.rname
                == name("dns-admin.example.net")
        )
        #expect(
            try build { $0["soa"] = .table(["rname": .string("hostmaster.example.net.")]) }.soa.rname
                == name("hostmaster.example.net")
        )
        refuses(
            .invalidName,
            "soa.rname: SOA contact 'first.last@example.org': the local part must be letters, digits, '-' or '_'"
        ) {
            $0["soa"] = .table(["rname": .string("first.last@example.org")])
        }
        refuses(.invalidName, "the local part must be") { $0["soa"] = .table(["rname": .string("@example.org")]) }
        refuses(.invalidName, "soa.mname: domain name") { $0["soa"] = .table(["mname": .string("ns_1.example.org")]) }
    }

    @Test func retryMustBeShorterThanRefresh() {
        refuses(.invalidPolicy, "soa: retry (3600 s) must be shorter than refresh (3600 s)") {
            $0["soa"] = .table(["refresh": .string("1h"), "retry": .string("1h")])
        }
        refuses(.invalidPolicy, "retry (14400 s) must be shorter than refresh (10800 s)") {
            $0["soa"] = .table(["retry": .string("4h")])
        }
    }

    @Test func expireMustExceedRefreshPlusRetry() throws {
        refuses(.invalidPolicy, "soa: expire (14400 s) must exceed refresh + retry") {
            $0["soa"] = .table(["expire": .string("4h")])
        }
        #expect(try build { $0["soa"] = .table(["expire": .int(14401)]) }.soa.expire == 14401)
    }

    @Test func soaTimerOutOfRangeRefused() throws {
        refuses(.invalidTTL, "soa.refresh: 30 s is out of range 60...4838400 s") {
            $0["soa"] = .table(["refresh": .int(30)])
        }
        refuses(.invalidTTL, "soa.expire: 5443200 s is out of range") { $0["soa"] = .table(["expire": .string("9w")]) }
        refuses(.invalidTTL, "soa.minimum: ", "TTL 30 s is out of range") { $0["soa"] = .table(["minimum": .int(30)]) }
        #expect(try build { $0["soa"] = .table(["expire": .string("8w")]) }.soa.expire == 4_838_400)
    }
}

@Suite("Policy: SPF and DMARC")
struct PolicySPFDMARCTests {
    @Test func customSPF() throws {
        let p = try build { $0["spf"] = .string("v=spf1 mx ip4:192.0.2.0/24 include:_spf.provider.test ~all") }
        #expect(p.spf.text == "v=spf1 mx ip4:192.0.2.0/24 include:_spf.provider.test ~all")
        #expect(p.spf.lookups == 2)
        #expect(p.warnings.isEmpty)
    }

    @Test func invalidSPFRefusedWithKey() {
        refuses(.invalidSPF, "spf: SPF record 'v=spf1 +all'", "authorises every host") {
            $0["spf"] = .string("v=spf1 +all")
        }
    }

    @Test func softSPFWarns() throws {
        let p = try build { $0["spf"] = .string("v=spf1 mx ?all") }
        #expect(
            p.warnings == [
                "example.org SPF: '?all' is neutral: receivers get no policy; use '-all' or '~all'",
                "example.org SPF does not end in -all or ~all",
            ]
        )
    }

    @Test func heloSPFSwitch() throws {
        #expect(try build { $0["helo_spf"] = .bool(false) }.heloSPF == false)
        #expect(try build { $0["helo_spf"] = .bool(true) }.heloSPF == true)
    }

    @Test func dmarcTagsInCanonicalOrder() throws {
        let p = try build {
            $0["dmarc"] = .table([
                "pct": .int(50), "adkim": .string("s"),
                "rua": Fixture.strings(["mailto:a@example.org", "mailto:b@example.net"]),
                "sp": .string("none"), "p": .string("quarantine"), "enabled": .bool(true),
            ])
        }
        #expect(
            p.dmarc?.text
                == "v=DMARC1; p=quarantine; sp=none; rua=mailto:a@example.org,mailto:b@example.net; adkim=s; pct=50"
        )
        #expect(p.warnings == ["example.org DMARC: pct=50: the policy applies to only 50% of failing mail"])
    }

    @Test func dmarcBadValueRefused() {
        refuses(.invalidDMARC, "dmarc: DMARC record", "p='block': use none, quarantine or reject") {
            $0["dmarc"] = .table(["p": .string("block")])
        }
        refuses(.invalidDMARC, "rua: 'mailto:nobody' is not a valid mail address") {
            $0["dmarc"] = .table(["rua": .string("mailto:nobody")])
        }
        refuses(.invalidDMARC, "dmarc.rua: expected strings") { $0["dmarc"] = .table(["rua": .array([.int(1)])]) }
        refuses(.invalidDMARC, "dmarc.p: expected a string, found a boolean") {
            $0["dmarc"] = .table(["p": .bool(true)])
        }
        refuses(.invalidPolicy, "dmarc.enabled: expected true or false") {
            $0["dmarc"] = .table(["enabled": .string("no")])
        }
    }

    @Test func dmarcWarningsForNoneAndNoRua() throws {
        let p = try build { $0["dmarc"] = .table(["p": .string("none"), "rua": .array([])]) }
        #expect(p.dmarc?.text == "v=DMARC1; p=none")
        #expect(
            p.warnings == [
                "example.org DMARC: p=none only monitors: MECSA and internet.nl want quarantine or reject",
                "example.org DMARC: no rua: nobody receives aggregate reports",
            ]
        )
    }

    @Test func dmarcDisabled() throws {
        let p = try build { $0["dmarc"] = .table(["enabled": .bool(false), "p": .string("none")]) }
        #expect(p.dmarc == nil)
        #expect(p.warnings == ["example.org: DMARC is disabled"])
        #expect(p.mtaSTS != nil)
    }
}

@Suite("Policy: MTA-STS, TLS-RPT, CAA")
struct PolicyMailSecurityTests {
    @Test func mtaSTSDefaultTextAndID() throws {
        let sts = try #require(try build().mtaSTS)
        #expect(sts.text == "version: STSv1\r\nmode: enforce\r\nmx: mail.example.org\r\nmax_age: 604800\r\n")
        #expect(sts.id == "d06fe1c1cd7004a7686c")
        #expect(sts.id == String(SHA256.hex(sts.text).prefix(20)))
        #expect(sts.id.count == 20)
        #expect(sts.id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }

    @Test func mtaSTSIDChangesExactlyWhenTextChanges() throws {
        let variants: [DomainPolicy] = [
            try build(),
            try build(),  // same text
            try build { $0["dmarc"] = .table(["p": .string("quarantine")]) },  // unrelated change
            try build { $0["mta_sts"] = .table(["mode": .string("testing")]) },
            try build { $0["mta_sts"] = .table(["mode": .string("none")]) },
            try build { $0["mta_sts"] = .table(["max_age": .string("1d")]) },
            try build { $0["mta_sts"] = .table(["mx": Fixture.strings(["*.example.org"])]) },
            try build { $0["mta_sts"] = .table(["addresses": Fixture.strings(["192.0.2.80"])]) },  // not in the text
        ]
        let sts = try variants.map { try #require($0.mtaSTS) }
        #expect(sts[0].id == sts[1].id)
        #expect(sts[0].id == sts[2].id)
        #expect(sts[0].id == sts[7].id)
        #expect(sts[0].id != sts[3].id)
        #expect(sts[3].id != sts[4].id)
        #expect(sts[0].id != sts[5].id)
        #expect(sts[0].id != sts[6].id)
        for a in sts {
            for b in sts { #expect((a.text == b.text) == (a.id == b.id), "\(a.text) vs \(b.text)") }
        }
    }

    @Test func mtaSTSSettings() throws {
        let p = try build {
            $0["mta_sts"] = .table([
                "mode": .string("testing"), "max_age": .string("30d"),
                "mx": Fixture.strings(["*.example.org", "backup.provider.test"]),
                "addresses": Fixture.strings(["192.0.2.80", "2001:db8::80"]),
            ])
        }
        let sts = try #require(p.mtaSTS)
        #expect(sts.mode == .testing)
        #expect(sts.maxAge == 2_592_000)
        #expect(sts.mx == [name("*.example.org", kind: .wildcardHost), name("backup.provider.test")])
        #expect(try sts.addresses == [IPAddress("192.0.2.80"), IPAddress("2001:db8::80")])
        #expect(
            sts.text
                == "version: STSv1\r\nmode: testing\r\nmx: *.example.org\r\nmx: backup.provider.test\r\nmax_age: 2592000\r\n"
        )
    }

    @Test func mtaSTSModeAndMaxAgeValidated() throws {
        refuses(.invalidMTASTS, "mta_sts.mode: 'strict' is not enforce, testing or none") {
            $0["mta_sts"] = .table(["mode": .string("strict")])
        }
        refuses(.invalidMTASTS, "mta_sts.max_age: 3600 s is out of range 1 day...1 year") {
            $0["mta_sts"] = .table(["max_age": .int(3600)])
        }
        refuses(.invalidMTASTS, "31557601 s is out of range") { $0["mta_sts"] = .table(["max_age": .int(31_557_601)]) }
        #expect(try build { $0["mta_sts"] = .table(["max_age": .string("1d")]) }.mtaSTS?.maxAge == 86400)
        #expect(try build { $0["mta_sts"] = .table(["max_age": .int(31_557_600)]) }.mtaSTS?.maxAge == 31_557_600)
    }

    @Test func enforceModeMustCoverEveryMXHost() throws {
        refuses(.invalidMTASTS, "mta_sts.mx: MX host mail.example.org is not covered; enforce mode would refuse it") {
            $0["mta_sts"] = .table(["mx": Fixture.strings(["other.example.org"])])
        }
        // A wildcard matches exactly one label (RFC 8461 §4.1).
        refuses(.invalidMTASTS, "MX host mail.example.org is not covered") {
            $0["mta_sts"] = .table(["mx": Fixture.strings(["*.mail.example.org"])])
        }
        refuses(.invalidMTASTS, "MX host a.b.example.org is not covered") {
            $0["mx"] = .array([Fixture.mx("a.b.example.org", ["192.0.2.25"])])
            $0["mta_sts"] = .table(["mx": Fixture.strings(["*.example.org"])])
        }
        let testing = try build {
            $0["mta_sts"] = .table(["mode": .string("testing"), "mx": Fixture.strings(["other.example.org"])])
        }
        #expect(testing.mtaSTS?.mx == [name("other.example.org")])
        refuses(.invalidName, "mta_sts.mx: domain name 'mx.*.example.org'") {
            $0["mta_sts"] = .table(["mx": Fixture.strings(["mx.*.example.org"])])
        }
    }

    @Test func mtaSTSDisabled() throws {
        let p = try build { $0["mta_sts"] = .table(["enabled": .bool(false), "mode": .string("bogus")]) }
        #expect(p.mtaSTS == nil)
        #expect(p.dmarc != nil)
    }

    @Test func tlsRPTSettings() throws {
        #expect(
            try build {
                $0["tls_rpt"] = .table([
                    "rua": Fixture.strings(["https://reports.provider.test/tlsrpt", "mailto:tls@example.net"])
                ])
            }
            .tlsRPT == ["https://reports.provider.test/tlsrpt", "mailto:tls@example.net"]
        )
        #expect(
            try build { $0["tls_rpt"] = .table(["rua": .string("mailto:tls@example.net")]) }.tlsRPT == [
                "mailto:tls@example.net"
            ]
        )
        refuses(.invalidTLSRPT, "tls_rpt.rua: at least one address is needed") {
            $0["tls_rpt"] = .table(["rua": .array([])])
        }
        refuses(.invalidPolicy, "tls_rpt.rua: 'ftp://reports.provider.test/' is not a mailto: or https: URI") {
            $0["tls_rpt"] = .table(["rua": .string("ftp://reports.provider.test/")])
        }
        refuses(.invalidPolicy, "tls_rpt.rua: 'mailto:tls' is not a valid mail address") {
            $0["tls_rpt"] = .table(["rua": .string("mailto:tls")])
        }
        #expect(try build { $0["tls_rpt"] = .table(["enabled": .bool(false)]) }.tlsRPT == nil)
    }

    @Test func caaSettings() throws {
        let p = try build {
            $0["caa"] = .table([
                "issue": Fixture.strings(["letsencrypt.org; validationmethods=dns-01", "sectigo.com"]),
                "issuewild": .string(";"), "iodef": .string("mailto:security@example.org"),
            ])
        }
        #expect(
            p.caa
                == CAAPolicy(
                    issue: ["letsencrypt.org; validationmethods=dns-01", "sectigo.com"],
                    issuewild: [";"],
                    iodef: ["mailto:security@example.org"]
                )
        )
        #expect(try build { $0["caa"] = .table(["issue": .string(";")]) }.caa?.issue == [";"])
        #expect(try build { $0["caa"] = .table(["enabled": .bool(false)]) }.caa == nil)
    }

    @Test func anUnquotedDomainHeaderGetsAHint() throws {
        // [domains.example.org] and [domains.example.org.dkim], as TOML reads them.
        let document: [String: PolicyValue] = [
            "domains": .table([
                "example": .table(["org": .table(["ttl": .string("1h"), "dkim": .table(["enabled": .bool(false)])])])
            ])
        ]
        #expect {
            _ = try Policy(document: document)
        } throws: { error in
            guard let e = error as? CoreError else { return false }
            return e.reason.contains("domains.example: a mail domain needs at least two labels")
                && e.reason.contains("quote it in the table headers: [domains.\"example.org\"]")
        }
        // A one-label name without such a table gets no hint.
        #expect(Policy.unquotedHint("localhost", ["ttl": .string("1h")]) == "")
        #expect(
            Policy.unquotedHint("mail", ["example": .table(["org": .table(["ttl": .string("1h")])])]).contains(
                "[domains.\"mail.example.org\"]"
            )
        )
    }

    @Test func caaIssuersNoCAUsesAreWarnedAbout() throws {
        let typo = try build { $0["caa"] = .table(["issue": .string("letsencrpyt.org")]) }
        #expect(
            typo.warnings.contains {
                $0.contains("caa.issue: 'letsencrpyt.org' is not the CAA issuer domain of any CA mailkeys knows")
                    && $0.contains("(did you mean letsencrypt.org?)")
            },
            "\(typo.warnings)"
        )
        let unknown = try build { $0["caa"] = .table(["issuewild": .string("ca.internal.example")]) }
        #expect(
            unknown.warnings.contains {
                $0.contains("caa.issuewild: 'ca.internal.example'") && !$0.contains("did you mean")
            }
        )
        for fine in ["letsencrypt.org; validationmethods=dns-01", "Sectigo.com", ";"] {
            let p = try build { $0["caa"] = .table(["issue": .string(fine)]) }
            #expect(!p.warnings.contains { $0.contains("caa.") }, "\(fine): \(p.warnings)")
        }
        #expect(CAAIssuers.distance("letsencrpyt.org", "letsencrypt.org") == 2)
        #expect(CAAIssuers.distance("", "abc") == 3 && CAAIssuers.distance("pki.goog", "pki.goog") == 0)
    }

    @Test func caaValidated() {
        refuses(.invalidCAA, "caa.issue: CAA issuer 'bad_ca.example'") {
            $0["caa"] = .table(["issue": .string("bad_ca.example")])
        }
        refuses(.invalidCAA, "caa.issue: list at least one CA, or \";\" to forbid all") {
            $0["caa"] = .table(["issue": .array([])])
        }
        refuses(.invalidCAA, "caa.issuewild: CAA issuer 'letsencrypt.org; accounturi'", "is not key=value") {
            $0["caa"] = .table(["issuewild": .string("letsencrypt.org; accounturi")])
        }
        refuses(.invalidPolicy, "caa.iodef: 'ftp://example.org/' is not a mailto: or https: URI") {
            $0["caa"] = .table(["iodef": .string("ftp://example.org/")])
        }
    }

    /// RFC 8659 §4.2: `tag = (ALPHA / DIGIT) *( *("-") (ALPHA / DIGIT))`, so inner hyphens are allowed.
    @Test func caaParameterTagMayContainHyphens() throws {
        try CAA.checkIssuer("ca.example; account-uri=https://ca.example/acct/1")
    }

    @Test func caaCheckIssuer() throws {
        try CAA.checkIssuer("letsencrypt.org")
        try CAA.checkIssuer(";")
        try CAA.checkIssuer("ca.example; account=12345; policy=ev")
        expectCoreError(.invalidCAA, "parameter 'a=b c' is not key=value") { try CAA.checkIssuer("ca.example; a=b c") }
        expectCoreError(.invalidCAA, "parameter '=v' is not key=value") { try CAA.checkIssuer("ca.example; =v") }
        expectCoreError(.invalidCAA, "parameter 'k' is not key=value") { try CAA.checkIssuer("ca.example; k") }
        expectCoreError(.invalidCAA, "CAA issuer '-ca.example'", "must not start or end with '-'") {
            try CAA.checkIssuer("-ca.example")
        }
    }
}

@Suite("PolicyTable")
struct PolicyTableTests {
    @Test func accessorsAndPaths() throws {
        let t = PolicyTable(
            [
                "s": .string("x"), "list": .string("one"), "sub": .table(["k": .int(1)]),
                "arr": .array([.table([:]), .table([:])]),
            ],
            path: "top"
        )
        #expect(t.keys == ["arr", "list", "s", "sub"])
        #expect(try t.string("s") == "x")
        #expect(try t.strings("list") == ["one"])
        #expect(try t.string("absent") == nil)
        let sub = try #require(try t.table("sub"))
        #expect(sub.path == "top.sub")
        #expect(try sub.int("k") == 1)
        try sub.finish()
        let arr = try #require(try t.tables("arr"))
        #expect(arr.map(\.path) == ["top.arr[0]", "top.arr[1]"])
        try t.finish()
        #expect(PolicyTable([:], path: "").path == "")
    }

    @Test func finishNamesFirstUnusedKey() {
        let t = PolicyTable(["b": .int(1), "a": .int(2)], path: "p")
        _ = t.value("b")
        expectCoreError(.invalidPolicy, "p.a: unknown key") { try t.finish() }
        let root = PolicyTable(["z": .int(1)], path: "")
        expectCoreError(.invalidPolicy, "z: unknown key") { try root.finish() }
    }

    @Test func withinPrefixesTheKeyAndKeepsTheCode() {
        let t = PolicyTable([:], path: "a.b")
        expectCoreError(.invalidName, "a.b.host: empty domain name") { try t.within("host") { try DomainName("") } }
    }
}
