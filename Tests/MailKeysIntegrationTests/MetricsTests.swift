import Foundation
import Testing

/// `mailkeys metrics`: Prometheus text format that `promtool check metrics` (Debian
/// `prometheus`) accepts, written atomically for node_exporter's textfile collector, with the
/// values status shows: signature expiry, the next event, exports failing, DKIM keys,
/// certificates.
@Suite struct MetricsTests {
    /// The value of the sample `name{labels}` in `text`.
    static func value(_ text: String, _ sample: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(sample + " ") }.flatMap {
            Double($0.split(separator: " ").last!)
        }
    }

    /// Seconds since the epoch of an instant as mailkeys prints it.
    static func epoch(_ text: String) -> Double? { ISO8601DateFormatter().date(from: text)?.timeIntervalSince1970 }

    @Test func metricsParseAndTellTheHomesState() throws {
        let home = try Support.exampleHome()
        let issued = TestClock.date("2026-11-21T11:00:00Z")
        let ca = try TestCA(at: issued)
        let leaf = try ca.leaf("served", at: issued)
        var r = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", leaf.fullchain.path, "--key", leaf.key.path, "--home",
            home.path, "--now", TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        // An export target that cannot work: the run fails, the metrics say so.
        let policy = home.appendingPathComponent("mailkeys.toml")
        try
            (try Support.read(policy)
            + "\n[[domains.\"example.org\".export]]\nserver = \"nsd\"\ndirectory = \"/nonexistent-mailkeys-zones\"\n"
            + "reload = [\"true\"]\naddress = \"127.0.0.1:1\"\n")
            .write(to: policy, atomically: true, encoding: .utf8)
        r = try Support.mailkeys(["tick", "--home", home.path, "--now", TestClock.at("2026-11-21T11:05:00Z")])
        #expect(r.status != 0, "the export fails: \(r.stdout)")

        let file = try Support.scratch("metrics").appendingPathComponent("mailkeys.prom")
        let at = TestClock.at("2026-11-21T11:10:00Z")
        r = try Support.mailkeys(["metrics", "--output", file.path, "--home", home.path, "--now", at])
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r.stdout)\(r.stderr)")
        let text = try Support.read(file)
        let lint = try Support.exec("/bin/sh", ["-c", "\(try Support.tool("promtool")) check metrics < \(file.path)"])
        #expect(lint.status == 0, "promtool: \(lint.stdout)\(lint.stderr)\n\(text)")
        let stdout = try Support.mailkeys(["metrics", "--home", home.path, "--now", at])
        #expect(stdout.status == 0 && stdout.stdout == text, "the same text on standard output")

        let d = "domain=\"example.org\""
        #expect(Self.value(text, "mailkeys_metrics_timestamp_seconds") == Self.epoch(at))
        #expect(Self.value(text, "mailkeys_domains") == 1)
        #expect(
            Self.value(text, "mailkeys_export_failing{\(d),target=\"nsd:/nonexistent-mailkeys-zones\"}") == 1,
            "\(text)"
        )
        let status = try Support.mailkeys(["status", "example.org", "--json", "--home", home.path, "--now", at])
        let json = try JSONSerialization.jsonObject(with: Data(status.stdout.utf8)) as? [String: Any]
        let domain = (json?["domains"] as? [[String: Any]])?.first
        let expires = try #require(domain?["signaturesExpire"] as? String)
        #expect(Self.value(text, "mailkeys_rrsig_expiry_timestamp_seconds{\(d)}") == Self.epoch(expires))
        #expect((Self.value(text, "mailkeys_next_event_timestamp_seconds{\(d)}") ?? 0) > 0, "\(text)")
        let dkim = text.split(separator: "\n").filter { $0.hasPrefix("mailkeys_dkim_keys{\(d),state=") }
        #expect(!dkim.isEmpty && dkim.allSatisfy { Double($0.split(separator: " ").last!)! >= 1 }, "\(text)")
        let expiry =
            "mailkeys_tls_certificate_expiry_timestamp_seconds{\(d),host=\"mail.example.org\",key_type=\"ecdsa\"}"
        #expect((Self.value(text, expiry) ?? 0) > issued.timeIntervalSince1970 + 80 * 86400, "\(text)")
        #expect(Self.value(text, "mailkeys_tls_certificates_pending{\(d),host=\"mail.example.org\"}") == 0)
    }
}
