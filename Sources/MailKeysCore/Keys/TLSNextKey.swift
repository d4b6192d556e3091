import Foundation

/// A key generated ahead of the next certificate (scheme `current+next`): its `3 1 1` is
/// published long before certbot puts it into a certificate.
public struct TLSNextKey: Sendable, Equatable {
    public var host: DomainName
    public var keyType: TLSKeyType
    public var spki: String
    public var created: Date
    /// When a served certificate first carried it (then a new next key is made).
    public var used: Date?
    public init(host: DomainName, keyType: TLSKeyType, spki: String, created: Date, used: Date? = nil) {
        self.host = host
        self.keyType = keyType
        self.spki = spki
        self.created = created
        self.used = used
    }
}
