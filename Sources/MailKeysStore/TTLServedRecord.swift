import Foundation
import GRDB
import MailKeysCore

/// A row of `ttl_served`: a TTL a domain's zone was written with for one kind of record, and
/// when the zone stopped serving it (NULL: still served). Rows whose TTL has run out since are
/// deleted as new ones are recorded.
struct TTLServedRecord: StoreRecord {
    static let databaseTableName = "ttl_served"

    static let createTable = """
        CREATE TABLE ttl_served (
            domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('tlsa', 'txt', 'dnskey', 'zone')),
            ttl INTEGER NOT NULL CHECK (ttl BETWEEN 0 AND 4294967295),
            until INTEGER,
            PRIMARY KEY (domain, kind, ttl)
        ) STRICT, WITHOUT ROWID;
        """

    /// A domain's rows (the primary key is the index).
    static let query = DomainQuery(table: databaseTableName)

    var domain: String
    var kind: String
    var ttl: Int64
    var until: Int64?

    func served() throws -> (kind: TTLFloor.Kind, ttl: UInt32, until: Date?) {
        guard let k = TTLFloor.Kind(rawValue: kind), let t = UInt32(exactly: ttl) else {
            throw StoreError.corrupt(
                Self.databaseTableName,
                "kind",
                value: "\(kind) \(ttl)",
                expected: "a kind and a TTL"
            )
        }
        return (k, t, StoredTime.date(until))
    }
}

extension Store {
    /// The TTL floor of each of `domains` at `now` (``TTLFloor/effective(_:now:)``); a domain
    /// never written has none (an empty floor).
    public func ttlFloors(domains: [DomainName], now: Date) throws -> [DomainName: TTLFloor] {
        try reading { tx in
            try tx.records(TTLServedRecord.query, of: domains) { (rows: [TTLServedRecord], _) in
                TTLFloor.effective(try rows.map { try $0.served() }, now: now)
            }
        }
    }
}

extension StoreTransaction {
    /// Records the TTLs `domain`'s zone is written with at `now`: each kind's other TTLs still
    /// marked served stop being served now; rows whose TTL ran out are deleted.
    public func recordTTLs(domain: DomainName, _ ttls: [TTLFloor.Kind: UInt32], now: Date) throws {
        let name = StoredName.text(domain)
        let at = StoredTime.seconds(now)
        for (kind, ttl) in ttls.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            try db.execute(
                sql: "UPDATE ttl_served SET until = ? WHERE domain = ? AND kind = ? AND ttl != ? AND until IS NULL",
                arguments: [at, name, kind.rawValue, Int64(ttl)]
            )
            try db.execute(
                sql: """
                    INSERT INTO ttl_served (domain, kind, ttl, until) VALUES (?, ?, ?, NULL)
                    ON CONFLICT (domain, kind, ttl) DO UPDATE SET until = NULL
                    """,
                arguments: [name, kind.rawValue, Int64(ttl)]
            )
        }
        try db.execute(
            sql: "DELETE FROM ttl_served WHERE domain = ? AND until IS NOT NULL AND until + ttl <= ?",
            arguments: [name, at]
        )
    }
}
