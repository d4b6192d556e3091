import GRDB
import MailKeysCore

extension KeyRecord {
    /// The DNSSEC keys of a domain, in the store's key order (``KeyOrder``).
    static let dnssecQuery = DomainQuery(table: "key", filter: "kind = 'dnssec'", order: KeyOrder.sql)

    /// The DNSSEC keys `records` (of `domain`, in key order) hold.
    static func dnssecKeys(_ records: [KeyRecord], of domain: DomainName) throws -> [DNSSECKey] {
        try records.map { try $0.dnssecKey(of: domain) }
    }
}

extension Store {
    /// The DNSSEC keys of `domain`, in the store's key order (``KeyOrder``).
    public func dnssecKeys(domain: DomainName) throws -> [DNSSECKey] {
        try reading { tx in try tx.dnssecKeys(domain: domain) }
    }

    /// The DNSSEC keys of each of `domains` (nil: every domain), each domain's in the store's key
    /// order (``KeyOrder``): what ``dnssecKeys(domain:)`` returns for each, in a few queries. A
    /// domain without keys has no entry.
    public func dnssecKeys(domains: [DomainName]?) throws -> [DomainName: [DNSSECKey]] {
        try reading { tx in try tx.dnssecKeys(domains: domains) }
    }
}

extension StoreTransaction {
    /// The DNSSEC keys of `domain`, in the store's key order (``KeyOrder``).
    public func dnssecKeys(domain: DomainName) throws -> [DNSSECKey] {
        try KeyRecord.dnssecKeys(records(KeyRecord.dnssecQuery, of: domain), of: domain)
    }

    /// The DNSSEC keys of each of `domains` (nil: every domain), each domain's in the store's key
    /// order (``KeyOrder``). A domain without keys has no entry.
    public func dnssecKeys(domains: [DomainName]?) throws -> [DomainName: [DNSSECKey]] {
        try records(KeyRecord.dnssecQuery, of: domains, KeyRecord.dnssecKeys)
    }

    /// Inserts a new DNSSEC key.
    public func insertDNSSEC(_ key: DNSSECKey, domain: DomainName) throws {
        try KeyRecord(key, domain: domain).insert(db)
    }

    /// Writes the timestamps of an existing DNSSEC key.
    public func updateDNSSEC(_ key: DNSSECKey, domain: DomainName) throws {
        let changes = try KeyRecord(key, domain: domain).assignments(KeyRecord.dnssecTimes)
        let changed = try KeyRecord.key(.dnssec, of: domain, named: String(key.tag)).updateAll(db, changes)
        guard changed == 1 else { throw StoreError(.failed, "DNSSEC key \(key.tag) of \(domain) is not in the store") }
    }
}
