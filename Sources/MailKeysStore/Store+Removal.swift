import Foundation
import GRDB
import MailKeysCore

/// Domains being taken down (`removal`, one row while it runs) and domains taken down
/// (`removed_domain`: when, and the archive that holds their keys, files and store rows).
extension Store {
    static let createRemoval = """
        CREATE TABLE removal (
            domain TEXT PRIMARY KEY NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
            requested_at INTEGER NOT NULL,
            ds_gone_at INTEGER CHECK (ds_gone_at IS NULL OR ds_gone_at >= requested_at),
            confirmed_at INTEGER,
            left_targets TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(left_targets)),
            unexported_at INTEGER
        ) STRICT;
        CREATE TABLE removed_domain (
            name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 253 AND name = lower(name)),
            removed_at INTEGER NOT NULL,
            archive TEXT NOT NULL CHECK (length(archive) > 0),
            PRIMARY KEY (name, removed_at)
        ) STRICT;
        """

    /// The tables holding a domain's rows, in an order that deletes them under the foreign keys
    /// (`key`, `tls_cert` and `tls_next` restrict the domain's deletion; the rest cascade).
    static let domainTables = [
        "key", "tls_cert", "tls_next", "tlsa", "export", "event", "schedule", "signer_entry", "ttl_served", "removal",
    ]

    /// The removals under way, by domain (few rows: read whole).
    public func removals() throws -> [DomainName: DomainRemoval] {
        try read { db in
            var out: [DomainName: DomainRemoval] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM removal") {
                let name = try StoredName.parse(row["domain"], table: "removal", column: "domain")
                let left = (try? JSONDecoder().decode([String].self, from: Data((row["left_targets"] as String).utf8)))
                guard let left else {
                    throw StoreError.corrupt("removal", "left_targets", value: row["left_targets"], expected: "a list")
                }
                out[name] = DomainRemoval(
                    requested: StoredTime.date(row["requested_at"] as Int64),
                    dsGone: StoredTime.date(row["ds_gone_at"] as Int64?),
                    confirmed: StoredTime.date(row["confirmed_at"] as Int64?),
                    left: Set(left),
                    unexported: StoredTime.date(row["unexported_at"] as Int64?)
                )
            }
            return out
        }
    }

    /// Every row the store holds about `domain`, as JSON (one object per table: a list of rows,
    /// column → value): what the archive keeps of the store.
    public func domainDump(_ domain: DomainName) throws -> String {
        try read { db in
            let name = StoredName.text(domain)
            var tables: [(String, [Row])] = [
                ("domain", try Row.fetchAll(db, sql: "SELECT * FROM domain WHERE name = ?", arguments: [name]))
            ]
            for t in Self.domainTables {
                tables.append((t, try Row.fetchAll(db, sql: "SELECT * FROM \(t) WHERE domain = ?", arguments: [name])))
            }
            var out = "{\n"
            for (i, (table, rows)) in tables.enumerated() {
                out += "  \(Self.json(table)): [" + rows.map { "\n    " + Self.json($0) }.joined(separator: ",")
                out += rows.isEmpty ? "]" : "\n  ]"
                out += i + 1 < tables.count ? ",\n" : "\n"
            }
            return out + "}\n"
        }
    }

    /// The domains taken down, newest first per name.
    public func removedDomains() throws -> [(name: String, at: Date, archive: String)] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT name, removed_at, archive FROM removed_domain ORDER BY name, removed_at DESC"
            )
            .map { ($0["name"], StoredTime.date($0["removed_at"] as Int64), $0["archive"]) }
        }
    }

    private static func json(_ row: Row) -> String {
        "{" + row.columnNames.map { c in "\(json(c)): \(json(row[c] as DatabaseValue))" }.joined(separator: ", ") + "}"
    }

    private static func json(_ v: DatabaseValue) -> String {
        switch v.storage {
        case .null: return "null"
        case .int64(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return json(s)
        case .blob(let b): return json(b.base64EncodedString())
        }
    }

    private static func json(_ s: String) -> String {
        let data = (try? JSONEncoder().encode(s)) ?? Data("\"\"".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}

extension StoreTransaction {
    /// Starts the removal of `domain` at `now` (nothing when it is already under way).
    public func startRemoval(_ domain: DomainName, at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO removal (domain, requested_at) VALUES (?, ?) ON CONFLICT (domain) DO NOTHING",
            arguments: [StoredName.text(domain), StoredTime.seconds(now)]
        )
    }

    /// Stops the removal of `domain` (the zone is served and signed as before).
    public func cancelRemoval(_ domain: DomainName) throws {
        try db.execute(sql: "DELETE FROM removal WHERE domain = ?", arguments: [StoredName.text(domain)])
    }

    /// Records the removal's progress as `removal` holds it.
    public func updateRemoval(_ domain: DomainName, _ r: DomainRemoval) throws {
        let left = String(decoding: try JSONEncoder().encode(r.left.sorted()), as: UTF8.self)
        try db.execute(
            sql: """
                UPDATE removal SET ds_gone_at = ?, confirmed_at = ?, left_targets = ?, unexported_at = ?
                WHERE domain = ?
                """,
            arguments: [
                StoredTime.seconds(r.dsGone), StoredTime.seconds(r.confirmed), left, StoredTime.seconds(r.unexported),
                StoredName.text(domain),
            ]
        )
    }

    /// Deletes every row of `domain` and records it as removed at `now`, its archive at `archive`.
    public func archiveDomain(_ domain: DomainName, archive: String, at now: Date) throws {
        let name = StoredName.text(domain)
        for t in Store.domainTables {
            try db.execute(sql: "DELETE FROM \(t) WHERE domain = ?", arguments: [name])
        }
        try db.execute(sql: "DELETE FROM domain WHERE name = ?", arguments: [name])
        try db.execute(
            sql: "INSERT INTO removed_domain (name, removed_at, archive) VALUES (?, ?, ?)",
            arguments: [name, StoredTime.seconds(now), archive]
        )
    }
}
