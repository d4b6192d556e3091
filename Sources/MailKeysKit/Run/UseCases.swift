import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// What a use case reports: lines for standard output and warnings for standard error.
public struct Report: Sendable {
    public var lines: [String] = []
    public var warnings: [String] = []
    public init(lines: [String] = [], warnings: [String] = []) {
        self.lines = lines
        self.warnings = warnings
    }
}

/// The zone mailkeys wants for a domain right now, with the texts and hashes the planner needs.
struct DesiredZone {
    var policy: DomainPolicy
    var zone: Zone
    var warnings: [String]
    var contentHash: String
    var mtaSTSText: String?
    /// The keys that sign the zone (empty: not signed).
    var dnssec = DNSSECSigning()
    var signingKeys: [SignRequest.SigningKey] { dnssec.signing }
    /// What the next run needs to rebuild incrementally (file parts are filled when written);
    /// nil when this zone cannot be rebuilt in part.
    var map: ZoneMap?
    /// Set when `zone` holds only the map's owners: the previous unsigned file, which gives the
    /// rest of the zone byte for byte.
    var previousUnsigned: MappedFile?
}

/// A template as read once: its records and the SHA-256 of the bytes they were parsed from.
struct Template {
    var records: [TemplateRecord] = []
    var hash = ""
}

/// The use cases behind the subcommands. Each takes the home and `now`, validates everything
/// before it writes anything, and changes the store in one transaction.
public enum MailKeys {
    // MARK: init

    /// Parsed `--mx HOST=IP[,IP...]` or `--ns HOST[=IP,...]`.
    public static func parseHostSpec(_ spec: String, option: String) throws -> (DomainName, [IPAddress]) {
        let parts = spec.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
        let host: DomainName
        do { host = try DomainName(String(parts[0])) } catch let e as CoreError {
            throw CoreError(e.code, "\(option) \(Quote.context(spec)): \(e.reason)")
        }
        guard parts.count == 2 else { return (host, []) }
        let addresses = try parts[1].split(separator: ",", omittingEmptySubsequences: false).map { a -> IPAddress in
            do { return try IPAddress(String(a).trimmingCharacters(in: .whitespaces)) } catch let e as CoreError {
                throw CoreError(e.code, "\(option) \(Quote.context(spec)): \(e.reason)")
            }
        }
        return (host, addresses)
    }

    /// Creates a home: `Keys/` (0700) with a new store, `Zones/`, and a commented policy for
    /// `domain`. Refuses a home that already has a policy or a store; validates the whole policy
    /// before anything is written, and removes what it wrote if a later step fails.
    public static func initHome(
        _ home: Home, domain: String, mx: [String], ns: [String], rua: String?, now: Date
    ) throws -> Report {
        let name = try DomainName(domain)
        guard name.labels.count >= 2 else { throw CoreError(.invalidName, "domain '\(domain)': a mail domain needs at least two labels") }
        guard !mx.isEmpty else { throw HomeError(.usage, "at least one --mx HOST=IP is needed") }
        let mxHosts = try mx.map { try parseHostSpec($0, option: "--mx") }
        var nsHosts = try ns.map { try parseHostSpec($0, option: "--ns") }
        for (option, hosts) in [("--mx", mxHosts), ("--ns", nsHosts)] {
            for (host, addresses) in hosts where host.isSubdomain(of: name) && addresses.isEmpty {
                throw CoreError(
                    .invalidPolicy, "\(option) '\(host)': \(host) lies inside \(name), so its addresses are needed (\(option) HOST=IP[,IP...])")
            }
        }
        var report = Report()
        if nsHosts.isEmpty {
            let ns1 = try name.prepending("ns1")
            let first = mxHosts[0]
            guard first.0.isSubdomain(of: name), !first.1.isEmpty else {
                throw HomeError(.usage, "give --ns HOST[=IP,...]: the first MX host is outside \(name), so it cannot serve as ns1.\(name)")
            }
            nsHosts = [(ns1, first.1)]
            report.warnings.append("no --ns given: ns1.\(name) will point at the first MX host's addresses; add a second nameserver")
        }
        let ruaText = rua ?? "mailto:dmarc@\(name)"
        try ReportURI.check(ruaText)
        let text = PolicyFile.initial(domain: name, mx: mxHosts, ns: nsHosts, rua: ruaText)
        let policy = try PolicyFile.parse(text)

        let fm = FileManager.default
        if fm.fileExists(atPath: home.policyFile.path) {
            throw HomeError(.exists, "\(home.policyFile.path) already exists; init never overwrites a home")
        }
        if fm.fileExists(atPath: home.storeFile.path) {
            throw HomeError(.exists, "\(home.storeFile.path) already exists; init never overwrites a home")
        }
        var created: [URL] = []
        do {
            for (dir, mode) in [(home.root, 0o755), (home.keysDir, 0o700), (home.zonesDir, 0o755)] {
                if !fm.fileExists(atPath: dir.path) {
                    try fm.createDirectory(at: dir, withIntermediateDirectories: true)
                    created.append(dir)
                }
                chmod(dir.path, mode_t(mode))
            }
            try AtomicFile.write(text, to: home.policyFile)
            created.append(home.policyFile)
            let store = try Store.create(at: home.storeFile.path)
            created.append(home.storeFile)
            chmod(home.storeFile.path, 0o600)
            try store.transaction { tx in
                for d in policy.domains { try tx.ensureDomain(d.name, at: now) }
                try tx.log("init", domain: name, detail: "home created", at: now)
            }
        } catch {
            for url in created.reversed() {
                try? fm.removeItem(at: url)
                for suffix in ["-wal", "-shm"] { try? fm.removeItem(atPath: url.path + suffix) }
            }
            throw error
        }
        report.warnings += policy.domains.flatMap(\.warnings)
        report.lines.append("created \(home.root.path): policy \(home.show(home.policyFile)), store \(home.show(home.storeFile))")
        report.lines.append("next: edit \(home.show(home.policyFile)) if needed, then run 'mailkeys tick'")
        return report
    }

    // MARK: zones

    /// The template records of each domain (none when it has no template), read once per run.
    static func templates(_ home: Home, _ domains: [DomainPolicy]) throws -> [DomainName: [TemplateRecord]] {
        var out: [DomainName: [TemplateRecord]] = [:]
        for p in domains { out[p.name] = try template(home, p).records }
        return out
    }

    /// A domain's template (empty, hash "", when it has none), read once, hashed and parsed.
    static func template(_ home: Home, _ p: DomainPolicy) throws -> Template {
        let url = home.template(p.name)
        guard let bytes = try AtomicFile.readBytes(url) else { return Template() }
        let records = try LDNSZoneReader.read(bytes: bytes, origin: p.name, defaultTTL: p.defaultTTL, name: home.show(url))
        return Template(records: records, hash: bytes.withUnsafeBufferPointer(Digest.sha256Hex))
    }

    /// An upper bound of the largest TTL in a domain's zone (TTLsig of RFC 7583), from the policy
    /// and the template without building the zone.
    static func maxTTL(_ p: DomainPolicy, template: [TemplateRecord]) -> Int { maxTTL(p, templateMax: template.map(\.ttl).max()) }

    static func maxTTL(_ p: DomainPolicy, templateMax: UInt32?) -> Int {
        Int(([p.defaultTTL, p.ttl(for: .soa)] + Array(p.ttls.values) + [templateMax ?? 0]).max()!)
    }

    static func desired(
        _ home: Home, policy: Policy, domains: [DomainPolicy], dkim: [DomainName: [DKIMKey]],
        dnssec: [DomainName: DNSSECSigning] = [:], tls: [DomainName: [TLSCertificate]] = [:], tlsNext: [DomainName: [TLSNextKey]] = [:],
        templates given: [DomainName: Template]? = nil, maps: [DomainName: (map: ZoneMap, unsigned: MappedFile)] = [:], policyHash: String = ""
    ) throws -> [DesiredZone] {
        try domains.map { p in
            try desired(
                home, policy: policy, p, dkim: dkim[p.name] ?? [], dnssec: dnssec[p.name], tls: tls[p.name] ?? [], tlsNext: tlsNext[p.name] ?? [],
                template: given?[p.name], map: maps[p.name], policyHash: policyHash)
        }
    }

    /// The zone of one domain: built in part from `map` (the owners it names, the rest being the
    /// previous unsigned file) when the map's owners are still exactly the owners that building
    /// them gives, else built in full from the template (read now when not given).
    static func desired(
        _ home: Home, policy: Policy, _ p: DomainPolicy, dkim: [DKIMKey], dnssec: DNSSECSigning?, tls: [TLSCertificate], tlsNext: [TLSNextKey],
        template given: Template?, map: (map: ZoneMap, unsigned: MappedFile)?, policyHash: String
    ) throws -> DesiredZone {
        let signing = p.dnssec.enabled ? dnssec : nil
        var keysText = ""
        if let signing, !signing.signing.isEmpty {
            // The DNSKEY set and the denial method are part of what is published.
            keysText += signing.keys.filter { $0.removed == nil && $0.published != nil }.map { k in
                "\(k.dnskey) \(k.role.rawValue) \(signing.uses[k.tag] ?? "published")\n"
            }.joined()
            keysText += signing.cds.map { "CDS \($0)\n" }.joined()
            keysText += "; nsec3=\(p.dnssec.nsec3)\n"
        }
        func builder(_ template: [TemplateRecord]) -> ZoneBuilder {
            ZoneBuilder(
                policy: p, allDomains: policy.domains, template: template, templateName: home.show(home.template(p.name)), dkimKeys: dkim,
                tlsCertificates: tls, tlsNextKeys: tlsNext)
        }
        if let (map, unsigned) = map {
            let (zone, warnings) = try builder(map.template).build()
            let owners = ZoneMap.owners(zone)
            if owners.map(\.fqdn) == map.owners {
                // The content hash is the full build's: the unsigned zone with serial 0, keys appended.
                let part = zone.render(serial: 0, header: header(home, p.name), tracking: Set(owners))
                if var whole = map.spliceUnsigned(unsigned, part: part.text, blocks: part.blocks)?.bytes {
                    whole.append(contentsOf: Array(keysText.utf8))
                    var seen = Set<String>()
                    return DesiredZone(
                        policy: p, zone: zone, warnings: (p.warnings + warnings + map.outsideWarnings).filter { seen.insert($0).inserted },
                        contentHash: whole.withUnsafeBufferPointer(Digest.sha256Hex), mtaSTSText: p.mtaSTS?.text,
                        dnssec: signing ?? DNSSECSigning(), map: map, previousUnsigned: unsigned)
                }
            }
        }
        let template = try given ?? template(home, p)
        let b = builder(template.records)
        let (zone, warnings) = try b.build()
        let text = zone.render(serial: 0, header: header(home, p.name)) + keysText
        let base =
            policyHash.isEmpty
            ? nil : try ZoneMap.base(p, builder: b, zone: zone, warnings: warnings, templateHash: template.hash, policyHash: policyHash)
        return DesiredZone(
            policy: p, zone: zone, warnings: p.warnings + warnings, contentHash: Digest.sha256Hex(text),
            mtaSTSText: p.mtaSTS?.text, dnssec: signing ?? DNSSECSigning(), map: base)
    }

    static func header(_ home: Home, _ name: DomainName) -> [String] {
        [
            "\(name): written by mailkeys from mailkeys.toml and \(home.show(home.template(name))).",
            "Do not edit: changes here are overwritten. Edit the policy or the template instead.",
        ]
    }

    /// Seconds since 1970 as RRSIG fields hold them (mailkeys' clock stays within 2000...2099).
    static func seconds(_ d: Date) -> UInt32 { UInt32(clamping: Int(d.timeIntervalSince1970.rounded(.down))) }

    static func fileHash(_ url: URL) throws -> String? {
        try AtomicFile.read(url).map(Digest.sha256Hex)
    }

    /// Selects the domains named on the command line (all when nil).
    static func select(_ policy: Policy, _ domain: String?) throws -> [DomainPolicy] {
        guard let domain else { return policy.domains }
        return [try policy.domain(domain)]
    }

    /// What a run does.
    public enum Mode: Sendable, Equatable {
        /// `zone build [DOMAIN]`: zones only, from the store as it is.
        case zoneBuild(String?)
        /// `zone sign [DOMAIN]`: as `zoneBuild`, for domains whose policy signs.
        case zoneSign(String?)
        /// `tick`: every due transition, then zones and signer configuration.
        case tick
        /// `rotate dkim [DOMAIN]` (nil: all): start DKIM rollovers now, then as `tick`.
        case rotateDKIM(String?)
        /// `rotate zsk DOMAIN`: pre-publish a new ZSK now, then as `tick`.
        case rotateZSK(String)
        /// `rotate ksk DOMAIN`: publish a new KSK (or CSK) now and start the double-DS rollover.
        case rotateKSK(String)
        /// `ds seen DOMAIN TAG`: the operator saw the new key's DS at the parent; then as `tick`.
        case dsSeen(String, UInt16)
        /// `tls import` and `certbot-hook`: a certificate (chain PEM, optional key PEM) for MX
        /// `hosts`; `served` records it as what the server already serves (import), else it goes
        /// through the deploy gate. Then as `tick`.
        case certificate(hosts: [String], fullchain: String, key: String?, lineage: String?, served: Bool, name: String)
        /// `rotate tls HOST`: generate the next key of HOST now (scheme current+next); then as `tick`.
        case rotateTLS(String)
        /// `zone export [DOMAIN]`: as `zoneBuild` (signing where the policy signs), then export.
        case zoneExport(String?)
    }

    /// The pipeline behind `tick`, `zone build` and `rotate dkim`: under the home lock, validate
    /// the policy, the store and every key file; apply the DKIM transitions due (key files first,
    /// then one store transaction); rebuild the zones whose content changed; rewrite the signer
    /// configuration and run its reload command when it changed.
    public static func run(_ home: Home, mode: Mode, now: Date, lockWait: Double, acceptClock: Bool = false) throws -> Report {
        let lock = try HomeLock(home, wait: lockWait)
        defer { _ = lock }
        let (policy, policyHash) = try PolicyFile.loadHashed(home)
        let selected: [DomainPolicy]
        switch mode {
        case .zoneBuild(let d), .zoneExport(let d): selected = try select(policy, d)
        case .zoneSign(let d):
            selected = try select(policy, d)
            if let unsigned = selected.first(where: { !$0.dnssec.enabled }) {
                throw HomeError(.usage, "\(unsigned.name) is not signed: its policy has [dnssec] enabled = false")
            }
        case .rotateDKIM(let d):
            _ = try select(policy, d)
            selected = policy.domains
        case .rotateZSK(let d):
            let p = try policy.domain(d)
            guard p.dnssec.enabled, p.dnssec.scheme == .kskzsk else {
                throw HomeError(.usage, "\(p.name) has no ZSK: set [dnssec] scheme = \"ksk+zsk\" (a CSK rolls with its KSK procedure)")
            }
            selected = policy.domains
        case .certificate, .rotateTLS: selected = policy.domains
        case .rotateKSK(let d), .dsSeen(let d, _):
            let p = try policy.domain(d)
            guard p.dnssec.enabled else { throw HomeError(.usage, "\(p.name) is not signed: its policy has [dnssec] enabled = false") }
            selected = policy.domains
        case .tick: selected = policy.domains
        }
        try FileSafety.checkHome(home)
        let store = try Store.open(at: home.storeFile.path)
        var report = Report()
        // 0. Finish (or sweep) what a run that died left, so the files agree with the store.
        let recovered = try Journal.recover(home, store: store)
        report.lines += recovered.lines
        report.warnings += recovered.warnings
        // 1. Validate: every key file in use must match the store, before anything is planned.
        var dkim: [DomainName: [DKIMKey]] = [:]
        var dnssecKeys: [DomainName: [DNSSECKey]] = [:]
        for p in selected {
            dkim[p.name] = try store.dkimKeys(domain: p.name)
            try DKIMFiles.check(home, domain: p.name, keys: dkim[p.name]!)
            dnssecKeys[p.name] = try store.dnssecKeys(domain: p.name)
            _ = try DNSSECFiles.check(home, p, keys: dnssecKeys[p.name]!)
        }
        var wakes: [Date] = []
        var rotate: DomainName?? = nil
        var advancing = true
        switch mode {
        case .zoneBuild, .zoneSign, .zoneExport: advancing = false
        case .rotateDKIM(let d): rotate = .some(try d.map { try DomainName($0) })
        case .tick, .rotateZSK, .rotateKSK, .dsSeen, .certificate, .rotateTLS: break
        }
        Trace.mark("open store, policy, keys")
        // A domain whose map still describes its files is rebuilt in part, without its template.
        var maps: [DomainName: (map: ZoneMap, unsigned: MappedFile)] = [:]
        var templates: [DomainName: Template] = [:]
        for p in selected {
            if let m = try ZoneMap.usable(home, p, policyHash: policyHash) { maps[p.name] = m } else { templates[p.name] = try template(home, p) }
        }
        Trace.mark("read templates and zone maps")
        // 2. Plan every change in memory.
        let pending = Pending(home)
        // A run refused before its commit removes what it staged (a no-op once committed).
        defer { pending.journal.abandon() }
        if advancing {
            for p in selected {
                let force = rotate.map { $0 == nil || $0 == p.name } ?? false
                let (keys, lines, wake) = try DKIMFiles.advance(home, policy: p, keys: dkim[p.name]!, now: now, rotate: force, pending: pending)
                dkim[p.name] = keys
                report.lines += lines
                if let wake { wakes.append(wake) }
            }
        }
        var dnssec: [DomainName: DNSSECSigning] = [:]
        for p in selected {
            let live = dnssecKeys[p.name]!.filter { $0.removed == nil }
            if p.dnssec.enabled && !live.isEmpty
                && (live.contains { $0.algorithm != p.dnssec.algorithm } || (p.dnssec.scheme == .csk) != live.contains { $0.role == .csk })
            {
                report.warnings.append(
                    "\(p.name): the policy asks for algorithm \(p.dnssec.algorithm), scheme \(p.dnssec.scheme.rawValue), but the zone is signed with \(live.map { "\($0.role.rawValue) \($0.algorithm)" }.joined(separator: ", ")); algorithm and scheme rollovers are not automated yet, so the existing keys stay"
                )
            }
            var (keys, lines) = try DNSSECFiles.ensureKeys(home, policy: p, keys: dnssecKeys[p.name]!, now: now, pending: pending)
            report.lines += lines
            if advancing && p.dnssec.enabled {
                let timing = DNSSECTiming(
                    policy: p.dnssec, propagation: p.propagationDelay,
                    maxZoneTTL: maxTTL(p, templateMax: maps[p.name].map { $0.map.templateMaxTTL } ?? templates[p.name]?.records.map(\.ttl).max()))
                var (zsk, ksk) = (false, false)
                if case .rotateZSK(let d) = mode { zsk = try DomainName(d) == p.name }
                if case .rotateKSK(let d) = mode { ksk = try DomainName(d) == p.name }
                if case .dsSeen(let d, let tag) = mode, try DomainName(d) == p.name {
                    let marked: [DNSSECKey]
                    do { marked = try DNSSECPlanner.markDSSeen(keys: keys, tag: tag, now: now) } catch let e as CoreError {
                        throw HomeError(.usage, "\(p.name): \(e.reason)")
                    }
                    if marked == keys {
                        report.lines.append("\(p.name): DNSSEC: the DS of key \(tag) was already marked seen")
                    } else {
                        let key = marked.first { $0.tag == tag }!
                        let domain = p.name
                        pending.storeOps.append { tx in
                            try tx.updateDNSSEC(key, domain: domain)
                            try tx.log("dnssec", domain: domain, detail: "DS of key \(tag) seen at the parent", at: now)
                        }
                        report.lines.append("\(p.name): DNSSEC: DS of key \(tag) seen at the parent")
                        keys = marked
                    }
                }
                let parent = try DNSSECFiles.checkParent(p, keys: keys, now: now, pending: pending)
                keys = parent.keys
                report.lines += parent.lines
                let (moved, more, wake) = try DNSSECFiles.advance(
                    home, policy: p, keys: keys, timing: timing, now: now, rotateZSK: zsk, rotateKSK: ksk, pending: pending)
                keys = moved
                lines = more
                report.lines += more
                if let wake { wakes.append(wake) }
            }
            // The order the store gives them back in, so a later run renders the same DNSKEY RRset
            // byte for byte (keys made in one run share their creation second).
            keys.sort(by: DNSSECKey.storeOrder)
            dnssec[p.name] = p.dnssec.enabled ? try DNSSECFiles.signing(home, p, keys: keys, pending: pending) : DNSSECSigning(keys: keys)
        }
        var tls: [DomainName: [TLSCertificate]] = [:]
        var tlsNext: [DomainName: [TLSNextKey]] = [:]
        var offered = false
        var rotatedTLS = false
        for p in selected {
            tls[p.name] = try store.tlsCertificates(domain: p.name)
            tlsNext[p.name] = try store.tlsNextKeys(domain: p.name)
            guard p.tls.enabled else { continue }
            let step = try TLSFiles.plan(
                home, p, store: store, certs: tls[p.name]!, next: tlsNext[p.name]!, mode: mode, now: now, advancing: advancing, pending: pending)
            tls[p.name] = step.certs
            tlsNext[p.name] = step.next
            report.lines += step.lines
            if let wake = step.wake { wakes.append(wake) }
            offered = offered || step.offered
            rotatedTLS = rotatedTLS || step.rotated
        }
        if case .rotateTLS(let host) = mode, !rotatedTLS {
            throw HomeError(.usage, "\(host) is not an MX host of any domain in the policy")
        }
        if case .certificate(let hosts, _, _, _, _, _) = mode, !offered {
            throw HomeError(.usage, "\(hosts.joined(separator: ", ")) is not an MX host of any domain in the policy; nothing was changed")
        }
        let wanted = try desired(
            home, policy: policy, domains: selected, dkim: dkim, dnssec: dnssec, tls: tls, tlsNext: tlsNext, templates: templates, maps: maps,
            policyHash: policyHash)
        templates = [:]  // the zones hold what they need; a large template is not kept twice
        Trace.mark("build zones")
        report.warnings += wanted.flatMap(\.warnings)
        let rebuild = { (p: DomainPolicy) throws -> DesiredZone in
            try desired(
                home, policy: policy, p, dkim: dkim[p.name] ?? [], dnssec: dnssec[p.name], tls: tls[p.name] ?? [], tlsNext: tlsNext[p.name] ?? [],
                template: nil, map: nil, policyHash: policyHash)
        }
        if let wake = try writeZones(
            home, store: store, wanted: wanted, now: now, acceptClock: acceptClock, report: &report, pending: pending, rebuild: rebuild)
        {
            wakes.append(wake)
        }
        // 3. Commit: new files, one transaction (keys, serials, zone files), then deletions.
        Trace.mark("write zones")
        report.lines += try pending.commit(store, now: now)
        Trace.mark("commit")
        defer { Trace.print() }
        switch mode {
        case .zoneBuild, .zoneSign: return report
        case .zoneExport:
            try Exports.run(home, store: store, domains: selected, now: now, report: &report)
            return report
        default: break
        }
        var exportError: Error?
        do { try Exports.run(home, store: store, domains: selected, now: now, report: &report) } catch { exportError = error }
        for p in selected { try DKIMFiles.applyGroup(home, p, keys: dkim[p.name] ?? []) }
        try DKIMFiles.writeSignerConfigs(home, policy: policy, keys: dkim, report: &report)
        Trace.mark("exports and signer configuration")
        if let exportError { throw exportError }
        report.lines.append(
            "next: \(wakes.min().map(RunClock.format) ?? "nothing scheduled; the timer re-checks policy and templates on every run")")
        for line in report.lines { Log.logger.info("\(line)") }
        return report
    }

    /// Writes every zone that changed (and its signed form when the domain is signed); returns the
    /// earliest time a re-sign falls due. A zone built in part (``DesiredZone/previousUnsigned``)
    /// is spliced into its previous files when its map allows, else `rebuild` builds it in full.
    static func writeZones(
        _ home: Home, store: Store, wanted: [DesiredZone], now: Date, acceptClock: Bool = false, report: inout Report, pending: Pending,
        rebuild: (DomainPolicy) throws -> DesiredZone
    ) throws -> Date? {
        var wakes: [Date] = []
        let rows = Dictionary(uniqueKeysWithValues: try store.domains().map { ($0.name, $0) })
        var stored: [DomainName: ZoneState] = [:]
        var onDisk: [DomainName: String?] = [:]
        for w in wanted {
            stored[w.policy.name] = rows[w.policy.name]?.state
            // A zone built in part has just checked its unsigned file against the map.
            onDisk[w.policy.name] = w.previousUnsigned != nil ? w.map?.unsignedHash : try fileHash(home.zoneFile(w.policy.name))
        }
        let plan = Planner.plan(
            desired: Dictionary(uniqueKeysWithValues: wanted.map { ($0.policy.name, $0.contentHash) }),
            stored: stored, onDisk: onDisk, now: now)

        for w in wanted {
            let name = w.policy.name
            let action = plan.actions.first { if case .buildZone(let d, _) = $0 { return d == name } else { return false } }
            if let text = w.mtaSTSText, try AtomicFile.read(home.mtaSTSFile(name)) != text {
                try pending.journal.stage(text, to: home.mtaSTSFile(name))
                report.lines.append("\(name): wrote MTA-STS policy \(home.show(home.mtaSTSFile(name))) (id \(w.policy.mtaSTS!.id))")
            }
            let signed = !w.signingKeys.isEmpty
            func prepare(_ state: ResignState) -> ZoneWrite? {
                let reason: String
                switch (action, state.reason) {
                case (.buildZone(_, let r)?, _): reason = r
                case (nil, let r?): reason = r
                default: return nil
                }
                let previous = stored[name] ?? ZoneState()
                // New content, or new signatures (which secondaries must fetch), take a new serial;
                // a repaired unsigned file keeps it and leaves the signed zone alone.
                let changed = previous.contentHash != w.contentHash || state.reason != nil
                let serial = (changed ? nil : previous.serial) ?? Serial.next(after: previous.serial, now: now)
                return ZoneWrite(w: w, name: name, serial: serial, reason: reason, changed: changed, state: state)
            }
            // A zone built in part hashes the previous signed file while it is spliced; any other
            // outcome needs the hash first.
            var state =
                signed
                ? try resignState(home, store: store, w, now: now, deferHash: w.map?.signed != nil && w.previousUnsigned != nil) : ResignState()
            Trace.mark("read the previous signed file")
            var write = prepare(state)
            let splice = w.previousUnsigned != nil && signed && (write?.changed ?? false) && spliceable(w, state: state, now: now)
            if state.pending != nil && !splice {
                state = state.settled()
                write = prepare(state)
            }
            if let due = state.due { wakes.append(due) }
            guard var write else {
                let serial = stored[name]?.serial.map(String.init) ?? "-"
                report.lines.append("\(name): zone unchanged (serial \(serial))")
                continue
            }
            if w.previousUnsigned != nil && signed && write.changed && !splice { write.w = try full(w, rebuild) }
            do {
                try writeZone(home, store: store, write, now: now, acceptClock: acceptClock, report: &report, pending: pending, wakes: &wakes)
            } catch is SpliceFailure {
                // The previous signed file was not what the map describes: sign in full, as if
                // there had been no map.
                state = state.settled()
                guard var again = prepare(state) else { continue }
                again.w = try full(w, rebuild)
                try writeZone(home, store: store, again, now: now, acceptClock: acceptClock, report: &report, pending: pending, wakes: &wakes)
            }
        }
        return wakes.min()
    }

    /// A zone to write: what is wanted, and what the plan decided for it.
    struct ZoneWrite {
        var w: DesiredZone
        var name: DomainName
        var serial: UInt32
        var reason: String
        var changed: Bool
        var state: ResignState
    }

    /// The signer could not splice the previous signed file (the caller builds in full).
    struct SpliceFailure: Error {}

    /// The zone of `w` built in full; its content must be what the partial build said it is.
    static func full(_ w: DesiredZone, _ rebuild: (DomainPolicy) throws -> DesiredZone) throws -> DesiredZone {
        let whole = try rebuild(w.policy)
        guard whole.contentHash == w.contentHash else {
            throw HomeError(.verify, "internal error: \(w.policy.name) built in part and in full differ; nothing was written")
        }
        Trace.mark("build zone in full")
        return whole
    }

    /// Whether the previous signed file can take the new records of a zone built in part: the
    /// map describes it (same hash), the same keys sign, the same denial, and every signature
    /// outside the map's owners is valid now and beyond the refresh window (so a full signing
    /// would keep each of them too).
    static func spliceable(_ w: DesiredZone, state: ResignState, now: Date) -> Bool {
        guard let s = w.map?.signed, state.previous != nil, s.fileHash == state.expected else { return false }
        let p = w.policy.dnssec
        return s.keys == ZoneMap.keys(w.dnssec) && s.nsec3 == p.nsec3 && s.map.outsideEarliestExpiration > seconds(now) + UInt32(p.refresh)
            && s.map.outsideLatestInception <= seconds(now)
    }

    /// Renders (or splices), signs (or splices) and stages the files of one zone.
    static func writeZone(
        _ home: Home, store: Store, _ z: ZoneWrite, now: Date, acceptClock: Bool, report: inout Report, pending: Pending, wakes: inout [Date]
    ) throws {
        let (w, name, serial, changed) = (z.w, z.name, z.serial, z.changed)
        let signed = !w.signingKeys.isEmpty
        var map = w.map
        let bytes: [UInt8]
        var rebuilt = ""
        if let previousUnsigned = w.previousUnsigned, let m = map {
            // Only the map's owners are rendered; every other byte comes from the previous file.
            let part = w.zone.render(serial: serial, header: header(home, name), tracking: Set(ZoneMap.owners(w.zone)))
            guard let spliced = m.spliceUnsigned(previousUnsigned, part: part.text, blocks: part.blocks) else {
                throw HomeError(.verify, "internal error: \(name): the zone map does not fit the previous zone file; nothing was written")
            }
            bytes = spliced.bytes
            map?.unsignedBlocks = spliced.blocks
            rebuilt = "; \(m.owners.count) owners rebuilt, the rest copied"
            Trace.mark("render zone (owners of the map)")
            if !(signed && changed) {
                try verify(part.text, w.zone, name: home.show(home.zoneFile(name)))
                Trace.mark("re-read zone (libldns)")
            }
        } else {
            let owners = map?.owners.map { DomainName(presentation: $0) } ?? []
            let rendered = w.zone.render(serial: serial, header: header(home, name), tracking: Set(owners))
            bytes = Array(rendered.text.utf8)
            let blocks = owners.compactMap { rendered.blocks[$0].map { [$0.lowerBound, $0.upperBound] } }
            if blocks.count == owners.count { map?.unsignedBlocks = blocks } else { map = nil }
            Trace.mark("render zone")
            // A zone about to be signed is parsed record by record by libldns in the signer.
            if !(signed && changed) {
                try verify(rendered.text, w.zone, name: home.show(home.zoneFile(name)))
                Trace.mark("re-read zone (libldns)")
            }
        }
        var signing: SignResult?
        var signStats = ""
        var expiration = now
        if signed && changed {
            let p = w.policy.dnssec
            if !acceptClock, let last = try store.events(domain: name, limit: 50).first(where: { $0.action == "zone-sign" })?.at,
                now < last.addingTimeInterval(-3600)
            {
                throw HomeError(
                    .usage,
                    "\(name): the clock (\(RunClock.format(now))) is \(TimeSpan.format(Int(last.timeIntervalSince(now)))) behind the last signing (\(RunClock.format(last))): signatures made now could already be expired for everyone else, so nothing was signed or written. Fix the clock, or pass --accept-clock if the earlier runs had the wrong time"
                )
            }
            expiration = Resign.expiration(now: now, policy: p, domain: name, serial: serial)
            var request = SignRequest(
                origin: name, soaRDATA: w.zone.soaRDATA(serial: serial), soaTTL: w.zone.soa.ttl, records: w.zone.records,
                keys: w.signingKeys, publishedOnly: w.dnssec.publishedOnly, cds: w.dnssec.cds, dnskeyTTL: p.dnskeyTTL,
                inception: seconds(now) - UInt32(p.inceptionOffset),
                expiration: seconds(expiration), nsec3: p.nsec3, now: seconds(now), keepBeyond: seconds(now) + UInt32(p.refresh))
            let splicing = w.previousUnsigned != nil
            if splicing, let previous = z.state.previous, let s = map?.signed {
                request.splice = Splice(previous: previous, map: s.map)
            } else {
                request.previous = z.state.previous.map { Array($0.bytes) }
                request.track = map?.owners.map { DomainName(presentation: $0) } ?? []
            }
            do {
                Trace.mark("signing request")
                let result = try Signer.sign(request, to: pending.journal.stream(to: home.signedFile(name)))
                Trace.add(result.stages)
                if splicing, let pending = z.state.pending {
                    guard pending.value == z.state.expected else { throw SpliceFailure() }
                    Trace.mark("hash of the previous signed file")
                }
                try checkPublishedKeys(home, name, signed: result.file.temp, keys: w.dnssec.keys, pending: pending)
                signing = result
                expiration = Date(timeIntervalSince1970: TimeInterval(result.earliestExpiration))
                signStats = "\(result.made) signatures made, \(result.kept) kept\(rebuilt)"
                if let m = result.map {
                    map?.signed = ZoneMap.Signed(fileHash: try result.file.finish(), keys: ZoneMap.keys(w.dnssec), nsec3: p.nsec3, map: m)
                } else {
                    map?.signed = nil
                }
            } catch let e as DNSError {
                if splicing { throw SpliceFailure() }
                throw HomeError(.verify, "\(name): \(e.reason); nothing was written")
            }
            wakes.append(Resign.due(expiration: expiration, policy: p))
        } else if w.previousUnsigned == nil {
            map?.signed = nil  // the signed file, if any, was not written with this map
        }
        map?.unsignedHash = bytes.withUnsafeBufferPointer(Digest.sha256Hex)
        let contentHash = w.contentHash
        let fileHash = map?.unsignedHash ?? bytes.withUnsafeBufferPointer(Digest.sha256Hex)
        let tlsa = w.zone.records.filter { $0.type == .tlsa && $0.source == .generated("tls") }.map { ($0.owner.fqdn, $0.rdata) }
        let signedFile = signing?.file
        let reason = z.reason
        let mapText: String?
        if let map {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            mapText = String(decoding: try encoder.encode(map), as: UTF8.self) + "\n"
        } else {
            mapText = nil
        }
        // Staged now, renamed into place by the journal once the store has committed. The map goes
        // first: should its files not follow, its hashes match no file and the next run ignores it.
        let mapURL = ZoneMap.url(home, name)
        if let mapText { try pending.journal.stage(mapText, to: mapURL) } else { pending.journal.delete(mapURL) }
        try pending.journal.stage(bytes: bytes, to: home.zoneFile(name))
        let signedHash = try signedFile.map { try $0.finish() }
        if let signedFile { try pending.journal.adopt(signedFile) }
        pending.storeOps.append { tx in
            try tx.ensureDomain(name, at: now)
            try tx.recordBuild(name, serial: serial, contentHash: contentHash, fileHash: fileHash, at: now)
            try tx.recordTLSA(domain: name, records: tlsa, now: now)
            try tx.log("zone-build", domain: name, detail: "serial \(serial): \(reason)", at: now)
            if let signedHash {
                try tx.recordSigning(name, fileHash: signedHash, expiresAt: expiration)
                try tx.log(
                    "zone-sign", domain: name, detail: "serial \(serial), signatures until \(RunClock.format(expiration))", at: now)
            }
        }
        report.lines.append("\(name): wrote \(home.show(home.zoneFile(name))) serial \(serial) (\(reason)\(signing == nil ? rebuilt : ""))")
        if signing != nil {
            report.lines.append(
                "\(name): signed \(home.show(home.signedFile(name))) (\(signStats)), signatures valid until \(RunClock.format(expiration))")
        }
    }

    /// Every DNSKEY the staged signed file publishes (read from its bytes, not from what the run
    /// meant to write) must be a live key of the store (or of this run) whose private key file
    /// exists (or is staged now): a key published without its private half can never sign, and
    /// a key without its row is one mailkeys cannot roll.
    static func checkPublishedKeys(_ home: Home, _ name: DomainName, signed path: String, keys: [DNSSECKey], pending: Pending) throws {
        // The apex comes first in a signed file; its lines are in the first MiB.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HomeError(.io, "internal error: \(name): the staged signed zone is gone; nothing was written")
        }
        defer { try? handle.close() }
        let bytes = [UInt8](handle.readData(ofLength: 1 << 20))
        let apex = Array((name.fqdn + "\t").utf8)
        var tags: [UInt16] = []
        for line in bytes.split(separator: 0x0A) where line.starts(with: apex) {
            let fields = line.split(separator: 0x09, maxSplits: 4)
            guard fields.count == 5, fields[3].elementsEqual("DNSKEY".utf8) else { continue }
            guard let tag = DNSSECWire.keyTag(dnskeyRDATA: String(decoding: fields[4], as: UTF8.self)) else {
                throw HomeError(.verify, "internal error: \(name): the signed zone holds a DNSKEY that does not parse; nothing was written")
            }
            tags.append(tag)
        }
        guard !tags.isEmpty else { throw HomeError(.verify, "internal error: \(name): the signed zone publishes no DNSKEY; nothing was written") }
        for tag in tags {
            guard let key = keys.first(where: { $0.tag == tag && $0.removed == nil }) else {
                throw HomeError(.verify, "\(name): the signed zone would publish DNSKEY \(tag), which the store does not hold; nothing was written")
            }
            let file = DNSSECFiles.privateFile(home, name, key)
            guard pending.privateTexts[file] != nil || FileManager.default.fileExists(atPath: file.path) else {
                throw HomeError(
                    .missing,
                    "\(name): DNSKEY \(tag) (\(key.role.rawValue)) is published but its private key file \(home.show(file)) is missing; restore it from a backup (nothing was written)"
                )
            }
        }
    }

    /// What the signed file on disk means for this run.
    struct ResignState {
        /// Why the zone must be signed again now (nil: it need not).
        var reason: String?
        /// When it falls due otherwise.
        var due: Date?
        /// The signed file when it is the one mailkeys last wrote (its valid signatures may be
        /// kept), and the SHA-256 the store recorded for it.
        var previous: MappedFile?
        var expected: String?
        /// The file's hash still being computed (the state assumes it matches `expected`).
        var pending: BackgroundHash?

        /// The state once the file's hash is known.
        func settled() -> ResignState {
            guard let pending else { return self }
            guard pending.value == expected else { return ResignState(reason: "signed zone was changed outside mailkeys") }
            var s = self
            s.pending = nil
            return s
        }
    }

    /// Why a signed zone must be signed again now (nil: it need not), else when it falls due; and
    /// the signed file when it is the one mailkeys last wrote (its valid signatures may be kept).
    /// With `deferHash`, the file is hashed on another thread while the caller goes on, and the
    /// state is provisional until ``ResignState/settled()``.
    static func resignState(_ home: Home, store: Store, _ w: DesiredZone, now: Date, deferHash: Bool = false) throws -> ResignState {
        let name = w.policy.name
        let state = try store.signingState(name)
        let file: MappedFile?
        do { file = try MappedFile.open(home.signedFile(name).path) } catch let e as DNSError { throw HomeError(.io, e.reason) }
        guard let file else { return ResignState(reason: "signed zone is missing") }
        var out = ResignState(previous: file, expected: state.fileHash)
        if deferHash {
            out.pending = BackgroundHash(file)
        } else if file.sha256Hex != state.fileHash {
            return ResignState(reason: "signed zone was changed outside mailkeys")
        }
        guard let expires = state.expiresAt else {
            out.reason = "first signing"
            return out
        }
        let due = Resign.due(expiration: expires, policy: w.policy.dnssec)
        if now >= due { out.reason = "signatures expire \(RunClock.format(expires))" } else { out.due = due }
        return out
    }

    /// A SHA-256 computed on another thread, for a result needed only later.
    final class BackgroundHash: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result = ""

        init(_ file: MappedFile) {
            DispatchQueue.global().async {
                self.result = file.sha256Hex
                self.done.signal()
            }
        }

        /// The hash, waiting for it if need be.
        var value: String {
            done.wait()
            defer { done.signal() }
            return result
        }
    }

    /// Re-reads rendered zone text through libldns and compares it with the model, so a file
    /// that a nameserver would reject is never written.
    static func verify(_ text: String, _ zone: Zone, name: String) throws {
        let parsed: [TemplateRecord]
        do {
            parsed = try LDNSZoneReader.read(text: text, origin: zone.origin, defaultTTL: zone.defaultTTL, name: name)
        } catch let e as DNSError {
            throw HomeError(.verify, "internal error: the rendered zone does not parse (\(e.reason)); nothing was written")
        }
        guard parsed.count == zone.records.count + 1, parsed.first?.type == .soa else {
            throw HomeError(
                .verify, "internal error: the rendered zone has \(parsed.count) records, expected \(zone.records.count + 1); nothing was written")
        }
    }
}

extension MailKeys {
    /// `mailkeys ds DOMAIN`: the DS records (SHA-256) of the keys that sign the DNSKEY RRset,
    /// for the registrar, and the DNSKEY records as a trust anchor for a validator.
    public static func ds(_ home: Home, domain: String, lockWait: Double) throws -> Report {
        let lock = try HomeLock(home, wait: lockWait, shared: true)
        defer { _ = lock }
        let policy = try PolicyFile.load(home)
        let p = try policy.domain(domain)
        let store = try Store.open(at: home.storeFile.path)
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
        report.lines.append("; DS records for the parent zone of \(p.name) (give them to your registrar; the zone publishes them as CDS too):")
        for key in keys { report.lines.append(try ZoneSigner.ds(dnskey: key.dnskey)) }
        report.lines.append("; trust anchor (DNSKEY) for a validator such as delv -a:")
        for key in keys { report.lines.append(key.dnskey) }
        return report
    }
}
