import GRDB
import MailKeysCore

/// The facts of the per-domain policy files (``PolicyFileFacts``): read whole once per run,
/// written for the files a run parsed, forgotten for the files that are gone.
extension Store {
    /// Every row, by file stem.
    public func policyFiles() throws -> [String: PolicyFileFacts] {
        try read { db in
            var out: [String: PolicyFileFacts] = [:]
            for r in try PolicyFileRecord.fetchAll(db) { out[r.stem] = try r.facts() }
            return out
        }
    }

    /// Replaces the rows of `rows` and deletes those of `removed`, in one transaction.
    public func savePolicyFiles(_ rows: [PolicyFileFacts], removed: [String]) throws {
        guard !rows.isEmpty || !removed.isEmpty else { return }
        try transaction { tx in
            for stem in removed {
                _ = try PolicyFileRecord.filter(PolicyFileRecord.Columns.stem == stem).deleteAll(tx.db)
            }
            for f in rows { try PolicyFileRecord(f).save(tx.db) }
        }
    }
}
