import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// `mailkeys ds DOMAIN`: the DS records (SHA-256) of the keys that sign the DNSKEY RRset,
    /// for the registrar, and the DNSKEY records as a trust anchor for a validator.
    public static func ds(_ home: Home, domain: String, lockWait: Double) throws -> Report {
        let session = try Session(home, lockWait: lockWait, shared: true)
        defer { withExtendedLifetime(session) {} }
        let policy = session.policy
        let p = try policy.domain(domain)
        let store = try session.store()
        let all = try store.dnssecKeys(domain: p.name)
        let wanted = DNSSECPlanner.cdsKeys(keys: all)
        let keys = all.filter { wanted.contains($0.tag) }
        guard !keys.isEmpty else {
            throw HomeError(.missing, "\(p.name) has no DNSSEC keys yet: run 'mailkeys tick' (with [dnssec] enabled)")
        }
        var report = Report()
        let waiting = DNSSECPlanner.waitingForDS(keys: all)
        if !waiting.isEmpty {
            report.lines.append(
                "; key rollover: the parent must hold both DS records until \(p.name) moves to key \(waiting.map(String.init).joined(separator: ", ")); once the registrar shows the new DS, run: mailkeys ds seen \(p.name) \(waiting[0])"
            )
        }
        report.lines.append(
            "; DS records for the parent zone of \(p.name) (give them to your registrar; the zone publishes them as CDS too):"
        )
        for key in keys { report.lines.append(try DNSSECKeys.ds(dnskey: key.dnskey)) }
        report.lines.append("; trust anchor (DNSKEY) for a validator such as delv -a:")
        for key in keys { report.lines.append(key.dnskey) }
        return report
    }
}
