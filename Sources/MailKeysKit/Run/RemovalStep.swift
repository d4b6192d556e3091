import Foundation
import MailKeysCore
import MailKeysDNS

/// The removal step of a run for one domain (before its DNSSEC step): `domain remove` started,
/// cancelled or confirmed, the DS seen gone at the parent (`ds gone`, or every
/// `parent_servers`), and where the removal stands (``DomainRemoval``). The DNSSEC step then
/// publishes CDS/CDNSKEY "delete"; the export step takes the zone off its nameservers when the
/// phase allows it.
enum RemovalStep {
    static func run(_ d: inout DomainRun, _ c: StepContext) throws -> StepOutcome {
        var out = StepOutcome()
        let p = d.policy
        let signed = p.dnssec.enabled
        var r = d.removal
        switch try c.mode.removal(p.name) {
        case .start?: r = try start(p, r, c, &out)
        case .cancel?: r = try cancel(p, r, c, &out)
        case .confirm?: r = try confirm(p, r, c, &out)
        case nil: break
        }
        if try c.mode.dsGone(p.name) { r = try dsGone(p, r, c, &out) }
        if r != nil, try c.mode.rotatesKSK(p.name) || c.mode.rotatesZSK(p.name) {
            throw HomeError(.usage, "\(p.name) is being removed: its keys are no longer rolled")
        }
        if var removal = r, signed, removal.dsGone == nil, c.advancing, !p.dnssec.parentServers.isEmpty {
            out.polled.insert(p.name)
            if askParent(p, &out) {
                removal.dsGone = c.now
                record(p.name, removal, c, detail: "DS gone at the parent (\(servers(p)))")
                out.lines.append("\(p.name): removal: the parent's servers (\(servers(p))) no longer serve its DS")
                r = removal
            }
        }
        if r != d.removal { d.changes.append(r == nil ? "removal cancelled" : "removal") }
        d.removal = r
        if let r {
            let interval = DomainRemoval.dsInterval(p)
            out.lines.append(
                r.describe(p.name, signed: signed, dsInterval: interval, now: c.now, format: RunClock.format)
            )
            out.wake(r.wake(signed: signed, dsInterval: interval, now: c.now), domain: p.name)
            // A server that still serves the zone is asked again by every run until it stops.
            if c.advancing && r.phase(signed: signed, dsInterval: interval, now: c.now) == .leavingNameservers {
                out.polled.insert(p.name)
            }
        }
        return out
    }

    private static func start(_ p: DomainPolicy, _ r: DomainRemoval?, _ c: StepContext, _ out: inout StepOutcome)
        throws -> DomainRemoval
    {
        if let r {
            out.lines.append("\(p.name): removal: already under way")
            return r
        }
        guard try c.store.holds(p.name) else {
            throw HomeError(
                .usage,
                "\(p.name) was never published by mailkeys: delete its section from the policy, nothing else holds it"
            )
        }
        let now = c.now
        let name = p.name
        c.pending.storeOps.append { tx in
            try tx.startRemoval(name, at: now)
            try tx.log("removal", domain: name, detail: "removal started", at: now)
        }
        out.lines.append(
            p.dnssec.enabled
                ? "\(p.name): removal started: the zone asks the parent to drop its DS (CDS/CDNSKEY delete) and "
                    + "stays signed on its nameservers until the DS is gone from every cache"
                : "\(p.name): removal started: the unsigned zone stays on its nameservers until `mailkeys domain "
                    + "remove \(p.name) --confirm`"
        )
        return DomainRemoval(requested: Date(timeIntervalSince1970: now.timeIntervalSince1970.rounded(.down)))
    }

    private static func cancel(_ p: DomainPolicy, _ r: DomainRemoval?, _ c: StepContext, _ out: inout StepOutcome)
        throws -> DomainRemoval?
    {
        guard let r else { throw HomeError(.usage, "\(p.name) is not being removed") }
        let now = c.now
        let name = p.name
        c.pending.storeOps.append { tx in
            try tx.cancelRemoval(name)
            try tx.log("removal", domain: name, detail: "removal cancelled", at: now)
        }
        var line = "\(p.name): removal cancelled: the zone is signed and exported as before"
        if p.dnssec.enabled && r.dsGone != nil {
            line += "; give the registrar its DS again (`mailkeys ds \(p.name)`)"
        }
        out.lines.append(line)
        return nil
    }

    private static func confirm(_ p: DomainPolicy, _ r: DomainRemoval?, _ c: StepContext, _ out: inout StepOutcome)
        throws -> DomainRemoval
    {
        guard var r else {
            throw HomeError(.usage, "\(p.name) is not being removed: run `mailkeys domain remove \(p.name)` first")
        }
        guard !p.dnssec.enabled else {
            throw HomeError(
                .usage,
                "\(p.name) is signed: it leaves its nameservers once its DS is gone at the parent "
                    + "(`mailkeys ds gone \(p.name)`) and out of every cache"
            )
        }
        if r.confirmed == nil {
            r.confirmed = c.now
            record(p.name, r, c, detail: "confirmed: the unsigned zone may leave its nameservers")
        }
        return r
    }

    private static func dsGone(_ p: DomainPolicy, _ r: DomainRemoval?, _ c: StepContext, _ out: inout StepOutcome)
        throws -> DomainRemoval
    {
        guard var r else {
            throw HomeError(
                .usage,
                "\(p.name) is not being removed: `ds gone` confirms the DS withdrawal of `mailkeys domain remove`"
            )
        }
        if r.dsGone != nil {
            out.lines.append("\(p.name): removal: the DS was already seen gone")
            return r
        }
        r.dsGone = c.now
        record(p.name, r, c, detail: "DS gone at the parent")
        out.lines.append("\(p.name): removal: DS gone at the parent")
        return r
    }

    /// Whether every parent server answered, and none with a DS.
    private static func askParent(_ p: DomainPolicy, _ out: inout StepOutcome) -> Bool {
        var gone = true
        for server in p.dnssec.parentServers {
            do {
                if try !DNSQuery.ds(zone: p.name, server: server).isEmpty {
                    out.lines.append("\(p.name): removal: parent server \(server) still serves its DS")
                    gone = false
                }
            } catch let e as DNSError {
                out.lines.append("\(p.name): removal: parent \(e.reason); asking again next run")
                gone = false
            } catch {
                gone = false
            }
        }
        return gone
    }

    private static func servers(_ p: DomainPolicy) -> String {
        p.dnssec.parentServers.map(\.description).joined(separator: ", ")
    }

    private static func record(_ name: DomainName, _ r: DomainRemoval, _ c: StepContext, detail: String) {
        let now = c.now
        c.pending.storeOps.append { tx in
            try tx.updateRemoval(name, r)
            try tx.log("removal", domain: name, detail: detail, at: now)
        }
    }
}
