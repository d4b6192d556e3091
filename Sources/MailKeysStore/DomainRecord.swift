import GRDB
import MailKeysCore

/// A row of the `domain` table.
struct DomainRecord: StoreRecord {
    static let databaseTableName = "domain"

    var name: String
    var serial: Int64?
    var contentHash: String?
    var fileHash: String?
    var builtAt: Int64?
    var addedAt: Int64
    var signedFileHash: String?
    var signaturesExpireAt: Int64?

    enum CodingKeys: String, CodingKey {
        case name, serial
        case contentHash = "content_hash"
        case fileHash = "file_hash"
        case builtAt = "built_at"
        case addedAt = "added_at"
        case signedFileHash = "signed_file_hash"
        case signaturesExpireAt = "signatures_expire_at"
    }

    enum Columns {
        static let name = Column(CodingKeys.name)
        static let serial = Column(CodingKeys.serial)
        static let contentHash = Column(CodingKeys.contentHash)
        static let fileHash = Column(CodingKeys.fileHash)
        static let builtAt = Column(CodingKeys.builtAt)
        static let signedFileHash = Column(CodingKeys.signedFileHash)
        static let signaturesExpireAt = Column(CodingKeys.signaturesExpireAt)
    }

    /// The public row; a name or serial the store cannot have written is a `.corrupt` error.
    func domainRow() throws -> DomainRow {
        let state = ZoneState(serial: try serial.map(Self.serial), contentHash: contentHash, fileHash: fileHash)
        return DomainRow(
            name: try StoredName.parse(name, table: Self.databaseTableName, column: "name"),
            state: state,
            builtAt: StoredTime.date(builtAt),
            addedAt: StoredTime.date(addedAt)
        )
    }

    /// A zone serial read back (the column's CHECK keeps it within 32 bits).
    static func serial(_ value: Int64) throws -> UInt32 {
        guard let serial = UInt32(exactly: value) else {
            throw StoreError.corrupt(databaseTableName, "serial", value: String(value), expected: "a 32-bit serial")
        }
        return serial
    }
}
