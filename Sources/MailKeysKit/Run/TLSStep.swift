import MailKeysCore

/// The TLS step of a run: each domain's certificates and next keys; the certificate that
/// `tls import` or the certbot hook offers, gated installs that fall due, next keys (scheme
/// current+next). Refuses a run whose host no domain lists.
enum TLSStep {
    static func run(_ domains: inout [DomainRun], _ c: StepContext) throws -> StepOutcome {
        var out = StepOutcome()
        var offered = false
        var rotated = false
        let names = domains.map(\.name)
        let certs = names.isEmpty ? [:] : try c.store.tlsCertificates(domains: names)
        let next = names.isEmpty ? [:] : try c.store.tlsNextKeys(domains: names)
        for i in domains.indices {
            // The deploy gate waits with the TLSA TTL caches may still hold.
            let p = domains[i].timing
            domains[i].tls = certs[p.name] ?? []
            domains[i].tlsNext = next[p.name] ?? []
            guard p.tls.enabled else { continue }
            let step = try TLSCertificateFiles.plan(
                c.home,
                p,
                store: c.store,
                certs: domains[i].tls,
                next: domains[i].tlsNext,
                mode: c.mode,
                now: c.now,
                advancing: c.advancing,
                pending: c.pending
            )
            let records = { (certs: [TLSCertificate], next: [TLSNextKey]) in
                p.mx.filter { $0.host.isSubdomain(of: p.name) }.flatMap {
                    TLSA.records(host: $0.host, certificates: certs, next: next, policy: p.tls).map {
                        "\($0.owner) \($0.rdata)"
                    }
                }
            }
            if records(domains[i].tls, domains[i].tlsNext) != records(step.certs, step.next) {
                domains[i].changes.append("TLSA records")
            }
            domains[i].tls = step.certs
            domains[i].tlsNext = step.next
            out.lines += step.lines
            out.wake(step.wake, domain: p.name)
            offered = offered || step.offered
            rotated = rotated || step.rotated
        }
        if case .rotateTLS(let host) = c.mode, !rotated {
            throw HomeError(.usage, "\(host) \(try Self.notPublished([host], domains))")
        }
        if case .certificate(let hosts, _, _, _, _, _) = c.mode, !offered {
            throw HomeError(
                .usage,
                "\(hosts.joined(separator: ", ")) \(try Self.notPublished(hosts, domains)); nothing was changed"
            )
        }
        return out
    }

    /// Why no domain of the run keeps certificates of `hosts`: none lists them as MX, or those
    /// that do are outside their zones (mailkeys publishes a host's TLSA only in its own zone).
    private static func notPublished(_ hosts: [String], _ domains: [DomainRun]) throws -> String {
        let names = Set(try hosts.map { try DomainName($0) })
        let listing = domains.filter { d in d.policy.mx.contains { names.contains($0.host) } }.map(\.name)
        guard !listing.isEmpty else { return "is not an MX host of any domain in the policy" }
        let shown = listing.map(\.description).sorted().joined(separator: ", ")
        return "is an MX host of \(shown) but in the zone of none of them: mailkeys publishes a host's TLSA "
            + "only in its own zone (add that domain to this home), so it keeps no certificate for it"
    }
}
