import GRDB
import MailKeysCore

extension Store {
    /// The certificates recorded for `domain`'s MX hosts, oldest first.
    public func tlsCertificates(domain: DomainName) throws -> [TLSCertificate] {
        try reading { tx in try tx.tlsCertificates(domain: domain) }
    }

    /// The next keys (scheme current+next) of `domain`'s MX hosts, oldest first.
    public func tlsNextKeys(domain: DomainName) throws -> [TLSNextKey] {
        try reading { tx in try tx.tlsNextKeys(domain: domain) }
    }
}

extension StoreTransaction {
    /// The certificates recorded for `domain`'s MX hosts, oldest first.
    public func tlsCertificates(domain: DomainName) throws -> [TLSCertificate] {
        typealias C = TLSCertificateRecord.Columns
        return try TLSCertificateRecord.filter(C.domain == StoredName.text(domain)).order(C.importedAt, C.id)
            .fetchAll(db).map { try $0.certificate(of: domain) }
    }

    /// Inserts a certificate, or updates the state and times of one already recorded.
    public func saveTLSCertificate(_ c: TLSCertificate, domain: DomainName) throws {
        typealias C = TLSCertificateRecord.Columns
        try TLSCertificateRecord(c, domain: domain).insertOrUpdate(
            db,
            conflictingOn: [C.domain, C.host, C.fingerprint],
            updating: [C.state, C.installedAt, C.replacedAt, C.lineage]
        )
    }

    /// The next keys (scheme current+next) of `domain`'s MX hosts, oldest first.
    public func tlsNextKeys(domain: DomainName) throws -> [TLSNextKey] {
        typealias C = TLSNextKeyRecord.Columns
        return try TLSNextKeyRecord.filter(C.domain == StoredName.text(domain)).order(C.createdAt, C.spki)
            .fetchAll(db).map { try $0.nextKey(of: domain) }
    }

    /// Inserts a next key or records when it was used.
    public func saveTLSNextKey(_ k: TLSNextKey, domain: DomainName) throws {
        typealias C = TLSNextKeyRecord.Columns
        try TLSNextKeyRecord(k, domain: domain).insertOrUpdate(
            db,
            conflictingOn: [C.domain, C.host, C.spki],
            updating: [C.usedAt]
        )
    }
}
