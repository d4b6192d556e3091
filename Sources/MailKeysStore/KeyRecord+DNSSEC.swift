import MailKeysCore

extension KeyRecord {
    /// The columns a DNSSEC key's lifecycle changes.
    static let dnssecTimes = [
        Columns.publishedAt, Columns.readyAt, Columns.dsSeenAt, Columns.activeAt, Columns.retiredAt, Columns.removedAt,
    ]

    /// The row of DNSSEC key `key` of `domain` (its name is the key tag).
    init(_ key: DNSSECKey, domain: DomainName) {
        self.init(
            domain: StoredName.text(domain),
            kind: Kind.dnssec.rawValue,
            name: String(key.tag),
            algorithm: String(key.algorithm),
            publicKey: key.dnskey,
            role: key.role.rawValue,
            createdAt: StoredTime.seconds(key.created),
            publishedAt: StoredTime.seconds(key.published),
            readyAt: StoredTime.seconds(key.ready),
            dsSeenAt: StoredTime.seconds(key.dsSeen),
            activeAt: StoredTime.seconds(key.active),
            retiredAt: StoredTime.seconds(key.retired),
            removedAt: StoredTime.seconds(key.removed)
        )
    }

    /// The DNSSEC key this row holds; a bad role, tag, algorithm or DNSKEY is `.corrupt`.
    func dnssecKey(of domain: DomainName) throws -> DNSSECKey {
        guard let role = DNSSECKey.Role(rawValue: role ?? ""), let tag = UInt16(name), let algorithm = Int(algorithm),
            let publicKey
        else { throw StoreError(.corrupt, "store: DNSSEC key \(name) of \(domain) is malformed") }
        var k = DNSSECKey(
            tag: tag,
            role: role,
            algorithm: algorithm,
            dnskey: publicKey,
            created: StoredTime.date(createdAt),
            published: StoredTime.date(publishedAt),
            active: StoredTime.date(activeAt)
        )
        k.ready = StoredTime.date(readyAt)
        k.dsSeen = StoredTime.date(dsSeenAt)
        k.retired = StoredTime.date(retiredAt)
        k.removed = StoredTime.date(removedAt)
        return k
    }
}
