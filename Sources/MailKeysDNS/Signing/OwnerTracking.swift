import MailKeysCore

/// The owners whose byte ranges a signing reports (``SignResult/map``) for a later splice, and
/// the chain links found for them while the plan is built.
struct OwnerTracking {
    let names: [DomainName]
    let index: [DomainName: Int]
    /// Per tracked owner: its NSEC next name, its NSEC3 next hash (hex).
    var nextName: [String?]
    var nextHash: [String?]
    /// Per tracked owner: an authoritative name, not a delegation, that can be replaced alone.
    var trackable: [Bool]

    init(_ names: [DomainName]) {
        self.names = names
        var index: [DomainName: Int] = [:]
        for (t, name) in names.enumerated() { index[name] = t }
        self.index = index
        nextName = Array(repeating: nil, count: names.count)
        nextHash = Array(repeating: nil, count: names.count)
        trackable = Array(repeating: false, count: names.count)
    }

    /// Every tracked owner can be mapped (and there is at least one).
    var complete: Bool { !names.isEmpty && !trackable.contains(false) }
}

extension OwnerTracking {
    /// The zone map of the signed file: where each tracked owner's RRsets and NSEC (`spans[2t]`)
    /// and NSEC3 (`spans[2t+1]`) landed, with their links; nil unless every owner was mapped.
    func map(spans: [Int32: Range<Int>], nsec3: Bool, outside: SignatureReuse.Outside) -> SignedZoneMap? {
        guard complete else { return nil }
        var owners: [SignedZoneMap.Owner] = []
        for (t, name) in names.enumerated() {
            guard let block = spans[Int32(2 * t)] else { return nil }
            let n3 = spans[Int32(2 * t + 1)]
            if nsec3 && (n3 == nil || nextHash[t] == nil) || !nsec3 && nextName[t] == nil { return nil }
            owners.append(
                SignedZoneMap.Owner(
                    name: name.fqdn,
                    start: block.lowerBound,
                    end: block.upperBound,
                    next: nextName[t],
                    nsec3Start: n3?.lowerBound,
                    nsec3End: n3?.upperBound,
                    nsec3Next: nextHash[t]
                )
            )
        }
        return SignedZoneMap(
            owners: owners,
            outsideSignatures: outside.count,
            outsideEarliestExpiration: outside.earliestExpiration,
            outsideLatestInception: outside.latestInception
        )
    }
}
