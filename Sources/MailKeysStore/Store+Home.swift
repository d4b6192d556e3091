import Foundation
import GRDB
import MailKeysCore

/// Facts about the home itself (`home_meta`): whether it is a simulation, whose runs may act at
/// a `--now` ahead of the clock.
extension Store {
    static let createHomeMeta = """
        CREATE TABLE home_meta (
            key TEXT PRIMARY KEY CHECK (key IN ('simulation')),
            value INTEGER NOT NULL
        ) STRICT, WITHOUT ROWID;
        """

    /// When the home was marked a simulation (nil: it is a live home).
    public func simulation() throws -> Date? {
        try read { db in
            try Int64.fetchOne(db, sql: "SELECT value FROM home_meta WHERE key = 'simulation'").map(StoredTime.date)
        }
    }
}

extension StoreTransaction {
    /// Marks the home a simulation for good (the first mark's time is kept).
    public func markSimulation(at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO home_meta (key, value) VALUES ('simulation', ?) ON CONFLICT (key) DO NOTHING",
            arguments: [StoredTime.seconds(now)]
        )
    }
}
