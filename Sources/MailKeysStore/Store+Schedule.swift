import GRDB
import MailKeysCore

/// The domains' schedule (``DomainSchedule``): read whole once per run that looks at every
/// domain, its earliest row by index for a run that does not; written for the domains a run
/// completed.
extension Store {
    /// Every domain's schedule row, by name.
    public func schedules() throws -> [DomainName: DomainSchedule] {
        try read { db in
            var out: [DomainName: DomainSchedule] = [:]
            for r in try ScheduleRecord.fetchAll(db) {
                let s = try r.schedule()
                out[s.domain] = s
            }
            return out
        }
    }

    /// The row with the earliest next event among the domains a domain file (a row of
    /// `policy_file`) or `inline` lists, other than `except`; ties go to the first name. Rows are
    /// read in time order through an index until one qualifies.
    public func earliestSchedule(except: Set<DomainName>, inline: Set<DomainName>) throws -> DomainSchedule? {
        try read { db in
            let rows = try Row.fetchCursor(db, sql: Self.earliestSQL)
            while let row = try rows.next() {
                let s = try ScheduleRecord(row: row).schedule()
                guard !except.contains(s.domain) else { continue }
                if (row["filed"] as Int64? ?? 0) != 0 || inline.contains(s.domain) { return s }
            }
            return nil
        }
    }

    static let earliestSQL = """
        SELECT s.*, EXISTS (SELECT 1 FROM policy_file p WHERE p.domain = s.domain) AS filed
        FROM schedule s WHERE s.next_at IS NOT NULL ORDER BY s.next_at, s.domain
        """

    /// Replaces the rows of the given domains, in one transaction.
    public func saveSchedules(_ rows: [DomainSchedule]) throws {
        guard !rows.isEmpty else { return }
        typealias C = ScheduleRecord.Columns
        try transaction { tx in
            for s in rows {
                try ScheduleRecord(s).insertOrUpdate(
                    tx.db,
                    conflictingOn: [C.domain],
                    updating: [C.inputs, C.nextAt, C.reason, C.poll, C.deadline]
                )
            }
        }
    }
}
