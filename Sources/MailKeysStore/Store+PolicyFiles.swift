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

    /// The rows of the domain files whose DMARC reports go to `target` or a name below it (an
    /// authorisation for `reports.example.org` lives in example.org's zone): a scan of the
    /// small index of report targets (most are empty), then those rows by key.
    public func policyFiles(targeting target: DomainName) throws -> [PolicyFileFacts] {
        try read { db in
            let name = StoredName.text(target)
            let stems = try String.fetchAll(db, sql: Self.targetingSQL, arguments: [" \(name) ", ".\(name) "])
            var rows: [PolicyFileFacts] = []
            for chunk in Self.chunks(stems) {
                rows += try PolicyFileRecord.filter(keys: chunk).fetchAll(db).map { try $0.facts() }
            }
            return rows
        }
    }

    /// The stems of the files whose report targets (space-separated) include the domain or a
    /// name below it: the first argument is ` <domain> `, the second `.<domain> `.
    static let targetingSQL = """
        SELECT stem FROM policy_file
        WHERE instr(' ' || report_targets || ' ', ?1) > 0 OR instr(report_targets || ' ', ?2) > 0
        """

    /// The rows of the domain files that name one of `hosts` as MX: a scan of the index of MX
    /// hosts, then those rows by key (a certificate's run, without reading every row).
    public func policyFiles(listing hosts: Set<DomainName>) throws -> [PolicyFileFacts] {
        try read { db in
            var stems = Set<String>()
            for host in hosts {
                stems.formUnion(
                    try String.fetchAll(db, sql: Self.listingSQL, arguments: [" \(StoredName.text(host)) "])
                )
            }
            var rows: [PolicyFileFacts] = []
            for chunk in Self.chunks(stems.sorted()) {
                rows += try PolicyFileRecord.filter(keys: chunk).fetchAll(db).map { try $0.facts() }
            }
            return rows
        }
    }

    /// The stems of the files whose MX hosts (space-separated) include the host (` <host> `).
    static let listingSQL = """
        SELECT stem FROM policy_file WHERE instr(' ' || mx_hosts || ' ', ?1) > 0
        """

    /// The domains of the domain files that sign with DKIM, with their groups, by name; and how
    /// many domain files there are: one pass over a small index, not the rows.
    public func policyFileSigners() throws -> (signers: [DomainName: String?], files: Int) {
        try read { db in
            var signers: [DomainName: String?] = [:]
            for row in try Row.fetchAll(db, sql: Self.signersSQL) {
                let name = try StoredName.parse(row[0], table: PolicyFileRecord.databaseTableName, column: "domain")
                signers[name] = .some(row[1])
            }
            return (signers, try Int.fetchOne(db, sql: Self.countSQL) ?? 0)
        }
    }

    static let signersSQL = "SELECT domain, dkim_group FROM policy_file WHERE dkim_enabled = 1"
    static let countSQL = "SELECT count(*) FROM policy_file"

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
