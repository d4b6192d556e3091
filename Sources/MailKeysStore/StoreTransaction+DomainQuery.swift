import GRDB
import MailKeysCore

extension StoreTransaction {
    /// The records `query` selects for `domain`, in its order.
    func records<R: FetchableRecord>(_ query: DomainQuery, of domain: DomainName) throws -> [R] {
        try R.fetchAll(db.cachedStatement(sql: query.one), arguments: [StoredName.text(domain)])
    }

    /// `decode` applied to the records `query` selects for each of `domains` (nil: every domain),
    /// one statement per chunk of ``DomainQuery/chunkSize`` domains, or one pass over the table for
    /// more than ``DomainQuery/scanAbove`` of them (or all). A domain's records come in the
    /// query's order, as the single-domain form returns them; a domain without any has no entry.
    func records<R: FetchableRecord, V>(
        _ query: DomainQuery,
        of domains: [DomainName]?,
        _ decode: ([R], DomainName) throws -> V
    ) throws -> [DomainName: V] {
        var groups: [String: [R]] = [:]
        let wanted = domains.map { Dictionary($0.map { (StoredName.text($0), $0) }, uniquingKeysWith: { a, _ in a }) }
        if let wanted, wanted.count <= DomainQuery.scanAbove {
            let texts = wanted.keys.sorted()
            for start in stride(from: 0, to: texts.count, by: DomainQuery.chunkSize) {
                let chunk = Array(texts[start..<min(start + DomainQuery.chunkSize, texts.count)])
                // Not cached: the last chunk's length varies from call to call.
                let statement = try db.makeStatement(sql: query.list(chunk.count))
                try group(statement, StatementArguments(chunk), column: query.column, into: &groups)
            }
        } else {
            try group(db.cachedStatement(sql: query.all), [], column: query.column, into: &groups) { text in
                wanted.map { $0[text] != nil } ?? true
            }
        }
        var out: [DomainName: V] = [:]
        out.reserveCapacity(groups.count)
        for (text, records) in groups {
            let domain = try wanted?[text] ?? StoredName.parse(text, table: query.table, column: query.column)
            out[domain] = try decode(records, domain)
        }
        return out
    }

    /// Appends the records `statement` yields to the group of their domain (the value of
    /// `column`), skipping those of the domains `keep` refuses without decoding them.
    private func group<R: FetchableRecord>(
        _ statement: Statement,
        _ arguments: StatementArguments,
        column: String,
        into groups: inout [String: [R]],
        keep: (String) -> Bool = { _ in true }
    ) throws {
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        while let row = try rows.next() {
            let text = try row.decode(String.self, forColumn: column)
            if keep(text) { groups[text, default: []].append(try R(row: row)) }
        }
    }
}
