import GRDB

/// A row of the `tlsa` table: one TLSA record a domain's zone has had, with its lifetime.
struct TLSARecord: StoreRecord {
    static let databaseTableName = "tlsa"

    var domain: String
    var owner: String
    var rdata: String
    var publishedAt: Int64
    var removedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case domain, owner, rdata
        case publishedAt = "published_at"
        case removedAt = "removed_at"
    }

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let owner = Column(CodingKeys.owner)
        static let rdata = Column(CodingKeys.rdata)
        static let publishedAt = Column(CodingKeys.publishedAt)
        static let removedAt = Column(CodingKeys.removedAt)
    }

    /// The record as the store's API names it: `owner rdata`.
    var record: String { "\(owner) \(rdata)" }
}
