import Dispatch
import Foundation
import MailKeysCore

/// Signs zones with OpenSSL on every core: one signing context per key and thread, reused for
/// every signature, RRsets in canonical wire form built once; NSEC/NSEC3 chains built in Swift;
/// unchanged RRsets keep their still-valid signatures (incremental signing). The threads take
/// batches of RRsets in zone order and write their finished text straight to the staged file, so
/// the signed zone is never held in memory whole.
///
/// Two entry points over the same stages: ``sign(_:to:)`` signs a whole zone, ``splice(_:_:to:)``
/// re-signs a few owners and copies the rest of the previous file. The stages:
/// 1. ``SigningPlanBuilder``: the jobs (one per RRset to sign, in file order) and the chain;
/// 2. ``SignatureReuse``: which signatures each job keeps and which it needs;
/// 3. ``SigningBatches``: the jobs cut into ordered batches;
/// 4. ``SigningWorker``s sign the batches, ``SharedBatches`` writes them in order;
/// 5. libldns verifies a sample (``verifySample(_:jobs:request:stride:)``), the file is flushed.
public enum Signer {
    /// Up to this many signed RRsets a zone is verified in full by libldns before it is returned;
    /// above it, the apex RRsets plus an even sample of this many.
    public static let fullVerifyLimit = 1000

    /// What stages 1–3 hand to the workers and the finish.
    private struct Prepared {
        var built: SigningPlanBuilder.Built
        var reuse: SignatureReuse
        var outside: SignatureReuse.Outside
        var bounds: [Int]
        var workers: Int
        var splice: Splice?
        /// With a splice: the previous file's bytes before each batch, then its tail.
        var gaps: [Range<Int>] = []
    }

    /// Signs the whole zone of `r` into `file` (finished, not committed), keeping the still-valid
    /// signatures of `r.previous` over unchanged RRsets. With `r.splice` set, splices instead.
    public static func sign(_ r: SignRequest, to file: StagedFile) throws -> SignResult {
        if let splice = r.splice { return try Self.splice(r, splice, to: file) }
        var clock = StageClock()
        let keys = try loadKeys(r)
        var built = try SigningPlanBuilder.build(r, keys: keys, splice: nil)
        clock.mark("sign: RRsets and chain")
        let index = r.previous.map(SignedZoneIndex.init)
        clock.mark("sign: index of the previous file")
        var reuse = SignatureReuse(keys: keys, request: r)
        reuse.apply(to: &built.plan, index: index)
        if let index { built.plan.previous = index.bytes }
        clock.mark("sign: previous signatures")
        var outside = reuse.outside
        if outside.count == 0 {
            outside = SignatureReuse.Outside(count: 0, earliestExpiration: r.expiration, latestInception: r.inception)
        }
        let workers = SigningBatches.workers(for: built.plan.jobs.count)
        let bounds = SigningBatches.balanced(built.plan.jobs, toMake: reuse.toMake, workers: workers)
        var prepared = Prepared(built: built, reuse: reuse, outside: outside, bounds: bounds, workers: workers)
        built = SigningPlanBuilder.Built(plan: SigningPlan(), trailing: [], tracking: OwnerTracking([]))
        return try finish(&prepared, r, keys: keys, file: file, clock: &clock)
    }

    /// Re-signs only the owners of `splice.map` and copies every other byte of its previous file
    /// (see ``Splice``), after checking the map against the bytes; throws when it cannot (the
    /// caller then signs in full).
    public static func splice(_ r: SignRequest, _ splice: Splice, to file: StagedFile) throws -> SignResult {
        var clock = StageClock()
        let keys = try loadKeys(r)
        var built = try SigningPlanBuilder.build(r, keys: keys, splice: splice)
        clock.mark("sign: RRsets and chain")
        let blocks = try splice.trackedBlocks(built.tracking.names, apex: r.origin)
        let index = SignedZoneIndex(blocks.bytes)
        clock.mark("sign: index of the previous file")
        var reuse = SignatureReuse(keys: keys, request: r)
        reuse.apply(to: &built.plan, index: index)
        let gaps = splice.gaps(around: blocks.segments)
        let outside = try splice.checkedOutside(gaps, keyTags: Set(keys.map(\.tag)))
        built.plan.previous = index.bytes
        clock.mark("sign: previous signatures")
        let bounds = try SigningBatches.perRange(built.plan.jobs, segments: blocks.segments)
        let workers = SigningBatches.workers(for: built.plan.jobs.count)
        var prepared = Prepared(
            built: built,
            reuse: reuse,
            outside: outside,
            bounds: bounds,
            workers: workers,
            splice: splice,
            gaps: gaps
        )
        built = SigningPlanBuilder.Built(plan: SigningPlan(), trailing: [], tracking: OwnerTracking([]))
        return try finish(&prepared, r, keys: keys, file: file, clock: &clock)
    }

    /// The request's keys, loaded: at least one for the DNSKEY RRset and one for the zone data.
    private static func loadKeys(_ r: SignRequest) throws -> [LoadedKey] {
        let keys = try r.keys.map { try LoadedKey($0, zone: r.origin) }
        guard keys.contains(where: \.signsKeySet), keys.contains(where: \.signsZone), keys.count <= 16 else {
            throw DNSError(
                .unsupported,
                "signing needs a key for the DNSKEY RRset and one for the zone data (at most 16 keys)"
            )
        }
        return keys
    }

    /// Stages 4 and 5: the workers sign and write, the rest of the file follows, the map is made,
    /// a sample is verified and the file flushed.
    private static func finish(
        _ p: inout Prepared,
        _ r: SignRequest,
        keys: [LoadedKey],
        file: StagedFile,
        clock: inout StageClock
    ) throws -> SignResult {
        let jobs = p.built.plan.jobs
        let stride = max(1, jobs.count / fullVerifyLimit)
        let shared = SharedBatches(
            plan: p.built.plan,
            bounds: p.bounds,
            file: file,
            source: p.splice?.previous,
            gaps: p.gaps
        )
        p.built.plan = SigningPlan()
        let setup = SigningWorker.Setup(
            keys: keys,
            inception: r.inception,
            expiration: r.expiration,
            signer: r.origin,
            sampleStride: stride
        )
        DispatchQueue.concurrentPerform(iterations: p.workers) { _ in SigningWorker.run(shared, setup) }
        if let failure = shared.failure { throw DNSError(.unsupported, "signing failed: \(failure)") }
        if let splice = p.splice, let tail = p.gaps.last {
            try file.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: splice.previous.bytes[tail])))
        }
        for l in p.built.trailing { try file.write(Array((l + "\n").utf8)) }
        var earliest = p.reuse.earliest
        if p.reuse.toMake > 0 { earliest = min(earliest, r.expiration) }
        if p.splice != nil { earliest = min(earliest, p.outside.earliestExpiration) }
        let map = p.built.tracking.map(spans: shared.spans, nsec3: r.nsec3, outside: p.outside)
        clock.mark("sign: signing and writing on \(p.workers) threads")
        let verified = try verifySample(shared.samples, jobs: jobs, request: r, stride: stride)
        clock.mark("sign: libldns verification")
        try file.finish()
        clock.mark("sign: flush to disk")
        return SignResult(
            file: file,
            made: p.reuse.toMake,
            kept: p.reuse.kept + (p.splice?.map.outsideSignatures ?? 0),
            earliestExpiration: earliest,
            verifiedRRsets: verified,
            stages: clock.stages,
            map: map
        )
    }

    /// libldns, an implementation independent of the signing path, verifies the apex RRsets and
    /// every RRset of a small zone, or an even sample of a large one (the SOA comes first);
    /// returns how many RRsets it checked.
    private static func verifySample(_ samples: [[UInt8]], jobs: [SigningJob], request r: SignRequest, stride: Int)
        throws -> Int
    {
        let sample = samples.joined()
        try SignedZoneVerifier.verify(
            signedText: String(decoding: sample, as: UTF8.self),
            origin: r.origin,
            now: Date(timeIntervalSince1970: TimeInterval(r.now))
        )
        return jobs.indices.filter { jobs[$0].owner == r.origin || $0 % stride == 0 }.count
    }
}
