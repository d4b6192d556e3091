/// Where some owners sit in a signed zone file, and what replacing only them needs: the NSEC or
/// NSEC3 link each one keeps, and the signatures everywhere else. Written by a full signing that
/// tracks the owners whose records can change without the template or the policy changing (the
/// apex and the generated records), read by the next run, which re-signs just those owners and
/// copies every other byte of the previous file (``SignRequest/splice``).
public struct SignedZoneMap: Codable, Sendable, Equatable {
    /// One tracked owner, in canonical order.
    public struct Owner: Codable, Sendable, Equatable {
        /// The owner name, fully qualified.
        public var name: String
        /// The byte range of its RRsets, their signatures and its NSEC (with NSEC).
        public var start: Int
        public var end: Int
        /// With NSEC: the next owner name in the chain.
        public var next: String?
        /// With NSEC3: the byte range of its NSEC3 record and signatures, and the next hashed
        /// owner (hexadecimal SHA-1).
        public var nsec3Start: Int?
        public var nsec3End: Int?
        public var nsec3Next: String?

        public init(
            name: String,
            start: Int,
            end: Int,
            next: String? = nil,
            nsec3Start: Int? = nil,
            nsec3End: Int? = nil,
            nsec3Next: String? = nil
        ) {
            self.name = name
            self.start = start
            self.end = end
            self.next = next
            self.nsec3Start = nsec3Start
            self.nsec3End = nsec3End
            self.nsec3Next = nsec3Next
        }

        public var block: Range<Int> { start..<end }
        public var nsec3Block: Range<Int>? { nsec3Start.flatMap { s in nsec3End.map { s..<$0 } } }
    }

    public var owners: [Owner]
    /// Signatures outside the tracked owners: how many, the earliest expiration and the latest
    /// inception (a splice keeps them all, so they must stay valid beyond the refresh window).
    public var outsideSignatures: Int
    public var outsideEarliestExpiration: UInt32
    public var outsideLatestInception: UInt32

    public init(
        owners: [Owner],
        outsideSignatures: Int,
        outsideEarliestExpiration: UInt32,
        outsideLatestInception: UInt32
    ) {
        self.owners = owners
        self.outsideSignatures = outsideSignatures
        self.outsideEarliestExpiration = outsideEarliestExpiration
        self.outsideLatestInception = outsideLatestInception
    }

    /// The tracked byte ranges in file order, each with the owner index and whether it is the
    /// owner's NSEC3 record; nil when they overlap or leave a file of `size` bytes.
    public func segments(fileSize size: Int) -> [(range: Range<Int>, owner: Int, nsec3: Bool)]? {
        var all: [(range: Range<Int>, owner: Int, nsec3: Bool)] = []
        for (i, o) in owners.enumerated() {
            guard o.start <= o.end else { return nil }
            all.append((o.block, i, false))
            if let b = o.nsec3Block {
                guard b.lowerBound <= b.upperBound else { return nil }
                all.append((b, i, true))
            }
        }
        all.sort { $0.range.lowerBound < $1.range.lowerBound }
        var at = 0
        for s in all {
            guard s.range.lowerBound >= at, s.range.upperBound <= size else { return nil }
            at = s.range.upperBound
        }
        return all
    }
}

/// Whether `range` of zone file `bytes` is exactly the lines of one owner: it starts and ends at
/// line boundaries, every line in it starts with `prefix` (the owner as the file writes it, with
/// its separator), and neither the line before nor the line after does. A splice checks each
/// range a map gives before replacing it, so a map that does not fit its file is never used.
public func isOwnerBlock(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, prefix: [UInt8]) -> Bool {
    guard !range.isEmpty, range.upperBound <= bytes.count, bytes[range.upperBound - 1] == 10 else { return false }
    guard range.lowerBound == 0 || bytes[range.lowerBound - 1] == 10 else { return false }
    func startsLine(_ i: Int) -> Bool {
        i + prefix.count <= bytes.count && prefix.indices.allSatisfy { bytes[i + $0] == prefix[$0] }
    }
    var i = range.lowerBound
    while i < range.upperBound {
        guard startsLine(i) else { return false }
        while bytes[i] != 10 { i += 1 }
        i += 1
    }
    if range.upperBound < bytes.count && startsLine(range.upperBound) { return false }
    if range.lowerBound > 0 {
        var j = range.lowerBound - 1
        while j > 0 && bytes[j - 1] != 10 { j -= 1 }
        if startsLine(j) { return false }
    }
    return true
}
