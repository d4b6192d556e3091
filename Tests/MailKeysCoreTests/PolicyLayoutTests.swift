import Testing

@testable import MailKeysCore

/// `[defaults]` under every domain, and domain tables from `domains/NAME.toml` beside the ones in
/// `mailkeys.toml` (issue 16: one file per domain for homes of thousands).
@Suite struct PolicyLayoutTests {
    @Test func defaultsLieUnderEveryDomainTableByTableAndListsReplace() throws {
        var document = Fixture.document(["a.example": Fixture.domainTable("a.example")])
        document["defaults"] = .table([
            "ttl": .string("2h"),
            "caa": .table([
                "issue": Fixture.strings(["letsencrypt.org"]), "iodef": Fixture.strings(["mailto:s@x.example"]),
            ]),
            "ns": .array([Fixture.ns("ns.elsewhere.example")]),
        ])
        var b = Fixture.domainTable("b.example")
        b["ttl"] = .string("5m")
        b["caa"] = .table(["issue": Fixture.strings(["pki.goog"])])
        let policy = try Policy(document: document, files: ["b.example": b])
        let a = try policy.domain("a.example")
        let bp = try policy.domain("b.example")
        #expect(a.defaultTTL == 7200 && bp.defaultTTL == 300)
        // [defaults.caa] merges key by key; the domain's own [[ns]] list replaces the default one.
        #expect(bp.caa?.issue == ["pki.goog"] && bp.caa?.iodef == ["mailto:s@x.example"])
        #expect(a.nameservers.map(\.name.description) == ["ns1.a.example", "ns2.dns-provider.test"])
        #expect(policy.domains.map(\.name.description) == ["a.example", "b.example"])
    }

    @Test func filesAloneAreAPolicyAndMistakesNameTheDomain() throws {
        let policy = try Policy(document: [:], files: ["c.example": Fixture.domainTable("c.example")])
        #expect(policy.domains.map(\.name.description) == ["c.example"])

        #expect(throws: CoreError.self) { try Policy(document: [:]) }
        var typo = Fixture.domainTable("c.example")
        typo["tll"] = .string("1h")
        let e = try #require(throws: CoreError.self) { try Policy(document: [:], files: ["c.example": typo]) }
        #expect(e.reason.hasPrefix("domains.\"c.example\".tll"), "\(e.reason)")
        // A typo in [defaults] shows up in every domain's table.
        var document: [String: PolicyValue] = ["defaults": .table(["tll": .string("1h")])]
        let d = try #require(throws: CoreError.self) {
            try Policy(document: document, files: ["c.example": Fixture.domainTable("c.example")])
        }
        #expect(d.reason.contains("tll"), "\(d.reason)")
        document = Fixture.document(["c.example": Fixture.domainTable("c.example")])
        let twice = try #require(throws: CoreError.self) {
            try Policy(document: document, files: ["C.example.": Fixture.domainTable("c.example")])
        }
        #expect(twice.reason.contains("a domain is listed twice: c.example"), "\(twice.reason)")
        let bad = try #require(throws: CoreError.self) {
            try Policy(document: [:], files: ["bad..name": Fixture.domainTable("c.example")])
        }
        #expect(bad.reason.hasPrefix("domains.\"bad..name\": "), "\(bad.reason)")
    }

    @Test func mergeIsByTableAndEverythingElseReplaces() {
        let defaults: [String: PolicyValue] = [
            "a": .table(["x": .int(1), "y": .table(["z": .int(2)])]), "l": .array([.int(1)]), "s": .string("d"),
        ]
        let table: [String: PolicyValue] = ["a": .table(["y": .table(["w": .int(3)])]), "l": .array([])]
        let merged = PolicyValue.merged(table, over: defaults)
        #expect(
            merged == [
                "a": .table(["x": .int(1), "y": .table(["z": .int(2), "w": .int(3)])]), "l": .array([]),
                "s": .string("d"),
            ]
        )
        #expect(PolicyValue.merged(table, over: [:]) == table)
    }
}
