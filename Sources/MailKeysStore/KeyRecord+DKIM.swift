import MailKeysCore

extension KeyRecord {
    /// The columns a DKIM key's lifecycle changes.
    static let dkimTimes = [
        Columns.publishedAt, Columns.activeAt, Columns.retiredAt, Columns.revokedAt, Columns.removedAt,
        Columns.revealedAt,
    ]

    /// The row of DKIM key `key` of `domain`.
    init(_ key: DKIMKey, domain: DomainName) {
        self.init(
            domain: StoredName.text(domain),
            kind: Kind.dkim.rawValue,
            name: key.selector,
            algorithm: key.algorithm.rawValue,
            publicKey: key.publicKey,
            createdAt: StoredTime.seconds(key.created),
            publishedAt: StoredTime.seconds(key.published),
            activeAt: StoredTime.seconds(key.active),
            retiredAt: StoredTime.seconds(key.retired),
            revokedAt: StoredTime.seconds(key.revoked),
            removedAt: StoredTime.seconds(key.removed),
            revealedAt: StoredTime.seconds(key.revealed)
        )
    }

    /// The DKIM key this row holds; an unknown algorithm or a missing public key is `.corrupt`.
    func dkimKey() throws -> DKIMKey {
        guard let a = DKIMAlgorithm(rawValue: algorithm) else {
            throw StoreError(.corrupt, "store: DKIM key \(name) has the unknown algorithm '\(algorithm)'")
        }
        guard let publicKey else {
            throw StoreError(.corrupt, "store: DKIM key \(name) has no public key")
        }
        return DKIMKey(
            selector: name,
            algorithm: a,
            publicKey: publicKey,
            created: StoredTime.date(createdAt),
            published: StoredTime.date(publishedAt),
            active: StoredTime.date(activeAt),
            retired: StoredTime.date(retiredAt),
            revoked: StoredTime.date(revokedAt),
            removed: StoredTime.date(removedAt),
            revealed: StoredTime.date(revealedAt)
        )
    }
}
