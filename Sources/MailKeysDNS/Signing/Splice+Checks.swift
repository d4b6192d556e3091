import MailKeysCore

/// What a splice checks before it copies a byte: that the map's ranges hold the tracked owners'
/// lines, and that the map's claims about the signatures it copies unread hold.
extension Splice {
    /// A tracked owner's byte range in the previous file: its RRsets and NSEC, or its NSEC3.
    typealias Segment = (range: Range<Int>, owner: Int, nsec3: Bool)

    /// Why the previous signed zone cannot be spliced (the caller then signs in full).
    static func refused(_ why: String) -> DNSError {
        DNSError(.unsupported, "the previous signed zone cannot be spliced: \(why)")
    }

    /// The tracked owners' ranges in file order, each checked to hold its owner's lines, and
    /// their bytes together (only their signatures may be kept).
    func trackedBlocks(_ tracked: [DomainName], apex: DomainName) throws -> (segments: [Segment], bytes: [UInt8]) {
        guard let segments = map.segments(fileSize: previous.bytes.count) else {
            throw Self.refused("the map does not fit the file")
        }
        var blocks: [UInt8] = []
        for seg in segments {
            let name = tracked[seg.owner]
            let owner =
                seg.nsec3 ? DNSSECChain.nsec3Owner(Signer.sha1(DNSSECWire.canonicalName(name)), apex: apex) : name
            guard isOwnerBlock(previous.bytes, seg.range, prefix: Array((owner.fqdn + "\t").utf8)) else {
                throw Self.refused("the map's range for \(owner) does not hold its lines")
            }
            blocks += previous.bytes[seg.range]
        }
        return (segments, blocks)
    }

    /// The bytes copied unread: before each tracked range, and the tail after the last.
    func gaps(around segments: [Segment]) -> [Range<Int>] {
        var gaps: [Range<Int>] = []
        var at = 0
        for seg in segments {
            gaps.append(at..<seg.range.lowerBound)
            at = seg.range.upperBound
        }
        gaps.append(at..<previous.bytes.count)
        return gaps
    }

    /// The map's count, earliest expiration, latest inception and key set of the signatures in
    /// `gaps`, checked against those bytes (a cache never vouches for what is published).
    func checkedOutside(_ gaps: [Range<Int>], keyTags: Set<UInt16>) throws -> SignatureReuse.Outside {
        let m = map
        guard let copied = SignatureScan.scan(previous.bytes, ranges: gaps), copied.count == m.outsideSignatures,
            copied.count == 0
                || (copied.earliestExpiration == m.outsideEarliestExpiration
                    && copied.latestInception == m.outsideLatestInception),
            copied.keyTags.isSubset(of: keyTags)
        else { throw Self.refused("the zone map's claims about the signatures it does not cover do not hold") }
        return SignatureReuse.Outside(
            count: m.outsideSignatures,
            earliestExpiration: m.outsideEarliestExpiration,
            latestInception: m.outsideLatestInception
        )
    }
}
