import Foundation
import MailKeysKit
import Testing

/// Every bad input gets one clear line on stderr, a non-zero exit, and leaves the store, the
/// policy and the generated files byte-for-byte as they were.
@Suite struct BadInputTests {
    /// The bytes of every file in the home (the lock file aside: it is empty and only locked).
    static func state(_ home: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        let e = FileManager.default.enumerator(at: home, includingPropertiesForKeys: nil)
        while let url = e?.nextObject() as? URL {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue,
                url.lastPathComponent != "mailkeys.lock"
            else { continue }
            out[String(url.path.dropFirst(home.path.count))] = FileManager.default.contents(atPath: url.path)
        }
        return out
    }

    /// Runs `arguments` against `home` and checks the one-line error and the untouched home.
    static func expectRefused(
        _ home: URL,
        _ arguments: [String],
        message: String,
        status: Int32? = nil,
        environment: [String: String]? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let before = try state(home)
        let r = try Support.mailkeys(arguments, environment: environment)
        let shown = r.stderr.prefix(2000)
        #expect(
            r.signal == nil && r.status < 128,
            "died of a signal: \(r.status) \(shown)",
            sourceLocation: sourceLocation
        )
        #expect(r.status != 0, "expected a failure, got: \(r.stdout)", sourceLocation: sourceLocation)
        if let status { #expect(r.status == status, sourceLocation: sourceLocation) }
        let errors = r.stderr.split(separator: "\n").filter { $0.hasPrefix("mailkeys: error:") }
        #expect(errors.count == 1, "one error line expected: \(shown)", sourceLocation: sourceLocation)
        let longest = r.stderr.split(separator: "\n").map(\.count).max() ?? 0
        #expect(longest < maxLine, "a line of \(longest) characters: \(shown)", sourceLocation: sourceLocation)
        #expect(r.stderr.contains(message), "stderr: \(shown)", sourceLocation: sourceLocation)
        #expect(try state(home) == before, "the home changed", sourceLocation: sourceLocation)
    }

    /// The longest line a failure may print: input in messages is cut to 80 characters.
    static let maxLine = 400

    /// The example policy of `home` with `edit` applied (the edit must change it).
    static func editPolicy(_ home: URL, _ edit: (String) -> String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        let edited = edit(text)
        #expect(edited != text, "the edit must apply", sourceLocation: sourceLocation)
        try edited.write(to: policy, atomically: true, encoding: .utf8)
    }

    /// `--lock-wait` outside 0...86400 seconds, or not a number, is a usage error: no crash
    /// (it once died of SIGILL converting nan or -1e19 to an integer), and the home is untouched.
    @Test(arguments: ["nan", "-inf", "inf", "-1e19", "-1", "86401", "1e300"])
    func lockWaitOutOfRangeIsAUsageError(value: String) throws {
        let home = try Support.exampleHome()
        let before = try Self.state(home)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--lock-wait=\(value)"])
        #expect(r.status == 64, "usage error, not a signal: \(r.status) \(r.stderr)")
        #expect(r.stderr.contains("--lock-wait must be a number of seconds from 0 to 86400"), "\(r.stderr)")
        #expect(try Self.state(home) == before)
    }

    struct PolicyEdit: CustomTestStringConvertible, Sendable {
        let name: String
        let find: String
        let replace: String
        let message: String
        var testDescription: String { name }
    }

    static let policyEdits: [PolicyEdit] = [
        .init(
            name: "host label with '_'",
            find: "host = \"mail.example.org\"",
            replace: "host = \"mail_x.example.org\"",
            message: "label 'mail_x' contains '_'"
        ),
        .init(
            name: "host label of 64 octets",
            find: "host = \"mail.example.org\"",
            replace: "host = \"\(String(repeating: "a", count: 64)).example.org\"",
            message: "is 64 octets long; the limit is 63"
        ),
        .init(
            name: "empty label",
            find: "host = \"mail.example.org\"",
            replace: "host = \"mail..example.org\"",
            message: "has an empty label"
        ),
        .init(
            name: "IP address as host",
            find: "name = \"ns2.example.net\"",
            replace: "name = \"192.0.2.1\"",
            message: "an IP address is not a host name"
        ),
        .init(
            name: "bad IPv4",
            find: "addresses = [\"192.0.2.25\"",
            replace: "addresses = [\"192.0.2.256\"",
            message: "'192.0.2.256' is not an IPv4 or IPv6 address"
        ),
        .init(
            name: "bad IPv6",
            find: "\"2001:db8::25\"",
            replace: "\"2001:db8:::25\"",
            message: "'2001:db8:::25' is not an IPv4 or IPv6 address"
        ),
        .init(
            name: "SPF syntax",
            find: "spf = \"v=spf1 mx -all\"",
            replace: "spf = \"v=spf1 mx foo -all\"",
            message: "unknown mechanism 'foo'"
        ),
        .init(
            name: "SPF +all",
            find: "spf = \"v=spf1 mx -all\"",
            replace: "spf = \"v=spf1 mx +all\"",
            message: "authorises every host"
        ),
        .init(
            name: "SPF with 11 lookups",
            find: "spf = \"v=spf1 mx -all\"",
            replace: "spf = \"v=spf1 mx a " + (1...9).map { "include:s\($0).example.net" }.joined(separator: " ")
                + " -all\"",
            message: "11 DNS-querying terms"
        ),
        .init(
            name: "unknown DMARC tag",
            find: "\np = \"reject\"",
            replace: "\np = \"reject\"\npp = \"x\"",
            message: "pp: unknown DMARC tag"
        ),
        .init(name: "bad DMARC value", find: "\np = \"reject\"", replace: "\np = \"rejekt\"", message: "p='rejekt'"),
        .init(
            name: "bad DMARC rua",
            find: "rua = [\"mailto:dmarc-reports@example.org\"]\n# sp",
            replace: "rua = [\"dmarc-reports@example.org\"]\n# sp",
            message: "is not a mailto: URI"
        ),
        .init(
            name: "TTL too small",
            find: "ttl = \"1h\"",
            replace: "ttl = 30",
            message: "TTL 30 s is out of range 60...604800"
        ),
        .init(
            name: "TTL too large",
            find: "ttl = \"1h\"",
            replace: "ttl = \"2w\"",
            message: "TTL 1209600 s is out of range"
        ),
        .init(
            name: "TOML syntax",
            find: "refresh = \"3h\"",
            replace: "refresh = \"3h",
            message: "mailkeys.toml line 18"
        ),
        .init(
            name: "unknown key",
            find: "helo_spf = true",
            replace: "helo_spf = true\nspff = \"x\"",
            message: "domains.\"example.org\".spff: unknown key"
        ),
        .init(
            name: "in-zone MX without addresses",
            find: "addresses = [\"192.0.2.25\", \"2001:db8::25\"]",
            replace: "",
            message: "mail.example.org lies inside example.org, so its addresses are needed"
        ),
        .init(
            name: "SOA retry not below refresh",
            find: "retry = \"1h\"",
            replace: "retry = \"4h\"",
            message: "retry (14400 s) must be shorter"
        ),
    ]

    @Test(arguments: policyEdits)
    func badPolicyIsRefusedAndNothingChanges(_ edit: PolicyEdit) throws {
        let home = try Support.exampleHome()
        let policy = home.appendingPathComponent("mailkeys.toml")
        let text = try Support.read(policy)
        #expect(text.contains(edit.find), "the edit must apply")
        try text.replacingOccurrences(of: edit.find, with: edit.replace).write(
            to: policy,
            atomically: true,
            encoding: .utf8
        )
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"],
            message: edit.message
        )
        try Self.expectRefused(home, ["zone", "build", "--home", home.path], message: edit.message)
    }

    /// A huge SPF value: over the policy file's 1 MiB it is refused before parsing, under it by
    /// the 4096-character bound on strings. Either way one short line, not the value echoed.
    @Test(arguments: [100_000, 10_485_760])
    func hugeSPFValueIsOneShortLine(size: Int) throws {
        let home = try Support.exampleHome()
        try Self.editPolicy(home) {
            $0.replacingOccurrences(
                of: "spf = \"v=spf1 mx -all\"",
                with: "spf = \"v=spf1 \(String(repeating: "a", count: size)) -all\""
            )
        }
        let message =
            size > 1 << 20
            ? "mailkeys.toml is \(try Self.policySize(home)) bytes; the limit is 1 MiB"
            : "domains.\"example.org\".spf: a string of \(size + 12) characters; the limit is 4096"
        try Self.expectRefused(home, ["tick", "--home", home.path, "--now", Support.now], message: message)
    }

    /// The same for a value in the DKIM table.
    @Test(arguments: [100_000, 10_485_760])
    func hugeDKIMValueIsOneShortLine(size: Int) throws {
        let home = try Support.exampleHome()
        try Self.editPolicy(home) {
            $0
                + "\n[domains.\"example.org\".dkim]\nalgorithms = [\"rsa\", \"\(String(repeating: "e", count: size))\"]\n"
        }
        let message =
            size > 1 << 20
            ? "mailkeys.toml is \(try Self.policySize(home)) bytes; the limit is 1 MiB"
            : "domains.\"example.org\".dkim.algorithms[1]: a string of \(size) characters; the limit is 4096"
        try Self.expectRefused(home, ["tick", "--home", home.path, "--now", Support.now], message: message)
    }

    static func policySize(_ home: URL) throws -> Int {
        try #require(Support.bytes(home.appendingPathComponent("mailkeys.toml"))).count
    }

    /// TOML's parser (toml++) recursed once per dotted part and died of SIGSEGV on a key of a
    /// few thousand parts; such keys and headers are refused before it runs.
    @Test(arguments: ["key", "header", "array of tables"])
    func keyOfTenThousandDottedPartsIsRefused(form: String) throws {
        let home = try Support.exampleHome()
        let key = Array(repeating: "a", count: 10_000).joined(separator: ".")
        let line = ["key": "\(key) = 1", "header": "[\(key)]", "array of tables": "[[\(key)]]"][form]!
        try Self.editPolicy(home) { "\(line)\n" + $0 }
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", Support.now],
            message: "mailkeys.toml line 1: a key or table header of more than 16 dotted parts"
        )
    }

    /// Arrays and inline tables nested 10,000 deep: refused before the parser, at 16 levels.
    @Test(arguments: ["[", "{ a = "])
    func nestingTenThousandDeepIsRefused(open: String) throws {
        let home = try Support.exampleHome()
        let close = open == "[" ? "]" : "}"
        try Self.editPolicy(home) {
            $0 + "\nx = \(String(repeating: open, count: 10_000))1\(String(repeating: close, count: 10_000))\n"
        }
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", Support.now],
            message: "arrays or inline tables nested more than 16 deep"
        )
    }

    /// The parser reads the text as a C string: what followed a NUL byte was silently ignored.
    @Test func nulByteAndInvalidUTF8AreRefused() throws {
        let home = try Support.exampleHome()
        let policy = home.appendingPathComponent("mailkeys.toml")
        let original = try #require(Support.bytes(policy))
        let lines = try Support.read(policy).split(separator: "\n", omittingEmptySubsequences: false).count
        try (original + Data("\0\n[domains.\"example.org\".dkim]\nenabled = false\n".utf8)).write(to: policy)
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", Support.now],
            message: "line \(lines): a NUL byte"
        )
        try (original + Data("x = \"".utf8) + Data([0xC3, 0x28]) + Data("\"\n".utf8)).write(to: policy)
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", Support.now],
            message: "line \(lines): not valid UTF-8"
        )
    }

    /// Long command-line input is quoted short; PEM files are read to 1 MiB at most.
    @Test func longArgumentsAndHugeFilesAreQuotedShort() throws {
        let home = try Support.exampleHome()
        let long = String(repeating: "x", count: 100_000)
        let shown = "'\(String(repeating: "x", count: 80))…' (100000 characters)"
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", long],
            message: "--now \(shown) is not an ISO 8601 time"
        )
        try Self.expectRefused(
            home,
            ["zone", "build", long + ".org", "--home", home.path],
            message: "domain name '\(String(repeating: "x", count: 80))…'"
        )
        try Self.expectRefused(home, ["check", long, "--home", home.path, "--server", long], message: "domain name '")
        let fresh = try Support.scratch()
        try Self.expectRefused(
            fresh,
            ["init", "--home", fresh.path, "--domain", "example.org", "--mx", "mail.example.org=\(long)"],
            message: "--mx 'mail.example.org=xxx"
        )
        let pem = try Support.scratch("pem").appendingPathComponent("big.pem")
        try Data(repeating: 0x41, count: 2 << 20).write(to: pem)
        try Self.expectRefused(
            home,
            ["tls", "import", "mail.example.org", "--cert", pem.path, "--home", home.path],
            message: "certificate \(pem.path) is 2097152 bytes; the limit is 1 MiB"
        )
        try Self.expectRefused(
            home,
            ["tls", "import", "mail.example.org", "--cert", "/dev/zero", "--home", home.path],
            message: "certificate /dev/zero is larger than 1 MiB, the limit"
        )
    }

    @Test func trailingDotsAreTheSameName() throws {
        let home = try Support.exampleHome()
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(
            of: "host = \"mail.example.org\"",
            with: "host = \"MAIL.example.org.\""
        )
        .write(to: policy, atomically: true, encoding: .utf8)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--now", "2026-11-21T12:00:00Z"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("zone unchanged (serial 2026112101)"))
    }

    @Test func templateThatDoesNotParseNamesItsLine() throws {
        let home = try Support.exampleHome()
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try (try Support.read(template) + "broken IN A 192.0.2.300\n").write(
            to: template,
            atomically: true,
            encoding: .utf8
        )
        let line = try Support.read(template).split(separator: "\n", omittingEmptySubsequences: false).count - 1
        try Self.expectRefused(home, ["tick", "--home", home.path], message: "Zones/example.org.zone.in line \(line):")
    }

    @Test func templateWithDNSSECRecordsIsRefused() throws {
        let home = try Support.exampleHome()
        let template = home.appendingPathComponent("Zones/example.org.zone.in")
        try
            "@ IN DNSKEY 257 3 13 mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxILfDLUT0rAK9iUzy1L53eKGQ==\n"
            .write(
                to: template,
                atomically: true,
                encoding: .utf8
            )
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "line 1: DNSKEY records are DNSSEC material"
        )
    }

    @Test func missingStoreIsNotRecreated() throws {
        let home = try Support.exampleHome()
        try FileManager.default.removeItem(at: home.appendingPathComponent("Keys/mailkeys.sqlite"))
        try Self.expectRefused(home, ["tick", "--home", home.path], message: "is missing; run 'mailkeys init'")
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("Keys/mailkeys.sqlite").path))
    }

    @Test func corruptStoreIsLeftAlone() throws {
        let home = try Support.exampleHome()
        let store = home.appendingPathComponent("Keys/mailkeys.sqlite")
        try Data((0..<8192).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }).write(to: store)
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path],
            message: "is not a database or is damaged; it was left untouched"
        )
        try Self.expectRefused(home, ["status", "--home", home.path], message: "is not a database or is damaged")
    }

    @Test func damagedStorePagesAreDetected() throws {
        let home = try Support.exampleHome()
        let store = home.appendingPathComponent("Keys/mailkeys.sqlite")
        var bytes = try #require(Support.bytes(store))
        #expect(bytes.count >= 4096 * 3)
        for i in 4096..<(bytes.count) where i % 7 == 0 { bytes[i] = 0xA5 }
        try bytes.write(to: store)
        try Self.expectRefused(home, ["tick", "--home", home.path], message: "left untouched")
    }

    @Test func foreignDatabaseIsRefused() throws {
        let home = try Support.exampleHome()
        // An SQLite file that is not a mailkeys store: the shipped example store with its
        // application id cleared is the simplest foreign database to make without extra tools.
        let store = home.appendingPathComponent("Keys/mailkeys.sqlite")
        var bytes = try #require(Support.bytes(store))
        bytes.replaceSubrange(68..<72, with: [0, 0, 0, 0])  // header offset 68: application_id
        try bytes.write(to: store)
        try Self.expectRefused(home, ["tick", "--home", home.path], message: "not a mailkeys store")
    }

    /// A `--now` ahead of the clock on a live home is refused before anything is done: its keys
    /// and events would move into the future and freeze the runs on the real clock (issue 17). A
    /// copy marked `--simulate` may run ahead, for good; a `--now` a little behind is fine.
    /// One clock throughout: the real one.
    @Test func aNowAheadOfTheClockIsRefusedOnALiveHome() throws {
        let home = try Support.scratch("live")
        let now = TestClock.real
        let made = try Support.mailkeys(
            ["init", "--home", home.path, "--now", RunClock.format(now)] + Support.exampleInit
        )
        #expect(made.status == 0, "\(made.stderr)")
        #expect(try Support.mailkeys(["tick", "--home", home.path]).status == 0)
        let ahead = RunClock.format(now.addingTimeInterval(2 * 3600))
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", ahead],
            message: "ahead of the clock: on a live home",
            status: 64
        )
        let behind = RunClock.format(Date().addingTimeInterval(-600))
        #expect(try Support.mailkeys(["tick", "--home", home.path, "--now", behind]).status == 0)

        let copy = try Support.scratch("simulation")
        try FileManager.default.removeItem(at: copy)
        try FileManager.default.copyItem(at: home, to: copy)
        let marked = try Support.mailkeys(["tick", "--home", copy.path, "--now", ahead, "--simulate"])
        #expect(marked.status == 0, "\(marked.stderr)")
        let later = RunClock.format(now.addingTimeInterval(30 * 86400))
        let again = try Support.mailkeys(["tick", "--home", copy.path, "--now", later])
        #expect(again.status == 0, "a simulation stays one: \(again.stderr)")
        try Self.expectRefused(home, ["tick", "--home", home.path, "--now", later], message: "ahead of the clock")
    }

    @Test func lockedHomeFailsClearlyWithTempfail() throws {
        let home = try Support.exampleHome()
        let fd = open(home.appendingPathComponent("Keys/mailkeys.lock").path, O_RDWR)
        #expect(fd >= 0)
        defer { close(fd) }
        #expect(flock(fd, LOCK_EX | LOCK_NB) == 0)
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--lock-wait", "0"],
            message: "another mailkeys run holds the lock",
            status: 75
        )
        flock(fd, LOCK_UN)
        let r = try Support.mailkeys(["tick", "--home", home.path, "--lock-wait", "0"])
        #expect(r.status == 0, "\(r.stderr)")
    }

    @Test func unknownDomainOnTheCommandLine() throws {
        let home = try Support.exampleHome()
        try Self.expectRefused(
            home,
            ["zone", "build", "nope.example", "--home", home.path],
            message: "unknown domain 'nope.example': the policy has example.org"
        )
        try Self.expectRefused(
            home,
            ["status", "nope.example", "--home", home.path],
            message: "unknown domain 'nope.example'"
        )
        try Self.expectRefused(
            home,
            ["zone", "build", "bad_domain..", "--home", home.path],
            message: "domain name 'bad_domain..'"
        )
    }

    @Test func badNowIsRefused() throws {
        let home = try Support.exampleHome()
        try Self.expectRefused(
            home,
            ["tick", "--home", home.path, "--now", "yesterday"],
            message: "--now 'yesterday' is not an ISO 8601 time"
        )
    }

    @Test func initRefusesAnExistingHomeAndBadArguments() throws {
        let home = try Support.exampleHome()
        try Self.expectRefused(
            home,
            ["init", "--home", home.path] + Support.exampleInit,
            message: "already exists; init never overwrites a home"
        )

        let fresh = try Support.scratch()
        let cases: [([String], String)] = [
            (["--domain", "exa_mple.org", "--mx", "mail.example.org=192.0.2.25"], "label 'exa_mple' contains '_'"),
            (
                ["--domain", "example.org", "--mx", "mail.example.org=192.0.2.999"],
                "--mx 'mail.example.org=192.0.2.999'"
            ),
            (
                ["--domain", "example.org", "--mx", "mail.example.org"],
                "mail.example.org lies inside example.org, so its addresses are needed"
            ),
            (
                ["--domain", "example.org", "--mx", "mail.example.org=192.0.2.25", "--ns", "ns1.example.org=::g"],
                "--ns 'ns1.example.org=::g'"
            ),
            (
                ["--domain", "example.org", "--mx", "mail.example.org=192.0.2.25", "--rua", "dmarc@example.org"],
                "is not a mailto: URI"
            ),
            (["--domain", "org", "--mx", "mail.example.org=192.0.2.25"], "needs at least two labels"),
        ]
        for (args, message) in cases {
            try Self.expectRefused(fresh, ["init", "--home", fresh.path] + args, message: message)
            #expect(try FileManager.default.contentsOfDirectory(atPath: fresh.path).isEmpty, "nothing half-written")
        }
    }
}
