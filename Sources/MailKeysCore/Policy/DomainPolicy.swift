import Foundation

/// Everything the policy says about one mail domain, validated.
public struct DomainPolicy: Sendable, Equatable {
    public var name: DomainName
    public var defaultTTL: UInt32
    public var ttls: [RRType: UInt32]
    public var soa: SOAPolicy
    public var nameservers: [HostAddresses]
    public var mx: [MXHost]
    public var spf: SPFRecord
    public var heloSPF: Bool
    public var dmarc: DMARCRecord?
    public var mtaSTS: MTASTSPolicy?
    public var tlsRPT: [String]?
    public var caa: CAAPolicy?
    /// Time for a new zone to reach every authoritative server.
    public var propagationDelay: Int
    public var dkim: DKIMPolicy
    public var dnssec: DNSSECPolicy
    /// DANE TLSA records for the MX hosts and the certbot deploy hook.
    public var tls: TLSPolicy
    /// Authoritative servers the zone is exported to.
    public var exports: [ExportTarget]
    /// Non-fatal findings to print (soft SPF ending, DMARC without rua, ...).
    public var warnings: [String]

    /// Defaults applied when the policy leaves a value out.
    public enum Defaults {
        public static let ttl: UInt32 = 3600
        public static let refresh: UInt32 = 10800
        public static let retry: UInt32 = 3600
        public static let expire: UInt32 = 604_800
        public static let minimum: UInt32 = 3600
        public static let spf = "v=spf1 mx -all"
        public static let mtaSTSMaxAge = 604_800
        public static let caaIssuer = "letsencrypt.org"
        public static let propagationDelay = 300
    }

    /// The TTL for records of `type`: the `[ttls]` entry, else the domain's default.
    public func ttl(for type: RRType) -> UInt32 { ttls[type] ?? defaultTTL }

    /// Validates one `[domains."NAME"]` table. Each section is read by a helper below; their
    /// order here decides which error wins when several sections are wrong.
    public init(name: DomainName, table t: PolicyTable) throws {
        self.name = name
        var warnings: [String] = []
        defaultTTL = try t.ttl("ttl") ?? Defaults.ttl
        var ttls = try Self.readTTLs(t)
        nameservers = try Self.readNameservers(t, domain: name, warnings: &warnings)
        mx = try Self.readMX(t, domain: name)
        soa = try Self.readSOA(t, domain: name, primary: nameservers[0].name, ttls: &ttls)
        self.ttls = ttls
        spf = try Self.readSPF(t, domain: name, mxCount: mx.count, warnings: &warnings)
        heloSPF = try t.bool("helo_spf") ?? true
        dmarc = try Self.readDMARC(t, domain: name, warnings: &warnings)
        mtaSTS = try Self.readMTASTS(t, domain: name, mx: mx)
        tlsRPT = try Self.readTLSRPT(t, domain: name)
        caa = try Self.readCAA(t, domain: name, warnings: &warnings)
        propagationDelay = try Self.readPropagationDelay(t, domain: name)
        dkim = try DKIMPolicy(
            table: try t.table("dkim"),
            txtTTL: ttls[.txt] ?? defaultTTL,
            propagation: propagationDelay
        )
        dnssec = try DNSSECPolicy(table: try t.table("dnssec"), defaultTTL: ttls[.dnskey] ?? defaultTTL)
        tls = try TLSPolicy(table: try t.table("tls"))
        exports = try Self.readExports(t, domain: name)
        if dnssec.enabled && Int(soa.expire) >= dnssec.validity {
            warnings.append(
                "\(name): SOA expire (\(TimeSpan.format(Int(soa.expire)))) is not below the signature validity (\(TimeSpan.format(dnssec.validity))): a secondary cut off from the primary would serve expired signatures"
            )
        }
        try t.finish()
        self.warnings = warnings
    }

    /// The SOA RNAME for a mail address (`hostmaster@example.org` → `hostmaster.example.org`)
    /// or a name already in DNS form.
    static func rname(_ text: String) throws -> DomainName {
        guard let at = text.firstIndex(of: "@") else { return try DomainName(text, kind: .owner) }
        let local = text[..<at]
        guard !local.isEmpty, !local.contains("."),
            local.allSatisfy({ $0.isLetter || $0.isNumber || "-_".contains($0) })
        else {
            throw CoreError(
                .invalidName,
                "SOA contact \(Quote.short(text)): the local part must be letters, digits, '-' or '_'"
            )
        }
        return try DomainName(local + "." + text[text.index(after: at)...], kind: .owner)
    }
}

// The sections of a `[domains."NAME"]` table, one reader each, in the order `init` calls them.
extension DomainPolicy {
    /// The `[ttls]` table: a TTL per record type mnemonic.
    private static func readTTLs(_ t: PolicyTable) throws -> [RRType: UInt32] {
        var ttls: [RRType: UInt32] = [:]
        if let table = try t.table("ttls") {
            for key in table.keys {
                guard let type = RRType.known.first(where: { $0.mnemonic == key.uppercased() }) else {
                    throw CoreError(.invalidPolicy, "\(table.child(key)): unknown record type")
                }
                ttls[type] = try table.ttl(key)
            }
            try table.finish()
        }
        return ttls
    }

    /// The `[[ns]]` or `[[mx]]` entries: each entry's table, host name and glue addresses
    /// (needed inside the domain, refused outside it).
    private static func readHosts(
        _ t: PolicyTable,
        _ key: String,
        nameKey: String,
        domain name: DomainName
    ) throws -> [(PolicyTable, DomainName, [IPAddress])] {
        try (t.tables(key) ?? []).map { entry in
            guard let raw = try entry.string(nameKey) else {
                throw CoreError(.invalidPolicy, "\(entry.path): '\(nameKey)' is missing")
            }
            let host = try entry.within(nameKey) { try DomainName(raw) }
            let addresses = try (entry.strings("addresses") ?? []).map { a in
                try entry.within("addresses") { try IPAddress(a) }
            }
            if host.isSubdomain(of: name) && addresses.isEmpty {
                throw CoreError(
                    .invalidPolicy,
                    "\(entry.path): \(host) lies inside \(name), so its addresses are needed (addresses = [\"192.0.2.1\", ...])"
                )
            }
            if !host.isSubdomain(of: name) && !addresses.isEmpty {
                throw CoreError(
                    .invalidPolicy,
                    "\(entry.path): \(host) lies outside \(name); publish its addresses in its own zone"
                )
            }
            guard Set(addresses).count == addresses.count else {
                throw CoreError(.invalidPolicy, "\(entry.path).addresses: an address is listed twice")
            }
            return (entry, host, addresses)
        }
    }

    /// The `[[ns]]` nameservers: at least one, none twice; a single one is warned about.
    private static func readNameservers(
        _ t: PolicyTable,
        domain name: DomainName,
        warnings: inout [String]
    ) throws -> [HostAddresses] {
        var nameservers: [HostAddresses] = []
        for (entry, host, addresses) in try readHosts(t, "ns", nameKey: "name", domain: name) {
            try entry.finish()
            guard !nameservers.contains(where: { $0.name == host }) else {
                throw CoreError(.invalidPolicy, "\(entry.path): nameserver \(host) is listed twice")
            }
            nameservers.append(HostAddresses(name: host, addresses: addresses))
        }
        guard !nameservers.isEmpty else {
            throw CoreError(.invalidPolicy, "domains.\"\(name)\": at least one [[ns]] nameserver is needed")
        }
        if nameservers.count == 1 {
            warnings.append("\(name) has a single nameserver; RFC 2182 asks for at least two")
        }
        return nameservers
    }

    /// The `[[mx]]` hosts: at least one, none twice, preferences 10, 20, ... unless given.
    private static func readMX(_ t: PolicyTable, domain name: DomainName) throws -> [MXHost] {
        var mx: [MXHost] = []
        for (index, (entry, host, addresses)) in try readHosts(t, "mx", nameKey: "host", domain: name).enumerated() {
            let preference = try entry.int("preference") ?? (index + 1) * 10
            guard (0...65535).contains(preference) else {
                throw CoreError(.invalidPolicy, "\(entry.path).preference: must be 0 to 65535")
            }
            try entry.finish()
            guard !mx.contains(where: { $0.host == host }) else {
                throw CoreError(.invalidPolicy, "\(entry.path): MX host \(host) is listed twice")
            }
            mx.append(MXHost(host: host, preference: UInt16(preference), addresses: addresses))
        }
        guard !mx.isEmpty else {
            throw CoreError(.invalidPolicy, "domains.\"\(name)\": at least one [[mx]] host is needed")
        }
        return mx
    }

    /// The `[soa]` table: MNAME (default `primary`), RNAME, timers; its `ttl` goes into `ttls`.
    private static func readSOA(
        _ t: PolicyTable,
        domain name: DomainName,
        primary: DomainName,
        ttls: inout [RRType: UInt32]
    ) throws -> SOAPolicy {
        let soaTable = try t.table("soa") ?? PolicyTable([:], path: "domains.\"\(name)\".soa")
        let mname = try soaTable.string("mname").map { m in try soaTable.within("mname") { try DomainName(m) } }
        let rnameText = try soaTable.string("rname") ?? "hostmaster@\(name)"
        let rname = try soaTable.within("rname") { try Self.rname(rnameText) }
        let refresh = try soaTimer(soaTable, "refresh", Defaults.refresh)
        let retry = try soaTimer(soaTable, "retry", Defaults.retry)
        let expire = try soaTimer(soaTable, "expire", Defaults.expire)
        let minimum = try soaTable.ttl("minimum") ?? Defaults.minimum
        if let soaTTL = try soaTable.ttl("ttl") { ttls[.soa] = soaTTL }
        try soaTable.finish()
        guard retry < refresh else {
            throw CoreError(
                .invalidPolicy,
                "\(soaTable.path): retry (\(retry) s) must be shorter than refresh (\(refresh) s)"
            )
        }
        guard expire > refresh + retry else {
            throw CoreError(.invalidPolicy, "\(soaTable.path): expire (\(expire) s) must exceed refresh + retry")
        }
        return SOAPolicy(
            mname: mname ?? primary,
            rname: rname,
            refresh: refresh,
            retry: retry,
            expire: expire,
            minimum: minimum
        )
    }

    /// One SOA timer of `soaTable` in seconds, `fallback` when absent; 60 s to 8 weeks.
    private static func soaTimer(_ soaTable: PolicyTable, _ key: String, _ fallback: UInt32) throws -> UInt32 {
        guard let s = try soaTable.seconds(key) else { return fallback }
        guard (60...2_419_200 * 2).contains(s) else {
            throw CoreError(.invalidTTL, "\(soaTable.path).\(key): \(s) s is out of range 60...4838400 s")
        }
        return UInt32(s)
    }

    /// The `spf` text, parsed; its warnings (and a lax ending) are added to `warnings`.
    private static func readSPF(
        _ t: PolicyTable,
        domain name: DomainName,
        mxCount: Int,
        warnings: inout [String]
    ) throws -> SPFRecord {
        let spfText = try t.string("spf") ?? Defaults.spf
        let spf = try t.within("spf") { try SPFRecord(spfText) }
        warnings += spf.warnings.map { "\(name) SPF: \($0)" }
        if !spf.hasStrictEnding { warnings.append("\(name) SPF does not end in -all or ~all") }
        if spf.text.split(separator: " ").contains(where: { $0.lowercased().hasSuffix("mx") }) && mxCount > 10 {
            throw CoreError(.invalidSPF, "\(name): SPF 'mx' may look up at most 10 MX hosts (RFC 7208 §4.6.4)")
        }
        return spf
    }

    /// The `[dmarc]` table as a DMARC record, or nil when `enabled = false`.
    private static func readDMARC(
        _ t: PolicyTable,
        domain name: DomainName,
        warnings: inout [String]
    ) throws -> DMARCRecord? {
        if let d = try t.table("dmarc"), try d.bool("enabled") == false {
            _ = d.keys.map { d.value($0) }
            warnings.append("\(name): DMARC is disabled")
            return nil
        }
        let d = try t.table("dmarc") ?? PolicyTable([:], path: "domains.\"\(name)\".dmarc")
        _ = try d.bool("enabled")
        let tags = try dmarcTags(d, domain: name)
        let record: DMARCRecord
        do { record = try DMARCRecord(tags: tags) } catch let e as CoreError {
            throw CoreError(e.code, "\(d.path): \(e.reason)")
        }
        try d.finish()
        warnings += record.warnings.map { "\(name) DMARC: \($0)" }
        return record
    }

    /// The DMARC tags of `[dmarc]` in the record's tag order, with `p` and `rua` defaulted.
    private static func dmarcTags(_ d: PolicyTable, domain name: DomainName) throws -> [(String, String)] {
        var tags: [(String, String)] = [("v", "DMARC1")]
        let order = DMARCRecord.knownTags.filter { $0 != "v" }
        let unknown = d.keys.filter { $0 != "enabled" && !order.contains($0) }
        if let bad = unknown.first {
            throw CoreError(
                .invalidDMARC,
                "\(d.child(bad)): unknown DMARC tag (known: \(order.joined(separator: ", ")))"
            )
        }
        for tag in order {
            guard let v = d.value(tag) else {
                if tag == "p" { tags.append(("p", "reject")) }
                if tag == "rua" { tags.append(("rua", "mailto:dmarc@\(name)")) }
                continue
            }
            switch v {
            case .string(let s): tags.append((tag, s))
            case .int(let i): tags.append((tag, String(i)))
            case .array(let items):
                let list = try items.map { item -> String in
                    guard case .string(let s) = item else {
                        throw CoreError(.invalidDMARC, "\(d.path).\(tag): expected strings")
                    }
                    return s
                }
                if list.isEmpty { continue }
                tags.append((tag, list.joined(separator: ",")))
            default:
                throw CoreError(.invalidDMARC, "\(d.path).\(tag): expected a string, found \(v.typeName)")
            }
        }
        return tags
    }

    /// The `[mta_sts]` table, or nil when `enabled = false`; enforce mode must cover every MX host.
    private static func readMTASTS(_ t: PolicyTable, domain name: DomainName, mx: [MXHost]) throws -> MTASTSPolicy? {
        if let m = try t.table("mta_sts"), try m.bool("enabled") == false {
            _ = m.keys.map { m.value($0) }
            return nil
        }
        let m = try t.table("mta_sts") ?? PolicyTable([:], path: "domains.\"\(name)\".mta_sts")
        _ = try m.bool("enabled")
        let modeText = try m.string("mode") ?? "enforce"
        guard let mode = MTASTSPolicy.Mode(rawValue: modeText) else {
            throw CoreError(.invalidMTASTS, "\(m.path).mode: \(Quote.short(modeText)) is not enforce, testing or none")
        }
        let maxAge = try m.seconds("max_age") ?? Defaults.mtaSTSMaxAge
        guard (86400...31_557_600).contains(maxAge) else {
            throw CoreError(.invalidMTASTS, "\(m.path).max_age: \(maxAge) s is out of range 1 day...1 year (RFC 8461)")
        }
        let patterns = try (m.strings("mx") ?? mx.map(\.host.description)).map { p in
            try m.within("mx") { try DomainName(p, kind: .wildcardHost) }
        }
        for host in mx.map(\.host) where mode == .enforce {
            let covered = patterns.contains { p in
                p == host || (p.labels.first == "*" && host.parent == p.parent)
            }
            if !covered {
                throw CoreError(
                    .invalidMTASTS,
                    "\(m.path).mx: MX host \(host) is not covered; enforce mode would refuse it"
                )
            }
        }
        let addresses = try (m.strings("addresses") ?? []).map { a in try m.within("addresses") { try IPAddress(a) } }
        try m.finish()
        return MTASTSPolicy(mode: mode, maxAge: maxAge, mx: patterns, addresses: addresses)
    }

    /// The `[tls_rpt]` report addresses, or nil when `enabled = false`.
    private static func readTLSRPT(_ t: PolicyTable, domain name: DomainName) throws -> [String]? {
        if let r = try t.table("tls_rpt"), try r.bool("enabled") == false {
            _ = r.keys.map { r.value($0) }
            return nil
        }
        let r = try t.table("tls_rpt") ?? PolicyTable([:], path: "domains.\"\(name)\".tls_rpt")
        _ = try r.bool("enabled")
        let rua = try r.strings("rua") ?? ["mailto:tlsrpt@\(name)"]
        guard !rua.isEmpty else { throw CoreError(.invalidTLSRPT, "\(r.path).rua: at least one address is needed") }
        for uri in rua { try r.within("rua") { try ReportURI.check(uri, allowHTTPS: true) } }
        try r.finish()
        return rua
    }

    /// The `[caa]` table, or nil when `enabled = false`.
    private static func readCAA(_ t: PolicyTable, domain name: DomainName, warnings: inout [String]) throws
        -> CAAPolicy?
    {
        if let c = try t.table("caa"), try c.bool("enabled") == false {
            _ = c.keys.map { c.value($0) }
            return nil
        }
        let c = try t.table("caa") ?? PolicyTable([:], path: "domains.\"\(name)\".caa")
        _ = try c.bool("enabled")
        let issue = try c.strings("issue") ?? [Defaults.caaIssuer]
        let issuewild = try c.strings("issuewild") ?? []
        let iodef = try c.strings("iodef") ?? []
        for v in issue { try c.within("issue") { try CAA.checkIssuer(v) } }
        for v in issuewild { try c.within("issuewild") { try CAA.checkIssuer(v) } }
        for v in iodef { try c.within("iodef") { try ReportURI.check(v, allowHTTPS: true) } }
        for (key, values) in [("issue", issue), ("issuewild", issuewild)] {
            warnings += values.compactMap { CAAIssuers.warning($0) }.map { "\(c.path).\(key): \($0)" }
        }
        guard !issue.isEmpty else {
            throw CoreError(.invalidCAA, "\(c.path).issue: list at least one CA, or \";\" to forbid all")
        }
        try c.finish()
        return CAAPolicy(issue: issue, issuewild: issuewild, iodef: iodef)
    }

    /// The `propagation_delay` in seconds: at most a day.
    private static func readPropagationDelay(_ t: PolicyTable, domain name: DomainName) throws -> Int {
        let delay = try t.seconds("propagation_delay") ?? Defaults.propagationDelay
        guard delay <= 86400 else {
            throw CoreError(
                .invalidPolicy,
                "domains.\"\(name)\".propagation_delay: more than a day is not a propagation delay"
            )
        }
        return delay
    }

    /// The `[[export]]` targets: no two with the same server and directory.
    private static func readExports(_ t: PolicyTable, domain name: DomainName) throws -> [ExportTarget] {
        let exports = try (t.tables("export") ?? []).map(ExportTarget.init)
        if Set(exports.map(\.description)).count != exports.count {
            throw CoreError(
                .invalidPolicy,
                "domains.\"\(name)\".export: two targets with the same server and directory"
            )
        }
        return exports
    }
}
