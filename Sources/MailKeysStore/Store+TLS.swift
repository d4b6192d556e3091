import GRDB
import MailKeysCore

extension TLSCertificateRecord {
    /// The certificates of a domain's MX hosts, oldest first.
    static let query = DomainQuery(table: databaseTableName, order: "imported_at, id")

    /// The certificates `records` (of `domain`, oldest first) hold.
    static func certificates(_ records: [Self], of domain: DomainName) throws -> [TLSCertificate] {
        try records.map { try $0.certificate(of: domain) }
    }
}

extension TLSNextKeyRecord {
    /// The next keys of a domain's MX hosts, oldest first.
    static let query = DomainQuery(table: databaseTableName, order: "created_at, spki")

    /// The next keys `records` (of `domain`, oldest first) hold.
    static func nextKeys(_ records: [Self], of domain: DomainName) throws -> [TLSNextKey] {
        try records.map { try $0.nextKey(of: domain) }
    }
}

extension Store {
    /// The certificates recorded for `domain`'s MX hosts, oldest first.
    public func tlsCertificates(domain: DomainName) throws -> [TLSCertificate] {
        try reading { tx in try tx.tlsCertificates(domain: domain) }
    }

    /// The certificates recorded for the MX hosts of each of `domains` (nil: every domain), each
    /// domain's oldest first: what ``tlsCertificates(domain:)`` returns for each, in a few
    /// queries. A domain without certificates has no entry.
    public func tlsCertificates(domains: [DomainName]?) throws -> [DomainName: [TLSCertificate]] {
        try reading { tx in try tx.tlsCertificates(domains: domains) }
    }

    /// The next keys (scheme current+next) of `domain`'s MX hosts, oldest first.
    public func tlsNextKeys(domain: DomainName) throws -> [TLSNextKey] {
        try reading { tx in try tx.tlsNextKeys(domain: domain) }
    }

    /// The next keys (scheme current+next) of the MX hosts of each of `domains` (nil: every
    /// domain), each domain's oldest first: what ``tlsNextKeys(domain:)`` returns for each, in a
    /// few queries. A domain without next keys has no entry.
    public func tlsNextKeys(domains: [DomainName]?) throws -> [DomainName: [TLSNextKey]] {
        try reading { tx in try tx.tlsNextKeys(domains: domains) }
    }
}

extension StoreTransaction {
    /// The certificates recorded for `domain`'s MX hosts, oldest first.
    public func tlsCertificates(domain: DomainName) throws -> [TLSCertificate] {
        try TLSCertificateRecord.certificates(records(TLSCertificateRecord.query, of: domain), of: domain)
    }

    /// The certificates recorded for the MX hosts of each of `domains` (nil: every domain), each
    /// domain's oldest first. A domain without certificates has no entry.
    public func tlsCertificates(domains: [DomainName]?) throws -> [DomainName: [TLSCertificate]] {
        try records(TLSCertificateRecord.query, of: domains, TLSCertificateRecord.certificates)
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
        try TLSNextKeyRecord.nextKeys(records(TLSNextKeyRecord.query, of: domain), of: domain)
    }

    /// The next keys (scheme current+next) of the MX hosts of each of `domains` (nil: every
    /// domain), each domain's oldest first. A domain without next keys has no entry.
    public func tlsNextKeys(domains: [DomainName]?) throws -> [DomainName: [TLSNextKey]] {
        try records(TLSNextKeyRecord.query, of: domains, TLSNextKeyRecord.nextKeys)
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
