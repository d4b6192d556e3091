import GRDB

/// The one row of `signer_tables`: what the signers' tables were last written from
/// (``SignerTablesState``, without the per-domain hashes).
struct SignerTablesRecord: StoreRecord {
    static let databaseTableName = "signer_tables"

    static let createTable = """
        CREATE TABLE signer_tables (
            id INTEGER PRIMARY KEY CHECK (id = 1),
            inputs TEXT NOT NULL,
            markers TEXT NOT NULL
        ) STRICT;
        """

    var id: Int64 = 1
    var inputs: String
    var markers: String
}
