import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// One domain as a run carries it from step to step: its policy, its keys as the steps change
/// them, its certificates, and what its zone is built from (the zone map, or the template).
struct DomainRun {
    let policy: DomainPolicy
    var dkim: [DKIMKey]
    /// The DNSSEC keys as stored; ``dnssec`` holds them as the DNSSEC step left them.
    var storedDNSSEC: [DNSSECKey]
    var dnssec = DNSSECSigning()
    var tls: [TLSCertificate] = []
    var tlsNext: [TLSNextKey] = []
    /// The zone map when it still describes the zone's files (the zone is rebuilt in part,
    /// without reading the template), with the previous unsigned file.
    var map: (map: ZoneMap, unsigned: MappedFile)?
    /// The template, read when there is no usable map; dropped once the zone is built.
    var template: Template?
    /// The TTLs caches may still hold its records with (a TTL lowered recently).
    var floor = TTLFloor()
    /// What the run's steps changed in the zone's inputs, in the order found (a rebuild's reason).
    var changes: [String] = []
    /// The domain's removal, when it is being taken down (``RemovalStep``).
    var removal: DomainRemoval?
    /// The key files this run read and found to match the store, for the commit to record.
    var keyFileChecks: [KeyFileCheck] = []

    var name: DomainName { policy.name }

    /// The policy the steps plan waits with: its timings raised to the TTL floor (the zone is
    /// written with ``policy``).
    var timing: DomainPolicy { floor.timing(policy) }

    /// The domains' keys from the store (one query per kind of key for all of them), each key
    /// file checked against them before anything is planned: read and parsed unless the store
    /// holds a check of it with the marker it has now (``KeyFileCheck``). The checks made are in
    /// each run's ``keyFileChecks``, for the commit to record.
    static func load(_ policies: [DomainPolicy], home: Home, store: Store, now: Date) throws -> [DomainRun] {
        guard !policies.isEmpty else { return [] }
        let names = policies.map(\.name)
        let dkim = try store.dkimKeys(domains: names)
        let dnssec = try store.dnssecKeys(domains: names)
        let floors = try store.ttlFloors(domains: names, now: now)
        let removals = try store.removals()
        let verified = try store.keyFileChecks(domains: names)
        let runs = try policies.map { p in
            var d = DomainRun(policy: p, dkim: dkim[p.name] ?? [], storedDNSSEC: dnssec[p.name] ?? [])
            d.floor = floors[p.name] ?? TTLFloor()
            d.removal = removals[p.name]
            let checks = verified[p.name] ?? [:]
            d.keyFileChecks = try DKIMKeyFiles.check(home, domain: p.name, keys: d.dkim, verified: checks)
            d.keyFileChecks += try DNSSECKeyFiles.verify(home, p, keys: d.storedDNSSEC, verified: checks)
            return d
        }
        let read = runs.reduce(0) { $0 + $1.keyFileChecks.count }
        Log.logger.debug("key files read and checked", metadata: ["files": "\(read)"])
        return runs
    }

    /// Reads the zone map, or the template when the map no longer describes the files.
    mutating func readZoneInputs(_ home: Home, policyHash: String) throws {
        if let m = try ZoneMap.usable(home, policy, policyHash: policyHash) {
            map = m
        } else {
            template = try MailKeys.template(home, policy)
            changes += try ZoneMap.changedInputs(home, policy, policyHash: policyHash, templateHash: template?.hash)
        }
    }

    /// The largest TTL the template holds, from the map or the template.
    var templateMaxTTL: UInt32? { map.map { $0.map.templateMaxTTL } ?? template?.records.map(\.ttl).max() }
}
