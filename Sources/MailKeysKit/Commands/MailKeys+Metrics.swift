import Foundation
import MailKeysCore
import MailKeysStore

extension MailKeys {
    /// `mailkeys metrics`: the state of every domain as Prometheus text-format gauges, for
    /// node_exporter's textfile collector. Read from the store in one query per kind of row;
    /// changes nothing.
    public static func metrics(_ home: Home, now: Date, lockWait: Double) throws -> String {
        let session = try Session(home, lockWait: lockWait, shared: true, readPolicy: false)
        defer { withExtendedLifetime(session) {} }
        let store = try session.store()
        let index = try PolicyIndex.load(home, store: store)
        var m = MetricsText()
        m.gauge("mailkeys_metrics_timestamp_seconds", "When these metrics were made (the run's clock).")
        m.sample("mailkeys_metrics_timestamp_seconds", [:], now.timeIntervalSince1970)
        m.gauge("mailkeys_domains", "Domains in the policy.")
        m.sample("mailkeys_domains", [:], Double(index.names.count))
        let names = index.names
        try signatures(&m, names, store.signingStates(domains: names))
        try nextEvents(&m, names, store.schedules())
        try exports(&m, index, store.exports(domains: names))
        try dkim(&m, names, store.dkimKeys(domains: names), now: now)
        try certificates(&m, names, store.tlsCertificates(domains: names))
        checks(&m, CheckRecord.load(home, domains: names))
        return m.text
    }

    /// The last `check` of each domain that had one: when, and each line's result.
    private static func checks(_ m: inout MetricsText, _ records: [(DomainName, CheckRecord)]) {
        guard !records.isEmpty else { return }
        let ok = "mailkeys_check_ok"
        m.gauge(ok, "Whether each line of the domain's last `mailkeys check` passed (1) or failed (0).")
        for (d, r) in records {
            for (line, passed) in r.lines.sorted(by: { $0.key < $1.key }) {
                m.sample(ok, ["domain": d.description, "check": line], passed ? 1 : 0)
            }
        }
        let at = "mailkeys_check_timestamp_seconds"
        m.gauge(at, "When the domain's last `mailkeys check` ran (its clock).")
        for (d, r) in records { m.sample(at, ["domain": d.description], r.at) }
    }

    private static func signatures(
        _ m: inout MetricsText,
        _ names: [DomainName],
        _ states: [DomainName: Store.SigningState]
    ) {
        let name = "mailkeys_rrsig_expiry_timestamp_seconds"
        m.gauge(name, "When the earliest signature of the domain's signed zone expires (signed domains only).")
        for d in names {
            if let at = states[d]?.expiresAt { m.sample(name, ["domain": "\(d)"], at.timeIntervalSince1970) }
        }
    }

    private static func nextEvents(_ m: inout MetricsText, _ names: [DomainName], _ rows: [DomainName: DomainSchedule])
    {
        let name = "mailkeys_next_event_timestamp_seconds"
        m.gauge(name, "When the domain's next scheduled event falls due (a key transition, signatures to renew).")
        for d in names {
            if let at = rows[d]?.nextAt { m.sample(name, ["domain": "\(d)"], at.timeIntervalSince1970) }
        }
    }

    private static func exports(
        _ m: inout MetricsText,
        _ index: PolicyIndex,
        _ states: [DomainName: [String: ExportState]]
    ) {
        let confirmed = "mailkeys_export_last_confirmed_timestamp_seconds"
        let failing = "mailkeys_export_failing"
        m.gauge(confirmed, "When the target was last seen serving the zone mailkeys sent it.")
        m.gauge(failing, "1 when the last export of the zone to the target failed (status shows the error).")
        for d in index.names {
            for (target, e) in (states[d] ?? [:]).sorted(by: { $0.key < $1.key }) {
                let labels = ["domain": "\(d)", "target": target]
                if let at = e.lastConfirmed { m.sample(confirmed, labels, at.timeIntervalSince1970) }
                m.sample(failing, labels, e.error == nil ? 0 : 1)
            }
        }
    }

    private static func dkim(_ m: inout MetricsText, _ names: [DomainName], _ keys: [DomainName: [DKIMKey]], now: Date)
    {
        let name = "mailkeys_dkim_keys"
        m.gauge(name, "DKIM keys of the domain by state (created, published, active, retired, revoked, removed).")
        for d in names {
            let counts = Dictionary(grouping: keys[d] ?? [], by: { $0.state(at: now).rawValue }).mapValues(\.count)
            for (state, n) in counts.sorted(by: { $0.key < $1.key }) {
                m.sample(name, ["domain": "\(d)", "state": state], Double(n))
            }
        }
    }

    private static func certificates(
        _ m: inout MetricsText,
        _ names: [DomainName],
        _ certs: [DomainName: [TLSCertificate]]
    ) {
        let expiry = "mailkeys_tls_certificate_expiry_timestamp_seconds"
        let pending = "mailkeys_tls_certificates_pending"
        m.gauge(expiry, "When the certificate the MX host serves expires, per key type.")
        m.gauge(pending, "Certificates of the MX host held by the deploy gate until their TLSA record is 2 x TTL old.")
        for d in names {
            let all = certs[d] ?? []
            for c in all where c.state == .served {
                let labels = ["domain": "\(d)", "host": "\(c.host)", "key_type": c.keyType.rawValue]
                m.sample(expiry, labels, c.notAfter.timeIntervalSince1970)
            }
            for host in Set(all.map(\.host)).sorted(by: { $0.description < $1.description }) {
                let n = all.filter { $0.host == host && $0.state == .pending }.count
                m.sample(pending, ["domain": "\(d)", "host": "\(host)"], Double(n))
            }
        }
    }
}

/// Prometheus text exposition format (version 0.0.4): `# HELP` and `# TYPE` lines, then one
/// line per sample, label values escaped.
struct MetricsText {
    private(set) var text = ""

    mutating func gauge(_ name: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
    }

    mutating func sample(_ name: String, _ labels: [String: String], _ value: Double) {
        let pairs = labels.sorted { $0.key < $1.key }.map { "\($0.key)=\"\(Self.escape($0.value))\"" }
        let number = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        text += name + (pairs.isEmpty ? "" : "{" + pairs.joined(separator: ",") + "}") + " " + number + "\n"
    }

    /// A label value with `\`, `"` and newlines escaped.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension MailKeys {
    /// Writes metrics text to `path` by an atomic rename (a collector never reads half a file).
    public static func writeMetrics(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path, isDirectory: false)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path, isDirectory: &isDirectory),
            isDirectory.boolValue
        else {
            throw HomeError(.missing, "--output: the directory of \(path) does not exist")
        }
        try AtomicFile.write(text, to: url, mode: 0o644)
    }
}
