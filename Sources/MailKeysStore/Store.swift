import Foundation
import GRDB
import MailKeysCore

/// Errors of the key store: a code and a one-line reason.
public struct StoreError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable { case missing, exists, corrupt, locked, foreign, newer, failed }
    public let code: Code
    public let reason: String
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { reason }
}

/// A domain row of the store.
public struct DomainRow: Sendable, Equatable {
    public var name: String
    public var state: ZoneState
    public var builtAt: Date?
    public var addedAt: Date
}

/// An entry of the store's event log.
public struct EventRow: Sendable, Equatable {
    public var at: Date
    public var domain: String?
    public var action: String
    public var detail: String
}

/// A key row: every key mailkeys tracks (DKIM, TLS, DNSSEC) with its lifecycle timestamps.
public struct KeyRow: Sendable, Equatable {
    public var id: Int64
    public var domain: String
    public var kind: String
    public var name: String
    public var algorithm: String
    public var createdAt: Date
    public var publishedAt: Date?
    public var activeAt: Date?
    public var retiredAt: Date?
    public var removedAt: Date?
}

/// The SQLite key store (`Keys/mailkeys.sqlite`): domains with their serials and content
/// hashes, keys with their timestamps, and an event log. Opened only by one process at a time
/// (the home lock); every change runs in one transaction.
public final class Store {
    /// `PRAGMA application_id` of a mailkeys store: "mkey".
    public static let applicationID: Int32 = 0x6D6B_6579

    let queue: DatabaseQueue
    public let path: String

    private init(queue: DatabaseQueue, path: String) {
        self.queue = queue
        self.path = path
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "mailkeys-store"
        return config
    }

    /// The append-only, named migrations; each runs in its own transaction. Never edit one that
    /// has shipped: add a new one.
    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("2026-11-21-domains") { db in
            try db.execute(sql: "PRAGMA application_id = \(applicationID)")
            try db.execute(
                sql: """
                    CREATE TABLE domain (
                        name TEXT PRIMARY KEY NOT NULL
                            CHECK (length(name) BETWEEN 1 AND 253 AND name = lower(name) AND name NOT LIKE '%.'),
                        serial INTEGER CHECK (serial BETWEEN 1 AND 4294967295),
                        content_hash TEXT CHECK (content_hash IS NULL OR length(content_hash) = 64),
                        file_hash TEXT CHECK (file_hash IS NULL OR length(file_hash) = 64),
                        built_at INTEGER,
                        added_at INTEGER NOT NULL,
                        CHECK ((serial IS NULL) = (content_hash IS NULL))
                    ) STRICT
                    """)
        }
        m.registerMigration("2026-11-21-keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE key (
                        id INTEGER PRIMARY KEY,
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        kind TEXT NOT NULL CHECK (kind IN ('dkim', 'tls', 'dnssec')),
                        name TEXT NOT NULL CHECK (length(name) > 0),
                        algorithm TEXT NOT NULL CHECK (length(algorithm) > 0),
                        created_at INTEGER NOT NULL,
                        published_at INTEGER CHECK (published_at >= created_at),
                        active_at INTEGER CHECK (active_at >= published_at),
                        retired_at INTEGER CHECK (retired_at >= active_at),
                        removed_at INTEGER CHECK (removed_at >= published_at),
                        UNIQUE (domain, kind, name)
                    ) STRICT
                    """)
        }
        m.registerMigration("2026-11-21-events") { db in
            try db.execute(
                sql: """
                    CREATE TABLE event (
                        id INTEGER PRIMARY KEY,
                        at INTEGER NOT NULL,
                        domain TEXT REFERENCES domain(name) ON DELETE CASCADE,
                        action TEXT NOT NULL CHECK (length(action) > 0),
                        detail TEXT NOT NULL
                    ) STRICT;
                    CREATE INDEX event_at ON event(at);
                    """)
        }
        m.registerMigration("2026-11-21-dkim") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN public_key TEXT CHECK (public_key IS NULL OR length(public_key) > 0);
                    ALTER TABLE key ADD COLUMN revoked_at INTEGER;
                    ALTER TABLE key ADD COLUMN revealed_at INTEGER;
                    CREATE TRIGGER key_dkim_public_key BEFORE INSERT ON key
                    WHEN NEW.kind = 'dkim' AND NEW.public_key IS NULL
                    BEGIN SELECT RAISE(ABORT, 'a DKIM key needs its public key'); END;
                    """)
        }
        m.registerMigration("2026-11-21-dnssec") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN role TEXT CHECK (role IS NULL OR role IN ('csk', 'ksk', 'zsk'));
                    ALTER TABLE domain ADD COLUMN signed_file_hash TEXT CHECK (signed_file_hash IS NULL OR length(signed_file_hash) = 64);
                    ALTER TABLE domain ADD COLUMN signatures_expire_at INTEGER;
                    CREATE TRIGGER key_dnssec_role BEFORE INSERT ON key
                    WHEN NEW.kind = 'dnssec' AND (NEW.role IS NULL OR NEW.public_key IS NULL)
                    BEGIN SELECT RAISE(ABORT, 'a DNSSEC key needs its role and DNSKEY'); END;
                    """)
        }
        // KSK/CSK rollovers: CDS/CDNSKEY published (ready), then the new DS seen at the parent.
        m.registerMigration("2026-11-22-ksk") { db in
            try db.execute(
                sql: """
                    ALTER TABLE key ADD COLUMN ready_at INTEGER
                        CHECK (ready_at IS NULL OR (published_at IS NOT NULL AND ready_at >= published_at));
                    ALTER TABLE key ADD COLUMN ds_seen_at INTEGER
                        CHECK (ds_seen_at IS NULL OR (ready_at IS NOT NULL AND ds_seen_at >= ready_at));
                    """)
        }
        m.registerMigration("2026-11-22-tls") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tls_cert (
                        id INTEGER PRIMARY KEY,
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253 AND host = lower(host)),
                        fingerprint TEXT NOT NULL CHECK (length(fingerprint) = 64),
                        spki TEXT NOT NULL CHECK (length(spki) = 64),
                        key_type TEXT NOT NULL CHECK (key_type IN ('rsa', 'ecdsa')),
                        issuers TEXT NOT NULL,
                        not_before INTEGER NOT NULL,
                        not_after INTEGER NOT NULL CHECK (not_after > not_before),
                        lineage TEXT,
                        state TEXT NOT NULL CHECK (state IN ('pending', 'served', 'replaced')),
                        imported_at INTEGER NOT NULL,
                        installed_at INTEGER CHECK (installed_at IS NULL OR installed_at >= imported_at),
                        replaced_at INTEGER CHECK (replaced_at IS NULL OR replaced_at >= imported_at),
                        CHECK ((state = 'served') = (installed_at IS NOT NULL AND replaced_at IS NULL) OR state = 'replaced'),
                        UNIQUE (domain, host, fingerprint)
                    ) STRICT;
                    CREATE TABLE tlsa (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
                        owner TEXT NOT NULL CHECK (length(owner) > 0),
                        rdata TEXT NOT NULL CHECK (rdata GLOB '[23] 1 1 *' AND length(rdata) = 70),
                        published_at INTEGER NOT NULL,
                        removed_at INTEGER CHECK (removed_at IS NULL OR removed_at >= published_at),
                        PRIMARY KEY (domain, owner, rdata)
                    ) STRICT;
                    """)
        }
        m.registerMigration("2026-11-22-tls-next") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tls_next (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE RESTRICT,
                        host TEXT NOT NULL CHECK (length(host) BETWEEN 1 AND 253 AND host = lower(host)),
                        key_type TEXT NOT NULL CHECK (key_type IN ('rsa', 'ecdsa')),
                        spki TEXT NOT NULL CHECK (length(spki) = 64),
                        created_at INTEGER NOT NULL,
                        used_at INTEGER CHECK (used_at IS NULL OR used_at >= created_at),
                        PRIMARY KEY (domain, host, spki)
                    ) STRICT;
                    """)
        }
        m.registerMigration("2026-11-22-export") { db in
            try db.execute(
                sql: """
                    CREATE TABLE export (
                        domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
                        target TEXT NOT NULL CHECK (length(target) > 0),
                        serial INTEGER NOT NULL CHECK (serial BETWEEN 1 AND 4294967295),
                        file_hash TEXT NOT NULL CHECK (length(file_hash) = 64),
                        attempted_at INTEGER NOT NULL,
                        confirmed_at INTEGER,
                        error TEXT,
                        CHECK ((confirmed_at IS NULL) = (error IS NOT NULL)),
                        PRIMARY KEY (domain, target)
                    ) STRICT;
                    """)
        }
        m.registerMigration("2026-12-01-intent") { db in try db.execute(sql: IntentStep.createTable) }
        return m
    }

    /// Creates a new store at `path`; refuses if a file is already there.
    public static func create(at path: String) throws -> Store {
        guard !FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.exists, "store \(path) already exists; it is never overwritten")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            try migrator.migrate(queue)
            try queue.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA journal_mode = WAL") }
            return Store(queue: queue, path: path)
        } catch let e as DatabaseError {
            throw StoreError(.failed, "cannot create store \(path): \(e.message ?? "\(e)")")
        }
    }

    /// Opens an existing store, checks it is a mailkeys store in good shape, and applies any
    /// migration this version adds. A missing file is an error (never created here), a foreign
    /// or damaged file is refused and left as it is.
    public static func open(at path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.missing, "store \(path) is missing; run 'mailkeys init' or restore it from a backup")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            let (appID, check) = try queue.read { db in
                (
                    try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0,
                    try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?"
                )
            }
            guard appID == applicationID else {
                throw StoreError(.foreign, "\(path) is an SQLite database but not a mailkeys store; it was left untouched")
            }
            guard check == "ok" else {
                throw StoreError(.corrupt, "store \(path) is damaged (\(check)); it was left untouched")
            }
            let known = Set(migrator.migrations)
            let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError(.newer, "store \(path) was written by a newer mailkeys (migration \(unknown)); upgrade mailkeys")
            }
            try migrator.migrate(queue)
            return Store(queue: queue, path: path)
        } catch let e as DatabaseError {
            throw map(e, path: path)
        }
    }

    static func map(_ e: DatabaseError, path: String) -> StoreError {
        switch e.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return StoreError(.locked, "store \(path) is locked by another process; try again later")
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return StoreError(.corrupt, "store \(path) is not a database or is damaged; it was left untouched")
        default:
            return StoreError(.failed, "store \(path): \(e.message ?? "\(e)")")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try queue.read(body) } catch let e as DatabaseError { throw Self.map(e, path: path) }
    }

    /// Runs `body` in one immediate transaction; any throw rolls everything back.
    public func transaction<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        do {
            var result: T?
            try queue.inTransaction(.immediate) { db in
                result = try body(StoreTransaction(db: db))
                if FaultPoint.hit("commit") { throw StoreError(.failed, "cannot commit to store \(path): \(String(cString: strerror(errno)))") }
                return .commit
            }
            return result!
        } catch let e as DatabaseError {
            throw Self.map(e, path: path)
        }
    }

    /// Every domain, by name.
    public func domains() throws -> [DomainRow] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM domain ORDER BY name").map(Self.domainRow)
        }
    }

    /// The newest events first.
    public func events(domain: String? = nil, limit: Int = 10) throws -> [EventRow] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT * FROM event WHERE (? IS NULL OR domain = ?) ORDER BY id DESC LIMIT ?",
                arguments: [domain, domain, limit]
            ).map {
                EventRow(
                    at: Date(timeIntervalSince1970: TimeInterval($0["at"] as Int64)), domain: $0["domain"], action: $0["action"], detail: $0["detail"]
                )
            }
        }
    }

    /// Every key of `domain` (all domains when nil).
    public func keys(domain: String? = nil) throws -> [KeyRow] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM key WHERE (? IS NULL OR domain = ?) ORDER BY domain, kind, created_at, name", arguments: [domain, domain]
            ).map { row in
                func d(_ c: String) -> Date? { (row[c] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) } }
                return KeyRow(
                    id: row["id"], domain: row["domain"], kind: row["kind"], name: row["name"], algorithm: row["algorithm"],
                    createdAt: d("created_at")!, publishedAt: d("published_at"), activeAt: d("active_at"),
                    retiredAt: d("retired_at"), removedAt: d("removed_at"))
            }
        }
    }

    /// The DKIM keys of `domain`, oldest first.
    public func dkimKeys(domain: String) throws -> [DKIMKey] {
        try read { db in try StoreTransaction(db: db).dkimKeys(domain: domain) }
    }

    static func domainRow(_ row: Row) -> DomainRow {
        let serial: Int64? = row["serial"]
        let built: Int64? = row["built_at"]
        return DomainRow(
            name: row["name"],
            state: ZoneState(serial: serial.map { UInt32($0) }, contentHash: row["content_hash"], fileHash: row["file_hash"]),
            builtAt: built.map { Date(timeIntervalSince1970: TimeInterval($0)) },
            addedAt: Date(timeIntervalSince1970: TimeInterval(row["added_at"] as Int64)))
    }
}

/// The changes one transaction can make.
public struct StoreTransaction {
    let db: Database

    /// Adds `name` if the store does not know it yet.
    public func ensureDomain(_ name: String, at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO domain (name, added_at) VALUES (?, ?) ON CONFLICT(name) DO NOTHING",
            arguments: [name, Int64(now.timeIntervalSince1970)])
    }

    /// The stored state of `name`.
    public func domain(_ name: String) throws -> DomainRow? {
        try Row.fetchOne(db, sql: "SELECT * FROM domain WHERE name = ?", arguments: [name]).map(Store.domainRow)
    }

    /// Records that `name`'s zone was written with `serial`.
    public func recordBuild(_ name: String, serial: UInt32, contentHash: String, fileHash: String, at now: Date) throws {
        try db.execute(
            sql: "UPDATE domain SET serial = ?, content_hash = ?, file_hash = ?, built_at = ? WHERE name = ?",
            arguments: [Int64(serial), contentHash, fileHash, Int64(now.timeIntervalSince1970), name])
        guard db.changesCount == 1 else { throw StoreError(.failed, "domain \(name) is not in the store") }
    }

    /// Appends to the event log.
    public func log(_ action: String, domain: String?, detail: String, at now: Date) throws {
        try db.execute(
            sql: "INSERT INTO event (at, domain, action, detail) VALUES (?, ?, ?, ?)",
            arguments: [Int64(now.timeIntervalSince1970), domain, action, detail])
    }
}

extension StoreTransaction {
    static func date(_ row: Row, _ column: String) -> Date? {
        (row[column] as Int64?).map { Date(timeIntervalSince1970: TimeInterval($0)) }
    }

    static func seconds(_ d: Date?) -> Int64? { d.map { Int64($0.timeIntervalSince1970) } }

    /// The DKIM keys of `domain`, oldest first.
    public func dkimKeys(domain: String) throws -> [DKIMKey] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM key WHERE domain = ? AND kind = 'dkim' ORDER BY created_at, name", arguments: [domain]
        ).map { row in
            let algorithm: String = row["algorithm"]
            guard let a = DKIMAlgorithm(rawValue: algorithm) else {
                throw StoreError(.corrupt, "store: DKIM key \(row["name"] as String) has the unknown algorithm '\(algorithm)'")
            }
            return DKIMKey(
                selector: row["name"], algorithm: a, publicKey: row["public_key"], created: Self.date(row, "created_at")!,
                published: Self.date(row, "published_at"), active: Self.date(row, "active_at"), retired: Self.date(row, "retired_at"),
                revoked: Self.date(row, "revoked_at"), removed: Self.date(row, "removed_at"), revealed: Self.date(row, "revealed_at"))
        }
    }

    /// Inserts a new DKIM key (its selector must be new for the domain).
    public func insertDKIM(_ key: DKIMKey, domain: String) throws {
        try db.execute(
            sql: """
                INSERT INTO key (domain, kind, name, algorithm, public_key, created_at, published_at, active_at, retired_at,
                                 revoked_at, removed_at, revealed_at)
                VALUES (?, 'dkim', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                domain, key.selector, key.algorithm.rawValue, key.publicKey, Self.seconds(key.created), Self.seconds(key.published),
                Self.seconds(key.active), Self.seconds(key.retired), Self.seconds(key.revoked), Self.seconds(key.removed),
                Self.seconds(key.revealed),
            ])
    }

    /// Writes the timestamps of an existing DKIM key.
    public func updateDKIM(_ key: DKIMKey, domain: String) throws {
        try db.execute(
            sql: """
                UPDATE key SET published_at = ?, active_at = ?, retired_at = ?, revoked_at = ?, removed_at = ?, revealed_at = ?
                WHERE domain = ? AND kind = 'dkim' AND name = ?
                """,
            arguments: [
                Self.seconds(key.published), Self.seconds(key.active), Self.seconds(key.retired), Self.seconds(key.revoked),
                Self.seconds(key.removed), Self.seconds(key.revealed), domain, key.selector,
            ])
        guard db.changesCount == 1 else { throw StoreError(.failed, "DKIM key \(key.selector) of \(domain) is not in the store") }
    }
}

extension StoreTransaction {
    /// The DNSSEC keys of `domain`, oldest first.
    public func dnssecKeys(domain: String) throws -> [DNSSECKey] {
        try Row.fetchAll(
            db, sql: "SELECT * FROM key WHERE domain = ? AND kind = 'dnssec' ORDER BY created_at, name", arguments: [domain]
        ).map { row in
            guard let role = DNSSECKey.Role(rawValue: row["role"] ?? ""), let tag = UInt16(row["name"] as String),
                let algorithm = Int(row["algorithm"] as String)
            else { throw StoreError(.corrupt, "store: DNSSEC key \(row["name"] as String) of \(domain) is malformed") }
            var k = DNSSECKey(
                tag: tag, role: role, algorithm: algorithm, dnskey: row["public_key"], created: Self.date(row, "created_at")!,
                published: Self.date(row, "published_at"), active: Self.date(row, "active_at"))
            k.ready = Self.date(row, "ready_at")
            k.dsSeen = Self.date(row, "ds_seen_at")
            k.retired = Self.date(row, "retired_at")
            k.removed = Self.date(row, "removed_at")
            return k
        }
    }

    /// Inserts a new DNSSEC key.
    public func insertDNSSEC(_ key: DNSSECKey, domain: String) throws {
        try db.execute(
            sql: """
                INSERT INTO key (domain, kind, name, algorithm, public_key, role, created_at, published_at, ready_at, ds_seen_at,
                                 active_at, retired_at, removed_at)
                VALUES (?, 'dnssec', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                domain, String(key.tag), String(key.algorithm), key.dnskey, key.role.rawValue, Self.seconds(key.created),
                Self.seconds(key.published), Self.seconds(key.ready), Self.seconds(key.dsSeen), Self.seconds(key.active),
                Self.seconds(key.retired), Self.seconds(key.removed),
            ])
    }

    /// Records that the signed zone of `name` was written.
    public func recordSigning(_ name: String, fileHash: String, expiresAt: Date) throws {
        try db.execute(
            sql: "UPDATE domain SET signed_file_hash = ?, signatures_expire_at = ? WHERE name = ?",
            arguments: [fileHash, Self.seconds(expiresAt), name])
    }

    /// The signed file hash and signature expiration of `name`.
    public func signingState(_ name: String) throws -> (fileHash: String?, expiresAt: Date?) {
        guard let row = try Row.fetchOne(db, sql: "SELECT signed_file_hash, signatures_expire_at FROM domain WHERE name = ?", arguments: [name])
        else { return (nil, nil) }
        return (row["signed_file_hash"], Self.date(row, "signatures_expire_at"))
    }
}

extension Store {
    /// The DNSSEC keys of `domain`, oldest first.
    public func dnssecKeys(domain: String) throws -> [DNSSECKey] {
        try read { db in try StoreTransaction(db: db).dnssecKeys(domain: domain) }
    }

    /// The signed file hash and signature expiration of `domain`.
    public func signingState(_ domain: String) throws -> (fileHash: String?, expiresAt: Date?) {
        try read { db in try StoreTransaction(db: db).signingState(domain) }
    }
}

extension StoreTransaction {
    /// Writes the timestamps of an existing DNSSEC key.
    public func updateDNSSEC(_ key: DNSSECKey, domain: String) throws {
        try db.execute(
            sql: """
                UPDATE key SET published_at = ?, ready_at = ?, ds_seen_at = ?, active_at = ?, retired_at = ?, removed_at = ?
                WHERE domain = ? AND kind = 'dnssec' AND name = ?
                """,
            arguments: [
                Self.seconds(key.published), Self.seconds(key.ready), Self.seconds(key.dsSeen), Self.seconds(key.active),
                Self.seconds(key.retired), Self.seconds(key.removed), domain, String(key.tag),
            ])
        guard db.changesCount == 1 else { throw StoreError(.failed, "DNSSEC key \(key.tag) of \(domain) is not in the store") }
    }
}

extension StoreTransaction {
    /// The certificates recorded for `domain`'s MX hosts, oldest first.
    public func tlsCertificates(domain: String) throws -> [TLSCertificate] {
        try Row.fetchAll(db, sql: "SELECT * FROM tls_cert WHERE domain = ? ORDER BY imported_at, id", arguments: [domain]).map { row in
            guard let type = TLSKeyType(rawValue: row["key_type"]), let state = TLSCertificate.State(rawValue: row["state"]) else {
                throw StoreError(.corrupt, "store: certificate \(row["fingerprint"] as String) of \(domain) is malformed")
            }
            var c = TLSCertificate(
                host: DomainName(presentation: row["host"]), spki: row["spki"], keyType: type,
                issuers: (row["issuers"] as String).split(separator: " ").map(String.init),
                notBefore: Self.date(row, "not_before")!, notAfter: Self.date(row, "not_after")!, fingerprint: row["fingerprint"],
                lineage: row["lineage"], state: state, imported: Self.date(row, "imported_at")!)
            c.installed = Self.date(row, "installed_at")
            c.replaced = Self.date(row, "replaced_at")
            return c
        }
    }

    /// Inserts a certificate, or updates the state and times of one already recorded.
    public func saveTLSCertificate(_ c: TLSCertificate, domain: String) throws {
        try db.execute(
            sql: """
                INSERT INTO tls_cert (domain, host, fingerprint, spki, key_type, issuers, not_before, not_after, lineage, state,
                                      imported_at, installed_at, replaced_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain, host, fingerprint) DO UPDATE SET
                    state = excluded.state, installed_at = excluded.installed_at, replaced_at = excluded.replaced_at,
                    lineage = excluded.lineage
                """,
            arguments: [
                domain, c.host.description, c.fingerprint, c.spki, c.keyType.rawValue, c.issuers.joined(separator: " "),
                Self.seconds(c.notBefore), Self.seconds(c.notAfter), c.lineage, c.state.rawValue, Self.seconds(c.imported),
                Self.seconds(c.installed), Self.seconds(c.replaced),
            ])
    }

    /// When each TLSA record now in `domain`'s zone was first published (`owner rdata` → time).
    public func tlsaPublished(domain: String) throws -> [String: Date] {
        var out: [String: Date] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT owner, rdata, published_at FROM tlsa WHERE domain = ? AND removed_at IS NULL", arguments: [domain])
        {
            out["\(row["owner"] as String) \(row["rdata"] as String)"] = Self.date(row, "published_at")
        }
        return out
    }

    /// Records the TLSA set written at `now`: new records published, vanished ones removed.
    public func recordTLSA(domain: String, records: [(owner: String, rdata: String)], now: Date) throws {
        let current = try tlsaPublished(domain: domain)
        let wanted = Set(records.map { "\($0.owner) \($0.rdata)" })
        for r in records where current["\(r.owner) \(r.rdata)"] == nil {
            try db.execute(
                sql: """
                    INSERT INTO tlsa (domain, owner, rdata, published_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (domain, owner, rdata) DO UPDATE SET published_at = excluded.published_at, removed_at = NULL
                    """, arguments: [domain, r.owner, r.rdata, Self.seconds(now)])
        }
        for key in current.keys where !wanted.contains(key) {
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            try db.execute(
                sql: "UPDATE tlsa SET removed_at = ? WHERE domain = ? AND owner = ? AND rdata = ?",
                arguments: [Self.seconds(now), domain, parts[0], parts[1]])
        }
    }
}

extension Store {
    /// The certificates recorded for `domain`'s MX hosts.
    public func tlsCertificates(domain: String) throws -> [TLSCertificate] {
        try read { db in try StoreTransaction(db: db).tlsCertificates(domain: domain) }
    }

    /// When each TLSA record in `domain`'s zone was first published.
    public func tlsaPublished(domain: String) throws -> [String: Date] {
        try read { db in try StoreTransaction(db: db).tlsaPublished(domain: domain) }
    }

    /// Every TLSA record `domain`'s zone has had (`owner rdata`), with its publication and removal.
    public func tlsaHistory(domain: String) throws -> [(record: String, published: Date, removed: Date?)] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM tlsa WHERE domain = ? ORDER BY published_at", arguments: [domain]).map {
                (
                    "\($0["owner"] as String) \($0["rdata"] as String)", StoreTransaction.date($0, "published_at")!,
                    StoreTransaction.date($0, "removed_at")
                )
            }
        }
    }
}

extension StoreTransaction {
    /// The next keys (scheme current+next) of `domain`'s MX hosts, oldest first.
    public func tlsNextKeys(domain: String) throws -> [TLSNextKey] {
        try Row.fetchAll(db, sql: "SELECT * FROM tls_next WHERE domain = ? ORDER BY created_at, spki", arguments: [domain]).map { row in
            guard let type = TLSKeyType(rawValue: row["key_type"]) else {
                throw StoreError(.corrupt, "store: next key \(row["spki"] as String) of \(domain) is malformed")
            }
            return TLSNextKey(
                host: DomainName(presentation: row["host"]), keyType: type, spki: row["spki"], created: Self.date(row, "created_at")!,
                used: Self.date(row, "used_at"))
        }
    }

    /// Inserts a next key or records when it was used.
    public func saveTLSNextKey(_ k: TLSNextKey, domain: String) throws {
        try db.execute(
            sql: """
                INSERT INTO tls_next (domain, host, key_type, spki, created_at, used_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (domain, host, spki) DO UPDATE SET used_at = excluded.used_at
                """,
            arguments: [domain, k.host.description, k.keyType.rawValue, k.spki, Self.seconds(k.created), Self.seconds(k.used)])
    }
}

extension Store {
    /// The next keys (scheme current+next) of `domain`'s MX hosts.
    public func tlsNextKeys(domain: String) throws -> [TLSNextKey] {
        try read { db in try StoreTransaction(db: db).tlsNextKeys(domain: domain) }
    }
}

/// The last export of a zone to one target.
public struct ExportState: Sendable, Equatable {
    public var serial: UInt32
    public var fileHash: String
    public var attempted: Date
    /// When the server was seen serving `serial` (nil: the attempt failed with `error`).
    public var confirmed: Date?
    public var error: String?
    public init(serial: UInt32, fileHash: String, attempted: Date, confirmed: Date?, error: String?) {
        self.serial = serial
        self.fileHash = fileHash
        self.attempted = attempted
        self.confirmed = confirmed
        self.error = error
    }
}

extension Store {
    /// The last export of `domain` to each target, by target name.
    public func exports(domain: String) throws -> [String: ExportState] {
        try read { db in
            var out: [String: ExportState] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM export WHERE domain = ?", arguments: [domain]) {
                out[row["target"]] = ExportState(
                    serial: UInt32(row["serial"] as Int64), fileHash: row["file_hash"], attempted: StoreTransaction.date(row, "attempted_at")!,
                    confirmed: StoreTransaction.date(row, "confirmed_at"), error: row["error"])
            }
            return out
        }
    }

    /// Records the outcome of an export attempt.
    public func recordExport(domain: String, target: String, state: ExportState) throws {
        try transaction { tx in
            try tx.db.execute(
                sql: """
                    INSERT INTO export (domain, target, serial, file_hash, attempted_at, confirmed_at, error) VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (domain, target) DO UPDATE SET serial = excluded.serial, file_hash = excluded.file_hash,
                        attempted_at = excluded.attempted_at, confirmed_at = excluded.confirmed_at, error = excluded.error
                    """,
                arguments: [
                    domain, target, Int64(state.serial), state.fileHash, StoreTransaction.seconds(state.attempted),
                    StoreTransaction.seconds(state.confirmed), state.error,
                ])
        }
    }
}
