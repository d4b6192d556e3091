import Foundation
import Testing

/// `tick`, `plan` and `ds` with `--json`: one JSON document each, with stable keys (issue 18).
@Suite struct JSONOutputTests {
    static func object(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
    }

    @Test func tickReportsActionsNotesWarningsAndTheNextEvent() throws {
        let home = try Support.exampleHome(build: false)
        var r = try Support.mailkeys(["tick", "--json", "--home", home.path, "--now", Support.now])
        #expect(r.status == 0, "\(r.stderr)")
        var doc = try Self.object(r.stdout)
        #expect(Set(doc.keys) == ["ok", "error", "actions", "notes", "warnings", "next"], "\(doc.keys)")
        #expect(doc["ok"] as? Bool == true && doc["error"] is NSNull)
        let actions = try #require(doc["actions"] as? [[String: String]])
        #expect(
            actions.contains { $0["domain"] == "example.org" && $0["text"]!.hasPrefix("wrote Zones/example.org.zone") }
        )
        let next = try #require(doc["next"] as? [String: String])
        #expect(next["at"]?.hasSuffix("Z") == true && next["reason"]?.hasPrefix("example.org: ") == true, "\(next)")
        #expect(doc["warnings"] is [String] && doc["notes"] is [String])

        // A run that fails after its commit: ok false, the error, and what it did.
        let policy = home.appendingPathComponent("mailkeys.toml")
        try
            (try Support.read(policy)
            + "\n[[domains.\"example.org\".export]]\nserver = \"nsd\"\ndirectory = \"/nonexistent-mailkeys-zones\"\n")
            .write(to: policy, atomically: true, encoding: .utf8)
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try (try Support.read(template) + "json IN A 192.0.2.77\n").write(
            to: template,
            atomically: true,
            encoding: .utf8
        )
        r = try Support.mailkeys(["tick", "--json", "--home", home.path, "--now", TestClock.at("2026-11-21T10:05:00Z")])
        #expect(r.status == 1, "\(r.stdout)")
        doc = try Self.object(r.stdout)
        #expect(doc["ok"] as? Bool == false && (doc["error"] as? String)?.contains("export to nsd") == true, "\(doc)")
        #expect((doc["actions"] as? [[String: String]])?.contains { $0["text"]!.hasPrefix("wrote Zones/") } == true)
    }

    /// `status --json` gives certificates and TLSA records as objects (issue 18): the served
    /// certificate's SPKI is the data of its `3 1 1`, a renewal held by the deploy gate says when
    /// it goes live.
    @Test func statusGivesCertificatesAndTLSAAsObjects() throws {
        let (home, _, first, _) = try TLSTests.servedAndGated()
        let status = try Support.mailkeys([
            "status", "example.org", "--json", "--home", home.path, "--now", TestClock.at("2026-11-21T12:10:00Z"),
        ])
        #expect(status.status == 0, "\(status.stderr)")
        let domain = try #require((try Self.object(status.stdout)["domains"] as? [[String: Any]])?.first)
        let tls = try #require(
            (domain["tls"] as? [[String: Any]])?.first { ($0["owner"] as? String)?.hasPrefix("_25._tcp.") == true }
        )
        let certs = try #require(tls["certificates"] as? [[String: Any]])
        let served = try #require(certs.first { $0["state"] as? String == "served" })
        let pending = try #require(certs.first { $0["state"] as? String == "pending" })
        let spki = try TestCA.spki(first.fullchain)
        #expect(served["spki"] as? String == spki && served["keyType"] as? String == "ecdsa", "\(served)")
        #expect((served["fingerprint"] as? String)?.count == 64 && served["goesLive"] == nil)
        #expect(pending["goesLive"] as? String == TestClock.at("2026-11-21T14:00:00Z"), "\(pending)")
        let records = try #require(tls["tlsa"] as? [[String: Any]])
        #expect(
            records.contains {
                $0["usage"] as? Int == 3 && $0["selector"] as? Int == 1 && $0["matchingType"] as? Int == 1
                    && $0["data"] as? String == spki
            },
            "\(records)"
        )
        #expect(records.allSatisfy { ($0["published"] as? String)?.hasSuffix("Z") == true })
    }

    @Test func planAndDSPrintJSON() throws {
        let home = try Support.exampleHome()
        let plan = try Support.mailkeys(["plan", "--json", "--days", "30", "--home", home.path, "--now", Support.now])
        #expect(plan.status == 0, "\(plan.stderr)")
        let timeline = try Self.object(plan.stdout)
        let events = try #require(timeline["events"] as? [[String: String]])
        #expect(!events.isEmpty && events.allSatisfy { Set($0.keys) == ["at", "domain", "kind", "subject", "detail"] })
        #expect(events.contains { $0["kind"] == "dkim" } && timeline["from"] as? String == Support.now)

        let ds = try Support.mailkeys(["ds", "example.org", "--json", "--home", home.path])
        #expect(ds.status == 0, "\(ds.stderr)")
        let doc = try Self.object(ds.stdout)
        let records = try #require(doc["ds"] as? [String])
        #expect(
            !records.isEmpty && records.allSatisfy { $0.hasPrefix("example.org.") && $0.contains("DS") },
            "\(records)"
        )
        #expect((doc["dnskeys"] as? [String])?.allSatisfy { $0.contains("DNSKEY") && !$0.contains(";") } == true)
        #expect((doc["trustAnchors"] as? String)?.contains("static-key 257 3 13") == true, "\(doc)")
        #expect(doc["waitingForDS"] as? [Int] == [])
    }
}
