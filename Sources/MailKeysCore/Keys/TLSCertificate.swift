import Foundation

/// A certificate mailkeys knows for an MX host: the one it serves, one waiting for its TLSA
/// record to age (the deploy gate), or one it served before.
public struct TLSCertificate: Sendable, Equatable {
    public enum State: String, Sendable { case pending, served, replaced }
    public var host: DomainName
    /// SHA-256 of the leaf's SubjectPublicKeyInfo (hex): the `3 1 1` data.
    public var spki: String
    public var keyType: TLSKeyType
    /// SHA-256 of each issuer's SubjectPublicKeyInfo in the chain, leaf's issuer first.
    public var issuers: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// SHA-256 of the certificate itself (DER), which tells renewals with the same key apart.
    public var fingerprint: String
    public var lineage: String?
    public var state: State
    public var imported: Date
    public var installed: Date?
    public var replaced: Date?

    public init(
        host: DomainName,
        spki: String,
        keyType: TLSKeyType,
        issuers: [String],
        notBefore: Date,
        notAfter: Date,
        fingerprint: String,
        lineage: String?,
        state: State,
        imported: Date
    ) {
        self.host = host
        self.spki = spki
        self.keyType = keyType
        self.issuers = issuers
        self.notBefore = notBefore
        self.notAfter = notAfter
        self.fingerprint = fingerprint
        self.lineage = lineage
        self.state = state
        self.imported = imported
    }
}
