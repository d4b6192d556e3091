import GRDB
import MailKeysCore

/// A row of the `key` table: DKIM and DNSSEC keys (and TLS keys, a kind no version writes yet).
struct KeyRecord: StoreRecord {
    static let databaseTableName = "key"

    /// The `kind` column.
    enum Kind: String { case dkim, tls, dnssec }

    var id: Int64?
    var domain: String
    var kind: String
    var name: String
    var algorithm: String
    var publicKey: String?
    var role: String?
    var createdAt: Int64
    var publishedAt: Int64?
    var readyAt: Int64?
    var dsSeenAt: Int64?
    var activeAt: Int64?
    var retiredAt: Int64?
    var revokedAt: Int64?
    var removedAt: Int64?
    var revealedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, domain, kind, name, algorithm, role
        case publicKey = "public_key"
        case createdAt = "created_at"
        case publishedAt = "published_at"
        case readyAt = "ready_at"
        case dsSeenAt = "ds_seen_at"
        case activeAt = "active_at"
        case retiredAt = "retired_at"
        case revokedAt = "revoked_at"
        case removedAt = "removed_at"
        case revealedAt = "revealed_at"
    }

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let kind = Column(CodingKeys.kind)
        static let name = Column(CodingKeys.name)
        static let createdAt = Column(CodingKeys.createdAt)
        static let publishedAt = Column(CodingKeys.publishedAt)
        static let readyAt = Column(CodingKeys.readyAt)
        static let dsSeenAt = Column(CodingKeys.dsSeenAt)
        static let activeAt = Column(CodingKeys.activeAt)
        static let retiredAt = Column(CodingKeys.retiredAt)
        static let revokedAt = Column(CodingKeys.revokedAt)
        static let removedAt = Column(CodingKeys.removedAt)
        static let revealedAt = Column(CodingKeys.revealedAt)
    }

    /// The one key of `kind` of `domain` named `name`.
    static func key(_ kind: Kind, of domain: DomainName, named name: String) -> QueryInterfaceRequest<KeyRecord> {
        filter(Columns.domain == StoredName.text(domain) && Columns.kind == kind.rawValue && Columns.name == name)
    }

    /// The public row; a domain the store cannot have written is a `.corrupt` error.
    func keyRow() throws -> KeyRow {
        KeyRow(
            id: id ?? 0,
            domain: try StoredName.parse(domain, table: Self.databaseTableName, column: "domain"),
            kind: kind,
            name: name,
            algorithm: algorithm,
            createdAt: StoredTime.date(createdAt),
            publishedAt: StoredTime.date(publishedAt),
            activeAt: StoredTime.date(activeAt),
            retiredAt: StoredTime.date(retiredAt),
            removedAt: StoredTime.date(removedAt)
        )
    }
}
