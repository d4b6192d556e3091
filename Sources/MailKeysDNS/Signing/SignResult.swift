import MailKeysCore

/// A signed zone and what signing it took.
public struct SignResult: Sendable {
    /// The signed zone file, written and flushed but not yet in place (``StagedFile/commit()``).
    public var file: StagedFile
    /// Signatures made in this run, and kept from the previous file.
    public var made: Int
    public var kept: Int
    /// The earliest expiration of any signature in the zone (kept ones may expire first).
    public var earliestExpiration: UInt32
    /// RRsets whose signatures libldns checked independently before the file was finished.
    public var verifiedRRsets: Int
    /// Seconds spent in each stage, in order (for `MAILKEYS_TIMING` and the benchmark).
    public var stages: [(String, Double)]
    /// Where the tracked owners landed (nil when none were asked for, or one of them is not an
    /// authoritative name that can be replaced alone, e.g. a delegation or glue).
    public var map: SignedZoneMap?
}
