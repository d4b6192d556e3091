import GRDB
import MailKeysCore

/// A row of the `tls_cert` table: a certificate of one of a domain's MX hosts.
struct TLSCertificateRecord: StoreRecord {
    static let databaseTableName = "tls_cert"

    var id: Int64?
    var domain: String
    var host: String
    var fingerprint: String
    var spki: String
    var keyType: String
    var issuers: String
    var notBefore: Int64
    var notAfter: Int64
    var lineage: String?
    var state: String
    var importedAt: Int64
    var installedAt: Int64?
    var replacedAt: Int64?

    enum CodingKeys: String, CodingKey {
        case id, domain, host, fingerprint, spki, issuers, lineage, state
        case keyType = "key_type"
        case notBefore = "not_before"
        case notAfter = "not_after"
        case importedAt = "imported_at"
        case installedAt = "installed_at"
        case replacedAt = "replaced_at"
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let domain = Column(CodingKeys.domain)
        static let host = Column(CodingKeys.host)
        static let fingerprint = Column(CodingKeys.fingerprint)
        static let lineage = Column(CodingKeys.lineage)
        static let state = Column(CodingKeys.state)
        static let importedAt = Column(CodingKeys.importedAt)
        static let installedAt = Column(CodingKeys.installedAt)
        static let replacedAt = Column(CodingKeys.replacedAt)
    }

    /// The certificate this row holds; an unknown key type or state is `.corrupt`.
    func certificate(of domain: DomainName) throws -> TLSCertificate {
        guard let type = TLSKeyType(rawValue: keyType), let state = TLSCertificate.State(rawValue: state) else {
            throw StoreError(.corrupt, "store: certificate \(fingerprint) of \(domain) is malformed")
        }
        var c = TLSCertificate(
            host: DomainName(presentation: host),
            spki: spki,
            keyType: type,
            issuers: issuers.split(separator: " ").map(String.init),
            notBefore: StoredTime.date(notBefore),
            notAfter: StoredTime.date(notAfter),
            fingerprint: fingerprint,
            lineage: lineage,
            state: state,
            imported: StoredTime.date(importedAt)
        )
        c.installed = StoredTime.date(installedAt)
        c.replaced = StoredTime.date(replacedAt)
        return c
    }
}

extension TLSCertificateRecord {
    /// The row of certificate `c` of `domain` (the issuers space-separated).
    init(_ c: TLSCertificate, domain: DomainName) {
        self.init(
            domain: StoredName.text(domain),
            host: c.host.description,
            fingerprint: c.fingerprint,
            spki: c.spki,
            keyType: c.keyType.rawValue,
            issuers: c.issuers.joined(separator: " "),
            notBefore: StoredTime.seconds(c.notBefore),
            notAfter: StoredTime.seconds(c.notAfter),
            lineage: c.lineage,
            state: c.state.rawValue,
            importedAt: StoredTime.seconds(c.imported),
            installedAt: StoredTime.seconds(c.installed),
            replacedAt: StoredTime.seconds(c.replaced)
        )
    }
}
