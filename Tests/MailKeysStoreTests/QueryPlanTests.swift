import Foundation
import GRDB
import Testing

@testable import MailKeysStore

/// The query plans of the reads a run makes per domain: each finds a domain's rows with an index
/// search, none sorts, and only the every-domain forms pass over a whole table. A change that
/// drops an index, or writes a query SQLite cannot run on one, fails here.
@Suite struct QueryPlanTests {
    /// How a read may run.
    enum Access {
        /// Index searches only (`SEARCH t USING [COVERING] INDEX` or `USING INTEGER PRIMARY KEY`).
        case search
        /// Possibly one pass over every row (an every-domain read, the newest events), in an index's
        /// or the table's order.
        case pass
        /// One pass over a covering index, never over the table's rows.
        case covering
    }

    /// Each per-domain read, by name.
    static let perDomain: [(String, DomainQuery)] = [
        ("DKIM keys", KeyRecord.dkimQuery), ("DNSSEC keys", KeyRecord.dnssecQuery),
        ("TLS certificates", TLSCertificateRecord.query), ("TLS next keys", TLSNextKeyRecord.query),
        ("TLSA published", TLSARecord.publishedQuery), ("TLSA history", TLSARecord.historyQuery),
        ("exports", ExportRecord.query), ("domain rows", DomainRecord.query), ("TTLs served", TTLServedRecord.query),
        ("key file checks", KeyFileCheck.query),
    ]

    /// Every hot statement: each per-domain read in its three forms (a list of one, of a few, and of
    /// a full chunk), and the event log's two.
    static var statements: [(label: String, sql: String, access: Access)] {
        var out: [(String, String, Access)] = []
        for (label, q) in perDomain {
            out.append(("\(label), one domain", q.one, .search))
            for n in [1, 3, DomainQuery.chunkSize] { out.append(("\(label), \(n) listed", q.list(n), .search)) }
            out.append(("\(label), every domain", q.all, .pass))
        }
        out.append(("events of a domain", EventRecord.newestOfDomainSQL, .search))
        out.append(("events", EventRecord.newestSQL, .pass))
        out.append(("files sending DMARC reports to a domain", Store.targetingSQL, .covering))
        out.append(("files naming an MX host", Store.listingSQL, .covering))
        out.append(("domains signing with DKIM", Store.signersSQL, .covering))
        out.append(("domain files", Store.countSQL, .covering))
        out.append(("earliest event of a listed domain", Store.earliestSQL, .pass))
        return out
    }

    /// The `detail` lines of `sql`'s query plan (its parameters left unbound).
    static func plan(_ db: Database, _ sql: String) throws -> [String] {
        let statement = try db.makeStatement(sql: "EXPLAIN QUERY PLAN " + sql)
        statement.setUncheckedArguments([])  // plans do not depend on the values
        return try Row.fetchAll(statement).map { $0["detail"] }
    }

    /// What is wrong with `plan` for a read allowed `access` (empty: nothing).
    static func problems(_ plan: [String], _ access: Access) -> [String] {
        var out: [String] = []
        for line in plan {
            if line.contains("TEMP B-TREE") { out.append("sorts: \(line)") }
            if line.hasPrefix("SCAN "), access == .search { out.append("scans: \(line)") }
            if line.hasPrefix("SCAN "), access == .covering, !line.contains("USING COVERING INDEX") {
                out.append("scans the table: \(line)")
            }
            let indexed = ["USING INDEX", "USING COVERING INDEX", "USING INTEGER PRIMARY KEY", "USING PRIMARY KEY"]
            if line.hasPrefix("SEARCH "), !indexed.contains(where: line.contains) {
                out.append("searches without an index: \(line)")
            }
        }
        if access == .search, !plan.contains(where: { $0.hasPrefix("SEARCH ") }) { out.append("no index search") }
        return out
    }

    @Test func everyHotReadSearchesAnIndexAndNoneSorts() throws {
        let store = try Store.inMemory()
        try store.queue.read { db in
            for (label, sql, access) in Self.statements {
                let plan = try Self.plan(db, sql)
                #expect(Self.problems(plan, access).isEmpty, "\(label): \(sql)\n\(plan.joined(separator: "\n"))")
            }
        }
    }

    /// The test above would catch the loss of any index the store makes for its reads.
    @Test func everyIndexIsNeededByAHotRead() throws {
        let indexes = try Store.inMemory().queue.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND name != 'event_at'"
            )
        }
        #expect(
            Set(indexes) == [
                "key_kind_domain", "tls_cert_domain", "tls_next_domain", "tlsa_domain", "event_domain",
                "policy_file_report_targets", "policy_file_mx_hosts", "policy_file_domain", "schedule_next",
            ]
        )
        for index in indexes {
            let store = try Store.inMemory()
            try writeRaw(store, "DROP INDEX \(index)")
            let failing = try store.queue.read { db in
                try Self.statements.filter { !Self.problems(try Self.plan(db, $0.sql), $0.access).isEmpty }
            }
            #expect(!failing.isEmpty, "nothing needs \(index)")
        }
    }
}
