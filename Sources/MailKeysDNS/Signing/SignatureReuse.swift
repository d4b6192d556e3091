import MailKeysCore

/// Stage 2 of signing: which keys each job still needs a signature from, and which signatures it
/// keeps from the previous file (an RRset of the same bytes, signed by a key that still signs it,
/// valid now and beyond the refresh window). Counts what is made, what is kept, and what lies
/// outside the tracked owners (what a zone map records about the part a splice copies unread).
struct SignatureReuse {
    /// Signatures outside the tracked owners: how many, the earliest expiration, the latest inception.
    struct Outside: Equatable {
        var count = 0
        var earliestExpiration = UInt32.max
        var latestInception: UInt32 = 0

        mutating func add(_ n: Int, expiration: UInt32, inception: UInt32) {
            count += n
            earliestExpiration = min(earliestExpiration, expiration)
            latestInception = max(latestInception, inception)
        }
    }

    private let keys: [LoadedKey]
    private let now: UInt32
    private let keepBeyond: UInt32
    private let inception: UInt32
    private let expiration: UInt32
    /// Signatures kept, and to make.
    private(set) var kept = 0
    private(set) var toMake = 0
    /// The earliest expiration of a kept or new signature.
    private(set) var earliest: UInt32
    private(set) var outside = Outside()
    private var scratch: [UInt8] = []

    init(keys: [LoadedKey], request r: SignRequest) {
        self.keys = keys
        now = r.now
        keepBeyond = r.keepBeyond
        inception = r.inception
        expiration = r.expiration
        earliest = r.expiration
    }

    /// Sets every job's signers, and its kept signature lines when `index` (of the previous
    /// file) has them.
    mutating func apply(to plan: inout SigningPlan, index: SignedZoneIndex?) {
        var zoneSigners: UInt16 = 0
        var keySetSigners: UInt16 = 0
        for k in keys.indices {
            if keys[k].signsZone { zoneSigners |= 1 << k }
            if keys[k].signsKeySet { keySetSigners |= 1 << k }
        }
        for i in plan.jobs.indices {
            let job = plan.jobs[i]
            var need = job.keySet ? keySetSigners : zoneSigners
            if let index, let lines = keptLines(job, plan: plan, index: index, need: &need) {
                kept += lines.count
                plan.jobs[i].kept = Int32(plan.kept.count)
                plan.kept.append(lines)
            }
            plan.jobs[i].signers = need
            toMake += need.nonzeroBitCount
            if job.mark < 0 && need != 0 {
                outside.add(need.nonzeroBitCount, expiration: expiration, inception: inception)
            }
        }
    }

    /// The previous file's signature lines over `job`'s unchanged RRset by keys in `need` (taken
    /// out of it); nil when there are none.
    private mutating func keptLines(_ job: SigningJob, plan: SigningPlan, index: SignedZoneIndex, need: inout UInt16)
        -> [Range<Int>]?
    {
        scratch.removeAll(keepingCapacity: true)
        plan.appendLines(job, to: &scratch)
        let keyLength = job.ownerText.utf8.count + 1 + String(job.ttl).utf8.count + 4 + job.type.mnemonic.utf8.count
        let found = scratch.withUnsafeBufferPointer { s -> SignedZoneIndex.Block? in
            guard let block = index.block(key: UnsafeBufferPointer(rebasing: s[0..<keyLength])),
                index.linesEqual(block, s)
            else {
                return nil
            }
            return block
        }
        guard let block = found else { return nil }
        let old = block.signatures.compactMap(index.signature)
        var lines: [Range<Int>] = []
        for k in keys.indices where need & (1 << k) != 0 {
            let key = keys[k]
            guard
                let s = old.first(where: {
                    $0.algorithm == Int(key.algorithm) && $0.keyTag == key.tag && $0.inception <= now
                        && $0.expiration > keepBeyond
                })
            else { continue }
            lines.append(s.line)
            earliest = min(earliest, s.expiration)
            need &= ~(1 << k)
            if job.mark < 0 { outside.add(1, expiration: s.expiration, inception: s.inception) }
        }
        return lines.isEmpty ? nil : lines
    }
}
