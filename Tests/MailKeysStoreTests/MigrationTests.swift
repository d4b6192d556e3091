import Foundation
import GRDB
import Testing

@testable import MailKeysStore

/// The migrations: named, append-only, and applied once.
@Suite struct MigrationTests {
    /// Every migration, in order. Stores on users' disks record these names: renaming, removing
    /// or reordering one breaks them, so this list only ever grows at the end (a new migration
    /// is added here too, which keeps it from being renamed once it has shipped).
    static let shipped = [
        "2026-11-21-domains", "2026-11-21-keys", "2026-11-21-events", "2026-11-21-dkim", "2026-11-21-dnssec",
        "2026-11-22-ksk", "2026-11-22-tls", "2026-11-22-tls-next", "2026-11-22-export", "2026-12-01-intent",
        "2026-12-02-schedule",
        "2026-12-02-policy-files",
        "2026-12-02-indexes",
        "2026-12-02-signer-tables",
        "2026-12-02-schedule-deadline",
        "2026-12-02-report-targets",
        "2026-12-02-certificate-run",
        "2026-12-02-export-confirmed",
        "2026-12-02-ttl-served",
        "2026-12-02-home-meta", "2026-12-02-removal", "2026-12-02-key-file-check",
    ]

    /// The tables the migrations make (GRDB adds its own `grdb_migrations`).
    static let tables: Set = [
        "domain", "key", "event", "tls_cert", "tlsa", "tls_next", "export", "intent", "schedule", "policy_file",
        "signer_tables", "signer_entry", "ttl_served", "home_meta", "removal", "removed_domain", "key_file_check",
        "grdb_migrations",
    ]

    static func schema(_ db: Database) throws -> [String] {
        try String.fetchAll(
            db,
            sql: "SELECT type || ' ' || name || ': ' || ifnull(sql, '') FROM sqlite_master ORDER BY name"
        )
    }

    @Test func theMigrationsAreExactlyTheAppendOnlyList() {
        #expect(Store.migrator.migrations == Self.shipped)
    }

    @Test func migrationsApplyToAnEmptyDatabase() throws {
        let queue = try DatabaseQueue()
        try Store.migrator.migrate(queue)
        try queue.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            #expect(Set(tables) == Self.tables)
            #expect(try Int32.fetchOne(db, sql: "PRAGMA application_id") == Store.applicationID)
            #expect(try Store.migrator.appliedIdentifiers(db) == Set(Store.migrator.migrations))
            #expect(try Store.migrator.hasCompletedMigrations(db))
        }
    }

    @Test func migratingAgainChangesNothing() throws {
        let queue = try DatabaseQueue()
        try Store.migrator.migrate(queue)
        try queue.write { db in
            try db.execute(sql: "INSERT INTO domain (name, added_at) VALUES ('example.org', 1)")
        }
        let before = try queue.read(Self.schema)
        try Store.migrator.migrate(queue)
        #expect(try queue.read(Self.schema) == before)
        #expect(try queue.read { db in try String.fetchAll(db, sql: "SELECT name FROM domain") } == ["example.org"])
    }

    @Test func reopeningAStoreKeepsItsData() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailkeys-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mailkeys.sqlite").path
        let created = try Store.create(at: path)
        try created.transaction { tx in try tx.ensureDomain(try name("example.org"), at: t0) }
        let reopened = try Store.open(at: path)
        #expect(try reopened.domains().map(\.name) == [try name("example.org")])
        expectStoreError(.exists, "already exists") { try Store.create(at: path) }
    }

    @Test func aStoreFromANewerVersionIsRefused() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mailkeys-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("mailkeys.sqlite").path
        let store = try Store.create(at: path)
        try writeRaw(store, "INSERT INTO grdb_migrations (identifier) VALUES ('2099-01-01-future')")
        expectStoreError(.newer, "2099-01-01-future") { try Store.open(at: path) }
    }
}
