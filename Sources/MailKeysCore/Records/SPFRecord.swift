import Foundation

/// An SPF record (RFC 7208) checked for syntax and for the limit of 10 DNS-querying terms
/// (§4.6.4): `include`, `a`, `mx`, `ptr`, `exists` and `redirect` each count one.
public struct SPFRecord: Sendable, Equatable {
    /// The record text as published.
    public let text: String
    /// How many DNS-querying terms the record itself contains (nested includes add more at
    /// evaluation time; `mailkeys check` counts those against the live DNS).
    public let lookups: Int
    /// Whether the record ends in `-all` or `~all`, or redirects (what internet.nl and MECSA require).
    public let hasStrictEnding: Bool
    /// Non-fatal findings (deprecated `ptr`, terms after `all`, a soft ending).
    public let warnings: [String]

    /// The maximum number of DNS-querying terms RFC 7208 §4.6.4 allows.
    public static let lookupLimit = 10

    /// Parses and validates `text`; throws a `CoreError(.invalidSPF)` naming the bad term.
    public init(_ text: String) throws {
        var parser = SPFParser(text: text)
        let terms = text.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
        guard let version = terms.first, version.lowercased() == "v=spf1" else {
            throw parser.fail("must start with 'v=spf1'")
        }
        if text.contains("\t") || text.contains("\n") { throw parser.fail("terms must be separated by spaces only") }
        for term in terms.dropFirst() { try parser.read(term) }
        try parser.finish()
        self.text = terms.joined(separator: " ")
        self.lookups = parser.lookups
        self.hasStrictEnding = parser.strict || (parser.redirect && parser.sawAll == nil)
        self.warnings = parser.warnings
    }

    static func checkDualCIDR(_ text: String, term: String, _ fail: (String) -> CoreError) throws {
        // "/n", "//m" or "/n//m"
        let pieces = text.components(separatedBy: "//")
        guard pieces.count <= 2 else { throw fail("bad prefix length in \(Quote.short(term))") }
        if !pieces[0].isEmpty {
            guard pieces[0].hasPrefix("/"), let v4 = Int(pieces[0].dropFirst()), (0...32).contains(v4) else {
                throw fail("bad IPv4 prefix length in \(Quote.short(term)) (0 to 32)")
            }
        }
        if pieces.count == 2 {
            guard let v6 = Int(pieces[1]), (0...128).contains(v6) else {
                throw fail("bad IPv6 prefix length in \(Quote.short(term)) (0 to 128)")
            }
        }
    }

    static func checkDomainSpec(_ spec: String, term: String, _ fail: (String) -> CoreError) throws {
        guard !spec.isEmpty else { throw fail("empty domain in \(Quote.short(term))") }
        if spec.contains("%") {
            try checkMacroString(spec, term: term, fail)
            return
        }
        do {
            _ = try DomainName(spec, kind: .owner)
        } catch let error as CoreError {
            throw fail("bad domain in \(Quote.context(term)): \(error.reason)")
        }
    }

    /// RFC 7208 §7.1 macro-string: `%{` letter [digits] [r] [delimiters] `}`, `%%`, `%_`, `%-`.
    static func checkMacroString(_ text: String, term: String, _ fail: (String) -> CoreError) throws {
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            guard c.isASCII, c.asciiValue! >= 0x21, c.asciiValue! <= 0x7e else {
                throw fail("invalid character in \(Quote.short(term))")
            }
            if c == "%" {
                guard i + 1 < chars.count else { throw fail("dangling '%' in \(Quote.short(term))") }
                let n = chars[i + 1]
                if n == "%" || n == "_" || n == "-" {
                    i += 2
                    continue
                }
                guard n == "{", let close = chars[(i + 2)...].firstIndex(of: "}") else {
                    throw fail("bad macro in \(Quote.short(term))")
                }
                let body = chars[(i + 2)..<close]
                guard let letter = body.first, "slodiphcrtvSLODIPHCRTV".contains(letter) else {
                    throw fail("unknown macro letter in \(Quote.short(term))")
                }
                var rest = body.dropFirst().drop(while: { $0.isNumber })
                if rest.first == "r" || rest.first == "R" { rest = rest.dropFirst() }
                guard rest.allSatisfy({ ".-+,/_=".contains($0) }) else {
                    throw fail("bad macro transformer in \(Quote.short(term))")
                }
                i = close + 1
                continue
            }
            i += 1
        }
    }
}

/// What `SPFRecord.init` has learnt so far while reading an SPF record term by term.
private struct SPFParser {
    /// Makes the error for a bad record, quoting the whole record.
    let fail: (String) -> CoreError
    var lookups = 0
    var warnings: [String] = []
    /// The `all` term, once seen (terms after it are never evaluated).
    var sawAll: String?
    var redirect = false
    var exp = false
    /// Whether the `all` term is `-all` or `~all`.
    var strict = false

    init(text: String) {
        fail = { why in CoreError(.invalidSPF, "SPF record \(Quote.context(text)): \(why)") }
    }

    /// Reads one term after `v=spf1`: a modifier (`name=value`) or a mechanism.
    mutating func read(_ term: String) throws {
        if let eq = term.firstIndex(of: "="),
            term[..<eq].allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            term.first?.isLetter == true
        {
            try readModifier(term, equals: eq)
        } else {
            try readMechanism(term)
        }
    }

    /// Reads a modifier: `redirect` and `exp` at most once each, others need a valid macro-string.
    mutating func readModifier(_ term: String, equals eq: String.Index) throws {
        let name = term[..<eq].lowercased()
        let value = String(term[term.index(after: eq)...])
        switch name {
        case "redirect":
            guard !redirect else { throw fail("'redirect' appears twice") }
            redirect = true
            lookups += 1
            try SPFRecord.checkDomainSpec(value, term: term, fail)
        case "exp":
            guard !exp else { throw fail("'exp' appears twice") }
            exp = true
            try SPFRecord.checkDomainSpec(value, term: term, fail)
        default:
            try SPFRecord.checkMacroString(value, term: term, fail)
        }
    }

    /// Reads a mechanism with its optional qualifier (`-all`, `include:...`, `ip4:.../24`).
    mutating func readMechanism(_ term: String) throws {
        var body = Substring(term)
        var qualifier: Character = "+"
        if let q = body.first, "+-~?".contains(q) {
            qualifier = q
            body = body.dropFirst()
        }
        if let seen = sawAll {
            warnings.append("term \(Quote.short(term)) after \(Quote.short(seen)) is never evaluated")
        }
        let lower = body.lowercased()
        let (name, arg) = try splitMechanism(term, body: body, lower: lower)
        switch name {
        case "all": try readAll(term, lower: lower, arg: arg, qualifier: qualifier)
        case "include", "exists": try readDomainMechanism(term, name: name, arg: arg)
        case "a", "mx": try readHostMechanism(term, arg: arg)
        case "ptr":
            lookups += 1
            warnings.append("'ptr' is deprecated (RFC 7208 §5.5) and slow: list the addresses instead")
            if let arg = arg { try SPFRecord.checkDomainSpec(arg, term: term, fail) }
        case "ip4":
            try checkNetwork(term, arg: arg, kind: "ip4", family: "IPv4", maxBits: 32) { IPAddress.parseV4($0) != nil }
        case "ip6":
            try checkNetwork(term, arg: arg, kind: "ip6", family: "IPv6", maxBits: 128) {
                IPAddress.parseV6(String($0)) != nil
            }
        default:
            throw fail("unknown mechanism \(Quote.short(term))")
        }
    }

    /// A mechanism's name and its `:` argument; a `/` prefix length right after the name is
    /// checked here (only `a` and `mx` take one).
    func splitMechanism(_ term: String, body: Substring, lower: String) throws -> (name: String, arg: String?) {
        if let colon = lower.firstIndex(of: ":") {
            return (String(lower[..<colon]), String(body[body.index(after: colon)...]))
        } else if let slash = lower.firstIndex(of: "/") {
            let name = String(lower[..<slash])
            guard name == "a" || name == "mx" else { throw fail("unknown mechanism \(Quote.short(term))") }
            try SPFRecord.checkDualCIDR(String(lower[slash...]), term: term, fail)
            return (name, nil)
        } else {
            return (lower, nil)
        }
    }

    /// Reads the `all` mechanism: `+all` is refused, `?all` warned about.
    mutating func readAll(_ term: String, lower: String, arg: String?, qualifier: Character) throws {
        guard arg == nil, lower == "all" else { throw fail("'all' takes no argument in \(Quote.short(term))") }
        if qualifier == "+" {
            throw fail("\(Quote.short(term)) authorises every host on the internet to send as this domain")
        }
        sawAll = term
        strict = qualifier == "-" || qualifier == "~"
        if qualifier == "?" { warnings.append("'?all' is neutral: receivers get no policy; use '-all' or '~all'") }
    }

    /// Reads `include` or `exists`: a domain-spec is required.
    mutating func readDomainMechanism(_ term: String, name: String, arg: String?) throws {
        guard let arg = arg, !arg.isEmpty else {
            throw fail("\(Quote.short(name)) needs a domain in \(Quote.short(term))")
        }
        lookups += 1
        try SPFRecord.checkDomainSpec(arg, term: term, fail)
    }

    /// Reads `a` or `mx` with an optional `:domain` and prefix lengths.
    mutating func readHostMechanism(_ term: String, arg: String?) throws {
        lookups += 1
        guard let arg = arg else { return }
        var spec = Substring(arg)
        if let slash = spec.firstIndex(of: "/") {
            try SPFRecord.checkDualCIDR(String(spec[slash...]), term: term, fail)
            spec = spec[..<slash]
        }
        try SPFRecord.checkDomainSpec(String(spec), term: term, fail)
    }

    /// Checks the address or network of `ip4` or `ip6` (`kind`), prefix length at most `maxBits`.
    func checkNetwork(
        _ term: String,
        arg: String?,
        kind: String,
        family: String,
        maxBits: Int,
        isAddress: (Substring) -> Bool
    ) throws {
        guard let arg = arg else { throw fail("'\(kind)' needs an address in \(Quote.short(term))") }
        let parts = arg.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, isAddress(parts[0]) else {
            throw fail("\(Quote.short(arg)) in \(Quote.short(term)) is not an \(family) address or network")
        }
        if parts.count == 2 {
            guard let bits = Int(parts[1]), (0...maxBits).contains(bits) else {
                throw fail("prefix length in \(Quote.short(term)) must be 0 to \(maxBits)")
            }
        }
    }

    /// After the last term: the lookup limit, and warnings about how the record ends.
    mutating func finish() throws {
        if lookups > SPFRecord.lookupLimit {
            throw fail(
                "\(lookups) DNS-querying terms (include, a, mx, ptr, exists, redirect); RFC 7208 §4.6.4 allows \(SPFRecord.lookupLimit)"
            )
        }
        if sawAll != nil && redirect { warnings.append("'redirect' is ignored because the record has 'all'") }
        if sawAll == nil && !redirect {
            warnings.append("no 'all' term: unlisted senders get a neutral result; end with '-all' or '~all'")
        }
    }
}
