import Foundation

/// Builds a domain's complete zone from its policy, the other domains of the policy (for DMARC
/// report authorisations) and the user's template, and says what it overrode.
public struct ZoneBuilder: Sendable {
    public let policy: DomainPolicy
    public let allDomains: [DomainPolicy]
    public let template: [TemplateRecord]
    /// The template's file name, for warnings and errors (`Zones/example.org.zone.in`).
    public let templateName: String
    /// The domain's DKIM keys; those in DNS get a `<selector>._domainkey` TXT.
    public let dkimKeys: [DKIMKey]
    /// Certificates of the MX hosts, for their TLSA records.
    public let tlsCertificates: [TLSCertificate]
    /// Pre-generated next keys (scheme current+next).
    public let tlsNextKeys: [TLSNextKey]

    public init(
        policy: DomainPolicy, allDomains: [DomainPolicy] = [], template: [TemplateRecord] = [], templateName: String = "template",
        dkimKeys: [DKIMKey] = [], tlsCertificates: [TLSCertificate] = [], tlsNextKeys: [TLSNextKey] = []
    ) {
        self.policy = policy
        self.allDomains = allDomains
        self.template = template
        self.templateName = templateName
        self.dkimKeys = dkimKeys
        self.tlsCertificates = tlsCertificates
        self.tlsNextKeys = tlsNextKeys
    }

    /// The zone and the warnings to print. Throws for template records that cannot be merged:
    /// DNSSEC records, owners outside the zone, a CNAME beside other data, an SOA off the apex,
    /// a CNAME at an MX or NS host, an invalid SPF or DMARC TXT.
    public func build() throws -> (zone: Zone, warnings: [String]) {
        let p = policy
        let origin = p.name
        var warnings: [String] = []
        var generated = try generatedRecords()

        var soa = SOAData(
            ttl: p.ttl(for: .soa), mname: p.soa.mname, rname: p.soa.rname, refresh: p.soa.refresh,
            retry: p.soa.retry, expire: p.soa.expire, minimum: p.soa.minimum)

        // Merge the template (indexes keep this linear for templates of 100,000 names).
        var user: [Record] = []
        user.reserveCapacity(template.count)
        var userIndex: [RecordKey: Int] = [:]
        userIndex.reserveCapacity(template.count)
        var userByOwner: [DomainName: [Int]] = [:]
        func at(_ t: TemplateRecord) -> String { "\(templateName) line \(t.line)" }
        for t in template {
            guard t.owner.isSubdomain(of: origin) else {
                throw CoreError(.invalidRecord, "\(at(t)): owner \(Quote.bare(t.owner.description)) is outside the zone \(origin)")
            }
            guard !RRType.dnssecTypes.contains(t.type) else {
                throw CoreError(.invalidRecord, "\(at(t)): \(t.type) records are DNSSEC material that mailkeys manages; remove it from the template")
            }
            if t.type == .soa {
                guard t.owner == origin else { throw CoreError(.invalidRecord, "\(at(t)): SOA is only allowed at the apex") }
                let f = t.rdata.split(separator: " ").map(String.init)
                guard f.count == 7, let refresh = UInt32(f[3]), let retry = UInt32(f[4]), let expire = UInt32(f[5]),
                    let minimum = UInt32(f[6])
                else { throw CoreError(.invalidRecord, "\(at(t)): cannot read SOA \(Quote.short(t.rdata))") }
                soa = SOAData(
                    ttl: t.ttl, mname: DomainName(presentation: f[0]), rname: DomainName(presentation: f[1]),
                    refresh: refresh, retry: retry, expire: expire, minimum: minimum)
                warnings.append("\(at(t)): the template's SOA replaces the policy's SOA timers; mailkeys still sets the serial")
                continue
            }
            let r = Record(owner: t.owner, ttl: t.ttl, type: t.type, rdata: t.rdata, source: .template(line: t.line), wire: t.wire)
            // Only TXT data that starts like an SPF or DMARC record is parsed (templates can hold
            // a hundred thousand other TXT records).
            if t.type == .txt, Self.mayBePolicy(t.rdata), let text = r.text {
                let purpose = r.txtPurpose
                do {
                    if purpose == "v=spf1" { _ = try SPFRecord(text) }
                    if purpose == "v=dmarc1" && t.owner.labels.first == "_dmarc" { _ = try DMARCRecord(text) }
                } catch let e as CoreError {
                    throw CoreError(e.code, "\(at(t)): \(e.reason)")
                }
            }
            let key = RecordKey(owner: r.owner, type: r.type.code, rdata: r.rdata)
            if let same = userIndex[key] {
                user[same].ttl = min(user[same].ttl, r.ttl)
            } else {
                userIndex[key] = user.count
                userByOwner[r.owner, default: []].append(user.count)
                user.append(r)
            }
        }
        for r in user where r.type == .cname {
            if r.owner == origin { throw CoreError(.invalidRecord, "\(templateName) line \(line(r)): a CNAME cannot sit at the zone apex") }
            if let other = (userByOwner[r.owner] ?? []).map({ user[$0] }).first(where: { $0.type != .cname }) {
                throw CoreError(
                    .invalidRecord,
                    "\(templateName) line \(line(r)): CNAME at \(Quote.bare(r.owner.description)) beside \(other.type) data (RFC 1034 §3.6.2)")
            }
            if p.mx.contains(where: { $0.host == r.owner }) || p.nameservers.contains(where: { $0.name == r.owner }) {
                throw CoreError(
                    .invalidRecord, "\(templateName) line \(line(r)): \(r.owner) is an MX or NS host and must not be a CNAME (RFC 2181 §10.3)")
            }
        }
        var replaced = Set<String>()
        generated.removeAll { g in
            for u in (userByOwner[g.owner] ?? []).map({ user[$0] }) {
                let same: Bool
                if u.type == .cname {
                    same = true
                } else if u.type != g.type {
                    same = false
                } else if g.type == .txt {
                    same = u.txtPurpose == g.txtPurpose && g.txtPurpose != nil
                } else {
                    same = true
                }
                if same {
                    let what: String
                    if case .generated(let w) = g.source { what = w } else { what = "generated" }
                    let key = "\(line(u)) \(u.type) \(g.type) \(g.owner)"
                    if replaced.insert(key).inserted {
                        warnings.append(
                            "\(templateName) line \(line(u)): \(u.type) at \(u.owner) replaces the generated \(g.type) (\(what))")
                    }
                    return true
                }
            }
            return false
        }
        userIndex = [:]
        userByOwner = [:]
        var all = generated
        all.reserveCapacity(generated.count + user.count)
        all += user
        user = []
        Zone.sort(&all)

        // One TTL per RRset (RFC 2181 §5.2): the smallest wins (an RRset's records are together).
        var start = 0
        while start < all.count {
            var end = start + 1
            var smallest = all[start].ttl
            while end < all.count && all[end].owner == all[start].owner && all[end].type == all[start].type {
                smallest = min(smallest, all[end].ttl)
                end += 1
            }
            for i in start..<end where all[i].ttl != smallest {
                warnings.append("TTLs differ within \(all[i].owner) \(all[i].type); using \(smallest)")
                all[i].ttl = smallest
            }
            start = end
        }
        if p.mtaSTS != nil, let sts = try? origin.prepending("mta-sts"),
            !all.contains(where: { $0.owner == sts && [.a, .aaaa, .cname].contains($0.type) })
        {
            warnings.append("\(sts) has no address: senders cannot fetch the MTA-STS policy (set [mta_sts] addresses or add it to the template)")
        }
        var seen = Set<String>()
        warnings = warnings.filter { seen.insert($0).inserted }
        return (Zone(origin: origin, defaultTTL: p.defaultTTL, soa: soa, sortedRecords: all), warnings)
    }

    /// The owners that get generated records (before the template's records replace any): with
    /// the apex and the MTA-STS host, the only owners whose records can change while the policy
    /// and the template stay the same (the merge rules look at one owner at a time).
    public func generatedOwners() throws -> Set<DomainName> {
        var owners = Set(try generatedRecords().map(\.owner))
        owners.insert(policy.name)
        if policy.mtaSTS != nil, let sts = try? policy.name.prepending("mta-sts") { owners.insert(sts) }
        return owners
    }

    /// The records the policy and the keys call for, before the template is merged.
    func generatedRecords() throws -> [Record] {
        let p = policy
        let origin = p.name
        var generated: [Record] = []
        func add(_ owner: DomainName, _ type: RRType, _ rdata: String, _ what: String) {
            let r = Record(owner: owner, ttl: p.ttl(for: type), type: type, rdata: rdata, source: .generated(what))
            if !generated.contains(where: { $0.owner == r.owner && $0.type == r.type && $0.rdata == r.rdata }) {
                generated.append(r)
            }
        }
        var hostAddresses: [DomainName: (Set<IPAddress>, String)] = [:]
        func addHost(_ host: DomainName, _ addresses: [IPAddress], _ what: String) throws {
            guard host.isSubdomain(of: origin), !addresses.isEmpty else { return }
            if let (known, by) = hostAddresses[host], known != Set(addresses) {
                throw CoreError(.conflict, "\(host) has different addresses in \(by) and \(what)")
            }
            hostAddresses[host] = (Set(addresses), what)
            for a in addresses { add(host, a.recordType, a.description, what) }
        }

        for ns in p.nameservers {
            add(origin, .ns, ns.name.fqdn, "ns")
            try addHost(ns.name, ns.addresses, "[[ns]]")
        }
        for mx in p.mx {
            add(origin, .mx, "\(mx.preference) \(mx.host.fqdn)", "mx")
            try addHost(mx.host, mx.addresses, "[[mx]]")
            if p.heloSPF && mx.host.isSubdomain(of: origin) && mx.host != origin {
                add(mx.host, .txt, TXT.rdata("v=spf1 a -all"), "helo_spf")
            }
        }
        add(origin, .txt, TXT.rdata(p.spf.text), "spf")
        if let dmarc = p.dmarc {
            add(try origin.prepending("_dmarc"), .txt, TXT.rdata(dmarc.text), "dmarc")
        }
        for other in allDomains where other.name != origin {
            guard let dmarc = other.dmarc else { continue }
            let uris = ((dmarc["rua"] ?? "") + "," + (dmarc["ruf"] ?? "")).split(separator: ",")
            for target in Set(uris.compactMap { ReportURI.mailtoDomain($0.trimmingCharacters(in: .whitespaces)) })
            where target.isSubdomain(of: origin) && !target.isSubdomain(of: other.name) {
                add(try target.prepending("\(other.name)._report._dmarc"), .txt, TXT.rdata("v=DMARC1"), "dmarc report authorisation")
            }
        }
        if let sts = p.mtaSTS {
            add(try origin.prepending("_mta-sts"), .txt, TXT.rdata("v=STSv1; id=\(sts.id)"), "mta_sts")
            try addHost(try origin.prepending("mta-sts"), sts.addresses, "[mta_sts]")
        }
        if let rua = p.tlsRPT {
            add(try origin.prepending("_smtp._tls"), .txt, TXT.rdata("v=TLSRPTv1; rua=\(rua.joined(separator: ","))"), "tls_rpt")
        }
        for mx in p.mx where mx.host.isSubdomain(of: origin) {
            for r in TLSA.records(host: mx.host, certificates: tlsCertificates, next: tlsNextKeys, policy: p.tls) {
                add(r.owner, .tlsa, r.rdata, "tls")
            }
        }
        for key in dkimKeys where key.inDNS {
            add(try origin.prepending("\(key.selector)._domainkey"), .txt, TXT.rdata(key.recordText(policy: p.dkim)), "dkim")
        }
        if let caa = p.caa {
            for v in caa.issue { add(origin, .caa, CAA.rdata(tag: "issue", value: v), "caa") }
            for v in caa.issuewild { add(origin, .caa, CAA.rdata(tag: "issuewild", value: v), "caa") }
            for v in caa.iodef { add(origin, .caa, CAA.rdata(tag: "iodef", value: v), "caa") }
        }
        return generated
    }

    /// Whether TXT RDATA may hold an SPF or DMARC record (`v=spf1`/`v=dmarc1` near its start).
    static func mayBePolicy(_ rdata: String) -> Bool {
        let head = rdata.utf8.prefix(16)
        guard head.contains(UInt8(ascii: "=")) else { return false }
        let lower = String(decoding: head, as: UTF8.self).lowercased()
        return lower.contains("v=spf1") || lower.contains("v=dmarc1")
    }

    /// A template record's identity for finding duplicates (without building strings for
    /// templates of 100,000 names).
    struct RecordKey: Hashable {
        var owner: DomainName
        var type: UInt16
        var rdata: String
    }

    private func line(_ r: Record) -> Int {
        if case .template(let l) = r.source { return l }
        return 0
    }
}
