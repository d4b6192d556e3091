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
    /// The serial of the last export the target was seen serving, and when (this attempt's when
    /// it succeeded; kept through the failures after it; nil: never).
    public var lastConfirmedSerial: UInt32?
    public var lastConfirmed: Date?

    /// The outcome of one export attempt; the last confirmed export is this one when it
    /// succeeded, unless given.
    public init(
        serial: UInt32,
        fileHash: String,
        attempted: Date,
        confirmed: Date?,
        error: String?,
        lastConfirmedSerial: UInt32? = nil,
        lastConfirmed: Date? = nil
    ) {
        self.serial = serial
        self.fileHash = fileHash
        self.attempted = attempted
        self.confirmed = confirmed
        self.error = error
        self.lastConfirmedSerial = lastConfirmedSerial ?? (confirmed != nil ? serial : nil)
        self.lastConfirmed = lastConfirmed ?? confirmed
    }
}
