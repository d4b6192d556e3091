import Foundation
import GRDB
import MailKeysCore

extension DomainRecord {
    /// A domain's row.
    static let query = DomainQuery(table: databaseTableName, column: CodingKeys.name.rawValue)

    /// The signed file hash and signature expiration the row holds.
    var signingState: Store.SigningState { (signedFileHash, StoredTime.date(signaturesExpireAt)) }
}

extension Store {
    /// The hash of a domain's signed zone file as last written and when its earliest signature
    /// expires (both nil: never signed).
    public typealias SigningState = (fileHash: String?, expiresAt: Date?)

    /// Every domain, by name.
    public func domains() throws -> [DomainRow] {
        try read { db in
            try DomainRecord.order(DomainRecord.Columns.name).fetchAll(db).map { try $0.domainRow() }
        }
    }

    /// The domains the store holds that `listed` lacks, by name: one pass over the stored names,
    /// compared as stored text, only the missing ones parsed (every run that reads the policy
    /// asks, at 10,000 domains too).
    public func domains(missingFrom listed: [DomainName]) throws -> [DomainName] {
        let known = Set(listed.map(StoredName.text))
        return try read { db in
            try String.fetchAll(db, sql: "SELECT name FROM domain ORDER BY name").filter { !known.contains($0) }.map {
                try StoredName.parse($0, table: DomainRecord.databaseTableName, column: "name")
            }
        }
    }

    /// Whether the store holds `domain` (one search of the primary key).
    public func holds(_ domain: DomainName) throws -> Bool {
        try read { db in
            try Bool.fetchOne(
                db,
                sql: "SELECT EXISTS (SELECT 1 FROM domain WHERE name = ?)",
                arguments: [StoredName.text(domain)]
            )
                ?? false
        }
    }

    /// The stored state of each of `domains` (nil: every domain) the store knows, in one query per
    /// ``DomainQuery/chunkSize`` domains. A domain the store does not know has no entry.
    public func domainRows(domains: [DomainName]?) throws -> [DomainName: DomainRow] {
        try reading { tx in try tx.domainRows(domains: domains) }
    }

    /// The signed file hash and signature expiration of `domain`.
    public func signingState(_ domain: DomainName) throws -> SigningState {
        try reading { tx in try tx.signingState(domain) }
    }

    /// The signed file hash and signature expiration of each of `domains` (nil: every domain):
    /// what ``signingState(_:)`` returns for each, in a few queries. A domain the store does not
    /// know has no entry (``signingState(_:)`` gives it `(nil, nil)`).
    public func signingStates(domains: [DomainName]?) throws -> [DomainName: SigningState] {
        try reading { tx in try tx.signingStates(domains: domains) }
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
        try domainRecord(name)?.domainRow()
    }

    /// The stored state of each of `domains` (nil: every domain) the store knows. A domain the
    /// store does not know has no entry.
    public func domainRows(domains: [DomainName]?) throws -> [DomainName: DomainRow] {
        try records(DomainRecord.query, of: domains) { (records: [DomainRecord], _) in try records[0].domainRow() }
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
    public func signingState(_ name: DomainName) throws -> Store.SigningState {
        try domainRecord(name)?.signingState ?? (nil, nil)
    }

    /// The signed file hash and signature expiration of each of `domains` (nil: every domain).
    /// A domain the store does not know has no entry.
    public func signingStates(domains: [DomainName]?) throws -> [DomainName: Store.SigningState] {
        try records(DomainRecord.query, of: domains) { (records: [DomainRecord], _) in records[0].signingState }
    }

    /// The row of `name` (nil: the store does not know it).
    private func domainRecord(_ name: DomainName) throws -> DomainRecord? {
        let records: [DomainRecord] = try records(DomainRecord.query, of: name)
        return records.first
    }
}
