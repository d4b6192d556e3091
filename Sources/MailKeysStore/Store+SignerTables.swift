import GRDB
import MailKeysCore

/// What the DKIM signers' tables were written from (``SignerTablesState``).
extension Store {
    /// The recorded state with the hashes of `domains` only (nil: every domain's), or nil when
    /// the tables were never recorded.
    public func signerTables(domains: [DomainName]? = nil) throws -> SignerTablesState? {
        try read { db in
            guard let row = try SignerTablesRecord.fetchOne(db) else { return nil }
            var digests: [DomainName: String] = [:]
            let records: [SignerEntryRecord]
            if let domains {
                var found: [SignerEntryRecord] = []
                for chunk in Self.chunks(domains.map(StoredName.text)) {
                    found += try SignerEntryRecord.filter(keys: chunk).fetchAll(db)
                }
                records = found
            } else {
                records = try SignerEntryRecord.fetchAll(db)
            }
            for r in records { digests[try r.name()] = r.digest }
            return SignerTablesState(inputs: row.inputs, markers: row.markers, domains: digests)
        }
    }

    /// `keys` in lists of at most ``DomainQuery/chunkSize`` (SQLite bounds the variables of a
    /// statement).
    static func chunks(_ keys: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: keys.count, by: DomainQuery.chunkSize).map {
            keys[$0..<min($0 + DomainQuery.chunkSize, keys.count)]
        }
    }

    /// Records `state` as the tables' state: its per-domain hashes replace the recorded ones
    /// (rows that differ written, rows of other domains deleted), in one transaction.
    public func saveSignerTables(_ state: SignerTablesState) throws {
        let old = try signerTables()?.domains ?? [:]
        try transaction { tx in
            try SignerTablesRecord(inputs: state.inputs, markers: state.markers).save(tx.db)
            let gone = Set(old.keys).subtracting(state.domains.keys)
            for chunk in Self.chunks(gone.map(StoredName.text)) {
                _ = try SignerEntryRecord.filter(keys: chunk).deleteAll(tx.db)
            }
            for (name, digest) in state.domains where old[name] != digest {
                try SignerEntryRecord(domain: name, digest: digest).save(tx.db)
            }
        }
    }
}
