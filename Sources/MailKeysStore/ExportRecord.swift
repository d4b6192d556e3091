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
    /// Added by `2026-12-02-export-confirmed`: the last export the target was seen serving.
    var confirmedSerial: Int64?
    var confirmedSerialAt: Int64?

    enum CodingKeys: String, CodingKey {
        case domain, target, serial, error
        case fileHash = "file_hash"
        case attemptedAt = "attempted_at"
        case confirmedAt = "confirmed_at"
        case confirmedSerial = "confirmed_serial"
        case confirmedSerialAt = "confirmed_serial_at"
    }

    /// The columns the migration `2026-12-02-export-confirmed` adds.
    static let addConfirmed = """
        ALTER TABLE export ADD COLUMN confirmed_serial INTEGER
            CHECK (confirmed_serial IS NULL OR confirmed_serial BETWEEN 1 AND 4294967295);
        ALTER TABLE export ADD COLUMN confirmed_serial_at INTEGER
            CHECK ((confirmed_serial IS NULL) = (confirmed_serial_at IS NULL));
        UPDATE export SET confirmed_serial = serial, confirmed_serial_at = confirmed_at WHERE confirmed_at IS NOT NULL;
        """

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let target = Column(CodingKeys.target)
        static let serial = Column(CodingKeys.serial)
        static let fileHash = Column(CodingKeys.fileHash)
        static let attemptedAt = Column(CodingKeys.attemptedAt)
        static let confirmedAt = Column(CodingKeys.confirmedAt)
        static let error = Column(CodingKeys.error)
        static let confirmedSerial = Column(CodingKeys.confirmedSerial)
        static let confirmedSerialAt = Column(CodingKeys.confirmedSerialAt)
    }

    /// A stored serial; one out of range is `.corrupt`.
    static func serial(_ value: Int64, column: String) throws -> UInt32 {
        guard let serial = UInt32(exactly: value) else {
            throw StoreError.corrupt(databaseTableName, column, value: String(value), expected: "a 32-bit serial")
        }
        return serial
    }

    /// The export state this row holds; a serial out of range is `.corrupt`.
    func exportState() throws -> ExportState {
        let serial = try Self.serial(serial, column: "serial")
        var state = ExportState(
            serial: serial,
            fileHash: fileHash,
            attempted: StoredTime.date(attemptedAt),
            confirmed: StoredTime.date(confirmedAt),
            error: error
        )
        state.lastConfirmedSerial = try confirmedSerial.map { try Self.serial($0, column: "confirmed_serial") }
        state.lastConfirmed = StoredTime.date(confirmedSerialAt)
        return state
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
            error: state.error,
            confirmedSerial: state.lastConfirmedSerial.map(Int64.init),
            confirmedSerialAt: StoredTime.seconds(state.lastConfirmed)
        )
    }
}
