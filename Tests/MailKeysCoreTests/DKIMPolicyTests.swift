import Foundation
import Testing

@testable import MailKeysCore

private let day = 86400

private func plus(_ date: Date, _ seconds: Int) -> Date { date.addingTimeInterval(TimeInterval(seconds)) }

/// The policy of example.org with `[dkim]` set to `dkim` and the domain table changed by `modify`.
private func domain(dkim: [String: PolicyValue]?, _ modify: (inout [String: PolicyValue]) -> Void = { _ in }) throws
    -> DomainPolicy
{
    try Fixture.policy("example.org") { table in
        if let dkim { table["dkim"] = .table(dkim) }
        modify(&table)
    }
}

/// The validated `[dkim]` of example.org.
private func dkim(_ dkim: [String: PolicyValue], _ modify: (inout [String: PolicyValue]) -> Void = { _ in }) throws
    -> DKIMPolicy
{
    try domain(dkim: dkim, modify).dkim
}

private let defaultDKIM = DKIMPolicy(
    enabled: true,
    algorithms: [.rsa, .ed25519],
    rsaBits: 2048,
    rotateEvery: 90 * day,
    publishAhead: 2 * 3600 + 300,
    overlap: 7 * day,
    revokedFor: 0,
    revealDir: nil,
    strict: false,
    testing: false,
    group: nil,
    revealAfter: 3600 + 300
)

@Suite("DKIM keys: states and record text")
struct DKIMKeyTests {
    static let t0 = utc(2026, 11, 21)

    /// A key that went through every state, one day apart.
    static let full = DKIMKey(
        selector: "mk20261121r",
        algorithm: .rsa,
        publicKey: "MIIBkey",
        created: t0,
        published: plus(t0, day),
        active: plus(t0, 2 * day),
        retired: plus(t0, 3 * day),
        revoked: plus(t0, 4 * day),
        removed: plus(t0, 5 * day)
    )

    @Test func stateFollowsTheTimestampsNotAfterNow() {
        let k = Self.full
        let t0 = Self.t0
        #expect(k.state(at: plus(t0, -1)) == .created)
        #expect(k.state(at: t0) == .created)
        #expect(k.state(at: plus(t0, day - 1)) == .created)
        #expect(k.state(at: plus(t0, day)) == .published)
        #expect(k.state(at: plus(t0, 2 * day - 1)) == .published)
        #expect(k.state(at: plus(t0, 2 * day)) == .active)
        #expect(k.state(at: plus(t0, 3 * day - 1)) == .active)
        #expect(k.state(at: plus(t0, 3 * day)) == .retired)
        #expect(k.state(at: plus(t0, 4 * day - 1)) == .retired)
        #expect(k.state(at: plus(t0, 4 * day)) == .revoked)
        #expect(k.state(at: plus(t0, 5 * day - 1)) == .revoked)
        #expect(k.state(at: plus(t0, 5 * day)) == .removed)
        #expect(k.state(at: plus(t0, 500 * day)) == .removed)
    }

    @Test func stateWithoutLaterTimestamps() {
        let t0 = Self.t0
        let created = DKIMKey(selector: "a", algorithm: .ed25519, publicKey: "k", created: t0)
        #expect(created.state(at: plus(t0, 1000 * day)) == .created)
        #expect(!created.inDNS)
        #expect(!created.signing)
        #expect(created.lastEvent == t0)

        let published = DKIMKey(selector: "b", algorithm: .ed25519, publicKey: "k", created: t0, published: t0)
        #expect(published.state(at: t0) == .published)
        #expect(published.inDNS)
        #expect(!published.signing)

        let active = DKIMKey(
            selector: "c",
            algorithm: .rsa,
            publicKey: "k",
            created: t0,
            published: t0,
            active: plus(t0, 10)
        )
        #expect(active.state(at: plus(t0, 10)) == .active)
        #expect(active.signing)
        #expect(active.inDNS)
        #expect(active.lastEvent == plus(t0, 10))

        // Removed straight from retired (revoked_for 0).
        let removed = DKIMKey(
            selector: "d",
            algorithm: .rsa,
            publicKey: "k",
            created: t0,
            published: t0,
            active: plus(t0, 10),
            retired: plus(t0, 20),
            removed: plus(t0, 30)
        )
        #expect(removed.state(at: plus(t0, 29)) == .retired)
        #expect(removed.state(at: plus(t0, 30)) == .removed)
        #expect(!removed.inDNS)
        #expect(!removed.signing)

        let retired = DKIMKey(
            selector: "e",
            algorithm: .rsa,
            publicKey: "k",
            created: t0,
            published: t0,
            active: plus(t0, 10),
            retired: plus(t0, 20)
        )
        #expect(retired.inDNS)
        #expect(!retired.signing)
    }

    @Test func lastEventIncludesTheRevealTime() {
        var k = Self.full
        #expect(k.lastEvent == plus(Self.t0, 5 * day))
        k.revealed = plus(Self.t0, 6 * day)
        #expect(k.lastEvent == plus(Self.t0, 6 * day))
        #expect(k.state(at: plus(Self.t0, 6 * day)) == .removed)
    }

    @Test func recordTextFlags() {
        let t0 = Self.t0
        let r = DKIMKey(selector: "mk20261121r", algorithm: .rsa, publicKey: "MIIBkey", created: t0, published: t0)
        let e = DKIMKey(
            selector: "mk20261121e",
            algorithm: .ed25519,
            publicKey: "11qYAYKx=",
            created: t0,
            published: t0
        )
        var p = defaultDKIM
        #expect(r.recordText(policy: p) == "v=DKIM1; k=rsa; p=MIIBkey")
        #expect(e.recordText(policy: p) == "v=DKIM1; k=ed25519; p=11qYAYKx=")
        p.strict = true
        #expect(r.recordText(policy: p) == "v=DKIM1; k=rsa; t=s; p=MIIBkey")
        p.testing = true
        #expect(r.recordText(policy: p) == "v=DKIM1; k=rsa; t=y:s; p=MIIBkey")
        p.strict = false
        #expect(e.recordText(policy: p) == "v=DKIM1; k=ed25519; t=y; p=11qYAYKx=")
    }

    @Test func revokedRecordHasAnEmptyKey() {
        var k = DKIMKey(
            selector: "mk20261121e",
            algorithm: .ed25519,
            publicKey: "11qYAYKx=",
            created: Self.t0,
            published: Self.t0,
            active: plus(Self.t0, 1),
            retired: plus(Self.t0, 2)
        )
        #expect(k.recordText(policy: defaultDKIM) == "v=DKIM1; k=ed25519; p=11qYAYKx=")
        k.revoked = plus(Self.t0, 3)
        #expect(k.recordText(policy: defaultDKIM) == "v=DKIM1; k=ed25519; p=")
        var flagged = defaultDKIM
        flagged.strict = true
        flagged.testing = true
        #expect(k.recordText(policy: flagged) == "v=DKIM1; k=ed25519; t=y:s; p=")
    }

    @Test func actionsDescribeThemselves() {
        #expect(
            DKIMAction.create(selector: "s1", algorithm: .ed25519).description == "create and publish ed25519 key s1"
        )
        #expect(DKIMAction.activate(selector: "s1").description == "start signing with s1")
        #expect(
            DKIMAction.retire(selector: "s1").description == "stop signing with s1 (it stays in DNS for the overlap)"
        )
        #expect(DKIMAction.revoke(selector: "s1").description == "publish s1 revoked (empty p=)")
        #expect(DKIMAction.remove(selector: "s1").description == "remove s1 from DNS")
        #expect(
            [
                DKIMAction.create(selector: "a", algorithm: .rsa), .activate(selector: "b"), .retire(selector: "c"),
                .revoke(selector: "d"),
            ]
            .map(\.selector) == ["a", "b", "c", "d"]
        )
        #expect(DKIMAlgorithm.rsa.selectorSuffix == "r")
        #expect(DKIMAlgorithm.ed25519.selectorSuffix == "e")
    }
}

@Suite("DKIM policy: defaults and accepted values")
struct DKIMPolicyDefaultsTests {
    @Test func defaultsWithoutADKIMTable() throws {
        let p = try domain(dkim: nil)
        #expect(p.dkim == defaultDKIM)
        #expect(p.dkim.publishAhead == 7500)
        #expect(try DKIMPolicy(table: nil, txtTTL: 3600, propagation: 300) == defaultDKIM)
        #expect(DKIMPolicy.defaults(txtTTL: 3600, propagation: 300) == defaultDKIM)
        #expect(DKIMPolicy.minimumPublishAhead(txtTTL: 3600, propagation: 300) == 7500)
    }

    @Test func anEmptyTableGivesTheDefaults() throws {
        #expect(try dkim([:]) == defaultDKIM)
    }

    @Test func publishAheadDefaultFollowsTheTXTTTLAndPropagation() throws {
        // The [ttls] TXT override wins over the domain's default TTL.
        #expect(try domain(dkim: nil) { $0["ttls"] = .table(["TXT": .int(300)]) }.dkim.publishAhead == 900)
        #expect(try domain(dkim: nil) { $0["ttls"] = .table(["txt": .string("5m")]) }.dkim.publishAhead == 900)
        #expect(
            try domain(dkim: nil) {
                $0["ttl"] = .int(7200)
                $0["ttls"] = .table(["TXT": .int(300)])
            }.dkim.publishAhead == 900
        )
        // Without an override the domain's default TTL is the TXT TTL.
        #expect(try domain(dkim: nil) { $0["ttl"] = .int(7200) }.dkim.publishAhead == 2 * 7200 + 300)
        // An override of another type does not count.
        #expect(try domain(dkim: nil) { $0["ttls"] = .table(["MX": .int(300)]) }.dkim.publishAhead == 7500)
        #expect(try domain(dkim: nil) { $0["propagation_delay"] = .string("10m") }.dkim.publishAhead == 7800)
    }

    @Test func everyKeySet() throws {
        let p = try dkim([
            "enabled": .bool(true), "algorithms": Fixture.strings(["ed25519"]), "rsa_bits": .int(4096),
            "rotate_every": .string("30d"), "publish_ahead": .string("1d"), "overlap": .string("2w"),
            "revoked_for": .string("3d"),
            "reveal_dir": .string("/srv/www/dkim-reveal"), "strict": .bool(true), "testing": .bool(true),
            "group": .string("opendkim"),
        ])
        #expect(
            p
                == DKIMPolicy(
                    enabled: true,
                    algorithms: [.ed25519],
                    rsaBits: 4096,
                    rotateEvery: 30 * day,
                    publishAhead: day,
                    overlap: 14 * day,
                    revokedFor: 3 * day,
                    revealDir: "/srv/www/dkim-reveal",
                    strict: true,
                    testing: true,
                    group: "opendkim",
                    revealAfter: 3600 + 300
                )
        )
    }

    @Test func disabled() throws {
        let p = try dkim(["enabled": .bool(false)])
        #expect(!p.enabled)
        #expect(p.algorithms == [.rsa, .ed25519])
    }

    @Test(arguments: [2048, 3072, 4096])
    func acceptedRSASizes(bits: Int) throws {
        #expect(try dkim(["rsa_bits": .int(bits)]).rsaBits == bits)
    }

    @Test func algorithmsInAnyCaseAndOrder() throws {
        #expect(try dkim(["algorithms": Fixture.strings(["RSA"])]).algorithms == [.rsa])
        #expect(try dkim(["algorithms": .string("ed25519")]).algorithms == [.ed25519])
        #expect(try dkim(["algorithms": Fixture.strings(["ed25519", "rsa"])]).algorithms == [.ed25519, .rsa])
    }

    @Test func publishAheadEqualToTheMinimumIsAccepted() throws {
        #expect(try dkim(["publish_ahead": .int(7500)]).publishAhead == 7500)
        #expect(try dkim(["publish_ahead": .string("2h5m")]).publishAhead == 7500)
        #expect(try dkim(["publish_ahead": .int(900)]) { $0["ttls"] = .table(["TXT": .int(300)]) }.publishAhead == 900)
        #expect(try dkim(["publish_ahead": .int(7800)]) { $0["propagation_delay"] = .int(600) }.publishAhead == 7800)
    }

    @Test func overlapEqualToTTLPlusPropagationIsAccepted() throws {
        #expect(try dkim(["overlap": .int(3900)]).overlap == 3900)
        #expect(try dkim(["overlap": .int(600)]) { $0["ttls"] = .table(["TXT": .int(300)]) }.overlap == 600)
    }

    @Test func rotateEveryJustLongerThanPublishAheadIsAccepted() throws {
        #expect(try dkim(["rotate_every": .int(7501)]).rotateEvery == 7501)
        #expect(try dkim(["rotate_every": .string("25h"), "publish_ahead": .string("1d")]).rotateEvery == 25 * 3600)
    }

    @Test(arguments: ["opendkim", "_dkim-keys.1", "Debian-exim"])
    func acceptedGroups(group: String) throws {
        #expect(try dkim(["group": .string(group)]).group == group)
    }
}

@Suite("DKIM policy: refused values")
struct DKIMPolicyRefusalTests {
    @Test(arguments: [1024, 1536, 512, 2047, 8192])
    func weakOrOddRSASizes(bits: Int) {
        expectCoreError(.invalidPolicy, "domains.\"example.org\".dkim.rsa_bits", "\(bits) is not allowed", "2048") {
            try dkim(["rsa_bits": .int(bits)])
        }
    }

    @Test func unknownAlgorithm() {
        expectCoreError(.invalidPolicy, "dkim.algorithms", "'rsa-sha1' is not rsa or ed25519") {
            try dkim(["algorithms": Fixture.strings(["rsa", "rsa-sha1"])])
        }
        expectCoreError(.invalidPolicy, "dkim.algorithms", "'ed448' is not rsa or ed25519") {
            try dkim(["algorithms": .string("ed448")])
        }
    }

    @Test func emptyOrRepeatedAlgorithms() {
        expectCoreError(.invalidPolicy, "dkim.algorithms", "once each") { try dkim(["algorithms": .array([])]) }
        expectCoreError(.invalidPolicy, "dkim.algorithms", "once each") {
            try dkim(["algorithms": Fixture.strings(["rsa", "RSA"])])
        }
    }

    @Test func publishAheadBelowTwiceTheTXTTTLPlusPropagation() {
        expectCoreError(
            .invalidPolicy,
            "dkim.publish_ahead",
            "2h4m59s is less than 2 × TXT TTL + propagation delay (2h5m)"
        ) { try dkim(["publish_ahead": .int(7499)]) }
        // The [ttls] TXT override is the TTL that counts.
        expectCoreError(.invalidPolicy, "dkim.publish_ahead", "14m59s is less than", "(15m)") {
            try dkim(["publish_ahead": .int(899)]) { $0["ttls"] = .table(["TXT": .int(300)]) }
        }
        expectCoreError(.invalidPolicy, "dkim.publish_ahead", "2h5m is less than", "(4h5m)") {
            try dkim(["publish_ahead": .int(7500)]) { $0["ttls"] = .table(["TXT": .int(7200)]) }
        }
        expectCoreError(.invalidPolicy, "dkim.publish_ahead", "(2h10m)") {
            try dkim(["publish_ahead": .int(7799)]) { $0["propagation_delay"] = .int(600) }
        }
    }

    @Test func overlapShorterThanTTLPlusPropagation() {
        expectCoreError(.invalidPolicy, "dkim.overlap", "1h4m59s is shorter than the TXT TTL + propagation delay") {
            try dkim(["overlap": .int(3899)])
        }
        expectCoreError(.invalidPolicy, "dkim.overlap", "9m59s is shorter") {
            try dkim(["overlap": .int(599)]) { $0["ttls"] = .table(["TXT": .int(300)]) }
        }
    }

    @Test func rotateEveryNotLongerThanPublishAhead() {
        expectCoreError(.invalidPolicy, "dkim.rotate_every", "must be longer than publish_ahead (2h5m)") {
            try dkim(["rotate_every": .int(7500)])
        }
        expectCoreError(.invalidPolicy, "dkim.rotate_every", "must be longer than publish_ahead (1d)") {
            try dkim(["rotate_every": .string("1d"), "publish_ahead": .string("1d")])
        }
        expectCoreError(.invalidPolicy, "dkim.rotate_every", "(1d)") {
            try dkim(["rotate_every": .string("3h"), "publish_ahead": .string("1d")])
        }
    }

    @Test func revealDirMustBeAbsolute() throws {
        expectCoreError(.invalidPolicy, "dkim.reveal_dir", "'reveal' must be an absolute path") {
            try dkim(["reveal_dir": .string("reveal")])
        }
        expectCoreError(.invalidPolicy, "dkim.reveal_dir", "'./www/dkim' must be an absolute path") {
            try dkim(["reveal_dir": .string("./www/dkim")])
        }
        #expect(try dkim(["reveal_dir": .string("/var/www/dkim")]).revealDir == "/var/www/dkim")
    }

    @Test(arguments: ["", "open dkim", "grüppe", "a/b", "g;rm"])
    func badGroupNames(group: String) {
        expectCoreError(.invalidPolicy, "dkim.group", "'\(group)' is not a group name") {
            try dkim(["group": .string(group)])
        }
    }

    @Test func unknownKeyInTheDKIMTable() {
        expectCoreError(.invalidPolicy, "domains.\"example.org\".dkim.rotate_evry", "unknown key") {
            try dkim(["rotate_evry": .string("30d")])
        }
        expectCoreError(.invalidPolicy, "dkim.selector", "unknown key") { try dkim(["selector": .string("s1")]) }
    }

    @Test func wrongTypes() {
        expectCoreError(.invalidPolicy, "dkim.rsa_bits", "expected an integer") {
            try dkim(["rsa_bits": .string("2048")])
        }
        expectCoreError(.invalidPolicy, "dkim.enabled", "expected true or false") {
            try dkim(["enabled": .string("yes")])
        }
        expectCoreError(.invalidPolicy, "dkim.overlap", "must not be negative") { try dkim(["overlap": .int(-1)]) }
        expectCoreError(.invalidPolicy, "dkim.group", "expected a string") { try dkim(["group": .int(110)]) }
        expectCoreError(.invalidPolicy, "domains.\"example.org\".dkim", "expected a table") {
            try Fixture.policy { $0["dkim"] = .bool(true) }
        }
    }

    @Test func refusedThroughTheWholeDocumentToo() {
        expectCoreError(.invalidPolicy, "rsa_bits", "2048") {
            try Policy(document: Fixture.document { $0["dkim"] = .table(["rsa_bits": .int(1024)]) })
        }
    }
}

@Suite("DKIM records in the zone")
struct DKIMZoneTests {
    static let t0 = utc(2026, 11, 21)
    /// A fake base64 RSA-2048 SubjectPublicKeyInfo: 392 characters, as long as a real one.
    static let rsaKey: String = {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
        let head = "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"
        let body = String((0..<(392 - head.count - 6)).map { alphabet[($0 * 7) % alphabet.count] })
        return head + body + "IDAQAB"
    }()
    static let edKey = "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

    static let keys = [
        DKIMKey(
            selector: "mk20261121r",
            algorithm: .rsa,
            publicKey: rsaKey,
            created: t0,
            published: t0,
            active: plus(t0, 7500)
        ),
        DKIMKey(selector: "mk20261121e", algorithm: .ed25519, publicKey: edKey, created: t0, published: t0),
        // Removed: no record.
        DKIMKey(
            selector: "mk20260822r",
            algorithm: .rsa,
            publicKey: "GONE",
            created: plus(t0, -91 * day),
            published: plus(t0, -91 * day),
            active: plus(t0, -90 * day),
            retired: plus(t0, -8 * day),
            removed: plus(t0, -1 * day)
        ),
        // Never published: no record.
        DKIMKey(selector: "mk20261121r2", algorithm: .rsa, publicKey: "NEVER", created: t0),
        // Revoked, still in DNS: an empty p=.
        DKIMKey(
            selector: "mk20260822e",
            algorithm: .ed25519,
            publicKey: "REVOKED",
            created: plus(t0, -91 * day),
            published: plus(t0, -91 * day),
            active: plus(t0, -90 * day),
            retired: plus(t0, -8 * day),
            revoked: plus(t0, -1 * day)
        ),
    ]

    /// The `_domainkey` records of the zone: (relative owner, TTL, RDATA), sorted by owner.
    private static func dkimRecords(_ zone: Zone) -> [String] {
        zone.records.filter { $0.owner.labels.count == 4 && $0.owner.labels[1] == "_domainkey" }
            .map { "\($0.owner.relative(to: zone.origin)) \($0.ttl) \($0.type) \($0.rdata)" }.sorted()
    }

    @Test func recordsForKeysInDNSOnly() throws {
        let policy = try Fixture.policy()
        let (zone, _) = try ZoneBuilder(policy: policy, dkimKeys: Self.keys).build()
        let rsaText = "v=DKIM1; k=rsa; p=\(Self.rsaKey)"
        #expect(Self.rsaKey.count == 392)
        #expect(rsaText.utf8.count == 410)
        let rsaRDATA = "\"\(rsaText.prefix(255))\" \"\(rsaText.dropFirst(255))\""
        #expect(
            Self.dkimRecords(zone) == [
                "mk20260822e._domainkey 3600 TXT \"v=DKIM1; k=ed25519; p=\"",
                "mk20261121e._domainkey 3600 TXT \"v=DKIM1; k=ed25519; p=\(Self.edKey)\"",
                "mk20261121r._domainkey 3600 TXT \(rsaRDATA)",
            ]
        )
        let rsa = zone.rrset(name("mk20261121r._domainkey.example.org"), .txt)
        #expect(rsa.count == 1)
        #expect(rsa.first?.source == .generated("dkim"))
        #expect(rsa.first?.text == rsaText)
        #expect(rsa.first.map { TXT.decode($0.rdata).map(\.count) } == [255, 155])
        #expect(rsa.first?.txtPurpose == "v=dkim1")
        #expect(zone.rrset(name("mk20260822r._domainkey.example.org"), .txt).isEmpty)
        #expect(zone.rrset(name("mk20261121r2._domainkey.example.org"), .txt).isEmpty)

        let rendered = zone.render(serial: 1)
        #expect(rendered.contains("mk20261121e._domainkey  3600\tIN\tTXT\t\"v=DKIM1; k=ed25519; p=\(Self.edKey)\"\n"))
        #expect(!rendered.contains("GONE"))
        #expect(!rendered.contains("NEVER"))
        #expect(!rendered.contains("REVOKED"))
    }

    @Test func noKeysNoRecords() throws {
        let (zone, _) = try ZoneBuilder(policy: try Fixture.policy()).build()
        #expect(Self.dkimRecords(zone) == [])
        let (removedOnly, _) = try ZoneBuilder(policy: try Fixture.policy(), dkimKeys: [Self.keys[2], Self.keys[3]])
            .build()
        #expect(Self.dkimRecords(removedOnly) == [])
    }

    @Test func recordsUseTheTXTTTLAndThePolicyFlags() throws {
        let policy = try Fixture.policy {
            $0["ttls"] = .table(["TXT": .int(300)])
            $0["dkim"] = .table(["strict": .bool(true), "testing": .bool(true)])
        }
        let (zone, _) = try ZoneBuilder(policy: policy, dkimKeys: [Self.keys[1], Self.keys[4]]).build()
        #expect(
            Self.dkimRecords(zone) == [
                "mk20260822e._domainkey 300 TXT \"v=DKIM1; k=ed25519; t=y:s; p=\"",
                "mk20261121e._domainkey 300 TXT \"v=DKIM1; k=ed25519; t=y:s; p=\(Self.edKey)\"",
            ]
        )
    }

    @Test func keysFollowTheRolloverIntoTheZone() throws {
        // Plan and apply a rollover, building the zone at each step as tick does.
        let policy = try Fixture.policy { $0["dkim"] = .table(["algorithms": .string("ed25519")]) }
        var keys: [DKIMKey] = []
        var selectorsInZone: [[String]] = []
        let t0 = Self.t0
        let t1 = plus(t0, 7500)
        let due = plus(t1, 90 * day)
        for now in [t0, t1, due, plus(due, 7500), plus(due, 7500 + 7 * day)] {
            let dkimPlan = DKIMPlanner.plan(keys: keys, policy: policy.dkim, now: now)
            let actions = dkimPlan.actions
            var fresh: [String: String] = [:]
            for case .create(let s, _) in actions { fresh[s] = "K\(s)" }
            keys = DKIMPlanner.apply(actions, to: keys, now: now, newKeys: fresh)
            let (zone, _) = try ZoneBuilder(policy: policy, dkimKeys: keys).build()
            selectorsInZone.append(Self.dkimRecords(zone).map { String($0.split(separator: ".")[0]) })
        }
        #expect(
            selectorsInZone == [
                ["mk20261121e"], ["mk20261121e"], ["mk20261121e", "mk20270219e"], ["mk20261121e", "mk20270219e"],
                ["mk20270219e"],
            ]
        )
    }
}
