import Foundation
import Testing

/// Deterministic fuzzing of what an operator hands mailkeys: the policy, the zone template and
/// the PEM files of `tls import`. Every case is a mutation of the working example (flipped and
/// deleted bytes, duplicated lines, huge values, deep keys and nesting, NUL bytes, invalid
/// UTF-8). For every case the process must exit, not die of a signal; when it fails, it prints
/// exactly one `mailkeys: error:` line, no line of stderr is long, and the home is byte for
/// byte as it was. A mutation that is still valid may succeed.
///
/// The generator is seeded: every run makes the same cases. `MAILKEYS_FUZZ_SEED=N` runs other
/// ones (a failure names its seed and case, so it can be run again).
@Suite struct FuzzTests {
    /// SplitMix64: the same sequence on every run, platform and Swift version.
    struct RNG {
        var state: UInt64

        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }

        /// 0 ..< n.
        mutating func int(_ n: Int) -> Int { n <= 1 ? 0 : Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    static let seed: UInt64 =
        ProcessInfo.processInfo.environment["MAILKEYS_FUZZ_SEED"].flatMap { UInt64($0) } ?? 20_261_121

    // MARK: running and checking

    /// A copy of `base` to run one case in.
    static func copy(_ base: URL) throws -> URL {
        let home = try Support.scratch("fuzz").appendingPathComponent("home")
        try FileManager.default.copyItem(at: base, to: home)
        return home
    }

    /// Runs `arguments` (with `--home home`) and checks the outcome: whether mailkeys refused
    /// the case, and whether every check held. A case that broke one keeps its home (the label
    /// says where) to be run again by hand; the others remove theirs.
    static func run(_ label: String, _ home: URL, _ arguments: [String]) throws -> Bool {
        let before = try BadInputTests.state(home)
        let r = try Support.mailkeys(arguments + ["--home", home.path])
        let shown = "\(label), home \(home.path): status \(r.status): \(r.stderr.prefix(600))"
        var ok = r.signal == nil && r.status < 128
        #expect(ok, "died of a signal: \(shown)")
        if r.status != 0 {
            let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false)
            let errors = lines.filter { $0.hasPrefix("mailkeys: error:") }.count
            let longest = lines.map(\.count).max() ?? 0
            let unchanged = try BadInputTests.state(home) == before
            #expect(errors == 1, "one error line expected: \(shown)")
            #expect(longest < BadInputTests.maxLine, "a line of \(longest) characters: \(shown)")
            #expect(unchanged, "the home changed: \(shown)")
            ok = ok && errors == 1 && longest < BadInputTests.maxLine && unchanged
        }
        if ok { try? FileManager.default.removeItem(at: home.deletingLastPathComponent()) }
        return r.status != 0
    }

    // MARK: mutations

    static func lines(_ b: [UInt8]) -> [[UInt8]] {
        b.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
    }
    static func joined(_ l: [[UInt8]]) -> [UInt8] { Array(l.joined(separator: [0x0A])) }
    static func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Bytes that mean something to TOML, zone files or PEM, and some that are never valid.
    static let interesting: [UInt8] = Array("\"'[]{}.=#\n\\, \t\r-+:;()$@0aZ".utf8) + [0x00, 0x7F, 0xFF, 0xC3, 0x80]

    static let invalidUTF8: [[UInt8]] = [
        [0xFF], [0xC3], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0x80],
    ]

    /// A mutation every kind of file gets; nil when `kind` picked none of them.
    static func common(_ b: inout [UInt8], _ rng: inout RNG, _ kind: Int) -> String? {
        switch kind {
        case 0:
            guard !b.isEmpty else { return nil }
            let at = rng.int(b.count)
            let byte = rng.int(3) == 0 ? UInt8(truncatingIfNeeded: rng.next()) : rng.pick(interesting)
            b[at] = byte
            return "byte \(at) = \(byte)"
        case 1:
            guard !b.isEmpty else { return nil }
            let at = rng.int(b.count)
            let n = min(1 + rng.int(40), b.count - at)
            b.removeSubrange(at..<(at + n))
            return "delete \(n) at \(at)"
        case 2:
            var l = lines(b)
            let i = rng.int(l.count)
            let times = rng.pick([1, 1, 2, 50])
            l.insert(contentsOf: Array(repeating: l[i], count: times), at: i)
            b = joined(l)
            return "line \(i + 1) duplicated \(times)×"
        case 3:
            var l = lines(b)
            let i = rng.int(l.count)
            l.remove(at: i)
            b = joined(l)
            return "line \(i + 1) deleted"
        case 4:
            var l = lines(b)
            let i = rng.int(l.count)
            let j = rng.int(l.count)
            l.swapAt(i, j)
            b = joined(l)
            return "lines \(i + 1) and \(j + 1) swapped"
        case 5:
            let at = rng.int(b.count + 1)
            b.insert(0, at: at)
            return "NUL at \(at)"
        case 6:
            let at = rng.int(b.count + 1)
            let bad = rng.pick(invalidUTF8)
            b.insert(contentsOf: bad, at: at)
            return "invalid UTF-8 \(bad) at \(at)"
        case 7:
            let at = rng.int(b.count + 1)
            b.removeSubrange(at...)
            return "truncated at \(at)"
        case 8:
            let at = rng.int(b.count + 1)
            let n = rng.pick([1 << 10, 1 << 16, 3 << 20])
            let filler = rng.pick([
                bytes("a"), bytes("a."), bytes("["), bytes("é"), bytes("\u{301}"), bytes(" "), [0x00],
            ])
            var huge: [UInt8] = []
            huge.reserveCapacity(n)
            while huge.count < n { huge += filler }
            b.insert(contentsOf: huge, at: at)
            return "\(n) bytes of \(filler) at \(at)"
        default:
            return nil
        }
    }

    static let tomlTokens = [
        "[", "]", "[[", "]]", "{", "}", "\"", "'", "\"\"\"", "'''", "=", ".", "#", "\n", ",", "\\", "a", "1", " ",
        "\"x\"", "true",
        "1979-05-27T07:32:00Z", "07:32:00", "inf", "nan", "0x1F", "1e999", "-0", "9223372036854775808", "\\u0000",
        "\\U0010FFFF",
    ]

    /// Keys the policy knows (never `reload` or `export`: a fuzzed policy must not run commands).
    static let policyKeys = [
        "ttl", "spf", "helo_spf", "p", "sp", "rua", "ruf", "pct", "ri", "fo", "mode", "max_age", "mx", "algorithm",
        "scheme", "nsec3",
        "validity", "refresh", "retry", "expire", "minimum", "preference", "addresses", "name", "host", "rname",
        "mname", "issue",
        "issuewild", "iodef", "enabled", "propagation_delay", "ksk_lifetime", "zsk_lifetime", "parent_servers", "TXT",
        "MX",
    ]

    static let policyValues = [
        "\"\"", "-1", "0", "9223372036854775807", "-9223372036854775808", "\"1h\"", "\"99999999999999999999d\"",
        "\"9999999w\"", "[]",
        "{}", "[1, \"a\"]", "\"\\u0000\"", "\"a\\nb\"", "true", "1.5", "1e308", "\"*\"", "\"mailto:\"", "\"-all\"",
        "\";\"", "\"v=spf1\"",
        "[\"192.0.2.1\", \"192.0.2.1\"]", "\"\(String(repeating: "x", count: 5000))\"",
        "\"\(String(repeating: "a.", count: 2000))org\"",
        "2026-11-21T10:00:00Z", "\"ksk+zsk\"", "\"none\"", "15", "8", "\"100d\"",
    ]

    /// One mutation of the policy text.
    static func mutatePolicy(_ b: inout [UInt8], _ rng: inout RNG) -> String {
        let kind = rng.int(16)
        if let done = common(&b, &rng, kind) { return done }
        var l = lines(b)
        let i = rng.int(l.count + 1)
        switch kind {
        case 9:
            let parts = rng.pick([15, 16, 17, 64, 10_000])
            let key = Array(repeating: rng.pick(["a", "\"a.b\"", "'x'", "k-1"]), count: parts).joined(separator: ".")
            let line = rng.pick(["\(key) = 1", "[\(key)]", "[[\(key)]]", "x = { \(key) = 1 }", "x = [{ \(key) = 1 }]"])
            l.insert(bytes(line), at: i)
            b = joined(l)
            return "dotted key of \(parts) parts at line \(i + 1)"
        case 10:
            let depth = rng.pick([15, 16, 17, 300, 10_000])
            let (open, close) = rng.pick([("[", "]"), ("{ a = ", "}"), ("[{ a = ", "}]")])
            let closed = rng.int(2) == 0
            let value =
                String(repeating: open, count: depth) + "1" + (closed ? String(repeating: close, count: depth) : "")
            l.insert(bytes("x = " + value), at: i)
            b = joined(l)
            return "nesting \(depth) deep\(closed ? "" : ", unclosed") at line \(i + 1)"
        case 11:
            let tokens = (0..<(1 + rng.int(40))).map { _ in rng.pick(tomlTokens) }.joined()
            let at = rng.int(b.count + 1)
            b.insert(contentsOf: bytes(tokens), at: at)
            return "tokens \(tokens.debugDescription.prefix(60)) at \(at)"
        case 12, 13:
            let line = "\(rng.pick(policyKeys)) = \(rng.pick(policyValues))"
            l.insert(bytes(line), at: i)
            b = joined(l)
            return "\(line.prefix(60)) at line \(i + 1)"
        case 14:
            // A string value made huge: past the 4096-character bound, or past the file's 1 MiB.
            let starts = b.indices.filter { b[$0] == UInt8(ascii: "\"") && $0 > 1 && b[$0 - 2] == UInt8(ascii: "=") }
            guard let start = starts.isEmpty ? nil : rng.pick(starts),
                let end = b[(start + 1)...].firstIndex(of: UInt8(ascii: "\""))
            else { return "no string value" }
            let n = rng.pick([4096, 4097, 200_000, 2_000_000])
            let fill = rng.pick(["a", "v=spf1 ", "mailto:x@", " ", "é"])
            var huge = String(repeating: fill, count: n / fill.utf8.count + 1)
            huge = String(huge.prefix(n))
            b.replaceSubrange((start + 1)..<end, with: bytes(huge))
            return "string at \(start) made \(n) characters of \(fill)"
        default:
            let variants = ["CRLF", "BOM", "whole file twice", "no newlines"]
            let v = rng.pick(variants)
            switch v {
            case "CRLF": b = Array(String(decoding: b, as: UTF8.self).replacingOccurrences(of: "\n", with: "\r\n").utf8)
            case "BOM": b = [0xEF, 0xBB, 0xBF] + b
            case "whole file twice": b += b
            default: b.removeAll { $0 == 0x0A }
            }
            return v
        }
    }

    static let recordTypes = [
        "A", "AAAA", "MX", "TXT", "CNAME", "NS", "SOA", "SRV", "CAA", "TLSA", "DNSKEY", "RRSIG", "NSEC3PARAM", "DS",
        "HINFO",
        "TYPE65534", "URI", "SPF", "DNAME", "PTR",
    ]
    static let rdataTokens = [
        "192.0.2.1", "2001:db8::1", "10", "mail.example.org.", "example.net.", "\"v=spf1 -all\"",
        "\"v=DMARC1; p=reject\"", "0", "issue",
        "\"letsencrypt.org\"", "3", "1", "1", "abcdef0123456789", "@", ".", "\\", "(", ")", ";", "\"", "99999999999",
        "-1", "\\000",
        "\\#", "\"v=spf1 \(String(repeating: "z", count: 250))\"",
    ]

    /// One mutation of the zone template.
    static func mutateTemplate(_ b: inout [UInt8], _ rng: inout RNG) -> String {
        let kind = rng.int(16)
        if let done = common(&b, &rng, kind) { return done }
        var l = lines(b)
        let i = rng.int(l.count + 1)
        let line: String
        switch kind {
        case 9, 10, 11:
            let owner = rng.pick([
                "@", "www", "mail", "_dmarc", "*", "x.y.z", "example.net.", "a\\.b", "\\200", "_25._tcp.mail", "",
            ])
            let ttl = rng.pick(["", "3600 ", "0 ", "4294967295 ", "1w "])
            let tokens = (0..<rng.int(6)).map { _ in rng.pick(rdataTokens) }.joined(separator: " ")
            line = "\(owner) \(ttl)IN \(rng.pick(recordTypes)) \(tokens)"
        case 12:
            let n = rng.pick([255, 256, 70_000, 2_000_000])
            line = "big TXT \"\(String(repeating: "a", count: n))\""
        case 13:
            let k = rng.pick([2, 300])
            line =
                "big TXT "
                + Array(repeating: "\"\(String(repeating: "b", count: 250))\"", count: k).joined(separator: " ")
        case 14:
            line = rng.pick([
                "@ TXT \"v=spf1 \(String(repeating: "q", count: 240))\" \" -all\"",
                "@ TXT \"v=spf1 include:\(String(repeating: "a", count: 200)).example \" \"-all\"",
                "_dmarc TXT \"v=DMARC1; p=\(String(repeating: "r", count: 240))\"",
                "\(Array(repeating: String(repeating: "l", count: 63), count: 5).joined(separator: ".")) A 192.0.2.1",
                "\(String(repeating: "m", count: 64)) A 192.0.2.1",
            ])
        default:
            line = rng.pick([
                "$INCLUDE /etc/passwd", "$ORIGIN example.net.", "$ORIGIN .", "$TTL 99999999999", "$TTL -1",
                "$GENERATE 1-10 h$ A 192.0.2.$",
                "@ SOA ns1 host 1 2 3 4 5", "@ SOA x", "mail CNAME other.example.org.", "@ CNAME example.net.",
            ])
        }
        l.insert(bytes(line), at: i)
        b = joined(l)
        return "\(line.prefix(60)) (\(line.utf8.count) bytes) at line \(i + 1)"
    }

    /// One mutation of a PEM file; `other` is another PEM file of the case (a key for a
    /// certificate and the reverse).
    static func mutatePEM(_ b: inout [UInt8], other: [UInt8], _ rng: inout RNG) -> String {
        let kind = rng.int(15)
        if let done = common(&b, &rng, kind) { return done }
        var l = lines(b)
        switch kind {
        case 9:
            l.removeAll { $0.starts(with: bytes("-----")) && rng.int(2) == 0 }
            b = joined(l)
            return "some BEGIN/END lines removed"
        case 10:
            let text = String(decoding: b, as: UTF8.self)
            let swapped = rng.pick([
                ("CERTIFICATE", "PRIVATE KEY"), ("PRIVATE KEY", "CERTIFICATE"), ("BEGIN", "END"), ("-----", "----"),
            ])
            b = bytes(text.replacingOccurrences(of: swapped.0, with: swapped.1))
            return "\(swapped.0) → \(swapped.1)"
        case 11:
            let times = rng.pick([2, 200, 1500])
            b = Array(Array(repeating: b, count: times).joined())
            return "whole file \(times)×"
        case 12:
            b = other
            return "the other file instead"
        case 13:
            b = b + other
            return "the other file appended"
        default:
            b = []
            return "empty"
        }
    }

    // MARK: the tests

    static let commands: [[String]] = [
        ["tick", "--now", Support.now], ["tick", "--now", Support.now], ["tick", "--now", Support.now],
        ["zone", "build", "--now", Support.now],
        ["status", "--now", Support.now], ["plan", "--days", "30", "--now", Support.now],
    ]

    @Test func mutatedPolicies() throws {
        let base = try Support.exampleHome()
        let original = try #require(Support.bytes(base.appendingPathComponent("mailkeys.toml")))
        var rng = RNG(state: Self.seed)
        var failed = 0
        let cases = 200
        for n in 0..<cases {
            var text = [UInt8](original)
            let done = (0...rng.int(3)).map { _ in Self.mutatePolicy(&text, &rng) }
            let command = rng.pick(Self.commands)
            let home = try Self.copy(base)
            try Data(text).write(to: home.appendingPathComponent("mailkeys.toml"))
            let label = "seed \(Self.seed) policy case \(n) [\(done.joined(separator: "; "))] \(command[0])"
            if try Self.run(label, home, command) { failed += 1 }
        }
        // Most mutations must be refused, or the cases test little.
        #expect(failed > cases / 2, "\(failed) of \(cases) refused")
    }

    @Test func mutatedTemplates() throws {
        let base = try Support.exampleHome()
        let original = try #require(Support.bytes(base.appendingPathComponent("Zones/example.org.zone.in")))
        var rng = RNG(state: Self.seed ^ 0x7E3D)
        var failed = 0
        let cases = 80
        for n in 0..<cases {
            var text = [UInt8](original)
            let done = (0...rng.int(2)).map { _ in Self.mutateTemplate(&text, &rng) }
            let home = try Self.copy(base)
            try Data(text).write(to: home.appendingPathComponent("Zones/example.org.zone.in"))
            let label = "seed \(Self.seed) template case \(n) [\(done.joined(separator: "; "))]"
            if try Self.run(label, home, ["tick", "--now", Support.now]) { failed += 1 }
        }
        #expect(failed > cases / 4, "\(failed) of \(cases) refused")
    }

    @Test func mutatedPEMFiles() throws {
        let base = try Support.exampleHome()
        let at = TestClock.at("2026-11-21T11:00:00Z")
        let ca = try TestCA(at: TestClock.date("2026-11-21T11:00:00Z"))
        let leaf = try ca.leaf("served", at: TestClock.date("2026-11-21T11:00:00Z"))
        let cert = try #require(Support.bytes(leaf.fullchain))
        let key = try #require(Support.bytes(leaf.key))
        var rng = RNG(state: Self.seed ^ 0x9E3)
        var failed = 0
        let cases = 60
        for n in 0..<cases {
            var c = [UInt8](cert)
            var k = [UInt8](key)
            var done: [String] = []
            for _ in 0...rng.int(2) {
                if rng.int(3) == 0 {
                    done.append("key: " + Self.mutatePEM(&k, other: [UInt8](cert), &rng))
                } else {
                    done.append("cert: " + Self.mutatePEM(&c, other: [UInt8](key), &rng))
                }
            }
            let home = try Self.copy(base)
            // Beside the home: kept or removed with it.
            let certFile = home.deletingLastPathComponent().appendingPathComponent("fullchain.pem")
            let keyFile = home.deletingLastPathComponent().appendingPathComponent("privkey.pem")
            try Data(c).write(to: certFile)
            try Data(k).write(to: keyFile)
            let label = "seed \(Self.seed) PEM case \(n) [\(done.joined(separator: "; "))]"
            if try Self.run(
                label,
                home,
                ["tls", "import", "mail.example.org", "--cert", certFile.path, "--key", keyFile.path, "--now", at]
            ) {
                failed += 1
            }
        }
        #expect(failed > cases / 2, "\(failed) of \(cases) refused")
    }
}
