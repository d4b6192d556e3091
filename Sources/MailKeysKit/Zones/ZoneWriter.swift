import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Writes the zones of a run: each zone whose content changed or whose signatures fall due is
/// rendered (or its map's owners spliced into the previous file), signed (or spliced into the
/// previous signed file), checked, and staged with the store rows that commit it.
struct ZoneWriter {
    let home: Home
    let store: Store
    let now: Date
    let acceptClock: Bool
    let pending: Pending
    /// Builds a domain's zone in full (when a partial build cannot be spliced).
    let rebuild: (DomainPolicy) throws -> DesiredZone

    /// A zone to write: what is wanted, and what the plan decided for it.
    struct ZoneWrite {
        var w: DesiredZone
        var name: DomainName
        var serial: UInt32
        var reason: String
        var changed: Bool
        var state: MailKeys.ResignState
    }

    /// The signer could not splice the previous signed file (the caller builds in full).
    struct SpliceFailure: Error {}

    /// The unsigned zone as staged, and its map.
    private struct Rendered {
        var bytes: [UInt8]
        var map: ZoneMap?
        /// What the report says about a partial rebuild ("" for a full one).
        var rebuilt: String
    }

    /// The signed zone as staged.
    private struct Signed {
        var result: SignResult
        var expiration: Date
    }

    /// How many zones are written at once: one per core (each signing on its own threads as
    /// well), one when faults are injected (so step N is the same step in every run).
    static var width: Int { FaultPoint.active ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, 8)) }

    /// Writes every zone of `wanted` that changed (and its signed form when the domain is signed),
    /// ``width`` zones at a time; the outcome (in the order of `wanted`) wakes the next run when a
    /// re-sign falls due.
    func write(_ wanted: [DesiredZone]) throws -> StepOutcome {
        var out = StepOutcome()
        let rows = wanted.isEmpty ? [:] : try store.domainRows(domains: wanted.map(\.policy.name))
        var stored: [DomainName: ZoneState] = [:]
        var onDisk: [DomainName: String?] = [:]
        for w in wanted {
            stored[w.policy.name] = rows[w.policy.name]?.state
            // A zone built in part has just checked its unsigned file against the map.
            onDisk[w.policy.name] =
                w.previousUnsigned != nil ? w.map?.unsignedHash : try MailKeys.fileHash(home.zoneFile(w.policy.name))
        }
        let plan = ZoneBuildPlanner.plan(
            desired: Dictionary(uniqueKeysWithValues: wanted.map { ($0.policy.name, $0.contentHash) }),
            stored: stored,
            onDisk: onDisk,
            now: now
        )
        let outcomes = try Concurrently.map(wanted, width: Self.width) { w -> StepOutcome in
            var mine = StepOutcome()
            let action = plan.actions.first {
                if case .buildZone(let d, _) = $0 { return d == w.policy.name } else { return false }
            }
            try stageMTASTS(w, &mine)
            try write(w, action: action, previous: stored[w.policy.name] ?? ZoneState(), &mine)
            return mine
        }
        for o in outcomes { out.add(o) }
        return out
    }

    /// The domain's MTA-STS policy file, when its text changed.
    private func stageMTASTS(_ w: DesiredZone, _ out: inout StepOutcome) throws {
        let name = w.policy.name
        guard let text = w.mtaSTSText, try AtomicFile.read(home.mtaSTSFile(name)) != text else { return }
        try pending.journal.stage(text, to: home.mtaSTSFile(name))
        out.lines.append(
            "\(name): wrote MTA-STS policy \(home.show(home.mtaSTSFile(name))) (id \(w.policy.mtaSTS!.id))"
        )
    }

    /// One domain: decides whether and how its zone is written, and writes it; a splice the
    /// signer refuses is done again in full.
    private func write(_ w: DesiredZone, action: ZoneBuildAction?, previous: ZoneState, _ out: inout StepOutcome) throws
    {
        let name = w.policy.name
        let signed = !w.signingKeys.isEmpty
        // A zone built in part hashes the previous signed file while it is spliced; any other
        // outcome needs the hash first.
        var state =
            signed
            ? try MailKeys.resignState(
                home,
                store: store,
                w,
                now: now,
                deferHash: w.map?.signed != nil && w.previousUnsigned != nil
            )
            : MailKeys.ResignState()
        Trace.mark("read the previous signed file")
        var write = prepare(w, action: action, previous: previous, state: state)
        let splice =
            w.previousUnsigned != nil && signed && (write?.changed ?? false)
            && Self.spliceable(w, state: state, now: now)
        if state.pending != nil && !splice {
            state = state.settled()
            write = prepare(w, action: action, previous: previous, state: state)
        }
        out.wake(state.due.map { Resign.wake(due: $0, policy: w.policy.dnssec) }, domain: name)
        guard var write else {
            out.lines.append("\(name): zone unchanged (serial \(previous.serial.map(String.init) ?? "-"))")
            return
        }
        if w.previousUnsigned != nil && signed && write.changed && !splice { write.w = try full(w) }
        do {
            try writeZone(write, &out)
        } catch is SpliceFailure {
            // The previous signed file was not what the map describes: sign in full, as if there
            // had been no map.
            guard var again = prepare(w, action: action, previous: previous, state: state.settled()) else { return }
            again.w = try full(w)
            try writeZone(again, &out)
        }
    }

    /// The write the plan or the signed file's state asks for (nil: none). New content, or new
    /// signatures (which secondaries must fetch), take a new serial; a repaired unsigned file
    /// keeps it and leaves the signed zone alone.
    private func prepare(_ w: DesiredZone, action: ZoneBuildAction?, previous: ZoneState, state: MailKeys.ResignState)
        -> ZoneWrite?
    {
        let reason: String
        switch (action, state.reason) {
        case (.buildZone(_, let r)?, _) where r == ZoneBuildPlanner.contentChanged && !w.changes.isEmpty:
            reason = ZoneBuildPlanner.changed(w.changes)
        case (.buildZone(_, let r)?, _): reason = r
        case (nil, let r?): reason = r
        default: return nil
        }
        let changed = previous.contentHash != w.contentHash || state.reason != nil
        let serial = (changed ? nil : previous.serial) ?? Serial.next(after: previous.serial, now: now)
        return ZoneWrite(w: w, name: w.policy.name, serial: serial, reason: reason, changed: changed, state: state)
    }

    /// The zone of `w` built in full; its content must be what the partial build said it is.
    private func full(_ w: DesiredZone) throws -> DesiredZone {
        let whole = try rebuild(w.policy)
        guard whole.contentHash == w.contentHash else {
            throw HomeError(
                .verify,
                "internal error: \(w.policy.name) built in part and in full differ; nothing was written"
            )
        }
        Trace.mark("build zone in full")
        return whole
    }

    /// Whether the previous signed file can take the new records of a zone built in part: the
    /// map describes it (same hash), the same keys sign, the same denial, and every signature
    /// outside the map's owners is valid now and beyond the refresh window (so a full signing
    /// would keep each of them too).
    static func spliceable(_ w: DesiredZone, state: MailKeys.ResignState, now: Date) -> Bool {
        guard let s = w.map?.signed, state.previous != nil, s.fileHash == state.expected else { return false }
        let p = w.policy.dnssec
        return s.keys == ZoneMap.keys(w.dnssec) && s.nsec3 == p.nsec3
            && s.map.outsideEarliestExpiration > MailKeys.seconds(now) + UInt32(p.refresh)
            && s.map.outsideLatestInception <= MailKeys.seconds(now)
    }

    /// Renders (or splices), signs (or splices) and stages the files of one zone.
    private func writeZone(_ z: ZoneWrite, _ out: inout StepOutcome) throws {
        var rendered = try render(z)
        var signed: Signed?
        if !z.w.signingKeys.isEmpty && z.changed {
            signed = try sign(z, &rendered)
            let due = Resign.due(expiration: signed!.expiration, policy: z.w.policy.dnssec)
            out.wake(Resign.wake(due: due, policy: z.w.policy.dnssec), domain: z.name)
        } else if z.w.previousUnsigned == nil {
            rendered.map?.signed = nil  // the signed file, if any, was not written with this map
        }
        rendered.map?.unsignedHash = rendered.bytes.withUnsafeBufferPointer(Digest.sha256Hex)
        try stage(z, rendered, signed, &out)
    }

    /// The unsigned zone: only the map's owners rendered, every other byte from the previous
    /// file; or the whole zone. Re-read through libldns unless the signer parses it anyway.
    private func render(_ z: ZoneWrite) throws -> Rendered {
        let (w, name) = (z.w, z.name)
        let parsedBySigner = !w.signingKeys.isEmpty && z.changed
        let header = MailKeys.header(home, name)
        var map = w.map
        if let previousUnsigned = w.previousUnsigned, let m = map {
            let part = w.zone.render(serial: z.serial, header: header, tracking: Set(ZoneMap.owners(w.zone)))
            guard let spliced = m.spliceUnsigned(previousUnsigned, part: part.text, blocks: part.blocks) else {
                throw HomeError(
                    .verify,
                    "internal error: \(name): the zone map does not fit the previous zone file; nothing was written"
                )
            }
            map?.unsignedBlocks = spliced.blocks
            Trace.mark("render zone (owners of the map)")
            if !parsedBySigner { try reread(part.text, z) }
            return Rendered(
                bytes: spliced.bytes,
                map: map,
                rebuilt: "; \(m.owners.count) owners rebuilt, the rest copied"
            )
        }
        let owners = map?.owners.map { DomainName(presentation: $0) } ?? []
        let rendered = w.zone.render(serial: z.serial, header: header, tracking: Set(owners))
        let blocks = owners.compactMap { rendered.blocks[$0].map { [$0.lowerBound, $0.upperBound] } }
        if blocks.count == owners.count { map?.unsignedBlocks = blocks } else { map = nil }
        Trace.mark("render zone")
        if !parsedBySigner { try reread(rendered.text, z) }
        return Rendered(bytes: Array(rendered.text.utf8), map: map, rebuilt: "")
    }

    private func reread(_ text: String, _ z: ZoneWrite) throws {
        try ZoneChecks.verify(text, z.w.zone, name: home.show(home.zoneFile(z.name)))
        Trace.mark("re-read zone (libldns)")
    }

    /// Signs the zone into a staged file (splicing the previous signed file when the zone was
    /// built in part) and checks the DNSKEYs it publishes; the map learns the new signed file.
    private func sign(_ z: ZoneWrite, _ rendered: inout Rendered) throws -> Signed {
        let (w, name) = (z.w, z.name)
        if w.zone.records.count >= 10_000 {
            Progress.show("signing \(name): \(w.zone.records.count) records")
        }
        let p = w.policy.dnssec
        try checkClock(name)
        let expiration = Resign.expiration(now: now, policy: p, domain: name, serial: z.serial)
        let seconds = MailKeys.seconds
        var request = SignRequest(
            origin: name,
            soaRDATA: w.zone.soaRDATA(serial: z.serial),
            soaTTL: w.zone.soa.ttl,
            records: w.zone.records,
            keys: w.signingKeys,
            publishedOnly: w.dnssec.publishedOnly,
            cds: w.dnssec.cds,
            dnskeyTTL: p.dnskeyTTL,
            inception: seconds(now) - UInt32(p.inceptionOffset),
            expiration: seconds(expiration),
            nsec3: p.nsec3,
            now: seconds(now),
            keepBeyond: seconds(now) + UInt32(p.refresh)
        )
        request.cdsDelete = w.dnssec.cdsDelete
        let splicing = w.previousUnsigned != nil
        if splicing, let previous = z.state.previous, let s = rendered.map?.signed {
            request.splice = Splice(previous: previous, map: s.map)
        } else {
            request.previous = z.state.previous.map { Array($0.bytes) }
            request.track = rendered.map?.owners.map { DomainName(presentation: $0) } ?? []
        }
        do {
            Trace.mark("signing request")
            let result = try Signer.sign(request, to: pending.journal.stream(to: home.signedFile(name)))
            Trace.add(result.stages)
            if splicing, let pending = z.state.pending {
                guard pending.value == z.state.expected else { throw SpliceFailure() }
                Trace.mark("hash of the previous signed file")
            }
            try ZoneChecks.publishedKeys(home, name, signed: result.file.temp, keys: w.dnssec.keys, pending: pending)
            if let m = result.map {
                rendered.map?.signed = ZoneMap.Signed(
                    fileHash: try result.file.finish(),
                    keys: ZoneMap.keys(w.dnssec),
                    nsec3: p.nsec3,
                    map: m
                )
            } else {
                rendered.map?.signed = nil
            }
            return Signed(
                result: result,
                expiration: Date(timeIntervalSince1970: TimeInterval(result.earliestExpiration))
            )
        } catch let e as DNSError {
            if splicing { throw SpliceFailure() }
            throw HomeError(.verify, "\(name): \(e.reason); nothing was written")
        }
    }

    /// Refuses to sign with a clock more than an hour behind the last signing (unless told to):
    /// signatures made now could already be expired for everyone else.
    private func checkClock(_ name: DomainName) throws {
        guard !acceptClock,
            let last = try store.events(domain: name, limit: 50).first(where: { $0.action == "zone-sign" })?.at,
            now < last.addingTimeInterval(-3600)
        else { return }
        throw HomeError(
            .usage,
            "\(name): the clock (\(RunClock.format(now))) is \(TimeSpan.format(Int(last.timeIntervalSince(now)))) behind the last signing (\(RunClock.format(last))): signatures made now could already be expired for everyone else, so nothing was signed or written. Fix the clock, or pass --accept-clock if the earlier runs had the wrong time"
        )
    }

    /// Stages the map, the zone and the signed zone (renamed into place by the journal once the
    /// store has committed) and plans the store rows. The map goes first: should its files not
    /// follow, its hashes match no file and the next run ignores it.
    private func stage(_ z: ZoneWrite, _ rendered: Rendered, _ signed: Signed?, _ out: inout StepOutcome) throws {
        let (name, serial, reason, now) = (z.name, z.serial, z.reason, now)
        let contentHash = z.w.contentHash
        let fileHash = rendered.map?.unsignedHash ?? rendered.bytes.withUnsafeBufferPointer(Digest.sha256Hex)
        let tlsa = z.w.zone.records.filter { $0.type == .tlsa && $0.source == .generated("tls") }.map {
            ($0.owner.fqdn, $0.rdata)
        }
        let mapURL = ZoneMap.url(home, name)
        if let map = rendered.map {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try pending.journal.stage(String(decoding: try encoder.encode(map), as: UTF8.self) + "\n", to: mapURL)
        } else {
            pending.journal.delete(mapURL)
        }
        try pending.journal.stage(bytes: rendered.bytes, to: home.zoneFile(name))
        let signedHash = try signed.map { try $0.result.file.finish() }
        if let signed { try pending.journal.adopt(signed.result.file) }
        let expiration = signed?.expiration ?? now
        let zoneMax = max(
            MailKeys.maxTTL(z.w.policy, templateMax: z.w.map?.templateMaxTTL),
            Int(z.w.zone.records.map(\.ttl).max() ?? 0)
        )
        let ttls = TTLFloor.written(z.w.policy, zoneMax: zoneMax)
        pending.record { tx in
            try tx.ensureDomain(name, at: now)
            try tx.recordBuild(name, serial: serial, contentHash: contentHash, fileHash: fileHash, at: now)
            try tx.recordTTLs(domain: name, ttls, now: now)
            try tx.recordTLSA(domain: name, records: tlsa, now: now)
            try tx.log("zone-build", domain: name, detail: "serial \(serial): \(reason)", at: now)
            if let signedHash {
                try tx.recordSigning(name, fileHash: signedHash, expiresAt: expiration)
                try tx.log(
                    "zone-sign",
                    domain: name,
                    detail: "serial \(serial), signatures until \(RunClock.format(expiration))",
                    at: now
                )
            }
        }
        out.lines.append(
            "\(name): wrote \(home.show(home.zoneFile(name))) serial \(serial) (\(reason)\(signed == nil ? rendered.rebuilt : ""))"
        )
        if let signed {
            let stats = "\(signed.result.made) signatures made, \(signed.result.kept) kept\(rendered.rebuilt)"
            out.lines.append(
                "\(name): signed \(home.show(home.signedFile(name))) (\(stats)), signatures valid until \(RunClock.format(signed.expiration))"
            )
        }
    }
}
