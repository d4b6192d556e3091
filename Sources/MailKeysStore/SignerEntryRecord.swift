import GRDB
import MailKeysCore

/// A row of `signer_entry`: the hash of one domain's signing keys as the signers' tables hold
/// them.
struct SignerEntryRecord: StoreRecord {
    static let databaseTableName = "signer_entry"

    static let createTable = """
        CREATE TABLE signer_entry (
            domain TEXT PRIMARY KEY,
            digest TEXT NOT NULL
        ) STRICT, WITHOUT ROWID;
        """

    var domain: String
    var digest: String

    enum Columns {
        static let domain = Column("domain")
    }

    init(domain: DomainName, digest: String) {
        self.domain = StoredName.text(domain)
        self.digest = digest
    }

    /// Read by column name without the `Decodable` machinery.
    init(row: Row) throws {
        domain = try row.decode(forColumn: "domain")
        digest = try row.decode(forColumn: "digest")
    }

    func name() throws -> DomainName {
        try StoredName.parse(domain, table: Self.databaseTableName, column: "domain")
    }
}
