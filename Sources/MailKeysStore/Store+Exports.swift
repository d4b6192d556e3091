import GRDB
import MailKeysCore

extension Store {
    /// The last export of `domain` to each target, by target name.
    public func exports(domain: DomainName) throws -> [String: ExportState] {
        try read { db in
            var out: [String: ExportState] = [:]
            for r in try ExportRecord.filter(ExportRecord.Columns.domain == StoredName.text(domain)).fetchAll(db) {
                out[r.target] = try r.exportState()
            }
            return out
        }
    }

    /// Records the outcome of an export attempt.
    public func recordExport(domain: DomainName, target: String, state: ExportState) throws {
        typealias C = ExportRecord.Columns
        try transaction { tx in
            try ExportRecord(state, domain: domain, target: target).insertOrUpdate(
                tx.db,
                conflictingOn: [C.domain, C.target],
                updating: [C.serial, C.fileHash, C.attemptedAt, C.confirmedAt, C.error]
            )
        }
    }
}
