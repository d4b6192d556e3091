import Foundation
import MailKeysCore
import MailKeysDNS
import TOMLKit

/// Reads `mailkeys.toml`, and the per-domain files `domains/<domain>.toml` beside it, into a
/// validated ``Policy``.
public enum PolicyFile {
    /// Loads and validates the policy of `home`; every error names the file and the key or line.
    public static func load(_ home: Home) throws -> Policy { try loadHashed(home).policy }

    /// The policy and the hashes of each domain's part of it.
    static func loadHashed(_ home: Home) throws -> (policy: Policy, digest: PolicyDigest) {
        let name = home.show(home.policyFile)
        guard let bytes = try InputFile.read(home.policyFile, limit: InputLimits.policyFileBytes, name: name) else {
            throw HomeError(.missing, "\(home.policyFile.path) is missing; run 'mailkeys init' first")
        }
        try PolicyText.check(bytes, name: name)
        let document = try table(String(decoding: bytes, as: UTF8.self), name: name)
        let files = try domainFiles(home)
        do {
            return (
                try Policy(document: document, files: files.mapValues(\.table)),
                try PolicyDigest(document: document, files: files.mapValues(\.table))
            )
        } catch let e as CoreError {
            throw CoreError(e.code, located(e.reason, policy: name, files: files.mapValues(\.name)))
        }
    }

    /// A policy message prefixed with the file it is about: a domain of `domains/` by its own
    /// file (`domains/example.org.toml: dmarc.p: …`), anything else by `mailkeys.toml`.
    static func located(_ reason: String, policy: String, files: [String: String]) -> String {
        for (key, file) in files {
            let path = PolicyTable.join("domains", key)
            guard reason.hasPrefix(path) else { continue }
            let rest = reason.dropFirst(path.count)
            if rest.hasPrefix(".") { return "\(file): \(rest.dropFirst())" }
            if rest.hasPrefix(": ") { return "\(file): \(rest.dropFirst(2))" }
        }
        return "\(policy): \(reason)"
    }

    /// The parsed tables of `domains/*.toml` by domain (the file name without `.toml`), with the
    /// name each is shown by; names starting with a dot (editor files) are skipped.
    static func domainFiles(_ home: Home) throws -> [String: (table: [String: PolicyValue], name: String)] {
        var out: [String: (table: [String: PolicyValue], name: String)] = [:]
        for stem in try domainStems(home) { out[stem] = try domainFile(home, stem) }
        return out
    }

    /// The names of `domains/*.toml` without `.toml`, sorted; names starting with a dot (editor
    /// files) are skipped; none when there is no `domains/`.
    static func domainStems(_ home: Home) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: home.domainsDir.path)
        } catch CocoaError.fileReadNoSuchFile {
            return []
        } catch {
            throw HomeError(.io, "cannot list \(home.show(home.domainsDir)): \(error.localizedDescription)")
        }
        return names.filter { $0.hasSuffix(".toml") && !$0.hasPrefix(".") }.map { String($0.dropLast(".toml".count)) }
            .sorted()
    }

    /// One domain file parsed, with the name it is shown by (nil: it is gone).
    static func domainFile(_ home: Home, _ stem: String) throws -> (table: [String: PolicyValue], name: String)? {
        let url = home.domainsDir.appendingPathComponent("\(stem).toml", isDirectory: false)
        let shown = home.show(url)
        guard let bytes = try InputFile.read(url, limit: InputLimits.policyFileBytes, name: shown) else { return nil }
        try PolicyText.check(bytes, name: shown)
        return (try table(String(decoding: bytes, as: UTF8.self), name: shown), shown)
    }

    /// Parses policy text; `name` prefixes every message. The text is checked first
    /// (``PolicyText``: size, UTF-8, NUL bytes, key depth, nesting), so the TOML parser never
    /// sees what would crash it, and every key and string is bounded (``PolicyValue``).
    public static func parse(_ text: String, name: String = "mailkeys.toml") throws -> Policy {
        try PolicyText.check(Array(text.utf8), name: name)
        return try parseChecked(text, name: name)
    }

    /// ``parse(_:name:)`` for text ``PolicyText`` has passed.
    static func parseChecked(_ text: String, name: String) throws -> Policy {
        try parseDigested(text, name: name).policy
    }

    /// The policy and its ``PolicyDigest``, for text ``PolicyText`` has passed.
    static func parseDigested(_ text: String, name: String) throws -> (policy: Policy, digest: PolicyDigest) {
        let document = try table(text, name: name)
        do {
            return (try Policy(document: document), try PolicyDigest(document: document))
        } catch let e as CoreError {
            throw CoreError(e.code, "\(name): \(e.reason)")
        }
    }

    /// TOML text as a document; `name` prefixes the parser's message.
    static func table(_ text: String, name: String) throws -> [String: PolicyValue] {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw CoreError(
                .invalidPolicy,
                "\(name) line \(e.source.begin.line), column \(e.source.begin.column): \(Quote.bare(e.description, limit: 200))"
            )
        }
        return convert(table)
    }

    static func convert(_ table: TOMLTable) -> [String: PolicyValue] {
        var out: [String: PolicyValue] = [:]
        for (key, value) in table { out[key] = convert(value) }
        return out
    }

    static func convert(_ value: TOMLValueConvertible) -> PolicyValue {
        switch value.type {
        case .string: return .string(value.string ?? "")
        case .int: return .int(value.int ?? 0)
        case .bool: return .bool(value.bool ?? false)
        case .double: return .double(value.double ?? 0)
        case .table: return .table(value.table.map(convert) ?? [:])
        case .array: return .array(value.array.map { $0.map(convert) } ?? [])
        case .date: return .other("a date")
        case .time: return .other("a time")
        case .dateTime: return .other("a date-time")
        }
    }

    /// A TOML basic string literal.
    static func quote(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    static func list(_ items: [String]) -> String { "[" + items.map(quote).joined(separator: ", ") + "]" }

    /// The commented policy `init` writes for one domain: the domain's own settings, its [[ns]]
    /// and [[mx]] tables, then the DMARC, MTA-STS, TLS-RPT, DNSSEC and CAA tables.
    public static func initial(
        domain: DomainName,
        mx: [(DomainName, [IPAddress])],
        ns: [(DomainName, [IPAddress])],
        rua: String
    ) -> String {
        header + section(domain: domain, mx: mx, ns: ns, rua: rua)
    }

    /// The comments that open the initial policy.
    static let header = """
        # mailkeys policy. Every key is explained in the README ("Policy reference").
        # Durations are seconds or strings such as "1h", "7d", "2w".
        # After editing, run `mailkeys tick` (or wait for the timer): zones are rebuilt when
        # their content changes, with a new SOA serial.


        """

    /// One domain's commented tables, `[domains."<domain>"]` and below (as `init` writes them).
    public static func section(
        domain: DomainName,
        mx: [(DomainName, [IPAddress])],
        ns: [(DomainName, [IPAddress])],
        rua: String
    ) -> String {
        let d = "domains.\"\(domain)\""
        return initialSettings(d, domain) + serverTables(d, mx: mx, ns: ns)
            + initialRecordTables(d, domain, mx: mx, rua: rua)
    }

    /// ``section(domain:mx:ns:rua:)`` as a `domains/<domain>.toml` file holds it: the domain's
    /// table at the top level (`[soa]`, `[[mx]]`, ...).
    public static func domainFile(_ section: String, domain: DomainName) -> String {
        let d = "domains.\"\(domain)\""
        return section.split(separator: "\n", omittingEmptySubsequences: false).compactMap { line -> String? in
            if line == "[\(d)]" { return nil }
            return String(line).replacingOccurrences(of: "[[\(d).", with: "[[").replacingOccurrences(
                of: "[\(d).",
                with: "["
            )
        }.joined(separator: "\n")
    }

    /// The head of the initial policy: the comments on editing it, TTLs, SPF and SOA.
    private static func initialSettings(_ d: String, _ domain: DomainName) -> String {
        """
        [\(d)]
        ttl = "1h"                      # default TTL ($TTL) of the zone
        spf = "\(DomainPolicy.Defaults.spf)"        # SPF at the apex (RFC 7208); keep -all or ~all
        helo_spf = true                 # "v=spf1 a -all" on each in-zone MX host (HELO identity)

        # Per-type TTL overrides, e.g. TXT = "5m" while testing.
        # [\(d).ttls]
        # TXT = "1h"

        [\(d).soa]
        # mname = "ns1.\(domain)"       # primary nameserver (default: the first [[ns]])
        rname = "hostmaster@\(domain)"   # contact, as a mail address
        refresh = "3h"
        retry = "1h"
        expire = "1w"
        minimum = "1h"                  # negative-caching TTL (RFC 2308)


        """
    }

    /// The [[ns]] tables (with glue for in-zone hosts) and the [[mx]] tables, preferences 10, 20, ...
    private static func serverTables(
        _ d: String,
        mx: [(DomainName, [IPAddress])],
        ns: [(DomainName, [IPAddress])]
    ) -> String {
        var t = ""
        for (host, addresses) in ns {
            t += "[[\(d).ns]]\nname = \(quote(host.description))\n"
            if !addresses.isEmpty {
                t += "addresses = \(list(addresses.map(\.description)))   # glue: the host is inside the zone\n"
            }
            t += "\n"
        }
        for (index, (host, addresses)) in mx.enumerated() {
            t += "[[\(d).mx]]\nhost = \(quote(host.description))\npreference = \((index + 1) * 10)\n"
            if !addresses.isEmpty { t += "addresses = \(list(addresses.map(\.description)))\n" }
            t += "\n"
        }
        return t
    }

    /// The tail of the initial policy: the DMARC, MTA-STS, TLS-RPT, DNSSEC and CAA tables, commented.
    private static func initialRecordTables(
        _ d: String,
        _ domain: DomainName,
        mx: [(DomainName, [IPAddress])],
        rua: String
    ) -> String {
        """
        [\(d).dmarc]                    # any DMARC tag (RFC 7489, DMARCbis) may be set here
        p = "reject"
        rua = [\(quote(rua))]
        # sp = "reject"
        # adkim = "s"
        # aspf = "s"

        [\(d).mta_sts]                  # RFC 8461; the policy file is written to Zones/\(domain).mta-sts.txt
        mode = "enforce"                # enforce, testing or none
        max_age = "1w"
        # mx = ["\(mx[0].0)"]          # default: every MX host
        # addresses = ["192.0.2.80"]    # A/AAAA of mta-sts.\(domain), the HTTPS server of the policy

        [\(d).tls_rpt]                  # RFC 8460
        rua = [\(quote(rua))]

        [\(d).dnssec]                   # signs Zones/\(domain).zone.signed; `mailkeys ds \(domain)` prints the DS
        algorithm = 13                  # 13 ECDSAP256SHA256, 15 Ed25519, 8 RSASHA256
        scheme = "csk"                  # csk, or "ksk+zsk"
        nsec3 = false                   # NSEC3 per RFC 9276 (no extra iterations, empty salt)
        # validity = "14d"
        # refresh = "5d"
        # ksk_lifetime = "365d"         # default 0: KSK/CSK rollovers only by `mailkeys rotate ksk`
        # parent_servers = ["192.0.2.53"] # the parent's servers: tick marks a new DS seen when all serve it

        [\(d).caa]                      # RFC 8659
        issue = ["\(DomainPolicy.Defaults.caaIssuer)"]
        # issuewild = [";"]
        # iodef = ["mailto:hostmaster@\(domain)"]

        """
    }
}
