import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// Queries `server` (default: the first export target's address, else 127.0.0.1:53) for
    /// `domain` and the MX's STARTTLS at `smtp` (default: the MX's address, port 25) and checks
    /// everything the assessments check. Changes nothing.
    public static func check(_ home: Home, domain: String, server: String?, smtp: String?, now: Date, lockWait: Double) throws -> CheckReport {
        let lock = try HomeLock(home, wait: lockWait, shared: true)
        defer { _ = lock }
        let policy = try PolicyFile.load(home)
        let p = try policy.domain(domain)
        let store = try Store.open(at: home.storeFile.path)
        let address: ServerAddress
        do {
            address = try server.map { try ServerAddress($0) } ?? p.exports.first?.address ?? ServerAddress("127.0.0.1")
        } catch let e as CoreError { throw HomeError(.usage, "--server: \(e.reason)") }
        let smtpAddress: ServerAddress?
        do { smtpAddress = try smtp.map { try ServerAddress($0) } } catch let e as CoreError { throw HomeError(.usage, "--smtp: \(e.reason)") }

        var report = CheckReport(domain: p.name.description, server: address.description, now: RunClock.format(now), checks: [])
        func line(_ id: String, _ areas: [String], _ ok: Bool, _ detail: String) {
            report.checks.append(.init(id: id, areas: areas, ok: ok, detail: detail))
        }

        let keys = try store.dnssecKeys(domain: p.name)
        let anchorTags = DNSSECPlanner.cdsKeys(keys: keys)
        let anchors = keys.filter { anchorTags.contains($0.tag) }.map(\.dnskey)
        let validator: ZoneValidator
        do { validator = try ZoneValidator(zone: p.name, server: address, anchors: anchors, now: now) } catch let e as DNSError {
            throw HomeError(.io, "check: \(e.reason)")
        }
        var dnssecProblems: [String] = validator.keysValid ? [] : [validator.keysProblem ?? "DNSKEY does not validate"]
        var answers = 0
        func ask(_ name: DomainName, _ type: String) -> ZoneValidator.Answer {
            do {
                let a = try validator.answer(name, type)
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
        func txt(_ a: ZoneValidator.Answer) -> [String] { a.records.map { String(decoding: TXT.decode($0).joined(), as: UTF8.self) } }

        // MX, its addresses, STARTTLS and TLSA.
        let mx = ask(p.name, "MX")
        let hosts = mx.records.compactMap { $0.split(separator: " ").last.map { DomainName(presentation: String($0)) } }
        var mxProblems: [String] = mx.records.isEmpty ? ["no MX record"] : (mx.signed ? [] : ["MX is not signed"])
        var tlsaProblems: [String] = []
        var tlsaDetails: [String] = []
        var starttlsProblems: [String] = []
        var starttlsDetails: [String] = []
        for host in hosts {
            let a = ask(host, "A")
            let aaaa = ask(host, "AAAA")
            if a.records.isEmpty && aaaa.records.isEmpty { mxProblems.append("\(host) has no address") }
            for r in [a, aaaa] where !r.records.isEmpty && !r.signed { mxProblems.append("the addresses of \(host) are not signed") }
            guard host.isSubdomain(of: p.name) else { continue }
            for port in p.tls.ports {
                let owner = DomainName(presentation: "_\(port)._tcp.\(host.fqdn)")
                let tlsa = ask(owner, "TLSA")
                if tlsa.records.isEmpty {
                    tlsaProblems.append("no TLSA at \(owner)")
                    continue
                }
                if !tlsa.signed { tlsaProblems.append("\(owner) TLSA is not signed") }
                let usages = tlsa.records.compactMap { $0.split(separator: " ").first }
                let ee = usages.filter { $0 == "3" }.count
                let ta = usages.filter { $0 == "2" }.count
                if !(ee >= 2 || (ee >= 1 && ta >= 1)) {
                    tlsaProblems.append("\(owner) has no rollover pair (3 x x + 3 x x or 3 x x + 2 x x)")
                }
                guard let target = smtpAddress ?? (a.records.first ?? aaaa.records.first).flatMap({ try? ServerAddress($0 + ":\(port)") }) else {
                    starttlsProblems.append("no address to connect to for \(host)")
                    continue
                }
                let probeTarget = smtpAddress.map { $0 } ?? target
                do {
                    let served = try SMTPProbe.starttls(host: host, address: probeTarget)
                    if !["TLSv1.2", "TLSv1.3"].contains(served.tlsVersion) {
                        starttlsProblems.append("\(probeTarget) negotiates \(served.tlsVersion)")
                    } else {
                        starttlsDetails.append("\(host) at \(probeTarget): \(served.tlsVersion)")
                    }
                    var ee: Set<String> = []
                    var ta: Set<String> = []
                    for record in tlsa.records {
                        let f = record.split(separator: " ").map(String.init)
                        guard f.count >= 4, f[1] == "1", f[2] == "1" else { continue }
                        let hash: String = f[3...].joined().lowercased()
                        if f[0] == "3" { ee.insert(hash) } else if f[0] == "2" { ta.insert(hash) }
                    }
                    let leafMatch = served.spkis.first.map { ee.contains($0) } ?? false
                    let caMatch = served.spkis.dropFirst().contains { ta.contains($0) }
                    if leafMatch || caMatch {
                        tlsaDetails.append("\(owner) matches the certificate served (\(leafMatch ? "3 1 1" : "2 1 1"))")
                    } else {
                        tlsaProblems.append(
                            "no TLSA record at \(owner) matches the certificate \(host) serves (key \(served.spkis.first?.prefix(16) ?? "none"))")
                    }
                } catch let e as DNSError {
                    starttlsProblems.append(e.reason)
                    tlsaProblems.append("the certificate of \(host) could not be read")
                }
            }
        }
        let cd = ["confidential-delivery"]
        line(
            "mx", cd, mxProblems.isEmpty, mxProblems.first ?? "MX \(hosts.map(\.description).joined(separator: ", ")) and their addresses are signed")
        line("starttls", cd, starttlsProblems.isEmpty && !hosts.isEmpty, starttlsProblems.first ?? starttlsDetails.joined(separator: "; "))
        line("tlsa", cd, tlsaProblems.isEmpty && !tlsaDetails.isEmpty, tlsaProblems.first ?? tlsaDetails.joined(separator: "; "))

        // MTA-STS and TLS-RPT.
        let sts = txt(ask(try p.name.prepending("_mta-sts"), "TXT")).filter { $0.lowercased().hasPrefix("v=stsv1") }
        if let local = p.mtaSTS {
            let fields: [String] = sts.first?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) } ?? []
            let id: String? = fields.first { $0.hasPrefix("id=") }.map { String($0.dropFirst(3)) }
            let file = try AtomicFile.read(home.mtaSTSFile(p.name))
            let covers = hosts.allSatisfy { h in
                local.text.contains("mx: \(h.description)") || local.text.contains("mx: *.\(h.parent.description)")
            }
            let detail: String
            if id == nil {
                detail = "no _mta-sts TXT record"
            } else if id != local.id {
                detail = "the published id \(id!) is not the policy's \(local.id)"
            } else if !covers {
                detail = "the policy does not list every MX host"
            } else if file != local.text {
                detail = "the policy file differs from the policy"
            } else {
                detail = "id \(local.id) matches the policy, which lists every MX"
            }
            line("mta-sts", cd, id == local.id && file == local.text && covers, detail)
        } else {
            line(
                "mta-sts", cd, false,
                sts.isEmpty ? "no MTA-STS (mta_sts is off in the policy)" : "an _mta-sts record without a policy in mailkeys.toml")
        }
        let rpt = txt(ask(try p.name.prepending("_smtp._tls"), "TXT")).first { $0.lowercased().hasPrefix("v=tlsrptv1") }
        line("tls-rpt", cd, rpt?.contains("rua=") == true, rpt.map { "\($0)" } ?? "no _smtp._tls TXT record")

        // SPF, DKIM, DMARC.
        let apexTXT = txt(ask(p.name, "TXT"))
        let spfTexts = apexTXT.filter { $0.lowercased() == "v=spf1" || $0.lowercased().hasPrefix("v=spf1 ") }
        if spfTexts.count != 1 {
            line("spf", ["phishing"], false, spfTexts.isEmpty ? "no SPF record" : "\(spfTexts.count) SPF records (RFC 7208 allows one)")
        } else {
            do {
                let spf = try SPFRecord(spfTexts[0])
                line(
                    "spf", ["phishing"], spf.hasStrictEnding || spfTexts[0].hasSuffix("~all"),
                    "\(spfTexts[0]) (\(spf.lookups) of \(SPFRecord.lookupLimit) lookups)")
            } catch let e as CoreError {
                line("spf", ["phishing"], false, e.reason)
            }
        }
        var dkimProblems: [String] = []
        var dkimCount = 0
        for key in try store.dkimKeys(domain: p.name) where key.inDNS {
            dkimCount += 1
            let name = try p.name.prepending("\(key.selector)._domainkey")
            let found = txt(ask(name, "TXT"))
            let p = found.first?.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0.hasPrefix("p=") }?.dropFirst(2)
            if p.map(String.init) != key.publicKey { dkimProblems.append("\(name): \(found.isEmpty ? "missing" : "p= differs from the local key")") }
        }
        let dkimOK = dkimProblems.isEmpty && dkimCount > 0
        let dkimDetail = dkimProblems.first ?? (dkimCount == 0 ? "no DKIM key is in DNS" : "\(dkimCount) selector(s) match the local keys")
        line("dkim", ["phishing", "integrity"], dkimOK, dkimDetail)
        let dmarcText = txt(ask(try p.name.prepending("_dmarc"), "TXT")).first { $0.lowercased().hasPrefix("v=dmarc1") }
        if let dmarcText, let dmarc = try? DMARCRecord(dmarcText) {
            let policyOK = ["quarantine", "reject"].contains(dmarc["p"]?.lowercased() ?? "")
            let rua = dmarc["rua"] != nil
            line(
                "dmarc", ["phishing", "integrity"], policyOK && rua,
                !policyOK ? "p=\(dmarc["p"] ?? "?") is neither quarantine nor reject" : !rua ? "no rua: nobody receives aggregate reports" : dmarcText
            )
        } else {
            line("dmarc", ["phishing", "integrity"], false, dmarcText.map { "unreadable: \($0)" } ?? "no _dmarc TXT record")
        }
        let caa = ask(p.name, "CAA")
        line("caa", [], !caa.records.isEmpty, caa.records.isEmpty ? "no CAA record" : caa.records.joined(separator: "; "))

        // DNSSEC last: it covers every answer read above.
        report.checks.insert(
            .init(
                id: "dnssec", areas: ["confidential-delivery", "phishing", "integrity"], ok: dnssecProblems.isEmpty && !anchors.isEmpty,
                detail: anchors.isEmpty
                    ? "mailkeys holds no trust anchor (DNSSEC is off or has no keys)"
                    : dnssecProblems.first ?? "the DNSKEY RRset validates from the trust anchor; all \(answers) answers validate"), at: 0)
        return report
    }
}
