import GRDB
import MailKeysCore

extension Store {
    /// The DKIM keys of `domain`, in the store's key order (``KeyOrder``).
    public func dkimKeys(domain: DomainName) throws -> [DKIMKey] {
        try reading { tx in try tx.dkimKeys(domain: domain) }
    }
}

extension StoreTransaction {
    /// The DKIM keys of `domain`, in the store's key order (``KeyOrder``).
    public func dkimKeys(domain: DomainName) throws -> [DKIMKey] {
        try KeyRecord.keys(.dkim, of: domain).fetchAll(db).map { try $0.dkimKey() }
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
