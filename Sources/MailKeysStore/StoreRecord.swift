import GRDB

/// A row of one store table as a Codable record: the columns are its coding keys, values are
/// stored as they are (times in whole seconds, names as text), and conversion to the public
/// types happens in the record, nowhere else.
protocol StoreRecord: Codable, FetchableRecord, PersistableRecord {}

extension StoreRecord {
    /// Inserts the record; when a row with the same `target` columns exists, sets only the
    /// `update` columns of that row from the record (none: leaves the row as it is).
    func insertOrUpdate(_ db: Database, conflictingOn target: [Column], updating update: [Column]) throws {
        let values = try databaseDictionary
        let columns = values.keys.sorted()
        func quoted(_ name: String) -> String { "\"\(name)\"" }
        let action =
            update.isEmpty
            ? "NOTHING"
            : "UPDATE SET " + update.map { "\(quoted($0.name)) = excluded.\(quoted($0.name))" }.joined(separator: ", ")
        try db.execute(
            sql: """
                INSERT INTO \(quoted(Self.databaseTableName)) (\(columns.map(quoted).joined(separator: ", ")))
                VALUES (\(columns.map { ":" + $0 }.joined(separator: ", ")))
                ON CONFLICT (\(target.map { quoted($0.name) }.joined(separator: ", "))) DO \(action)
                """,
            arguments: StatementArguments(values.mapValues { $0 as (any DatabaseValueConvertible)? })
        )
    }

    /// Assignments that set `columns` to this record's values (for `updateAll`).
    func assignments(_ columns: [Column]) throws -> [ColumnAssignment] {
        let values = try databaseDictionary
        return columns.map { $0.set(to: values[$0.name] ?? .null) }
    }
}
