import GRDB
import MailKeysCore

/// A row of the `event` table.
struct EventRecord: StoreRecord {
    static let databaseTableName = "event"

    var id: Int64?
    var at: Int64
    var domain: String?
    var action: String
    var detail: String

    enum CodingKeys: String, CodingKey { case id, at, domain, action, detail }

    /// The public row; a domain the store cannot have written is a `.corrupt` error.
    func eventRow() throws -> EventRow {
        EventRow(
            at: StoredTime.date(at),
            domain: try domain.map { try StoredName.parse($0, table: Self.databaseTableName, column: "domain") },
            action: action,
            detail: detail
        )
    }
}
