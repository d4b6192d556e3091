import GRDB
import MailKeysCore

extension Store {
    /// The DNSSEC keys of `domain`, in the store's key order (``KeyOrder``).
    public func dnssecKeys(domain: DomainName) throws -> [DNSSECKey] {
        try reading { tx in try tx.dnssecKeys(domain: domain) }
    }
}

extension StoreTransaction {
    /// The DNSSEC keys of `domain`, in the store's key order (``KeyOrder``).
    public func dnssecKeys(domain: DomainName) throws -> [DNSSECKey] {
        try KeyRecord.keys(.dnssec, of: domain).fetchAll(db).map { try $0.dnssecKey(of: domain) }
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
