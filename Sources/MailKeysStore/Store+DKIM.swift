import GRDB
import MailKeysCore

extension KeyRecord {
    /// The DKIM keys of a domain, in the store's key order (``KeyOrder``).
    static let dkimQuery = DomainQuery(table: "key", filter: "kind = 'dkim'", order: KeyOrder.sql)

    /// The DKIM keys `records` (of one domain, in key order) hold.
    static func dkimKeys(_ records: [KeyRecord], of domain: DomainName) throws -> [DKIMKey] {
        try records.map { try $0.dkimKey() }
    }
}

extension Store {
    /// The DKIM keys of `domain`, in the store's key order (``KeyOrder``).
    public func dkimKeys(domain: DomainName) throws -> [DKIMKey] {
        try reading { tx in try tx.dkimKeys(domain: domain) }
    }

    /// The DKIM keys of each of `domains` (nil: every domain), each domain's in the store's key
    /// order (``KeyOrder``): what ``dkimKeys(domain:)`` returns for each, in a few queries. A
    /// domain without keys has no entry.
    public func dkimKeys(domains: [DomainName]?) throws -> [DomainName: [DKIMKey]] {
        try reading { tx in try tx.dkimKeys(domains: domains) }
    }
}

extension StoreTransaction {
    /// The DKIM keys of `domain`, in the store's key order (``KeyOrder``).
    public func dkimKeys(domain: DomainName) throws -> [DKIMKey] {
        try KeyRecord.dkimKeys(records(KeyRecord.dkimQuery, of: domain), of: domain)
    }

    /// The DKIM keys of each of `domains` (nil: every domain), each domain's in the store's key
    /// order (``KeyOrder``). A domain without keys has no entry.
    public func dkimKeys(domains: [DomainName]?) throws -> [DomainName: [DKIMKey]] {
        try records(KeyRecord.dkimQuery, of: domains, KeyRecord.dkimKeys)
    }

    /// Inserts a new DKIM key (its selector must be new for the domain).
    public func insertDKIM(_ key: DKIMKey, domain: DomainName) throws {
        try KeyRecord(key, domain: domain).insert(db)
    }

    /// Writes the timestamps of an existing DKIM key.
    public func updateDKIM(_ key: DKIMKey, domain: DomainName) throws {
        let changes = try KeyRecord(key, domain: domain).assignments(KeyRecord.dkimTimes)
        let changed = try KeyRecord.key(.dkim, of: domain, named: key.selector).updateAll(db, changes)
        guard changed == 1 else {
            throw StoreError(.failed, "DKIM key \(key.selector) of \(domain) is not in the store")
        }
    }
}
