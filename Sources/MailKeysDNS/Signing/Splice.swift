import MailKeysCore

/// A splice: re-sign only the owners of `map` and copy every other byte of `previous`, the signed
/// file the map describes. The caller guarantees that nothing outside those owners changed (the
/// same template, policy and signing keys, no owner added or removed, and every signature
/// outside still valid beyond the refresh window), so the result equals a full signing.
public struct Splice: Sendable {
    public var previous: MappedFile
    public var map: SignedZoneMap
    public init(previous: MappedFile, map: SignedZoneMap) {
        self.previous = previous
        self.map = map
    }
}
