import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Building the zones mailkeys wants: templates read once, each domain's zone in full or in
/// part from its zone map.
extension MailKeys {
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
        let records = try LDNSZoneReader.read(
            bytes: bytes,
            origin: p.name,
            defaultTTL: p.defaultTTL,
            name: home.show(url)
        )
        return Template(records: records, hash: bytes.withUnsafeBufferPointer(Digest.sha256Hex))
    }

    /// An upper bound of the largest TTL in a domain's zone (TTLsig of RFC 7583), from the policy
    /// and the template without building the zone.
    static func maxTTL(_ p: DomainPolicy, template: [TemplateRecord]) -> Int {
        maxTTL(p, templateMax: template.map(\.ttl).max())
    }

    static func maxTTL(_ p: DomainPolicy, templateMax: UInt32?) -> Int {
        Int(([p.defaultTTL, p.ttl(for: .soa)] + Array(p.ttls.values) + [templateMax ?? 0]).max()!)
    }

    static func desired(
        _ home: Home,
        policy: Policy,
        domains: [DomainPolicy],
        dkim: [DomainName: [DKIMKey]],
        dnssec: [DomainName: DNSSECSigning] = [:],
        tls: [DomainName: [TLSCertificate]] = [:],
        tlsNext: [DomainName: [TLSNextKey]] = [:],
        templates given: [DomainName: Template]? = nil,
        maps: [DomainName: (map: ZoneMap, unsigned: MappedFile)] = [:],
        policyHash: String = ""
    ) throws -> [DesiredZone] {
        try domains.map { p in
            try desired(
                home,
                policy: policy,
                p,
                dkim: dkim[p.name] ?? [],
                dnssec: dnssec[p.name],
                tls: tls[p.name] ?? [],
                tlsNext: tlsNext[p.name] ?? [],
                template: given?[p.name],
                map: maps[p.name],
                policyHash: policyHash
            )
        }
    }

    /// The zone of one domain: built in part from `map` (the owners it names, the rest being the
    /// previous unsigned file) when the map's owners are still exactly the owners that building
    /// them gives, else built in full from the template (read now when not given).
    static func desired(
        _ home: Home,
        policy: Policy,
        _ p: DomainPolicy,
        dkim: [DKIMKey],
        dnssec: DNSSECSigning?,
        tls: [TLSCertificate],
        tlsNext: [TLSNextKey],
        template given: Template?,
        map: (map: ZoneMap, unsigned: MappedFile)?,
        policyHash: String
    ) throws -> DesiredZone {
        let signing = p.dnssec.enabled ? dnssec : nil
        let keysText = signedContentText(p, signing)
        func builder(_ template: [TemplateRecord]) -> ZoneBuilder {
            ZoneBuilder(
                policy: p,
                reportAuthorisations: policy.reportAuthorisations,
                template: template,
                templateName: home.show(home.template(p.name)),
                dkimKeys: dkim,
                tlsCertificates: tls,
                tlsNextKeys: tlsNext
            )
        }
        if let (map, unsigned) = map,
            let zone = try partial(home, p, builder(map.template), map: map, unsigned: unsigned, keysText: keysText)
        {
            return DesiredZone(
                policy: p,
                zone: zone.zone,
                warnings: zone.warnings,
                contentHash: zone.contentHash,
                mtaSTSText: p.mtaSTS?.text,
                dnssec: signing ?? DNSSECSigning(),
                map: map,
                previousUnsigned: unsigned
            )
        }
        let template = try given ?? template(home, p)
        let b = builder(template.records)
        let (zone, warnings) = try b.build()
        let text = zone.render(serial: 0, header: header(home, p.name)) + keysText
        let base =
            policyHash.isEmpty
            ? nil
            : try ZoneMap.base(
                p,
                builder: b,
                zone: zone,
                warnings: warnings,
                templateHash: template.hash,
                policyHash: policyHash
            )
        return DesiredZone(
            policy: p,
            zone: zone,
            warnings: p.warnings + warnings,
            contentHash: Digest.sha256Hex(text),
            mtaSTSText: p.mtaSTS?.text,
            dnssec: signing ?? DNSSECSigning(),
            map: base
        )
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

    /// What signing adds to a zone's content: the DNSKEY set, CDS and the denial method are part of
    /// what is published ("" when the zone is not signed).
    private static func signedContentText(_ p: DomainPolicy, _ signing: DNSSECSigning?) -> String {
        guard let signing, !signing.signing.isEmpty else { return "" }
        var text = signing.keys.filter { $0.removed == nil && $0.published != nil }.map { k in
            "\(k.dnskey) \(k.role.rawValue) \(signing.uses[k.tag] ?? "published")\n"
        }.joined()
        text += signing.cdsDelete ? "CDS delete\n" : signing.cds.map { "CDS \($0)\n" }.joined()
        text += "; nsec3=\(p.dnssec.nsec3)\n"
        return text
    }

    /// The zone built from the map's owners alone, when they are still exactly the owners the
    /// build gives and the map fits the previous file; its content hash is the full build's (the
    /// unsigned zone with serial 0, keys appended). Nil: build in full.
    private static func partial(
        _ home: Home,
        _ p: DomainPolicy,
        _ builder: ZoneBuilder,
        map: ZoneMap,
        unsigned: MappedFile,
        keysText: String
    ) throws -> (zone: Zone, warnings: [String], contentHash: String)? {
        let (zone, warnings) = try builder.build()
        let owners = ZoneMap.owners(zone)
        guard owners.map(\.fqdn) == map.owners else { return nil }
        let part = zone.render(serial: 0, header: header(home, p.name), tracking: Set(owners))
        guard var whole = map.spliceUnsigned(unsigned, part: part.text, blocks: part.blocks)?.bytes else { return nil }
        whole.append(contentsOf: Array(keysText.utf8))
        var seen = Set<String>()
        let all = (p.warnings + warnings + map.outsideWarnings).filter { seen.insert($0).inserted }
        return (zone, all, whole.withUnsafeBufferPointer(Digest.sha256Hex))
    }
}
