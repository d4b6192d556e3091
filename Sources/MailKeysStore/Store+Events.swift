import Foundation
import GRDB
import MailKeysCore

extension Store {
    /// The newest events first (of `domain` only, unless nil).
    public func events(domain: DomainName? = nil, limit: Int = 10) throws -> [EventRow] {
        try read { db in
            var request = EventRecord.all()
            if let domain { request = request.filter(EventRecord.Columns.domain == StoredName.text(domain)) }
            return try request.order(EventRecord.Columns.id.desc).limit(limit).fetchAll(db).map { try $0.eventRow() }
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
