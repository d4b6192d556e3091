import Foundation
import GRDB
import MailKeysCore

extension Store {
    /// Every domain, by name.
    public func domains() throws -> [DomainRow] {
        try read { db in
            try DomainRecord.order(DomainRecord.Columns.name).fetchAll(db).map { try $0.domainRow() }
        }
    }

    /// The signed file hash and signature expiration of `domain`.
    public func signingState(_ domain: DomainName) throws -> (fileHash: String?, expiresAt: Date?) {
        try reading { tx in try tx.signingState(domain) }
    }
}

extension StoreTransaction {
    /// Adds `name` if the store does not know it yet.
    public func ensureDomain(_ name: DomainName, at now: Date) throws {
        let record = DomainRecord(name: StoredName.text(name), addedAt: StoredTime.seconds(now))
        try record.insertOrUpdate(db, conflictingOn: [DomainRecord.Columns.name], updating: [])
    }

    /// The stored state of `name`.
    public func domain(_ name: DomainName) throws -> DomainRow? {
        try DomainRecord.fetchOne(db, key: StoredName.text(name))?.domainRow()
    }

    /// Records that `name`'s zone was written with `serial`.
    public func recordBuild(_ name: DomainName, serial: UInt32, contentHash: String, fileHash: String, at now: Date)
        throws
    {
        typealias C = DomainRecord.Columns
        let changed = try DomainRecord.filter(key: StoredName.text(name)).updateAll(
            db,
            C.serial.set(to: Int64(serial)),
            C.contentHash.set(to: contentHash),
            C.fileHash.set(to: fileHash),
            C.builtAt.set(to: StoredTime.seconds(now))
        )
        guard changed == 1 else { throw StoreError(.failed, "domain \(name) is not in the store") }
    }

    /// Records that the signed zone of `name` was written.
    public func recordSigning(_ name: DomainName, fileHash: String, expiresAt: Date) throws {
        typealias C = DomainRecord.Columns
        _ = try DomainRecord.filter(key: StoredName.text(name)).updateAll(
            db,
            C.signedFileHash.set(to: fileHash),
            C.signaturesExpireAt.set(to: StoredTime.seconds(expiresAt))
        )
    }

    /// The signed file hash and signature expiration of `name`.
    public func signingState(_ name: DomainName) throws -> (fileHash: String?, expiresAt: Date?) {
        guard let record = try DomainRecord.fetchOne(db, key: StoredName.text(name)) else { return (nil, nil) }
        return (record.signedFileHash, StoredTime.date(record.signaturesExpireAt))
    }
}
