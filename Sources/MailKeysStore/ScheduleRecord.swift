import GRDB
import MailKeysCore

/// A row of `schedule`: one per domain a complete run has seen.
struct ScheduleRecord: StoreRecord {
    static let databaseTableName = "schedule"

    static let createTable = """
        CREATE TABLE schedule (
            domain TEXT PRIMARY KEY,
            inputs TEXT NOT NULL,
            next_at INTEGER,
            reason TEXT,
            poll INTEGER NOT NULL CHECK (poll IN (0, 1))
        ) STRICT, WITHOUT ROWID;
        """

    var domain: String
    var inputs: String
    var nextAt: Int64?
    var reason: String?
    var poll: Int64
    /// Added by `2026-12-02-schedule-deadline`.
    var deadline: Int64?

    enum CodingKeys: String, CodingKey {
        case domain, inputs, reason, poll
        case nextAt = "next_at"
        case deadline
    }

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let inputs = Column(CodingKeys.inputs)
        static let nextAt = Column(CodingKeys.nextAt)
        static let reason = Column(CodingKeys.reason)
        static let poll = Column(CodingKeys.poll)
        static let deadline = Column(CodingKeys.deadline)
    }

    /// Read by column name without the `Decodable` machinery: every run reads one row per
    /// domain.
    init(row: Row) throws {
        domain = try row.decode(forColumn: "domain")
        inputs = try row.decode(forColumn: "inputs")
        nextAt = try row.decode(forColumn: "next_at")
        reason = try row.decode(forColumn: "reason")
        poll = try row.decode(forColumn: "poll")
        deadline = try row.decode(forColumn: "deadline")
    }

    init(_ s: DomainSchedule) {
        domain = StoredName.text(s.domain)
        inputs = s.inputs
        nextAt = StoredTime.seconds(s.nextAt)
        reason = s.reason
        poll = s.poll ? 1 : 0
        deadline = StoredTime.seconds(s.deadline)
    }

    func schedule() throws -> DomainSchedule {
        DomainSchedule(
            domain: try StoredName.parse(domain, table: Self.databaseTableName, column: "domain"),
            inputs: inputs,
            nextAt: StoredTime.date(nextAt),
            reason: reason,
            poll: poll != 0,
            deadline: StoredTime.date(deadline)
        )
    }
}
