import GRDB
import MailKeysCore

/// A private key file found to hold the key its row describes: the file's `stat` marker then
/// (size, times, inode) and what it was matched against. A later run that finds the same marker
/// for a row that still says the same need not read and parse the file again: any write, rename
/// or `chmod` of the file moves its change time, which no program can set back. A cache of
/// checks made: a missing or different row means the file is read and checked again.
public struct KeyFileCheck: Sendable, Equatable, Codable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "key_file_check"

    public var domain: String
    /// `dkim` or `dnssec`.
    public var kind: String
    /// The selector (DKIM) or key tag (DNSSEC).
    public var name: String
    /// What the file was matched against (the algorithm and public half the row held).
    public var content: String
    /// The file's marker when it was read.
    public var marker: String

    public init(domain: DomainName, kind: String, name: String, content: String, marker: String) {
        self.domain = StoredName.text(domain)
        self.kind = kind
        self.name = name
        self.content = content
        self.marker = marker
    }

    /// The key of the check in a domain's map (``Store/keyFileChecks(domains:)``).
    public var id: String { "\(kind) \(name)" }

    /// Whether this check still vouches for a file now marked `marker` whose row says `content`.
    public func covers(content: String, marker: String) -> Bool {
        self.content == content && self.marker == marker && marker != "-"
    }

    static let createTable = """
        CREATE TABLE key_file_check (
            domain TEXT NOT NULL REFERENCES domain(name) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('dkim', 'dnssec')),
            name TEXT NOT NULL CHECK (length(name) > 0),
            content TEXT NOT NULL,
            marker TEXT NOT NULL,
            PRIMARY KEY (domain, kind, name)
        ) STRICT
        """

    static let query = DomainQuery(table: databaseTableName)
}

extension Store {
    /// The key file checks of `domains`, each domain's by ``KeyFileCheck/id``.
    public func keyFileChecks(domains: [DomainName]) throws -> [DomainName: [String: KeyFileCheck]] {
        try reading { tx in
            try tx.records(KeyFileCheck.query, of: domains) { (rows: [KeyFileCheck], _) in
                Dictionary(rows.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            }
        }
    }

}

extension StoreTransaction {
    /// Records `checks`, replacing a domain's earlier check of the same key.
    public func record(keyFileChecks checks: [KeyFileCheck]) throws {
        for check in checks { try check.save(db) }
    }
}
