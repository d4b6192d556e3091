import Foundation

/// Builds a domain's complete zone from its policy, the DMARC report authorisations other
/// domains need in it and the user's template, and says what it overrode.
public struct ZoneBuilder: Sendable {
    public let policy: DomainPolicy
    /// Every domain's report authorisations; those inside this zone are published.
    public let reportAuthorisations: ReportAuthorisations
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
        policy: DomainPolicy,
        reportAuthorisations: ReportAuthorisations = ReportAuthorisations(),
        template: [TemplateRecord] = [],
        templateName: String = "template",
        dkimKeys: [DKIMKey] = [],
        tlsCertificates: [TLSCertificate] = [],
        tlsNextKeys: [TLSNextKey] = []
    ) {
        self.policy = policy
        self.reportAuthorisations = reportAuthorisations
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
        var warnings: [String] = []
        var generated = try generatedRecords()
        var soa = policySOA()
        var all = try merge(&generated, soa: &soa, warnings: &warnings)
        generated = []
        Zone.sort(&all)
        unifyRRsetTTLs(&all, warnings: &warnings)
        warnIfMTASTSHostHasNoAddress(all, warnings: &warnings)
        var seen = Set<String>()
        warnings = warnings.filter { seen.insert($0).inserted }
        return (Zone(origin: policy.name, defaultTTL: policy.defaultTTL, soa: soa, sortedRecords: all), warnings)
    }

    /// The SOA the policy asks for (a template SOA may replace it).
    private func policySOA() -> SOAData {
        let p = policy
        return SOAData(
            ttl: p.ttl(for: .soa),
            mname: p.soa.mname,
            rname: p.soa.rname,
            refresh: p.soa.refresh,
            retry: p.soa.retry,
            expire: p.soa.expire,
            minimum: p.soa.minimum
        )
    }

    /// The generated records the template does not replace, followed by the template's records.
    private func merge(_ generated: inout [Record], soa: inout SOAData, warnings: inout [String]) throws -> [Record] {
        let user = try readTemplate(soa: &soa, warnings: &warnings)
        try checkCNAMEs(in: user)
        dropReplaced(from: &generated, by: user, warnings: &warnings)
        var all = generated
        all.reserveCapacity(generated.count + user.records.count)
        all += user.records
        return all
    }

    /// `Zones/example.org.zone.in line 12`, for messages about a template record.
    private func at(_ t: TemplateRecord) -> String { "\(templateName) line \(t.line)" }

    /// The template's records, checked one by one; a template SOA replaces `soa`.
    private func readTemplate(soa: inout SOAData, warnings: inout [String]) throws -> TemplateRecords {
        let origin = policy.name
        var user = TemplateRecords()
        user.records.reserveCapacity(template.count)
        user.index.reserveCapacity(template.count)
        for t in template {
            guard t.owner.isSubdomain(of: origin) else {
                throw CoreError(
                    .invalidRecord,
                    "\(at(t)): owner \(Quote.bare(t.owner.description)) is outside the zone \(origin)"
                )
            }
            guard !RRType.dnssecTypes.contains(t.type) else {
                throw CoreError(
                    .invalidRecord,
                    "\(at(t)): \(t.type) records are DNSSEC material that mailkeys manages; remove it from the template"
                )
            }
            if t.type == .soa {
                soa = try templateSOA(t)
                warnings.append(
                    "\(at(t)): the template's SOA replaces the policy's SOA timers; mailkeys still sets the serial"
                )
                continue
            }
            let r = Record(
                owner: t.owner,
                ttl: t.ttl,
                type: t.type,
                rdata: t.rdata,
                source: .template(line: t.line),
                wire: t.wire
            )
            try checkPolicyTXT(t, r)
            user.add(r)
        }
        return user
    }

    /// A template SOA record (only at the apex) as SOA data.
    private func templateSOA(_ t: TemplateRecord) throws -> SOAData {
        guard t.owner == policy.name else {
            throw CoreError(.invalidRecord, "\(at(t)): SOA is only allowed at the apex")
        }
        let f = t.rdata.split(separator: " ").map(String.init)
        guard f.count == 7, let refresh = UInt32(f[3]), let retry = UInt32(f[4]), let expire = UInt32(f[5]),
            let minimum = UInt32(f[6])
        else { throw CoreError(.invalidRecord, "\(at(t)): cannot read SOA \(Quote.short(t.rdata))") }
        return SOAData(
            ttl: t.ttl,
            mname: DomainName(presentation: f[0]),
            rname: DomainName(presentation: f[1]),
            refresh: refresh,
            retry: retry,
            expire: expire,
            minimum: minimum
        )
    }

    /// Validates a template TXT record that looks like SPF or DMARC.
    private func checkPolicyTXT(_ t: TemplateRecord, _ r: Record) throws {
        // Only TXT data that starts like an SPF or DMARC record is parsed (templates can hold
        // a hundred thousand other TXT records).
        guard t.type == .txt, Self.mayBePolicy(t.rdata), let text = r.text else { return }
        let purpose = r.txtPurpose
        do {
            if purpose == "v=spf1" { _ = try SPFRecord(text) }
            if purpose == "v=dmarc1" && t.owner.labels.first == "_dmarc" { _ = try DMARCRecord(text) }
        } catch let e as CoreError {
            throw CoreError(e.code, "\(at(t)): \(e.reason)")
        }
    }

    /// Refuses template CNAMEs at the apex, beside other data, or at an MX or NS host.
    private func checkCNAMEs(in user: TemplateRecords) throws {
        let p = policy
        for r in user.records where r.type == .cname {
            if r.owner == p.name {
                throw CoreError(.invalidRecord, "\(templateName) line \(line(r)): a CNAME cannot sit at the zone apex")
            }
            if let other = user.at(r.owner).first(where: { $0.type != .cname }) {
                throw CoreError(
                    .invalidRecord,
                    "\(templateName) line \(line(r)): CNAME at \(Quote.bare(r.owner.description)) beside \(other.type) data (RFC 1034 §3.6.2)"
                )
            }
            if p.mx.contains(where: { $0.host == r.owner }) || p.nameservers.contains(where: { $0.name == r.owner }) {
                throw CoreError(
                    .invalidRecord,
                    "\(templateName) line \(line(r)): \(r.owner) is an MX or NS host and must not be a CNAME (RFC 2181 §10.3)"
                )
            }
        }
    }

    /// Removes the generated records a template record replaces, with a warning for each.
    private func dropReplaced(from generated: inout [Record], by user: TemplateRecords, warnings: inout [String]) {
        var replaced = Set<String>()
        generated.removeAll { g in
            for u in user.at(g.owner) where Self.replaces(u, g) {
                let what: String
                if case .generated(let w) = g.source { what = w } else { what = "generated" }
                let key = "\(line(u)) \(u.type) \(g.type) \(g.owner)"
                if replaced.insert(key).inserted {
                    warnings.append(
                        "\(templateName) line \(line(u)): \(u.type) at \(u.owner) replaces the generated \(g.type) (\(what))"
                    )
                }
                return true
            }
            return false
        }
    }

    /// Whether template record `u` replaces generated record `g` at the same owner: a CNAME
    /// replaces everything, a TXT the TXT of the same purpose, other types their own type.
    private static func replaces(_ u: Record, _ g: Record) -> Bool {
        if u.type == .cname { return true }
        if u.type != g.type { return false }
        if g.type == .txt { return u.txtPurpose == g.txtPurpose && g.txtPurpose != nil }
        return true
    }

    /// One TTL per RRset (RFC 2181 §5.2): the smallest wins (an RRset's records are together).
    private func unifyRRsetTTLs(_ all: inout [Record], warnings: inout [String]) {
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
    }

    /// Warns when MTA-STS is on but `mta-sts.<domain>` has no address in the zone.
    private func warnIfMTASTSHostHasNoAddress(_ all: [Record], warnings: inout [String]) {
        if policy.mtaSTS != nil, let sts = try? policy.name.prepending("mta-sts"),
            !all.contains(where: { $0.owner == sts && [.a, .aaaa, .cname].contains($0.type) })
        {
            warnings.append(
                "\(sts) has no address: senders cannot fetch the MTA-STS policy (set [mta_sts] addresses or add it to the template)"
            )
        }
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
        var out = GeneratedRecords(policy: p)
        try addNameserversAndMX(to: &out)
        out.add(origin, .txt, TXT.rdata(p.spf.text), "spf")
        try addDMARC(to: &out)
        if let sts = p.mtaSTS {
            out.add(try origin.prepending("_mta-sts"), .txt, TXT.rdata("v=STSv1; id=\(sts.id)"), "mta_sts")
            try out.addHost(try origin.prepending("mta-sts"), sts.addresses, "[mta_sts]")
        }
        if let rua = p.tlsRPT {
            let text = "v=TLSRPTv1; rua=\(rua.joined(separator: ","))"
            out.add(try origin.prepending("_smtp._tls"), .txt, TXT.rdata(text), "tls_rpt")
        }
        for mx in p.mx where mx.host.isSubdomain(of: origin) {
            for r in TLSA.records(host: mx.host, certificates: tlsCertificates, next: tlsNextKeys, policy: p.tls) {
                out.add(r.owner, .tlsa, r.rdata, "tls")
            }
        }
        for key in dkimKeys where key.inDNS {
            let owner = try origin.prepending("\(key.selector)._domainkey")
            out.add(owner, .txt, TXT.rdata(key.recordText(policy: p.dkim)), "dkim")
        }
        if let caa = p.caa {
            for v in caa.issue { out.add(origin, .caa, CAA.rdata(tag: "issue", value: v), "caa") }
            for v in caa.issuewild { out.add(origin, .caa, CAA.rdata(tag: "issuewild", value: v), "caa") }
            for v in caa.iodef { out.add(origin, .caa, CAA.rdata(tag: "iodef", value: v), "caa") }
        }
        return out.records
    }

    /// The NS and MX records, their glue addresses, and the HELO SPF of MX hosts in the domain.
    private func addNameserversAndMX(to out: inout GeneratedRecords) throws {
        let p = policy
        let origin = p.name
        for ns in p.nameservers {
            out.add(origin, .ns, ns.name.fqdn, "ns")
            try out.addHost(ns.name, ns.addresses, "[[ns]]")
        }
        for mx in p.mx {
            out.add(origin, .mx, "\(mx.preference) \(mx.host.fqdn)", "mx")
            try out.addHost(mx.host, mx.addresses, "[[mx]]")
            if p.heloSPF && mx.host.isSubdomain(of: origin) && mx.host != origin {
                out.add(mx.host, .txt, TXT.rdata("v=spf1 a -all"), "helo_spf")
            }
        }
    }

    /// The domain's DMARC record, and the report authorisations other domains' `rua`/`ruf` need here.
    private func addDMARC(to out: inout GeneratedRecords) throws {
        let origin = policy.name
        if let dmarc = policy.dmarc {
            out.add(try origin.prepending("_dmarc"), .txt, TXT.rdata(dmarc.text), "dmarc")
        }
        for entry in reportAuthorisations.needed(in: origin) {
            out.add(try entry.owner(), .txt, TXT.rdata("v=DMARC1"), "dmarc report authorisation")
        }
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

/// A template's records, deduplicated, with indexes that keep merging linear for templates of
/// 100,000 names.
private struct TemplateRecords {
    var records: [Record] = []
    var index: [ZoneBuilder.RecordKey: Int] = [:]
    var byOwner: [DomainName: [Int]] = [:]

    /// Adds `r`, or lowers the TTL of the same record already added.
    mutating func add(_ r: Record) {
        let key = ZoneBuilder.RecordKey(owner: r.owner, type: r.type.code, rdata: r.rdata)
        if let same = index[key] {
            records[same].ttl = min(records[same].ttl, r.ttl)
        } else {
            index[key] = records.count
            byOwner[r.owner, default: []].append(records.count)
            records.append(r)
        }
    }

    /// The records at `owner`, in template order.
    func at(_ owner: DomainName) -> [Record] { (byOwner[owner] ?? []).map { records[$0] } }
}

/// The records `ZoneBuilder.generatedRecords` collects: none twice, no host with two address sets.
private struct GeneratedRecords {
    let policy: DomainPolicy
    var records: [Record] = []
    /// Each host's addresses and the policy section that gave them.
    var hostAddresses: [DomainName: (Set<IPAddress>, String)] = [:]

    init(policy: DomainPolicy) { self.policy = policy }

    /// Adds a record with the policy's TTL for `type`, unless the same record is there already.
    mutating func add(_ owner: DomainName, _ type: RRType, _ rdata: String, _ what: String) {
        let r = Record(owner: owner, ttl: policy.ttl(for: type), type: type, rdata: rdata, source: .generated(what))
        if !records.contains(where: { $0.owner == r.owner && $0.type == r.type && $0.rdata == r.rdata }) {
            records.append(r)
        }
    }

    /// Adds the address records of a host inside the domain; the same host must not get other addresses elsewhere.
    mutating func addHost(_ host: DomainName, _ addresses: [IPAddress], _ what: String) throws {
        guard host.isSubdomain(of: policy.name), !addresses.isEmpty else { return }
        if let (known, by) = hostAddresses[host], known != Set(addresses) {
            throw CoreError(.conflict, "\(host) has different addresses in \(by) and \(what)")
        }
        hostAddresses[host] = (Set(addresses), what)
        for a in addresses { add(host, a.recordType, a.description, what) }
    }
}
