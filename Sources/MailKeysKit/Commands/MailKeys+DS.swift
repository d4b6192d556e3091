import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// `mailkeys ds DOMAIN`: the DS records (SHA-256) of the keys that sign the DNSKEY RRset,
    /// for the registrar, and the DNSKEY records as a trust anchor for a validator.
    public static func ds(_ home: Home, domain: String, lockWait: Double, json: Bool = false) throws -> Report {
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
        if json {
            report.lines = [
                try dsJSON(
                    domain: p.name,
                    ds: keys.map { try DNSSECKeys.ds(dnskey: $0.dnskey) },
                    dnskeys: keys.map(\.dnskey),
                    waiting: waiting,
                    anchors: try trustAnchors(keys.map(\.dnskey))
                )
            ]
            return report
        }
        if !waiting.isEmpty {
            report.lines.append(
                "; key rollover: the parent must hold both DS records until \(p.name) moves to key \(waiting.map(String.init).joined(separator: ", ")); once the registrar shows the new DS, run: mailkeys ds seen \(p.name) \(waiting[0])"
            )
        }
        report.lines.append(
            "; DS records for the parent zone of \(p.name) (give them to your registrar; the zone publishes them as CDS too):"
        )
        for key in keys { report.lines.append(try DNSSECKeys.ds(dnskey: key.dnskey)) }
        report.lines.append(
            "; trust anchor for a validator: the block below as it is, in a file for delv -a FILE (or in named.conf)"
        )
        report.lines += try trustAnchors(keys.map(\.dnskey))
        return report
    }

    /// `ds --json`: `domain`, `ds` (the records for the parent), `dnskeys`, `waitingForDS` (key
    /// tags a KSK rollover waits on; `ds seen` takes them) and `trustAnchors` (the block, as text).
    static func dsJSON(domain: DomainName, ds: [String], dnskeys: [String], waiting: [UInt16], anchors: [String])
        throws -> String
    {
        struct Doc: Encodable {
            var domain: String
            var ds: [String]
            var dnskeys: [String]
            var waitingForDS: [UInt16]
            var trustAnchors: String
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let doc = Doc(
            domain: domain.description,
            ds: ds,
            dnskeys: dnskeys.map { String($0.prefix { $0 != ";" }).trimmingCharacters(in: .whitespaces) },
            waitingForDS: waiting,
            trustAnchors: anchors.joined(separator: "\n") + "\n"
        )
        return String(decoding: try encoder.encode(doc), as: UTF8.self)
    }

    /// A BIND `trust-anchors` block (`delv -a` reads it) with each DNSKEY as a `static-key`:
    /// `example.org. static-key 257 3 13 "<key>";`.
    static func trustAnchors(_ dnskeys: [String]) throws -> [String] {
        var out = ["trust-anchors {"]
        for line in dnskeys {
            // Without libldns's comment (`;{id = 12345 (ksk), size = 256b}`).
            let fields = line.prefix { $0 != ";" }.split(whereSeparator: \.isWhitespace)
            guard let at = fields.firstIndex(of: "DNSKEY"), fields.count >= at + 5 else {
                throw HomeError(.verify, "internal error: not a DNSKEY record: \(line)")
            }
            let (flags, proto, alg) = (fields[at + 1], fields[at + 2], fields[at + 3])
            out.append("  \(fields[0]) static-key \(flags) \(proto) \(alg) \"\(fields[(at + 4)...].joined())\";")
        }
        return out + ["};"]
    }
}
