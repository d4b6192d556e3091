import Foundation
import GRDB
import MailKeysCore

/// The SQLite key store (`Keys/mailkeys.sqlite`): domains with their serials and content
/// hashes, keys with their timestamps, and an event log. Opened only by one process at a time
/// (the home lock); every change runs in one transaction.
public final class Store {
    /// `PRAGMA application_id` of a mailkeys store: "mkey".
    public static let applicationID: Int32 = 0x6D6B_6579

    let queue: DatabaseQueue
    /// The store file (`:memory:` for a store that lives in memory).
    public let path: String
    /// Whether the store is known sound: `PRAGMA quick_check` passed since it was opened (it
    /// reads every page, 0.1 s for a store of 10,000 domains, so it runs before the first write,
    /// not on open), or the file is exactly as a run left it after a check passed
    /// (``checkedMarker``).
    private(set) var checked: Bool
    /// How many times `PRAGMA quick_check` ran on this store (for tests).
    private(set) var checksRun = 0
    /// The file's ``fileMarker()`` when it was opened, for a store checked then.
    private var openedAs: String?
    private let lock = NSLock()

    private init(queue: DatabaseQueue, path: String, checked: Bool = true) {
        self.queue = queue
        self.path = path
        self.checked = checked
    }

    /// The file next to the store that records the store file as the last run left it (device,
    /// inode, size, modification and change times) when that run had checked it, or found it
    /// as the run before left it. A store file with the same marker and no write-ahead log
    /// left over has not been touched since, by anything (a hand edit, a restored copy, a run
    /// that died in a write all change it), and is not read whole again; any other is.
    public var checkedMarker: String { path + ".checked" }

    /// The store file as `stat` sees it, nil when it cannot be.
    func fileMarker() -> String? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [
            "\(st.st_dev)", "\(st.st_ino)", "\(st.st_size)", "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec)",
            "\(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)",
        ].joined(separator: " ")
    }

    /// Whether the store file is as a run that had checked it left it (``checkedMarker``).
    private func leftChecked() -> Bool {
        var st = stat()
        if stat(path + "-wal", &st) == 0, st.st_size > 0 { return false }
        guard let now = fileMarker(), let data = FileManager.default.contents(atPath: checkedMarker),
            String(decoding: data, as: UTF8.self) == now
        else { return false }
        openedAs = now
        return true
    }

    /// Closes the store; when it is known sound, records the file as it is left
    /// (``checkedMarker``) so the next run need not read it whole. Errors only lose the record.
    public func close() {
        lock.withLock {
            do { try queue.close() } catch { return }
            guard checked, path != ":memory:", let marker = fileMarker(), marker != openedAs else { return }
            let fd = Foundation.open(checkedMarker, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o600)
            guard fd >= 0 else { return }
            let bytes = Array(marker.utf8)
            let ok = write(fd, bytes, bytes.count) == bytes.count
            if fsync(fd) != 0 || !ok { _ = unlink(checkedMarker) }
            Foundation.close(fd)
        }
    }

    /// Refuses a damaged store before anything is written to it; once per store opened.
    func checkBeforeWriting() throws {
        try lock.withLock {
            guard !checked else { return }
            let check: String
            do {
                checksRun += 1
                check = try queue.read { db in try String.fetchOne(db, sql: "PRAGMA quick_check") ?? "?" }
            } catch let e as DatabaseError {
                throw Self.map(e, path: path)
            }
            guard check == "ok" else {
                throw StoreError(.corrupt, "store \(path) is damaged (\(check)); it was left untouched")
            }
            checked = true
        }
    }

    static func configuration() -> Configuration {
        var config = Configuration()
        config.foreignKeysEnabled = true
        config.busyMode = .timeout(5)
        config.label = "mailkeys-store"
        return config
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

    /// A new, migrated store that lives in memory and vanishes with the value (for tests).
    public static func inMemory() throws -> Store {
        let path = ":memory:"
        do {
            let queue = try DatabaseQueue(configuration: configuration())
            try migrator.migrate(queue)
            return Store(queue: queue, path: path)
        } catch let e as DatabaseError {
            throw map(e, path: path)
        }
    }

    /// Opens an existing store, checks it is a mailkeys store, and applies any migration this
    /// version adds. A missing file is an error (never created here), a foreign or damaged file
    /// is refused and left as it is: damage in what a run reads is reported as it is read
    /// (SQLite checks every page it reads), and `PRAGMA quick_check` of every page runs before
    /// the first write (a migration, a run's commit), so a run that only reads (`status`, an
    /// idle `tick`) does not pay for reading the whole file; nor does a write to a file that is
    /// exactly as a run that had checked it left it (``checkedMarker``).
    public static func open(at path: String) throws -> Store {
        guard FileManager.default.fileExists(atPath: path) else {
            throw StoreError(.missing, "store \(path) is missing; run 'mailkeys init' or restore it from a backup")
        }
        do {
            let queue = try DatabaseQueue(path: path, configuration: configuration())
            let appID = try queue.read { db in try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0 }
            guard appID == applicationID else {
                throw StoreError(
                    .foreign,
                    "\(path) is an SQLite database but not a mailkeys store; it was left untouched"
                )
            }
            let known = Set(migrator.migrations)
            let applied = try queue.read { db in try migrator.appliedIdentifiers(db) }
            if let unknown = applied.subtracting(known).sorted().first {
                throw StoreError(
                    .newer,
                    "store \(path) was written by a newer mailkeys (migration \(unknown)); upgrade mailkeys"
                )
            }
            let store = Store(queue: queue, path: path, checked: false)
            store.checked = store.leftChecked()
            if applied != known {
                try store.checkBeforeWriting()
                try migrator.migrate(queue)
            }
            return store
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
        try checkBeforeWriting()
        do {
            var result: T?
            try queue.inTransaction(.immediate) { db in
                result = try body(StoreTransaction(db: db))
                if FaultPoint.hit("commit") {
                    throw StoreError(.failed, "cannot commit to store \(path): \(String(cString: strerror(errno)))")
                }
                return .commit
            }
            return result!
        } catch let e as DatabaseError {
            throw Self.map(e, path: path)
        }
    }

    /// Runs `body` on a read-only view of the store (the queries a transaction offers).
    func reading<T>(_ body: (StoreTransaction) throws -> T) throws -> T {
        try read { db in try body(StoreTransaction(db: db)) }
    }
}
