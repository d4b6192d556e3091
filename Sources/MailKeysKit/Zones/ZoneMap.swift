import Foundation
import MailKeysCore
import MailKeysDNS

/// What a run keeps beside a domain's zone files (`Zones/.<domain>.zone.map`, JSON) so that the
/// next run can rebuild the zone incrementally.
///
/// While the policy file and the template stay byte for byte the same, only records that come
/// from the key store can change (DKIM, TLSA, the DNSKEY/CDS set, the SOA serial), and they live
/// at a few owners: the apex, the MTA-STS host and the owners of generated records. The merge
/// rules look at one owner at a time, so building just those owners, from the template records
/// the map keeps for them, gives exactly their part of a full build; every other byte of the
/// unsigned and the signed file is copied from the previous files, whose hashes the map holds.
/// Anything the map cannot vouch for (another template or policy, an owner added or removed,
/// other signing keys, a signature outside those owners near its refresh, a file changed outside
/// mailkeys) takes the full path, which writes a new map. The map is a cache: losing it costs one
/// full build.
struct ZoneMap: Codable, Equatable {
    static let currentVersion = 1

    /// A template record at one of the owners.
    struct Line: Codable, Equatable {
        var owner: String
        var ttl: UInt32
        var type: UInt16
        var mnemonic: String
        var rdata: String
        var line: Int
    }

    /// The signed file's part: its hash, the keys and denial that made it, where the owners are.
    struct Signed: Codable, Equatable {
        var fileHash: String
        var keys: [String]
        var nsec3: Bool
        var map: SignedZoneMap
    }

    var version = currentVersion
    /// SHA-256 of the policy file, and of the template ("" when there is none).
    var policyHash: String
    var templateHash: String
    /// The largest TTL in the template (nil when it has no records), for the DNSSEC timing.
    var templateMaxTTL: UInt32?
    /// The owners rebuilt each time, in canonical order, fully qualified (the apex first).
    var owners: [String]
    /// The template's records at those owners (and at the MTA-STS host, which may have none).
    var records: [Line]
    /// Warnings of the full build about other owners (the template's own TTL mismatches).
    var outsideWarnings: [String]
    /// The unsigned file's hash and each owner's byte range in it (parallel to `owners`).
    var unsignedHash = ""
    var unsignedBlocks: [[Int]] = []
    var signed: Signed?

    var template: [TemplateRecord] {
        records.map {
            TemplateRecord(
                owner: DomainName(presentation: $0.owner),
                ttl: $0.ttl,
                type: RRType(code: $0.type, mnemonic: $0.mnemonic),
                rdata: $0.rdata,
                line: $0.line
            )
        }
    }

    /// The identity of the keys that sign (their DNSKEY and what they sign).
    static func keys(_ signing: DNSSECSigning) -> [String] {
        signing.keys.compactMap { k in
            guard let use = signing.uses[k.tag], use != "published" else { return nil }
            return "\(k.dnskey) \(use)"
        }.sorted()
    }

    static func url(_ home: Home, _ name: DomainName) -> URL {
        home.zonesDir.appendingPathComponent(".\(name).zone.map", isDirectory: false)
    }

    /// The map of a domain when it still describes its files: the policy text and the template
    /// hash as recorded, and the unsigned file as written (returned, the part copied); nil
    /// otherwise, or when the map is missing or unreadable (a full build then writes a new one).
    static func usable(_ home: Home, _ p: DomainPolicy, policyHash: String) throws -> (
        map: ZoneMap, unsigned: MappedFile
    )? {
        guard let data = try AtomicFile.readBytes(url(home, p.name)),
            let map = try? JSONDecoder().decode(ZoneMap.self, from: Data(data)),
            map.version == currentVersion, map.policyHash == policyHash, map.owners.count == map.unsignedBlocks.count,
            map.owners.first == p.name.fqdn
        else { return nil }
        do {
            guard (try MappedFile.open(home.template(p.name).path)?.sha256Hex ?? "") == map.templateHash,
                let unsigned = try MappedFile.open(home.zoneFile(p.name).path), unsigned.sha256Hex == map.unsignedHash
            else { return nil }
            return (map, unsigned)
        } catch let e as DNSError {
            throw HomeError(.io, wrapping: e)
        }
    }

    /// What of the zone's inputs differs from those the last map was written from: `policy`,
    /// `template` (none when there is no map to compare with).
    static func changedInputs(_ home: Home, _ p: DomainPolicy, policyHash: String, templateHash: String?) throws
        -> [String]
    {
        guard let data = try AtomicFile.readBytes(url(home, p.name)),
            let map = try? JSONDecoder().decode(ZoneMap.self, from: Data(data))
        else { return [] }
        var out: [String] = []
        if map.policyHash != policyHash { out.append("policy") }
        if map.templateHash != (templateHash ?? "") { out.append("template") }
        return out
    }

    /// The part of a full build the map keeps: the owners `scope` names that are in the zone,
    /// the template records at `scope`, and the warnings about other owners. Nil when building
    /// those owners alone does not give the full build's records there (the map is then not
    /// written and every run takes the full path).
    static func base(
        _ p: DomainPolicy,
        builder: ZoneBuilder,
        zone: Zone,
        warnings: [String],
        templateHash: String,
        policyHash: String
    ) throws -> ZoneMap? {
        let scope = try builder.generatedOwners()
        let records = builder.template.filter { scope.contains($0.owner) }
        let part = try ZoneBuilder(
            policy: builder.policy,
            reportAuthorisations: builder.reportAuthorisations,
            template: records,
            templateName: builder.templateName,
            dkimKeys: builder.dkimKeys,
            tlsCertificates: builder.tlsCertificates,
            tlsNextKeys: builder.tlsNextKeys
        ).build()
        func same(_ a: Record, _ b: Record) -> Bool {
            a.owner == b.owner && a.ttl == b.ttl && a.type == b.type && a.rdata == b.rdata
        }
        let inScope = zone.records.filter { scope.contains($0.owner) }
        guard part.zone.soa == zone.soa, part.zone.records.count == inScope.count,
            !zip(part.zone.records, inScope).contains(where: { !same($0, $1) })
        else { return nil }
        let inside = Set(part.warnings)
        return ZoneMap(
            policyHash: policyHash,
            templateHash: templateHash,
            templateMaxTTL: builder.template.map(\.ttl).max(),
            owners: owners(part.zone).map(\.fqdn),
            records: records.map {
                Line(
                    owner: $0.owner.fqdn,
                    ttl: $0.ttl,
                    type: $0.type.code,
                    mnemonic: $0.type.mnemonic,
                    rdata: $0.rdata,
                    line: $0.line
                )
            },
            outsideWarnings: warnings.filter { !inside.contains($0) }
        )
    }

    /// The owners of a zone in canonical order, the apex first.
    static func owners(_ zone: Zone) -> [DomainName] {
        var out = [zone.origin]
        for r in zone.records where r.owner != out.last! { out.append(r.owner) }
        return out
    }

    /// The unsigned file: `previous` with each owner's block replaced by the same owner's block
    /// of `part` (the owners' records rendered alone), and the new blocks.
    func spliceUnsigned(_ file: MappedFile, part: String, blocks: [DomainName: Range<Int>]) -> (
        bytes: [UInt8], blocks: [[Int]]
    )? {
        let previous = file.bytes
        var text = part
        return text.withUTF8 { new -> ([UInt8], [[Int]])? in
            var out: [UInt8] = []
            out.reserveCapacity(previous.count + new.count)
            var at = 0
            var made: [[Int]] = []
            let origin = DomainName(presentation: owners[0])
            for (name, old) in zip(owners, unsignedBlocks) {
                let owner = DomainName(presentation: name)
                guard old.count == 2, old[0] >= at, old[0] <= old[1], old[1] <= previous.count, let b = blocks[owner]
                else { return nil }
                // The apex's block starts the file (header, SOA); any other holds just its lines.
                if owner == origin {
                    guard old[0] == 0, old[1] > 0, previous[old[1] - 1] == 10 else { return nil }
                } else if !isOwnerBlock(
                    previous,
                    old[0]..<old[1],
                    prefix: Array((owner.relative(to: origin) + " ").utf8)
                ) {
                    return nil
                }
                out += previous[at..<old[0]]
                made.append([out.count, out.count + b.count])
                out += UnsafeBufferPointer(rebasing: new[b])
                at = old[1]
            }
            out += previous[at...]
            return (out, made)
        }
    }
}
