import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Queries `server` (default: the first export target's address, else 127.0.0.1:53) for
    /// `domain` and the MX's STARTTLS at `smtp` (default: the MX's address, port 25) and checks
    /// everything the assessments check; `connectTo` (`FROM=TO`, ``ConnectRoutes``) routes
    /// connections to addresses found in DNS. Changes nothing but the record of this check that
    /// `metrics` reports (``CheckRecord``).
    public static func check(
        _ home: Home,
        domain: String,
        server: String?,
        smtp: String?,
        mtaSTS: String? = nil,
        ca: String? = nil,
        connectTo: [String] = [],
        now: Date,
        lockWait: Double
    ) throws -> CheckReport {
        let session = try Session(home, lockWait: lockWait, shared: true)
        defer { withExtendedLifetime(session) {} }
        let policy = session.policy
        let p = try policy.domain(domain)
        let store = try session.store()
        let (address, smtpAddress) = try checkAddresses(p, server: server, smtp: smtp)
        let routes: ConnectRoutes
        do { routes = try ConnectRoutes(connectTo) } catch let e as CoreError {
            throw HomeError(.usage, "--connect-to: \(e.reason)")
        }
        let report = CheckReport(
            domain: p.name.description,
            server: address.description,
            now: RunClock.format(now),
            checks: []
        )
        let anchors = try Self.anchors(p.name, store: store)
        let validator = try Self.validator(p.name, server: address, anchors: anchors, now: now)
        // An MX host in another zone of the home is checked in that zone, from its own anchors
        // and at its own server (`--server` when given, else that zone's first export).
        let zoneOf: (DomainName) throws -> DomainCheck.Zone? = { host in
            guard let other = Self.zone(holding: host, in: policy), other.name != p.name else { return nil }
            let at = try server.map { _ in address } ?? other.exports.first?.address ?? ServerAddress("127.0.0.1")
            let keys = try Self.anchors(other.name, store: store)
            return DomainCheck.Zone(
                policy: other,
                validator: try Self.validator(other.name, server: at, anchors: keys, now: now),
                anchored: !keys.isEmpty
            )
        }
        var run = DomainCheck(
            policy: p,
            validator: validator,
            report: report,
            routes: routes,
            otherZone: zoneOf,
            scanTLS: { host, address in try TLSScan.scan(host: host, address: address, caFile: ca, at: now) }
        )
        let hosts = try run.checkMailExchangers(smtp: smtpAddress)
        try run.checkIPv6(mx: hosts)
        try run.checkMTASTS(
            home,
            hosts: hosts,
            at: try mtaSTS.map { try ServerAddress($0, defaultPort: 443) },
            fetch: { host, address in
                try HTTPSFetch.get(host: host, path: "/.well-known/mta-sts.txt", address: address, caFile: ca, at: now)
            }
        )
        try run.checkTLSRPT()
        try run.checkSPF()
        try run.checkDKIM(store)
        try run.checkDMARC()
        try run.checkCAA(hosts: hosts)
        run.insertDNSSEC(anchors: anchors)
        // The result is kept for `metrics` (the one file check writes).
        try CheckRecord.save(run.report, home: home, now: now)
        return run.report
    }

    /// The DNSKEY records of `zone` that a validator starts from: the keys its DS names.
    private static func anchors(_ zone: DomainName, store: Store) throws -> [String] {
        let keys = try store.dnssecKeys(domain: zone)
        let tags = DNSSECPlanner.cdsKeys(keys: keys)
        return keys.filter { tags.contains($0.tag) }.map(\.dnskey)
    }

    private static func validator(_ zone: DomainName, server: ServerAddress, anchors: [String], now: Date) throws
        -> ZoneValidator
    {
        do {
            return try ZoneValidator(zone: zone, server: server, anchors: anchors, now: now)
        } catch let e as DNSError {
            throw HomeError(.io, "check: \(e.reason)")
        }
    }

    /// The domain of the home whose zone holds `host` (the longest that does), if any.
    static func zone(holding host: DomainName, in policy: Policy) -> DomainPolicy? {
        policy.domains.filter { host.isSubdomain(of: $0.name) }.max { $0.name.labels.count < $1.name.labels.count }
    }

    /// The DNS server to query (`--server`, else the first export, else 127.0.0.1) and the `--smtp` override.
    private static func checkAddresses(
        _ p: DomainPolicy,
        server: String?,
        smtp: String?
    ) throws -> (ServerAddress, ServerAddress?) {
        let address: ServerAddress
        do {
            address = try server.map { try ServerAddress($0) } ?? p.exports.first?.address ?? ServerAddress("127.0.0.1")
        } catch let e as CoreError { throw HomeError(.usage, "--server: \(e.reason)") }
        let smtpAddress: ServerAddress?
        do { smtpAddress = try smtp.map { try ServerAddress($0) } } catch let e as CoreError {
            throw HomeError(.usage, "--smtp: \(e.reason)")
        }
        return (address, smtpAddress)
    }
}

/// One `check` of a domain: asks the validator, counts the answers and their DNSSEC problems,
/// and appends one report line per check, in the order the report lists them.
struct DomainCheck {
    let policy: DomainPolicy
    let validator: ZoneValidator
    var report: CheckReport
    /// Where to connect instead of addresses found in DNS (`--connect-to`).
    let routes: ConnectRoutes
    var dnssecProblems: [String]
    var answers = 0

    /// A zone that answers for some names: the domain's own, or another zone of the home that
    /// holds one of its MX hosts.
    struct Zone {
        let policy: DomainPolicy
        let validator: ZoneValidator
        /// mailkeys holds trust anchors for it (its DNSSEC is on and has keys).
        let anchored: Bool
    }

    /// Another zone of the home holding a host (nil: the host is in this zone or outside the home).
    let otherZone: (DomainName) throws -> Zone?
    /// The other zones asked so far, by name.
    var others: [DomainName: Zone] = [:]

    /// The problems and details the MX, STARTTLS and TLSA lines are made of.
    struct MXFindings {
        var mx: [String] = []
        var tlsa: [String] = []
        var tlsaDetails: [String] = []
        var starttls: [String] = []
        var starttlsDetails: [String] = []
        /// Hosts in no zone of the home: mailkeys holds nothing to validate them with.
        var outside: [DomainName] = []
        /// The TLS lines' verdicts for each server scanned ("HOST at ADDRESS").
        var scans: [(server: String, verdicts: [TLSGrades.Verdict])] = []
        /// Servers whose TLS scan failed, and why.
        var scanProblems: [String] = []
    }

    /// The TLS scan of one STARTTLS server (``TLSScan/scan(host:address:caFile:at:timeout:)``).
    let scanTLS: (DomainName, ServerAddress) throws -> TLSProfile

    init(
        policy: DomainPolicy,
        validator: ZoneValidator,
        report: CheckReport,
        routes: ConnectRoutes,
        otherZone: @escaping (DomainName) throws -> Zone?,
        scanTLS: @escaping (DomainName, ServerAddress) throws -> TLSProfile
    ) {
        self.scanTLS = scanTLS
        self.routes = routes
        self.policy = policy
        self.validator = validator
        self.report = report
        self.otherZone = otherZone
        self.dnssecProblems = validator.keysValid ? [] : [validator.keysProblem ?? "DNSKEY does not validate"]
    }

    /// The zone that answers for `host`: this domain's when the host is in it, another zone of
    /// the home that holds it (its DNSKEY problems join the dnssec line), or nil outside the home.
    mutating func zone(of host: DomainName) throws -> Zone? {
        if host.isSubdomain(of: policy.name) { return Zone(policy: policy, validator: validator, anchored: true) }
        guard let z = try otherZone(host) else { return nil }
        if others[z.policy.name] == nil {
            others[z.policy.name] = z
            if !z.anchored {
                dnssecProblems.append("mailkeys holds no trust anchor of \(z.policy.name), the zone of \(host)")
            } else if !z.validator.keysValid {
                dnssecProblems.append("\(z.policy.name): \(z.validator.keysProblem ?? "DNSKEY does not validate")")
            }
        }
        return others[z.policy.name]
    }

    /// Appends one line to the report.
    mutating func line(_ id: String, _ areas: [String], _ ok: Bool, _ detail: String) {
        report.checks.append(.init(id: id, areas: areas, ok: ok, detail: detail))
    }

    /// Asks for `name` `type`, counting a non-empty answer and noting a signed one that fails to validate.
    mutating func ask(_ name: DomainName, _ type: String, in zone: Zone? = nil) -> ZoneValidator.Answer {
        do {
            let a = try (zone?.validator ?? validator).answer(name, type)
            if !a.records.isEmpty {
                answers += 1
                if a.signed && !a.valid { dnssecProblems.append(a.problem ?? "\(name) \(type) does not validate") }
            }
            return a
        } catch let e as DNSError {
            return .init(records: [], signed: false, valid: false, problem: e.reason)
        } catch {
            return .init(records: [], signed: false, valid: false, problem: "\(error)")
        }
    }

    /// The texts of a TXT answer, each record's strings joined.
    func txt(_ a: ZoneValidator.Answer) -> [String] {
        a.records.map { String(decoding: TXT.decode($0).joined(), as: UTF8.self) }
    }

    /// The mx, starttls and tlsa lines: the MX, its hosts' addresses, TLSA and STARTTLS; returns the hosts.
    mutating func checkMailExchangers(smtp: ServerAddress?) throws -> [DomainName] {
        let mx = ask(policy.name, "MX")
        let hosts = mx.records.compactMap { $0.split(separator: " ").last.map { DomainName(presentation: String($0)) } }
        var f = MXFindings()
        f.mx = mx.records.isEmpty ? ["no MX record"] : (mx.signed ? [] : ["MX is not signed"])
        for host in hosts { try checkHost(host, smtp: smtp, into: &f) }
        let cd = ["confidential-delivery"]
        let inside = hosts.filter { !f.outside.contains($0) }.map(\.description).joined(separator: ", ")
        var detail = inside.isEmpty ? "" : "MX \(inside) and their addresses are signed"
        if !f.outside.isEmpty {
            let names = f.outside.map(\.description).joined(separator: ", ")
            detail += (detail.isEmpty ? "" : "; ") + "\(names) outside this home's zones: not checked"
        }
        line("mx", cd, f.mx.isEmpty, f.mx.first ?? detail)
        let starttlsDetail = f.starttls.first ?? f.starttlsDetails.joined(separator: "; ")
        line("starttls", cd, f.starttls.isEmpty && !hosts.isEmpty, starttlsDetail)
        let tlsaDetail =
            f.tlsa.first ?? (f.tlsaDetails.isEmpty ? "no MX host to check" : f.tlsaDetails.joined(separator: "; "))
        line("tlsa", cd, f.tlsa.isEmpty && !f.tlsaDetails.isEmpty, tlsaDetail)
        tlsLines(f)
        return hosts
    }

    /// The TLS lines (``TLSGrades/ids``), each over every server scanned: it fails when it fails
    /// for any of them (the detail names the first such server), or when no server was scanned.
    mutating func tlsLines(_ f: MXFindings) {
        for id in TLSGrades.ids {
            let verdicts = f.scans.compactMap { scan in scan.verdicts.first { $0.id == id }.map { (scan.server, $0) } }
            let label: ((String, TLSGrades.Verdict)) -> String = {
                f.scans.count == 1 ? $0.1.detail : "\($0.0): \($0.1.detail)"
            }
            if let problem = f.scanProblems.first {
                line(id, ["confidential-delivery"], false, problem)
            } else if verdicts.isEmpty {
                line(id, ["confidential-delivery"], false, "no STARTTLS server could be scanned")
            } else if let failed = verdicts.first(where: { !$0.1.ok }) {
                line(id, ["confidential-delivery"], false, label(failed))
            } else {
                line(id, ["confidential-delivery"], true, verdicts.map(label).joined(separator: "; "))
            }
        }
    }

    /// One MX host, in the zone that holds it (this one or another of the home): its addresses,
    /// the TLSA of each port that zone publishes, and STARTTLS. A host outside the home cannot
    /// be validated from anchors mailkeys holds: the tlsa line says so and fails.
    mutating func checkHost(_ host: DomainName, smtp: ServerAddress?, into f: inout MXFindings) throws {
        guard let zone = try zone(of: host) else {
            f.outside.append(host)
            f.tlsa.append("\(host) is outside this home's zones: mailkeys cannot check its DNSSEC and TLSA")
            return
        }
        let a = ask(host, "A", in: zone)
        let aaaa = ask(host, "AAAA", in: zone)
        if a.records.isEmpty && aaaa.records.isEmpty { f.mx.append("\(host) has no address") }
        for r in [a, aaaa] where !r.records.isEmpty && !r.signed {
            f.mx.append("the addresses of \(host) are not signed")
        }
        for port in zone.policy.tls.ports {
            let owner = DomainName(presentation: "_\(port)._tcp.\(host.fqdn)")
            let tlsa = ask(owner, "TLSA", in: zone)
            if tlsa.records.isEmpty {
                f.tlsa.append("no TLSA at \(owner)")
            } else {
                if !tlsa.signed { f.tlsa.append("\(owner) TLSA is not signed") }
                let usages = tlsa.records.compactMap { $0.split(separator: " ").first }
                let ee = usages.filter { $0 == "3" }.count
                let ta = usages.filter { $0 == "2" }.count
                if !(ee >= 2 || (ee >= 1 && ta >= 1)) {
                    f.tlsa.append("\(owner) has no rollover pair (3 x x + 3 x x or 3 x x + 2 x x)")
                }
            }
            // STARTTLS is probed whether or not there is TLSA to match.
            let address = (a.records.first ?? aaaa.records.first).flatMap { try? IPAddress($0) }.map {
                routes.target(ServerAddress(address: $0, port: port))
            }
            guard let target = smtp ?? address else {
                f.starttls.append("no address to connect to for \(host)")
                continue
            }
            try probe(host, at: target, against: tlsa.records, owner: owner, into: &f)
        }
    }

    /// Reads the certificate `host` serves at `target` over STARTTLS and matches its keys against `tlsa`.
    func probe(
        _ host: DomainName,
        at target: ServerAddress,
        against tlsa: [String],
        owner: DomainName,
        into f: inout MXFindings
    ) throws {
        do {
            let served = try SMTPProbe.starttls(host: host, address: target)
            if !["TLSv1.2", "TLSv1.3"].contains(served.tlsVersion) {
                f.starttls.append("\(target) negotiates \(served.tlsVersion)")
            } else {
                f.starttlsDetails.append("\(host) at \(target): \(served.tlsVersion)")
            }
            do {
                let profile = try scanTLS(host, target)
                let daneTA = tlsa.contains { $0.hasPrefix("2 ") }
                f.scans.append(("\(host) at \(target)", TLSGrades.verdicts(profile, daneTA: daneTA)))
            } catch let e as DNSError {
                f.scanProblems.append("TLS scan of \(host) at \(target): \(e.reason)")
            }
            var ee: Set<String> = []
            var ta: Set<String> = []
            for record in tlsa {
                let fields = record.split(separator: " ").map(String.init)
                guard fields.count >= 4, fields[1] == "1", fields[2] == "1" else { continue }
                let hash: String = fields[3...].joined().lowercased()
                if fields[0] == "3" { ee.insert(hash) } else if fields[0] == "2" { ta.insert(hash) }
            }
            let leafMatch = served.spkis.first.map { ee.contains($0) } ?? false
            let caMatch = served.spkis.dropFirst().contains { ta.contains($0) }
            if tlsa.isEmpty {
                return  // the tlsa line already says there is none
            } else if leafMatch || caMatch {
                // The rollover scheme internet.nl reports: a next key (3+3) or the issuer (3+2).
                let scheme = ee.count >= 2 ? "3+3 (current and next key)" : ta.isEmpty ? "none" : "3+2 (key and issuer)"
                f.tlsaDetails.append(
                    "\(owner) matches the certificate served (\(leafMatch ? "3 1 1" : "2 1 1")), rollover scheme \(scheme)"
                )
            } else {
                let key = served.spkis.first?.prefix(16) ?? "none"
                f.tlsa.append("no TLSA record at \(owner) matches the certificate \(host) serves (key \(key))")
            }
        } catch let e as DNSError {
            f.starttls.append(e.reason)
            if !tlsa.isEmpty { f.tlsa.append("the certificate of \(host) could not be read") }
        }
    }

    /// The mta-sts line: the _mta-sts id against the policy, and the policy senders fetch
    /// (`https://mta-sts.<domain>/.well-known/mta-sts.txt`, its certificate verified, from the
    /// address mta-sts.<domain> has in DNS, or `address` when given) against the policy mailkeys
    /// wrote: the same text, version STSv1, listing every MX host.
    mutating func checkMTASTS(
        _ home: Home,
        hosts: [DomainName],
        at address: ServerAddress?,
        fetch: (DomainName, ServerAddress) throws -> HTTPSFetch.Response
    ) throws {
        let stsName = try policy.name.prepending("_mta-sts")
        let sts = txt(ask(stsName, "TXT")).filter { $0.lowercased().hasPrefix("v=stsv1") }
        let cd = ["confidential-delivery"]
        guard let local = policy.mtaSTS else {
            line(
                "mta-sts",
                cd,
                false,
                sts.isEmpty
                    ? "no MTA-STS (mta_sts is off in the policy)"
                    : "an _mta-sts record without a policy in mailkeys.toml"
            )
            return
        }
        let fields: [String] = sts.first?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
        let id: String? = fields.first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
        let file = try AtomicFile.read(home.mtaSTSFile(policy.name))
        let host = try policy.name.prepending("mta-sts")
        let url = "https://\(host)/.well-known/mta-sts.txt"
        var served: String?
        var fetchProblem: String?
        if let address = address ?? stsAddress(host) {
            do {
                let r = try fetch(host, address)
                if r.status != 200 {
                    fetchProblem = "\(url) answered HTTP \(r.status)"
                } else if r.contentType?.lowercased().hasPrefix("text/plain") == false {
                    fetchProblem = "\(url) is served as \(r.contentType!), not text/plain"
                } else {
                    served = r.body
                }
            } catch let e as DNSError {
                fetchProblem = "cannot fetch \(url): \(e.reason)"
            }
        } else {
            fetchProblem = "\(host) has no address: senders cannot fetch the policy"
        }
        let normalized = served?.replacingOccurrences(of: "\r\n", with: "\n")
        let policyLines = (normalized ?? "").split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let patterns = policyLines.filter { $0.hasPrefix("mx:") }.map {
            $0.dropFirst(3).trimmingCharacters(in: .whitespaces)
        }
        let covers = hosts.allSatisfy { h in
            patterns.contains { $0 == h.description || ($0.hasPrefix("*.") && h.parent.description == $0.dropFirst(2)) }
        }
        let problem: String?
        if id == nil {
            problem = "no _mta-sts TXT record"
        } else if id != local.id {
            problem = "the published id \(id!) is not the policy's \(local.id)"
        } else if let fetchProblem {
            problem = fetchProblem
        } else if !policyLines.contains("version: STSv1") {
            problem = "\(url) is not an STSv1 policy"
        } else if !covers {
            problem = "the policy served at \(url) does not list every MX host"
        } else if normalized != local.text.replacingOccurrences(of: "\r\n", with: "\n") {
            problem =
                "the policy served at \(url) is not the one mailkeys wrote (id \(local.id)): senders cache the old one"
        } else if file != local.text {
            problem = "\(home.show(home.mtaSTSFile(policy.name))) differs from the policy; run tick"
        } else {
            problem = nil
        }
        let mode = policyLines.first { $0.hasPrefix("mode:") }.map {
            $0.dropFirst(5).trimmingCharacters(in: .whitespaces)
        }
        line(
            "mta-sts",
            cd,
            problem == nil,
            problem ?? "id \(local.id) matches the policy served at \(url) (mode \(mode ?? "?")), which lists every MX"
        )
    }

    /// Where mta-sts.<domain> answers HTTPS: its first address in DNS, port 443.
    mutating func stsAddress(_ host: DomainName) -> ServerAddress? {
        let a = ask(host, "A")
        let aaaa = a.records.isEmpty ? ask(host, "AAAA") : a
        return aaaa.records.first.flatMap { try? IPAddress($0) }.map {
            routes.target(ServerAddress(address: $0, port: 443))
        }
    }

    /// The tls-rpt line: a _smtp._tls TXT record with a rua.
    mutating func checkTLSRPT() throws {
        let rptName = try policy.name.prepending("_smtp._tls")
        let rpt = txt(ask(rptName, "TXT")).first { $0.lowercased().hasPrefix("v=tlsrptv1") }
        let detail = rpt.map { "\($0)" } ?? "no _smtp._tls TXT record"
        line("tls-rpt", ["confidential-delivery"], rpt?.contains("rua=") == true, detail)
    }

    /// The spf line: exactly one SPF record at the apex, readable and ending in -all or ~all.
    mutating func checkSPF() throws {
        let apexTXT = txt(ask(policy.name, "TXT"))
        let spfTexts = apexTXT.filter { $0.lowercased() == "v=spf1" || $0.lowercased().hasPrefix("v=spf1 ") }
        if spfTexts.count != 1 {
            line(
                "spf",
                ["phishing"],
                false,
                spfTexts.isEmpty ? "no SPF record" : "\(spfTexts.count) SPF records (RFC 7208 allows one)"
            )
            return
        }
        do {
            let spf = try SPFRecord(spfTexts[0])
            line(
                "spf",
                ["phishing"],
                spf.hasStrictEnding || spfTexts[0].hasSuffix("~all"),
                "\(spfTexts[0]) (\(spf.lookups) of \(SPFRecord.lookupLimit) lookups)"
            )
        } catch let e as CoreError {
            line("spf", ["phishing"], false, e.reason)
        }
    }

    /// The dkim line: every key the store has in DNS is published with its public key.
    mutating func checkDKIM(_ store: Store) throws {
        var dkimProblems: [String] = []
        var dkimCount = 0
        for key in try store.dkimKeys(domain: policy.name) where key.inDNS {
            dkimCount += 1
            let name = try policy.name.prepending("\(key.selector)._domainkey")
            let found = txt(ask(name, "TXT"))
            let p = found.first?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first {
                $0.hasPrefix("p=")
            }?.dropFirst(2)
            if p.map(String.init) != key.publicKey {
                dkimProblems.append("\(name): \(found.isEmpty ? "missing" : "p= differs from the local key")")
            }
        }
        let dkimOK = dkimProblems.isEmpty && dkimCount > 0
        let dkimDetail =
            dkimProblems.first
            ?? (dkimCount == 0 ? "no DKIM key is in DNS" : "\(dkimCount) selector(s) match the local keys")
        line("dkim", ["phishing", "integrity"], dkimOK, dkimDetail)
    }

    /// The dmarc line: a readable _dmarc record with p=quarantine or reject (and sp, when
    /// given, not none), applied to all mail (no `t=y` test mode of DMARCbis, no pct below 100,
    /// which receivers read as a weaker policy), and a rua.
    mutating func checkDMARC() throws {
        let dmarcName = try policy.name.prepending("_dmarc")
        let dmarcText = txt(ask(dmarcName, "TXT")).first { $0.lowercased().hasPrefix("v=dmarc1") }
        if let dmarcText, let dmarc = try? DMARCRecord(dmarcText) {
            let strict = ["quarantine", "reject"]
            let problem: String? =
                if !strict.contains(dmarc["p"]?.lowercased() ?? "") {
                    "p=\(dmarc["p"] ?? "?") is neither quarantine nor reject"
                } else if let sp = dmarc["sp"], !strict.contains(sp.lowercased()) {
                    "sp=\(sp): subdomains are not protected (quarantine or reject needed)"
                } else if dmarc["t"]?.lowercased() == "y" {
                    "t=y: the policy is in test mode, receivers apply a weaker one"
                } else if let pct = dmarc["pct"], Int(pct).map({ $0 < 100 }) ?? true {
                    "pct=\(pct): the policy covers only part of the mail"
                } else if dmarc["rua"] == nil {
                    "no rua: nobody receives aggregate reports"
                } else {
                    nil
                }
            line("dmarc", ["phishing", "integrity"], problem == nil, problem ?? dmarcText)
        } else {
            line(
                "dmarc",
                ["phishing", "integrity"],
                false,
                dmarcText.map { "unreadable: \($0)" } ?? "no _dmarc TXT record"
            )
        }
    }

    /// The caa line: a CAA record at the apex, and one covering each MX host (RFC 8659's tree
    /// climb from the host up to its zone's apex, in the zone that holds it), as certbot's CA
    /// checks it when it issues the host's certificate. A host outside the home is left to the
    /// tlsa line.
    mutating func checkCAA(hosts: [DomainName]) throws {
        var problems: [String] = []
        let apex = ask(policy.name, "CAA")
        var details = apex.records.isEmpty ? [] : ["\(policy.name): \(apex.records.joined(separator: "; "))"]
        if apex.records.isEmpty { problems.append("no CAA record at \(policy.name)") }
        for host in hosts {
            guard let zone = try zone(of: host) else { continue }
            var name = host
            var covering: DomainName?
            while covering == nil {
                if !ask(name, "CAA", in: zone).records.isEmpty { covering = name }
                guard name != zone.policy.name, name.labels.count > zone.policy.name.labels.count else { break }
                name = name.parent
            }
            if let covering {
                if covering != policy.name { details.append("\(host): covered by \(covering)") }
            } else {
                problems.append("no CAA record covers \(host) (none from it up to \(zone.policy.name))")
            }
        }
        line("caa", [], problems.isEmpty, problems.first ?? details.joined(separator: "; "))
    }

    /// The dnssec line, first in the report but made last: it covers every answer read above.
    mutating func insertDNSSEC(anchors: [String]) {
        report.checks.insert(
            .init(
                id: "dnssec",
                areas: ["confidential-delivery", "phishing", "integrity"],
                ok: dnssecProblems.isEmpty && !anchors.isEmpty,
                detail: anchors.isEmpty
                    ? "mailkeys holds no trust anchor (DNSSEC is off or has no keys)"
                    : dnssecProblems.first
                        ?? "the DNSKEY RRset validates from the trust anchor; all \(answers) answers validate"
            ),
            at: 0
        )
    }
}
