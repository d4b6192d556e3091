import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Export of written zones to the authoritative servers of the policy (`[[domains."x".export]]`).
enum Exports {
    /// Exports every selected domain whose zone (the signed one when the domain signs) differs
    /// from what each target last confirmed: writes `<dir>/<zone>.zone` atomically, runs the
    /// reload command, waits until the server serves the new serial (and DNSKEYs when signed),
    /// then sends NOTIFYs. A failed reload or a stale serial is recorded and thrown after every
    /// target was tried; the next run tries again. Unchanged targets are left alone.
    static func run(
        _ home: Home,
        store: Store,
        domains: [DomainPolicy],
        now: Date,
        report: inout Report,
        skipping skip: [DomainName: Set<String>] = [:]
    ) throws {
        var failures: [String] = []
        let exporting = domains.filter { !$0.exports.isEmpty }
        guard !exporting.isEmpty else { return }
        let rows = try store.domainRows(domains: exporting.map(\.name))
        for p in exporting {
            guard let row = rows[p.name], let serial = row.state.serial else { continue }
            let source = p.dnssec.enabled ? home.signedFile(p.name) : home.zoneFile(p.name)
            // The hash of what this run committed is in the store; the file is read only when a
            // target needs it.
            guard let hash = p.dnssec.enabled ? try store.signingState(p.name).fileHash : row.state.fileHash else {
                continue
            }
            var loaded: String?
            func text() throws -> String {
                if let loaded { return loaded }
                guard let t = try AtomicFile.read(source), Digest.sha256Hex(t) == hash else {
                    throw HomeError(
                        .verify,
                        "\(home.show(source)) is missing or was changed outside mailkeys; run tick to rewrite it"
                    )
                }
                loaded = t
                return t
            }
            let states = try store.exports(domain: p.name)
            for t in p.exports where skip[p.name]?.contains(t.description) != true {
                let file = URL(fileURLWithPath: t.directory).appendingPathComponent(
                    "\(p.name).zone",
                    isDirectory: false
                )
                let last = states[t.description]
                // The target's file is read only to confirm an export that otherwise looks current.
                if let last, last.confirmed != nil, last.serial == serial, last.fileHash == hash,
                    (try? AtomicFile.read(file).map(Digest.sha256Hex)) == hash
                {
                    continue
                }
                let failure = attempt(p, to: t, file: file, serial: serial, text: text, report: &report)
                if let failure {
                    failures.append("\(p.name): export to \(t) failed: \(failure); the next run tries again")
                }
                try store.recordExport(
                    domain: p.name,
                    target: t.description,
                    state: ExportState(
                        serial: serial,
                        fileHash: hash,
                        attempted: now,
                        confirmed: failure == nil ? now : nil,
                        error: failure
                    )
                )
            }
        }
        if !failures.isEmpty {
            report.lines += failures.dropFirst().map { "error: \($0)" }
            throw HomeError(.io, failures[0])
        }
    }

    /// Exports to one target and logs the outcome; returns the failure's reason (nil: exported).
    private static func attempt(
        _ p: DomainPolicy,
        to t: ExportTarget,
        file: URL,
        serial: UInt32,
        text: () throws -> String,
        report: inout Report
    ) -> String? {
        var failure: String?
        do {
            try export(p, to: t, file: file, text: try text(), serial: serial, report: &report)
        } catch let e as HomeError {
            failure = e.reason
        } catch let e as DNSError {
            failure = e.reason
        } catch {
            failure = "\(error)"
        }
        if let failure {
            Log.logger.error("export failed", metadata: ["zone": "\(p.name)", "target": "\(t)", "error": "\(failure)"])
        } else {
            Log.logger.notice("exported", metadata: ["zone": "\(p.name)", "target": "\(t)", "serial": "\(serial)"])
        }
        return failure
    }

    /// One target: the zone file written, the reload command run, the new serial confirmed as
    /// served, NOTIFYs sent (a failed NOTIFY is a warning).
    static func export(
        _ p: DomainPolicy,
        to t: ExportTarget,
        file: URL,
        text: String,
        serial: UInt32,
        report: inout Report
    ) throws {
        try AtomicFile.write(text, to: file, mode: 0o644)
        let argv = t.reloadCommand(zone: p.name)
        let outcome = try Command.run(argv)
        guard outcome.status == 0 else {
            throw HomeError(.io, "\(argv.joined(separator: " ")) exited with \(outcome.status)\(outcome.detail)")
        }
        try confirm(p, target: t, serial: serial, signed: p.dnssec.enabled)
        report.lines.append("\(p.name): exported serial \(serial) to \(t) (\(t.address) serves it)")
        for n in t.notify {
            do {
                try DNSQuery.notify(zone: p.name, server: n)
                report.lines.append("\(p.name): NOTIFY sent to \(n)")
            } catch let e as DNSError {
                report.warnings.append("\(p.name): \(e.reason)")
            }
        }
    }

    /// Polls the target (up to about 5 s: BIND and Knot load asynchronously) until it serves `serial`.
    static func confirm(_ p: DomainPolicy, target t: ExportTarget, serial: UInt32, signed: Bool) throws {
        var seen: UInt32?
        var lastError = ""
        for _ in 0..<50 {
            do {
                seen = try DNSQuery.serial(zone: p.name, server: t.address, timeout: 1)
                if seen == serial {
                    let keys = signed ? try DNSQuery.dnskeys(zone: p.name, server: t.address, timeout: 1) : ["-"]
                    if !keys.isEmpty { return }
                    lastError = "it serves no DNSKEY"
                }
            } catch let e as DNSError {
                lastError = e.reason
            }
            usleep(100_000)
        }
        throw HomeError(
            .io,
            "\(t.address) serves serial \(seen.map(String.init) ?? "none") instead of \(serial)\(lastError.isEmpty ? "" : " (\(lastError))")"
        )
    }
}
