import Foundation
import GRDB
import MailKeysCore

extension Store {
    /// When each TLSA record in `domain`'s zone was first published.
    public func tlsaPublished(domain: DomainName) throws -> [String: Date] {
        try reading { tx in try tx.tlsaPublished(domain: domain) }
    }

    /// Every TLSA record `domain`'s zone has had (`owner rdata`), with its publication and removal.
    public func tlsaHistory(domain: DomainName) throws -> [(record: String, published: Date, removed: Date?)] {
        try read { db in
            typealias C = TLSARecord.Columns
            return try TLSARecord.filter(C.domain == StoredName.text(domain)).order(C.publishedAt).fetchAll(db).map {
                ($0.record, StoredTime.date($0.publishedAt), StoredTime.date($0.removedAt))
            }
        }
    }
}

extension StoreTransaction {
    /// When each TLSA record now in `domain`'s zone was first published (`owner rdata` → time).
    public func tlsaPublished(domain: DomainName) throws -> [String: Date] {
        typealias C = TLSARecord.Columns
        var out: [String: Date] = [:]
        for r in try TLSARecord.filter(C.domain == StoredName.text(domain) && C.removedAt == nil).fetchAll(db) {
            out[r.record] = StoredTime.date(r.publishedAt)
        }
        return out
    }

    /// Records the TLSA set written at `now`: new records published, vanished ones removed.
    public func recordTLSA(domain: DomainName, records: [(owner: String, rdata: String)], now: Date) throws {
        typealias C = TLSARecord.Columns
        let current = try tlsaPublished(domain: domain)
        let wanted = Set(records.map { "\($0.owner) \($0.rdata)" })
        let name = StoredName.text(domain)
        for r in records where current["\(r.owner) \(r.rdata)"] == nil {
            // A record back after its removal is published anew: its removal is cleared.
            let row = TLSARecord(domain: name, owner: r.owner, rdata: r.rdata, publishedAt: StoredTime.seconds(now))
            try row.insertOrUpdate(
                db,
                conflictingOn: [C.domain, C.owner, C.rdata],
                updating: [C.publishedAt, C.removedAt]
            )
        }
        for key in current.keys where !wanted.contains(key) {
            let parts = key.split(separator: " ", maxSplits: 1).map(String.init)
            _ = try TLSARecord.filter(C.domain == name && C.owner == parts[0] && C.rdata == parts[1])
                .updateAll(db, C.removedAt.set(to: StoredTime.seconds(now)))
        }
    }
}
