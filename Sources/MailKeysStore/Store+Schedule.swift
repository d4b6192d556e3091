import GRDB
import MailKeysCore

/// The domains' schedule (``DomainSchedule``): read whole once per run (no index: every row is
/// wanted), written for the domains a run completed.
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
