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

    /// The rows of the domain files whose DMARC reports go to `target`: a scan of the small
    /// index of report targets (most are empty), then those rows by key.
    public func policyFiles(targeting target: DomainName) throws -> [PolicyFileFacts] {
        try read { db in
            let stems = try String.fetchAll(db, sql: Self.targetingSQL, arguments: [" \(StoredName.text(target)) "])
            return try PolicyFileRecord.filter(keys: stems).fetchAll(db).map { try $0.facts() }
        }
    }

    /// The stems of the files whose report targets include the one bound (space-delimited).
    static let targetingSQL = "SELECT stem FROM policy_file WHERE instr(' ' || report_targets || ' ', ?) > 0"

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
