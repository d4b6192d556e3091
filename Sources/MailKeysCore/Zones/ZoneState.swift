import Foundation

/// What the store knows about a domain's last written zone.
public struct ZoneState: Sendable, Equatable {
    public var serial: UInt32?
    /// SHA-256 of the zone rendered with serial 0: what decides whether content changed.
    public var contentHash: String?
    /// SHA-256 of the file exactly as written, to notice a file edited or deleted behind our back.
    public var fileHash: String?

    public init(serial: UInt32? = nil, contentHash: String? = nil, fileHash: String? = nil) {
        self.serial = serial
        self.contentHash = contentHash
        self.fileHash = fileHash
    }
}
