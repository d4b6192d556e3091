import GRDB
import MailKeysCore

/// A row of the `tls_next` table: the next key of an MX host (scheme current+next).
struct TLSNextKeyRecord: StoreRecord {
    static let databaseTableName = "tls_next"

    var domain: String
    var host: String
    var keyType: String
    var spki: String
    var createdAt: Int64
    var usedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case domain, host, spki
        case keyType = "key_type"
        case createdAt = "created_at"
        case usedAt = "used_at"
    }

    enum Columns {
        static let domain = Column(CodingKeys.domain)
        static let host = Column(CodingKeys.host)
        static let spki = Column(CodingKeys.spki)
        static let createdAt = Column(CodingKeys.createdAt)
        static let usedAt = Column(CodingKeys.usedAt)
    }

    /// The next key this row holds; an unknown key type is `.corrupt`.
    func nextKey(of domain: DomainName) throws -> TLSNextKey {
        guard let type = TLSKeyType(rawValue: keyType) else {
            throw StoreError(.corrupt, "store: next key \(spki) of \(domain) is malformed")
        }
        return TLSNextKey(
            host: DomainName(presentation: host),
            keyType: type,
            spki: spki,
            created: StoredTime.date(createdAt),
            used: StoredTime.date(usedAt)
        )
    }
}

extension TLSNextKeyRecord {
    /// The row of next key `k` of `domain`.
    init(_ k: TLSNextKey, domain: DomainName) {
        self.init(
            domain: StoredName.text(domain),
            host: k.host.description,
            keyType: k.keyType.rawValue,
            spki: k.spki,
            createdAt: StoredTime.seconds(k.created),
            usedAt: StoredTime.seconds(k.used)
        )
    }
}
