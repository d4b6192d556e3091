import Foundation

/// The last export of a zone to one target.
public struct ExportState: Sendable, Equatable {
    /// The serial of the zone sent.
    public var serial: UInt32
    /// SHA-256 of the zone file sent.
    public var fileHash: String
    /// When the export was tried.
    public var attempted: Date
    /// When the server was seen serving `serial` (nil: the attempt failed with `error`).
    public var confirmed: Date?
    /// Why the attempt failed (nil: it did not).
    public var error: String?

    /// The outcome of one export attempt.
    public init(serial: UInt32, fileHash: String, attempted: Date, confirmed: Date?, error: String?) {
        self.serial = serial
        self.fileHash = fileHash
        self.attempted = attempted
        self.confirmed = confirmed
        self.error = error
    }
}
