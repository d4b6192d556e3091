import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension Exports {
    /// Takes a domain being removed off each export target it is still on: runs the target's
    /// `remove` command (if any), then asks the server; once it no longer serves the zone
    /// authoritatively, the exported file is deleted and the target is marked left. A target
    /// that still serves the zone stays exported (and kept signed) and is asked again next run.
    /// When every target has left, the removal records the zone off its nameservers.
    static func leave(
        _ p: DomainPolicy,
        removal: DomainRemoval,
        store: Store,
        now: Date,
        report: inout Report
    ) throws -> DomainRemoval {
        var r = removal
        for t in p.exports where !r.left.contains(t.description) {
            if try leaveTarget(p, t, report: &report) { r.left.insert(t.description) }
        }
        let targets = Set(p.exports.map(\.description))
        if targets.isSubset(of: r.left) {
            r.unexported = now
            report.lines.append(
                p.exports.isEmpty
                    ? "\(p.name): removal: no export target; take the zone off any nameserver mailkeys does not feed"
                    : "\(p.name): removal: off every export target"
            )
        }
        guard r != removal else { return r }
        let name = p.name
        let left = r.left.subtracting(removal.left).sorted().joined(separator: ", ")
        try store.transaction { tx in
            try tx.updateRemoval(name, r)
            try tx.log("removal", domain: name, detail: "left \(left.isEmpty ? "its export targets" : left)", at: now)
        }
        return r
    }

    /// Whether `server` serves `zone` with authority. After a `remove` command that succeeded
    /// (`polling`) it is asked until it stops, for about 5 s: servers apply a deletion
    /// asynchronously (NSD's `delzone` goes through its transfer daemon), as they load a zone.
    /// A server that does not answer ends the polling: it throws, and is asked again next run.
    private static func stillServes(_ zone: DomainName, _ server: ServerAddress, polling: Bool) throws -> Bool {
        let deadline = DispatchTime.now() + .seconds(polling ? 5 : 0)
        while true {
            let serves = try DNSQuery.serves(zone: zone, server: server, timeout: 1)
            if !serves || DispatchTime.now() >= deadline { return serves }
            usleep(100_000)
        }
    }

    /// One target: whether it no longer serves the zone (its exported file then deleted).
    private static func leaveTarget(_ p: DomainPolicy, _ t: ExportTarget, report: inout Report) throws -> Bool {
        let argv = t.removeCommand(zone: p.name)
        var removed = false
        if !argv.isEmpty {
            do {
                let outcome = try Command.run(argv)
                removed = outcome.status == 0
                if outcome.status != 0 {
                    report.warnings.append(
                        "\(p.name): \(argv.joined(separator: " ")) exited with \(outcome.status)\(outcome.detail)"
                    )
                }
            } catch {
                report.warnings.append("\(p.name): cannot run \(argv[0]): \(error)")
            }
        }
        let serves: Bool
        do {
            serves = try stillServes(p.name, t.address, polling: removed)
        } catch let e as DNSError {
            report.warnings.append("\(p.name): removal: \(t): \(e.reason); asking again next run")
            return false
        }
        if serves {
            report.warnings.append(
                "\(p.name): removal: \(t.address) still serves the zone (\(t)): take it out of the server's "
                    + "configuration and reload it (or set `remove` in its export table); until then it stays "
                    + "exported and signed"
            )
            return false
        }
        let file = URL(fileURLWithPath: t.directory).appendingPathComponent("\(p.name).zone", isDirectory: false)
        if unlink(file.path) != 0 && errno != ENOENT {
            throw HomeError(.io, "cannot remove \(file.path): \(String(cString: strerror(errno)))")
        }
        report.lines.append("\(p.name): removal: off \(t) (\(t.address) no longer serves it)")
        return true
    }
}
