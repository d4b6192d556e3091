import Foundation
import MailKeysCore
import Testing

/// `mailkeys check` against a live setup on loopback: NSD serving the signed zone, a private
/// Postfix offering STARTTLS with the imported certificate. The correct setup passes every
/// line; each broken setup fails exactly the line it should.
@Suite struct CheckTests {
    struct Setup {
        let home: URL
        let ca: TestCA
        let served: (fullchain: URL, key: URL)
    }

    static func setup() throws -> Setup {
        let home = try Support.exampleHome()
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let served = try ca.leaf("served", at: TestClock.date("2026-11-21T11:00:00Z"))
        let r = try Support.mailkeys([
            "tls", "import", "mail.example.org", "--cert", served.fullchain.path, "--key", served.key.path, "--home",
            home.path, "--now",
            TestClock.at("2026-11-21T11:00:00Z"),
        ])
        #expect(r.status == 0, "\(r.stderr)")
        return Setup(home: home, ca: ca, served: served)
    }

    /// An HTTPS server for `mta-sts.<domain>` serving `policy` (default: the policy file mailkeys
    /// wrote) with a certificate of `s.ca`, and the arguments that point `check` at it.
    static func mtaSTS(_ s: Setup, _ domain: String = "example.org", policy: String? = nil) throws -> (
        HTTPSServer, [String]
    ) {
        let leaf = try s.ca.leaf(
            "mta-sts-\(domain)",
            names: ["mta-sts.\(domain)"],
            at: TestClock.date("2026-11-21T11:00:00Z")
        )
        let text = try policy ?? Support.read(s.home.appendingPathComponent("Zones/\(domain).mta-sts.txt"))
        let server = try HTTPSServer(
            files: [".well-known/mta-sts.txt": text],
            key: leaf.key,
            fullchain: leaf.fullchain,
            intermediates: s.ca.intermediate
        )
        return (
            server, ["--mta-sts", "127.0.0.1:\(server.port)", "--ca", s.ca.dir.appendingPathComponent("root.pem").path]
        )
    }

    /// Lines of a report: dnssec, mx, starttls, tlsa, the nine TLS lines, ipv6, mta-sts, tls-rpt,
    /// spf, dkim, dmarc, caa.
    static let lineCount = 20

    /// The `--connect-to` routes that take the example's IPv6 addresses (ns1's 2001:db8::53 and
    /// the MX's 2001:db8::25, documentation addresses) to the loopback servers of a test.
    static func ipv6Routes(dnsPort: Int, smtpPort: Int) -> [String] {
        ["--connect-to", "[2001:db8::53]:53=[::1]:\(dnsPort)", "--connect-to", "[2001:db8::25]:25=[::1]:\(smtpPort)"]
    }

    /// Runs `check --json` against NSD (serving the current signed zone, on ::1 too unless not
    /// `nsdIPv6`), Postfix (serving `chain` with the TLS settings `postfixTLS`, default the
    /// README's, on ::1 too unless not `postfixIPv6`) or the SMTP server at `smtpPort`, and an
    /// HTTPS server for the MTA-STS policy (`stsPolicy`, default the one mailkeys wrote); the
    /// example's IPv6 addresses are routed to those servers' ports on ::1 (`dnsIPv6Port`: to
    /// another DNS server's). Returns the ids of the failed lines and the whole output.
    static func check(
        _ s: Setup,
        chain: (fullchain: URL, key: URL)? = nil,
        postfixTLS: String = PostfixServer.fullMarksTLS,
        smtpPort: Int? = nil,
        zone: URL? = nil,
        stsPolicy: String? = nil,
        trustCA: Bool = true,
        nsdIPv6: Bool = true,
        postfixIPv6: Bool = true,
        dnsIPv6Port: Int? = nil,
        at: String = TestClock.at("2026-11-21T12:00:00Z")
    ) throws -> (failed: [String], output: String) {
        let nsd = try NSDServer(
            zones: [("example.org", zone ?? s.home.appendingPathComponent("Zones/example.org.zone.signed"))],
            ipv6: nsdIPv6
        )
        let files = chain ?? s.served
        let postfix =
            try smtpPort == nil
            ? PostfixServer(chainFiles: [files.key, files.fullchain], tls: postfixTLS, ipv6: postfixIPv6) : nil
        let (https, stsArgs) = try mtaSTS(s, policy: stsPolicy)
        defer { withExtendedLifetime(https) {} }
        let smtp = smtpPort ?? postfix!.port
        let r = try Support.mailkeys(
            [
                "check", "example.org", "--home", s.home.path, "--server", "127.0.0.1:\(nsd.port)", "--smtp",
                "127.0.0.1:\(smtp)", "--now", at,
                "--json",
            ] + (trustCA ? stsArgs : Array(stsArgs.prefix(2)))
                + Self.ipv6Routes(dnsPort: dnsIPv6Port ?? nsd.port, smtpPort: smtp)
        )
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let checks = json?["checks"] as? [[String: Any]] ?? []
        let failed = checks.filter { ($0["ok"] as? Bool) == false }.compactMap { $0["id"] as? String }
        #expect(checks.count == Self.lineCount, "every line is reported: \(r.stdout)\(r.stderr)")
        #expect((r.status == 0) == failed.isEmpty, "exit status follows the result")
        return (failed, r.stdout)
    }

    @Test func aCorrectSetupPassesEveryLine() throws {
        let s = try Self.setup()
        let (failed, output) = try Self.check(s)
        #expect(failed.isEmpty, "\(output)")
        let card = try Support.mailkeys([
            "check", "example.org", "--home", s.home.path, "--server", "127.0.0.1:1", "--now",
            TestClock.at("2026-11-21T12:00:00Z"),
        ])
        #expect(card.status != 0, "an unreachable server fails")
    }

    /// Two domains of one home sharing an MX host (example.com's MX is mail.example.org): each
    /// passes every line, the host's addresses and TLSA checked in example.org's zone from its
    /// own anchors (issue 17). A second MX outside the home fails only the tlsa line, saying why.
    @Test func twoDomainsSharingAnMXPassEveryLine() throws {
        let s = try Self.setup()
        try ScheduleTests.add(["example.com"], to: s.home)
        let policy = s.home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        let own = "host = \"mail.example.com\"\npreference = 10\naddresses = [\"192.0.2.25\", \"2001:db8::25\"]"
        #expect(text.contains(own))
        func share(_ extra: String) throws {
            try text.replacingOccurrences(of: own, with: "host = \"mail.example.org\"\npreference = 10" + extra)
                .write(to: policy, atomically: true, encoding: .utf8)
            let t = try Support.mailkeys(["tick", "--home", s.home.path, "--now", TestClock.at("2026-11-21T11:30:00Z")])
            #expect(t.status == 0, "\(t.stderr)")
        }
        try share("")
        func check(_ domain: String) throws -> (failed: [String], output: String) {
            let nsd = try NSDServer(
                zones: ["example.org", "example.com"].map {
                    ($0, s.home.appendingPathComponent("Zones/\($0).zone.signed"))
                },
                ipv6: true
            )
            let postfix = try PostfixServer(chainFiles: [s.served.key, s.served.fullchain], ipv6: true)
            let (https, stsArgs) = try Self.mtaSTS(s, domain)
            defer { withExtendedLifetime(https) {} }
            let r = try Support.mailkeys(
                [
                    "check", domain, "--home", s.home.path, "--server", "127.0.0.1:\(nsd.port)", "--smtp",
                    "127.0.0.1:\(postfix.port)", "--now", TestClock.at("2026-11-21T12:00:00Z"), "--json",
                ] + stsArgs + Self.ipv6Routes(dnsPort: nsd.port, smtpPort: postfix.port)
            )
            let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
            let checks = json?["checks"] as? [[String: Any]] ?? []
            #expect(checks.count == Self.lineCount, "\(domain): \(r.stdout)\(r.stderr)")
            let failed = checks.filter { ($0["ok"] as? Bool) == false }.compactMap { $0["id"] as? String }
            #expect((r.status == 0) == failed.isEmpty)
            return (failed, r.stdout)
        }
        for domain in ["example.com", "example.org"] {
            let (failed, output) = try check(domain)
            #expect(failed.isEmpty, "\(domain): \(output)")
        }
        let shared = try check("example.com").output
        #expect(shared.contains("_25._tcp.mail.example.org matches the certificate served"), "\(shared)")
        #expect(shared.contains("rollover scheme 3+2 (key and issuer)"), "the DANE scheme is named: \(shared)")
        #expect(shared.contains("mail.example.org: covered by example.org"), "CAA of the MX host: \(shared)")

        try share("\n\n[[domains.\"example.com\".mx]]\nhost = \"mx.elsewhere.test\"\npreference = 20")
        let (failed, output) = try check("example.com")
        #expect(failed == ["tlsa"], "\(output)")
        #expect(output.contains("mx.elsewhere.test is outside this home's zones"), "\(output)")

        // The MX host's zone without CAA: example.com has its own, but its MX host is not covered.
        try share("")
        let withoutCAA = try Support.read(policy).replacingOccurrences(
            of: "[domains.\"example.org\".caa]",
            with: "[domains.\"example.org\".caa]\nenabled = false"
        )
        try withoutCAA.write(to: policy, atomically: true, encoding: .utf8)
        let t = try Support.mailkeys(["tick", "--home", s.home.path, "--now", TestClock.at("2026-11-21T11:40:00Z")])
        #expect(t.status == 0, "\(t.stderr)")
        let (uncovered, uncoveredOutput) = try check("example.com")
        #expect(uncovered == ["caa"], "\(uncoveredOutput)")
        #expect(uncoveredOutput.contains("no CAA record covers mail.example.org"), "\(uncoveredOutput)")
    }

    /// STARTTLS is probed whether or not the MX host has TLSA records: without them, a server
    /// that offers STARTTLS passes the starttls line (tlsa fails), and nothing listening fails it.
    /// The mta-sts line reads the policy senders fetch over HTTPS: a correct one passes (the
    /// other tests), one that lost an MX host fails, an old one the id no longer matches fails,
    /// a certificate not issued by a trusted CA fails, each only this line.
    @Test func theLiveMTASTSPolicyIsFetchedOverHTTPS() throws {
        let s = try Self.setup()
        let text = try Support.read(s.home.appendingPathComponent("Zones/example.org.mta-sts.txt"))
        #expect(text.contains("mx: mail.example.org"))
        let (ok, output) = try Self.check(s)
        // JSON writes "/" as "\\/": the lines are matched without the URL; the policy has CRLF lines.
        #expect(ok.isEmpty && output.contains("matches the policy served at https:"), "\(output)")
        let noMX =
            text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").filter { !$0.hasPrefix("mx:") }
            .joined(separator: "\n") + "\nmx: other.example.net\n"
        let (lost, lostOutput) = try Self.check(s, stsPolicy: noMX)
        #expect(lost == ["mta-sts"] && lostOutput.contains("does not list every MX host"), "\(lostOutput)")
        let older = text.replacingOccurrences(of: "max_age: ", with: "max_age: 1")
        let (stale, staleOutput) = try Self.check(s, stsPolicy: older)
        #expect(stale == ["mta-sts"] && staleOutput.contains("is not the one mailkeys wrote"), "\(staleOutput)")
        let (untrusted, untrustedOutput) = try Self.check(s, trustCA: false)
        #expect(
            untrusted == ["mta-sts"] && untrustedOutput.contains("unable to get local issuer certificate"),
            "\(untrustedOutput)"
        )
    }

    @Test func startTLSIsProbedWithoutTLSA() throws {
        let home = try Support.exampleHome()
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let served = try ca.leaf("served", at: TestClock.date("2026-11-21T11:00:00Z"))
        let s = Setup(home: home, ca: ca, served: served)
        #expect(!(try Support.read(home.appendingPathComponent("Zones/example.org.zone")).contains("TLSA")))
        let (failed, output) = try Self.check(s)
        #expect(failed == ["tlsa"], "\(output)")
        #expect(output.contains("TLSv1."), "the probe reached the server: \(output)")
        let nsd = try NSDServer(zones: [("example.org", home.appendingPathComponent("Zones/example.org.zone.signed"))])
        let closed = try Support.mailkeys([
            "check", "example.org", "--home", home.path, "--server", "127.0.0.1:\(nsd.port)", "--smtp", "127.0.0.1:1",
            "--now", TestClock.at("2026-11-21T12:00:00Z"), "--json",
        ])
        let json = try JSONSerialization.jsonObject(with: Data(closed.stdout.utf8)) as? [String: Any]
        let checks = json?["checks"] as? [[String: Any]] ?? []
        let starttls = checks.first { $0["id"] as? String == "starttls" }
        #expect(starttls?["ok"] as? Bool == false, "\(closed.stdout)")
    }

    /// The `detail` of line `id` in `check --json` output.
    static func detail(_ output: String, _ id: String) -> String {
        let json = try? JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any]
        let checks = json?["checks"] as? [[String: Any]] ?? []
        return checks.first { $0["id"] as? String == id }?["detail"] as? String ?? ""
    }

    /// internet.nl's TLS tests against Postfix: the README's settings pass them (every other
    /// test); Debian's defaults fail the five internet.nl fails them for (TLS 1.0, CBC-SHA1 and
    /// static-RSA suites, the client's order, Postfix's own DHE group, SHA-1 signatures on the
    /// key exchange for a client that offers only those); a weak configuration
    /// fails every line Postfix can fail, each for its reason (the certificate line for a key,
    /// a signature and a name).
    @Test func weakPostfixSettingsFailTheTLSLines() throws {
        let s = try Self.setup()
        let (strong, strongOutput) = try Self.check(s)
        #expect(strong.isEmpty, "\(strongOutput)")
        #expect(Self.detail(strongOutput, "tls-version") == "TLSv1.2, TLSv1.3", "\(strongOutput)")
        #expect(Self.detail(strongOutput, "tls-ems") == "Extended Master Secret (RFC 7627)", "\(strongOutput)")

        let (debian, debianOutput) = try Self.check(s, postfixTLS: "")
        #expect(
            debian == ["tls-version", "tls-ciphers", "tls-cipher-order", "tls-key-exchange", "tls-kex-hash"],
            "\(debianOutput)"
        )
        #expect(Self.detail(debianOutput, "tls-version").hasPrefix("TLSv1, TLSv1.1 accepted"), "\(debianOutput)")
        #expect(Self.detail(debianOutput, "tls-key-exchange").contains("DHE modp_"), "\(debianOutput)")

        // A second, weak certificate beside the imported ECDSA one (which keeps tlsa passing): RSA
        // 1024, signed with SHA-1 by the EC intermediate, for another name (under the 2 1 1 records,
        // DANE-TA checks names).
        let weakKey = try s.ca.leaf(
            "weak-rsa",
            names: ["other.example.net"],
            type: "rsa:1024",
            digest: "sha1",
            at: TestClock.date("2026-11-21T11:00:00Z")
        )
        let dh = try Support.scratch("dh").appendingPathComponent("dh1024.pem")
        try TestCA.openssl(dh.deletingLastPathComponent(), ["dhparam", "-dsaparam", "-out", dh.path, "1024"])
        let weak = """
            smtpd_tls_chain_files = \(s.served.key.path), \(s.served.fullchain.path), \(weakKey.key.path), \(weakKey.fullchain.path)
            smtpd_tls_protocols = >=TLSv1
            smtpd_tls_ciphers = low
            tls_low_cipherlist = ALL:eNULL:@SECLEVEL=0
            smtpd_tls_dh1024_param_file = \(dh.path)
            tls_eecdh_auto_curves = secp224r1 prime256v1
            tls_ssl_options = 0x1
            """
        let (failed, output) = try Self.check(s, postfixTLS: weak)
        #expect(
            failed == [
                "tls-version", "tls-ciphers", "tls-cipher-order", "tls-key-exchange", "tls-kex-hash", "tls-ems",
                "certificate",
            ],
            "\(output)"
        )
        #expect(Self.detail(output, "tls-ciphers").contains("insufficient suites accepted"), "\(output)")
        #expect(Self.detail(output, "tls-cipher-order").contains("follows the client's order"), "\(output)")
        #expect(Self.detail(output, "tls-key-exchange").contains("(1024 bits)"), "\(output)")
        #expect(Self.detail(output, "tls-key-exchange").contains("phase out: secp224r1"), "\(output)")
        #expect(Self.detail(output, "tls-kex-hash").contains("SHA-1"), "\(output)")
        #expect(
            Self.detail(output, "certificate")
                == "key RSA 1024 is insufficient; signature ecdsa-with-SHA1 is insufficient; "
                + "RSA 1024 certificate lacks the MX name (DANE-TA checks it)",
            "\(output)"
        )
        #expect(Self.detail(output, "tls-compression") == "no compression", "\(output)")
        #expect(Self.detail(output, "tls-renegotiation").hasPrefix("secure renegotiation"), "\(output)")
    }

    /// RFC 5746 cannot be switched off in OpenSSL (so in Postfix): GnuTLS without it, behind an
    /// SMTP front, fails the renegotiation line; with it (and renegotiation by clients allowed,
    /// which internet.nl reports as information) it passes.
    @Test func aServerWithoutSecureRenegotiationFailsThatLine() throws {
        let s = try Self.setup()
        let unsafe = try GnuTLSSMTPServer(
            key: s.served.key,
            fullchain: s.served.fullchain,
            priority: "NORMAL:%DISABLE_SAFE_RENEGOTIATION"
        )
        let (failed, output) = try Self.check(s, smtpPort: unsafe.port)
        #expect(failed.contains("tls-renegotiation"), "\(output)")
        #expect(Self.detail(output, "tls-renegotiation").hasPrefix("no secure renegotiation (RFC 5746)"), "\(output)")
        #expect(!failed.contains("starttls") && !failed.contains("tlsa"), "the same certificate: \(output)")
        let safe = try GnuTLSSMTPServer(key: s.served.key, fullchain: s.served.fullchain, priority: "NORMAL")
        let (safeFailed, safeOutput) = try Self.check(s, smtpPort: safe.port)
        #expect(!safeFailed.contains("tls-renegotiation"), "\(safeOutput)")
        #expect(
            Self.detail(safeOutput, "tls-renegotiation")
                == "secure renegotiation; client-initiated renegotiation allowed (information only)",
            "\(safeOutput)"
        )
    }

    @Test func aStaleTLSAFailsOnlyTheTLSALine() throws {
        let s = try Self.setup()
        let other = try s.ca.leaf("renewed-behind-our-back", at: TestClock.date("2026-11-21T11:30:00Z"))
        let (failed, output) = try Self.check(s, chain: other)
        #expect(failed == ["tlsa"], "\(output)")
    }

    /// The zone edited by hand (`old` → `new` in the unsigned file) and signed with ldns-signzone
    /// and mailkeys' own keys, as someone working around mailkeys would: mailkeys itself refuses
    /// such records, so this is how a broken live setup arises.
    static func handEdited(_ s: Setup, _ old: String, _ new: String) throws -> URL {
        let dir = try Support.scratch("edited")
        let unsigned = dir.appendingPathComponent("example.org.zone")
        let text = try Support.read(s.home.appendingPathComponent("Zones/example.org.zone"))
        #expect(text.contains(old), "\(old) is in the zone")
        try text.replacingOccurrences(of: old, with: new).write(to: unsigned, atomically: true, encoding: .utf8)
        let keys = try FileManager.default.contentsOfDirectory(
            atPath: s.home.appendingPathComponent("Keys/dnssec").path
        )
        .filter { $0.hasSuffix(".private") }.map { s.home.appendingPathComponent("Keys/dnssec/" + $0.dropLast(8)).path }
        let signed = dir.appendingPathComponent("example.org.zone.signed")
        let sign = try Support.exec(
            try Support.tool("ldns-signzone"),
            [
                "-i", ZSKRolloverTests.stamp(TestClock.date("2026-11-20T00:00:00Z")), "-e",
                ZSKRolloverTests.stamp(TestClock.date("2026-12-20T00:00:00Z")),
                "-f", signed.path, unsigned.path,
            ] + keys
        )
        #expect(sign.status == 0, "\(sign.stderr)")
        return signed
    }

    @Test func dmarcWithoutRuaFailsOnlyTheDMARCLine() throws {
        let s = try Self.setup()
        let zone = try Self.handEdited(
            s,
            "\"v=DMARC1; p=reject; rua=mailto:dmarc-reports@example.org\"",
            "\"v=DMARC1; p=reject\""
        )
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["dmarc"], "\(output)")
        // The last check's lines are metrics: dmarc 0, the others 1, with when it ran.
        let metrics = try Support.mailkeys([
            "metrics", "--home", s.home.path, "--now", TestClock.at("2026-11-21T12:05:00Z"),
        ])
        #expect(metrics.status == 0, "\(metrics.stderr)")
        let d = "domain=\"example.org\""
        #expect(MetricsTests.value(metrics.stdout, "mailkeys_check_ok{check=\"dmarc\",\(d)}") == 0, "\(metrics.stdout)")
        for line in ["dnssec", "mx", "ipv6", "starttls", "tlsa", "mta-sts", "tls-rpt", "spf", "dkim", "caa"] {
            #expect(MetricsTests.value(metrics.stdout, "mailkeys_check_ok{check=\"\(line)\",\(d)}") == 1, "\(line)")
        }
        #expect(
            MetricsTests.value(metrics.stdout, "mailkeys_check_timestamp_seconds{\(d)}")
                == TestClock.date("2026-11-21T12:00:00Z").timeIntervalSince1970
        )
        let file = s.home.appendingPathComponent("metrics.prom")
        try metrics.stdout.write(to: file, atomically: true, encoding: .utf8)
        let lint = try Support.exec("/bin/sh", ["-c", "\(try Support.tool("promtool")) check metrics < \(file.path)"])
        #expect(lint.status == 0, "promtool: \(lint.stdout)\(lint.stderr)")
    }

    /// internet.nl's IPv6 test: every nameserver and MX host needs an AAAA.
    @Test func anMXHostWithoutIPv6FailsOnlyTheIPv6Line() throws {
        let s = try Self.setup()
        let zone = try Self.handEdited(s, "IN\tAAAA\t2001:db8::25", "IN\tA\t192.0.2.26")
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["ipv6"], "\(output)")
        #expect(output.contains("MX mail.example.org has no IPv6 address"), "\(output)")
    }

    /// internet.nl's IPv6 reachability (ns_reach, mx_reach) and its two nameservers (ns_aaaa):
    /// each AAAA of a nameserver answers the domain's SOA with authority over UDP and TCP, each
    /// AAAA of the MX greets over SMTP, over IPv6 (the example's documentation addresses routed
    /// to servers on ::1). A nameserver or MX that listens on IPv4 only, a server on the
    /// nameserver's IPv6 address that does not serve the domain, and a zone whose second
    /// nameserver is gone each fail only the ipv6 line.
    @Test func ipv6ReachabilityOfNameserversAndMXIsProbed() throws {
        let s = try Self.setup()
        let (ok, okOutput) = try Self.check(s)
        let detail = Self.detail(okOutput, "ipv6")
        #expect(ok.isEmpty, "\(okOutput)")
        #expect(detail.contains("nameserver ns1.example.org at [2001:db8::53]:53 via [::1]:"), "\(detail)")
        #expect(detail.contains("answers over IPv6 UDP and TCP"), "\(detail)")
        #expect(detail.contains("MX mail.example.org at [2001:db8::25]:25 via [::1]:"), "\(detail)")
        #expect(detail.contains("greets over IPv6"), "\(detail)")
        #expect(detail.contains("ns2.example.net outside this home's zones: not checked"), "\(detail)")

        let (dnsV4Only, dnsOutput) = try Self.check(s, nsdIPv6: false)
        #expect(dnsV4Only == ["ipv6"], "\(dnsOutput)")
        #expect(
            Self.detail(dnsOutput, "ipv6").hasPrefix("nameserver ns1.example.org at [2001:db8::53]:53 via [::1]:"),
            "\(dnsOutput)"
        )
        #expect(Self.detail(dnsOutput, "ipv6").contains("cannot be reached over IPv6 UDP"), "\(dnsOutput)")

        let (smtpV4Only, smtpOutput) = try Self.check(s, postfixIPv6: false)
        #expect(smtpV4Only == ["ipv6"], "\(smtpOutput)")
        #expect(
            Self.detail(smtpOutput, "ipv6").hasPrefix("MX mail.example.org at [2001:db8::25]:25 via [::1]:"),
            "\(smtpOutput)"
        )
        #expect(Self.detail(smtpOutput, "ipv6").contains("cannot be reached over IPv6"), "\(smtpOutput)")

        // Another zone's server on the nameserver's IPv6 address: it answers, without authority.
        let other = try Support.scratch("other-zone").appendingPathComponent("example.net.zone")
        try """
        example.net. 3600 IN SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 300
        example.net. 3600 IN NS ns.example.net.
        ns.example.net. 3600 IN AAAA ::1

        """.write(to: other, atomically: true, encoding: .utf8)
        let stranger = try NSDServer(zones: [("example.net", other)], ipv6: true)
        let (notServed, notServedOutput) = try Self.check(s, dnsIPv6Port: stranger.port)
        #expect(notServed == ["ipv6"], "\(notServedOutput)")
        #expect(
            Self.detail(notServedOutput, "ipv6").contains(
                "does not answer for example.org with authority over IPv6 UDP"
            ),
            "\(notServedOutput)"
        )

        let single = try Self.handEdited(s, "IN\tNS\tns2.example.net.", "IN\tTXT\t\"ns2 gone\"")
        let (oneNS, oneNSOutput) = try Self.check(s, zone: single)
        #expect(oneNS == ["ipv6"], "\(oneNSOutput)")
        #expect(
            Self.detail(oneNSOutput, "ipv6")
                == "only 1 nameserver of example.org has an IPv6 address: internet.nl asks for two",
            "\(oneNSOutput)"
        )
    }

    /// A DKIM selector whose published key is not the one mailkeys signs with fails the dkim
    /// line only (verifiers would fail every signature made with it).
    @Test func aDKIMKeyOtherThanTheLocalOneFailsOnlyTheDKIMLine() throws {
        let s = try Self.setup()
        let zone = try Self.handEdited(s, "\"v=DKIM1; k=ed25519; p=", "\"v=DKIM1; k=ed25519; p=AAAA")
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["dkim"], "\(output)")
        #expect(Self.detail(output, "dkim").contains("p= differs from the local key"), "\(output)")
    }

    /// A DMARC policy receivers apply only in part fails the dmarc line only: DMARCbis's test
    /// mode `t=y`, `pct` below 100, subdomains left at `sp=none`.
    @Test func aDMARCPolicyAppliedInPartFailsOnlyTheDMARCLine() throws {
        let s = try Self.setup()
        for (edit, reason) in [
            ("t=y", "t=y: the policy is in test mode"), ("pct=50", "pct=50: the policy covers only part"),
            ("sp=none", "sp=none: subdomains are not protected"),
        ] {
            let zone = try Self.handEdited(s, "\"v=DMARC1; p=reject;", "\"v=DMARC1; p=reject; \(edit);")
            let (failed, output) = try Self.check(s, zone: zone)
            #expect(failed == ["dmarc"], "\(edit): \(output)")
            #expect(Self.detail(output, "dmarc").hasPrefix(reason), "\(edit): \(output)")
        }
    }

    /// A TLS-RPT record without rua (nobody to send reports to) fails the tls-rpt line only.
    @Test func tlsRPTWithoutRuaFailsOnlyThatLine() throws {
        let s = try Self.setup()
        let zone = try Self.handEdited(
            s,
            "\"v=TLSRPTv1; rua=mailto:dmarc-reports@example.org\"",
            "\"v=TLSRPTv1;\""
        )
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["tls-rpt"], "\(output)")
    }

    /// An MX host without an address fails the mx line, and with it the lines that need the
    /// host: its IPv6 address, its TLSA, and the MTA-STS policy, which does not list it.
    @Test func anMXHostWithoutAddressFailsTheMXLine() throws {
        let s = try Self.setup()
        let zone = try Self.handEdited(s, "IN\tMX\t10 mail.example.org.", "IN\tMX\t10 mail2.example.org.")
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["mx", "tlsa", "ipv6", "mta-sts"], "\(output)")
        #expect(Self.detail(output, "mx") == "mail2.example.org has no address", "\(output)")
    }

    @Test func spfWithElevenLookupsFailsOnlyTheSPFLine() throws {
        let s = try Self.setup()
        // Two character-strings: one would pass 255 octets.
        let first = (1...6).map { "include:spf\($0).example.net" }.joined(separator: " ")
        let second = (7...11).map { "include:spf\($0).example.net" }.joined(separator: " ")
        let zone = try Self.handEdited(s, "\"v=spf1 mx -all\"", "\"v=spf1 \(first) \" \"\(second) -all\"")
        let (failed, output) = try Self.check(s, zone: zone)
        #expect(failed == ["spf"], "\(output)")
    }

    @Test func expiredSignaturesFailOnlyTheDNSSECLine() throws {
        let s = try Self.setup()
        let (failed, output) = try Self.check(s, at: TestClock.at("2027-01-15T00:00:00Z"))
        #expect(failed == ["dnssec"], "\(output)")
    }
}
