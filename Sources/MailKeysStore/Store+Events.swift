import Foundation
import GRDB
import MailKeysCore

extension EventRecord {
    /// The newest `?` events: a walk back from the end of the table that stops at the limit.
    static let newestSQL = "SELECT * FROM event ORDER BY id DESC LIMIT ?"
    /// The newest `?2` events of the domain `?1`: an index search (`event_domain`) that reads only
    /// them, however many events other domains have.
    static let newestOfDomainSQL = "SELECT * FROM event WHERE domain = ? ORDER BY id DESC LIMIT ?"
}

extension Store {
    /// The newest events first (of `domain` only, unless nil).
    public func events(domain: DomainName? = nil, limit: Int = 10) throws -> [EventRow] {
        try read { db in
            // Two statements rather than `(? IS NULL OR domain = ?)`, which SQLite can only run as a
            // scan of the whole log.
            let records =
                if let domain {
                    try EventRecord.fetchAll(
                        db.cachedStatement(sql: EventRecord.newestOfDomainSQL),
                        arguments: [StoredName.text(domain), limit]
                    )
                } else {
                    try EventRecord.fetchAll(db.cachedStatement(sql: EventRecord.newestSQL), arguments: [limit])
                }
            return try records.map { try $0.eventRow() }
        }
    }
}

extension StoreTransaction {
    /// Appends to the event log.
    public func log(_ action: String, domain: DomainName?, detail: String, at now: Date) throws {
        let record = EventRecord(
            at: StoredTime.seconds(now),
            domain: domain.map(StoredName.text),
            action: action,
            detail: detail
        )
        try record.insert(db)
    }
}
