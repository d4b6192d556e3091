import Foundation
import GRDB
import MailKeysCore

extension TLSARecord {
    /// The TLSA records now in a domain's zone.
    static let publishedQuery = DomainQuery(table: databaseTableName, filter: "removed_at IS NULL")
    /// Every TLSA record a domain's zone has had, by first publication.
    static let historyQuery = DomainQuery(table: databaseTableName, order: "published_at")

    /// When each record of `records` was first published (`owner rdata` → time).
    static func published(_ records: [Self], of _: DomainName) -> [String: Date] {
        var out: [String: Date] = [:]
        for r in records { out[r.record] = StoredTime.date(r.publishedAt) }
        return out
    }
}

extension Store {
    /// When each TLSA record in `domain`'s zone was first published.
    public func tlsaPublished(domain: DomainName) throws -> [String: Date] {
        try reading { tx in try tx.tlsaPublished(domain: domain) }
    }

    /// When each TLSA record in the zone of each of `domains` (nil: every domain) was first
    /// published: what ``tlsaPublished(domain:)`` returns for each, in a few queries. A domain
    /// without TLSA records has no entry.
    public func tlsaPublished(domains: [DomainName]?) throws -> [DomainName: [String: Date]] {
        try reading { tx in try tx.tlsaPublished(domains: domains) }
    }

    /// Every TLSA record `domain`'s zone has had (`owner rdata`), with its publication and removal.
    public func tlsaHistory(domain: DomainName) throws -> [(record: String, published: Date, removed: Date?)] {
        try reading { tx in
            let records: [TLSARecord] = try tx.records(TLSARecord.historyQuery, of: domain)
            return records.map { ($0.record, StoredTime.date($0.publishedAt), StoredTime.date($0.removedAt)) }
        }
    }
}

extension StoreTransaction {
    /// When each TLSA record now in `domain`'s zone was first published (`owner rdata` → time).
    public func tlsaPublished(domain: DomainName) throws -> [String: Date] {
        TLSARecord.published(try records(TLSARecord.publishedQuery, of: domain), of: domain)
    }

    /// When each TLSA record now in the zone of each of `domains` (nil: every domain) was first
    /// published (`owner rdata` → time). A domain without TLSA records has no entry.
    public func tlsaPublished(domains: [DomainName]?) throws -> [DomainName: [String: Date]] {
        try records(TLSARecord.publishedQuery, of: domains, TLSARecord.published)
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
