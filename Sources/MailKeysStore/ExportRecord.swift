import GRDB
import MailKeysCore

/// A row of the `export` table: the last export of a zone to one target.
struct ExportRecord: StoreRecord {
    static let databaseTableName = "export"

    var domain: String
    var target: String
    var serial: Int64
    var fileHash: String
    var attemptedAt: Int64
    var confirmedAt: Int64?
    var error: String?

    enum CodingKeys: String, CodingKey {
        case domain, target, serial, error
        case fileHash = "file_hash"
        case attemptedAt = "attempted_at"
        case confirmedAt = "confirmed_at"
    }

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let target = Column(CodingKeys.target)
        static let serial = Column(CodingKeys.serial)
        static let fileHash = Column(CodingKeys.fileHash)
        static let attemptedAt = Column(CodingKeys.attemptedAt)
        static let confirmedAt = Column(CodingKeys.confirmedAt)
        static let error = Column(CodingKeys.error)
    }

    /// The export state this row holds; a serial out of range is `.corrupt`.
    func exportState() throws -> ExportState {
        guard let serial = UInt32(exactly: serial) else {
            throw StoreError.corrupt(
                Self.databaseTableName,
                "serial",
                value: String(serial),
                expected: "a 32-bit serial"
            )
        }
        return ExportState(
            serial: serial,
            fileHash: fileHash,
            attempted: StoredTime.date(attemptedAt),
            confirmed: StoredTime.date(confirmedAt),
            error: error
        )
    }
}

extension ExportRecord {
    /// The row of the export of `domain` to `target`.
    init(_ state: ExportState, domain: DomainName, target: String) {
        self.init(
            domain: StoredName.text(domain),
            target: target,
            serial: Int64(state.serial),
            fileHash: state.fileHash,
            attemptedAt: StoredTime.seconds(state.attempted),
            confirmedAt: StoredTime.seconds(state.confirmed),
            error: state.error
        )
    }
}
