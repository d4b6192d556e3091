import CLDNS
import COpenSSL
import Dispatch
import Foundation
import MailKeysCore

/// What to sign: the zone's records, the keys and the times, plus the previous signed file whose
/// still-valid signatures may be kept.
public struct SignRequest: Sendable {
    /// A key that signs in this run, and what it signs.
    public struct SigningKey: Sendable {
        public var key: ZoneSigner.Key
        /// Signs the DNSKEY, CDS and CDNSKEY RRsets (a KSK or CSK).
        public var signsKeySet: Bool
        /// Signs every other RRset (a ZSK or CSK).
        public var signsZone: Bool
        public init(key: ZoneSigner.Key, signsKeySet: Bool, signsZone: Bool) {
            self.key = key
            self.signsKeySet = signsKeySet
            self.signsZone = signsZone
        }
    }

    public var origin: DomainName
    /// The SOA RDATA (with the serial) and its TTL.
    public var soaRDATA: String
    public var soaTTL: UInt32
    /// Every other record, in canonical order (``Zone/records``).
    public var records: [Record]
    public var keys: [SigningKey]
    /// DNSKEY records published without signing (pre-published or retired keys).
    public var publishedOnly: [String]
    /// DNSKEY records (of keys in the zone) for which CDS (SHA-256) and CDNSKEY are published.
    public var cds: [String]
    public var dnskeyTTL: UInt32
    public var inception: UInt32
    public var expiration: UInt32
    public var nsec3: Bool
    public var now: UInt32
    /// The previous signed text: a signature in it over an unchanged RRset, by a key that still
    /// signs that RRset, valid now and beyond `keepBeyond`, is kept instead of made again.
    public var previous: [UInt8]?
    public var keepBeyond: UInt32
    /// Owners whose byte ranges the result reports (``SignResult/map``), for a later splice.
    public var track: [DomainName] = []
    /// When set, `records` are only the tracked owners' records (with the same owner names as
    /// the map), and everything else is copied from the previous file (see ``Splice``).
    public var splice: Splice?

    public init(
        origin: DomainName, soaRDATA: String, soaTTL: UInt32, records: [Record], keys: [SigningKey], publishedOnly: [String] = [],
        cds: [String] = [], dnskeyTTL: UInt32, inception: UInt32, expiration: UInt32, nsec3: Bool, now: UInt32, previous: [UInt8]? = nil,
        keepBeyond: UInt32 = 0
    ) {
        self.origin = origin
        self.soaRDATA = soaRDATA
        self.soaTTL = soaTTL
        self.records = records
        self.keys = keys
        self.publishedOnly = publishedOnly
        self.cds = cds
        self.dnskeyTTL = dnskeyTTL
        self.inception = inception
        self.expiration = expiration
        self.nsec3 = nsec3
        self.now = now
        self.previous = previous
        self.keepBeyond = keepBeyond
    }
}

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

/// Signs zones with OpenSSL on every core: one signing context per key and thread, reused for
/// every signature, RRsets in canonical wire form built once; NSEC/NSEC3 chains built in Swift;
/// unchanged RRsets keep their still-valid signatures (incremental signing). The threads take
/// batches of RRsets in zone order and write their finished text straight to the staged file, so
/// the signed zone is never held in memory whole.
public enum Signer {
    /// Up to this many signed RRsets a zone is verified in full by libldns before it is returned;
    /// above it, the apex RRsets plus an even sample of this many.
    public static let fullVerifyLimit = 1000

    /// One RRset to sign, kept small (a large zone has hundreds of thousands): its records are a
    /// range of the request's records, or one of the signer's own RRsets (apex keys, NSEC3), or
    /// an NSEC made from the next name and a type bitmap when it is written.
    struct Job {
        var owner: DomainName
        var ownerText: String
        var type: RRType
        var ttl: UInt32
        /// Records `first..<first+count` of the request, when `own` is -1.
        var first: Int32 = 0
        var count: Int32 = 0
        /// Index into ``Plan/own``, or -1.
        var own: Int32 = -1
        /// For NSEC: the next name and the types at the owner (codes below 64 as bits, others
        /// in ``Plan/otherTypes``).
        var next: DomainName? = nil
        var typeBits: UInt64 = 0
        var otherTypes: Int32 = -1
        var keySet: Bool
        /// Keys (bit k: key k) that sign it in this run.
        var signers: UInt16 = 0
        /// Index into ``Plan/kept`` (signature lines kept from the previous file), or -1.
        var kept: Int32 = -1
        /// Index into ``Plan/before`` (unsigned lines printed before it), or -1.
        var before: Int32 = -1
        /// 2t for the RRsets and NSEC of tracked owner t, 2t+1 for its NSEC3; -1 untracked.
        var mark: Int32 = -1
    }

    /// An RRset the signer makes itself.
    struct OwnSet {
        var rdata: [String]
        var wire: [[UInt8]]?
    }

    /// The jobs and their side tables, read-only once signing starts.
    struct Plan {
        var jobs: [Job] = []
        var records: [Record] = []
        var own: [OwnSet] = []
        var otherTypes: [[UInt16]] = []
        /// Byte ranges of kept signature lines in ``previous``.
        var kept: [[Range<Int>]] = []
        var previous: [UInt8] = []
        var before: [[String]] = []
        var mnemonics: [UInt16: String] = [:]

        /// The RDATA texts of job `i`.
        func rdata(_ job: Job) -> [String] {
            if job.own >= 0 { return own[Int(job.own)].rdata }
            if let next = job.next { return [next.fqdn + " " + types(job).map { mnemonics[$0] ?? "TYPE\($0)" }.joined(separator: " ")] }
            return (Int(job.first)..<Int(job.first + job.count)).map { records[$0].rdata }
        }

        /// The canonical wire RDATA of a job, where known without parsing.
        func wire(_ job: Job) -> [[UInt8]]? {
            if job.own >= 0 { return own[Int(job.own)].wire }
            if let next = job.next { return [DNSSECWire.nsecRDATA(next: next, types: types(job))] }
            var out: [[UInt8]] = []
            for k in Int(job.first)..<Int(job.first + job.count) {
                guard let w = records[k].wire else { return nil }
                out.append(w)
            }
            return out
        }

        /// Appends the job's record lines (`owner\tTTL\tIN\tTYPE\tRDATA\n`) to `out`.
        func appendLines(_ job: Job, to out: inout [UInt8]) {
            var owner = job.ownerText
            var type = job.type.mnemonic
            func line(_ rd: String) {
                owner.withUTF8 { out.append(contentsOf: $0) }
                out.append(9)
                out.append(decimal: job.ttl)
                out += [9, 73, 78, 9]  // \tIN\t
                type.withUTF8 { out.append(contentsOf: $0) }
                out.append(9)
                out.append(text: rd, newline: true)
            }
            if job.own < 0 && job.next == nil {
                for k in Int(job.first)..<Int(job.first + job.count) { line(records[k].rdata) }
            } else {
                for rd in rdata(job) { line(rd) }
            }
        }

        /// An NSEC's types, in code order.
        func types(_ job: Job) -> [UInt16] {
            var codes: [UInt16] = []
            var bits = job.typeBits
            while bits != 0 {
                codes.append(UInt16(bits.trailingZeroBitCount))
                bits &= bits - 1
            }
            if job.otherTypes >= 0 { codes += otherTypes[Int(job.otherTypes)] }
            return codes
        }
    }

    /// Signs `r` into `file` (finished, not committed).
    public static func sign(_ r: SignRequest, to file: StagedFile) throws -> SignResult {
        var clock = StageClock()
        let keys = try r.keys.map { try LoadedKey($0, zone: r.origin) }
        guard keys.contains(where: \.signsKeySet), keys.contains(where: \.signsZone), keys.count <= 16 else {
            throw DNSError(.unsupported, "signing needs a key for the DNSKEY RRset and one for the zone data (at most 16 keys)")
        }
        let apex = r.origin
        let soaMinimum = UInt32(r.soaRDATA.split(separator: " ").last.flatMap { UInt32($0) } ?? 3600)
        let negativeTTL = min(soaMinimum, r.soaTTL)
        var plan = Plan()
        plan.records = r.records

        // The apex RRsets the signer makes: SOA, DNSKEY of every signing and published key, CDS
        // and CDNSKEY, NSEC3PARAM.
        var dnskeys = keys.map { $0.dnskeyRDATA }
        for text in r.publishedOnly { dnskeys.append(try rdataOf(text)) }
        var apexOwn: [(RRType, UInt32, OwnSet)] = [
            (.soa, r.soaTTL, OwnSet(rdata: [r.soaRDATA])), (.dnskey, r.dnskeyTTL, OwnSet(rdata: dnskeys)),
        ]
        if !r.cds.isEmpty {
            let cdnskey = try r.cds.map(rdataOf)
            let cds = try r.cds.map { try rdataOf(ZoneSigner.ds(dnskey: $0)) }
            apexOwn += [(.cds, r.dnskeyTTL, OwnSet(rdata: cds)), (.cdnskey, r.dnskeyTTL, OwnSet(rdata: cdnskey))]
        }
        if r.nsec3 { apexOwn.append((.nsec3param, 0, OwnSet(rdata: ["1 0 0 -"]))) }

        // RRsets by owner (the records come in canonical order, each RRset together): type, TTL,
        // and where the records are (a range of the request's records, or an own set).
        struct SetRef {
            var type: RRType
            var ttl: UInt32
            var first: Int32
            var count: Int32
            var own: Int32
        }
        var groups: [(name: DomainName, sets: [SetRef])] = [(apex, [])]
        for (type, ttl, set) in apexOwn {
            groups[0].sets.append(SetRef(type: type, ttl: ttl, first: 0, count: 0, own: Int32(plan.own.count)))
            plan.own.append(set)
        }
        let records = r.records
        var i = 0
        while i < records.count {
            let owner = records[i].owner
            var sets: [SetRef] = []
            while i < records.count && records[i].owner == owner {
                let type = records[i].type
                let first = i
                while i < records.count && records[i].type == type && records[i].owner == owner { i += 1 }
                sets.append(SetRef(type: type, ttl: records[first].ttl, first: Int32(first), count: Int32(i - first), own: -1))
            }
            if owner == apex { groups[0].sets += sets } else { groups.append((owner, sets)) }
        }
        for g in groups { for s in g.sets { plan.mnemonics[s.type.code] = s.type.mnemonic } }
        for t in [RRType.rrsig, .nsec, .nsec3param] { plan.mnemonics[t.code] = t.mnemonic }
        var nodes = DNSSECChain.authoritative(
            groups.map { DNSSECChain.Node(name: $0.name, types: $0.sets.map(\.type), delegation: false) }, apex: apex)
        let delegations = Set(nodes.filter(\.delegation).map(\.name))
        var nodeIndex: [DomainName: Int] = [:]
        nodeIndex.reserveCapacity(nodes.count)
        for (k, n) in nodes.enumerated() { nodeIndex[n.name] = k }

        // Tracked owners: their jobs are marked so the writer reports where they land.
        let splice = r.splice
        let tracked = splice.map { $0.map.owners.map { DomainName(presentation: $0.name) } } ?? r.track
        var trackIndex: [DomainName: Int] = [:]
        for (t, name) in tracked.enumerated() { trackIndex[name] = t }
        var nextName = [String?](repeating: nil, count: tracked.count)
        var nextHash = [String?](repeating: nil, count: tracked.count)
        var trackable = [Bool](repeating: false, count: tracked.count)
        func spliceError(_ why: String) -> DNSError { DNSError(.unsupported, "the previous signed zone cannot be spliced: \(why)") }

        plan.jobs.reserveCapacity(groups.count * 3 + 8)
        var before: [String] = []  // unsigned lines for the next job
        func flushBefore() -> Int32 {
            guard !before.isEmpty else { return -1 }
            plan.before.append(before)
            before = []
            return Int32(plan.before.count - 1)
        }
        for g in groups {
            let cut = delegations.contains(g.name)
            let ownerText = g.name.fqdn
            let node = nodeIndex[g.name]
            var mark: Int32 = -1
            if let t = trackIndex[g.name], node != nil, !cut {
                mark = Int32(2 * t)
                trackable[t] = true
            } else if splice != nil {
                throw spliceError("\(g.name) is not a tracked authoritative name")
            }
            for s in g.sets.sorted(by: { ($0.type == .soa ? -1 : Int($0.type.code)) < ($1.type == .soa ? -1 : Int($1.type.code)) }) {
                if node == nil || (cut && s.type != .ds) {
                    let texts = s.own >= 0 ? plan.own[Int(s.own)].rdata : (Int(s.first)..<Int(s.first + s.count)).map { records[$0].rdata }
                    before += texts.map { "\(ownerText)\t\(s.ttl)\tIN\t\(s.type.mnemonic)\t\($0)" }
                    continue
                }
                let keySet = g.name == apex && [.dnskey, .cds, .cdnskey].contains(s.type)
                plan.jobs.append(
                    Job(
                        owner: g.name, ownerText: ownerText, type: s.type, ttl: s.ttl, first: s.first, count: s.count, own: s.own,
                        keySet: keySet, before: flushBefore(), mark: mark))
            }
            if !r.nsec3, let k = node {
                // NSEC goes right after its owner's RRsets, kept as the next name and a type bitmap.
                var link = DNSSECChain.nsec(nodes, k)
                if let splice {
                    guard let next = splice.map.owners[Int(mark / 2)].next else { throw spliceError("no NSEC link for \(g.name)") }
                    link.next = DomainName(presentation: next)
                }
                if mark >= 0 { nextName[Int(mark / 2)] = link.next!.fqdn }
                var job = Job(
                    owner: g.name, ownerText: ownerText, type: .nsec, ttl: negativeTTL, next: link.next, keySet: false, before: flushBefore(),
                    mark: mark)
                var others: [UInt16] = []
                for t in link.types {
                    if t.code < 64 { job.typeBits |= 1 << UInt64(t.code) } else if !others.contains(t.code) { others.append(t.code) }
                }
                if !others.isEmpty {
                    job.otherTypes = Int32(plan.otherTypes.count)
                    plan.otherTypes.append(others.sorted())
                }
                plan.jobs.append(job)
            }
        }
        if r.nsec3 {
            var links: [(link: DNSSECChain.Link, mark: Int32)] = []
            if let splice {
                // Only the tracked owners' NSEC3 records, each keeping its next hash, in hash order.
                var mine: [(hash: [UInt8], link: DNSSECChain.Link, mark: Int32)] = []
                for node in nodes {
                    guard let t = trackIndex[node.name], let next = splice.map.owners[t].nsec3Next.flatMap({ bytes(hex: $0) }) else {
                        throw spliceError("no NSEC3 link for \(node.name)")
                    }
                    let hash = sha1(DNSSECWire.canonicalName(node.name))
                    let link = DNSSECChain.Link(
                        owner: DNSSECChain.nsec3Owner(hash, apex: apex), next: nil, nextHash: next, types: DNSSECChain.nsec3Types(node, apex: apex))
                    mine.append((hash, link, Int32(2 * t + 1)))
                    nextHash[t] = hexString(next)
                }
                links = mine.sorted { $0.hash.lexicographicallyPrecedes($1.hash) }.map { ($0.link, $0.mark) }
            } else {
                var hashed: [String: Int] = [:]
                for (t, name) in tracked.enumerated() where trackable[t] {
                    hashed[DNSSECWire.base32hex(sha1(DNSSECWire.canonicalName(name)))] = t
                }
                for link in DNSSECChain.nsec3(nodes, apex: apex, hash: sha1) {
                    let t = hashed.isEmpty ? nil : hashed[link.owner.labels[0]]
                    if let t { nextHash[t] = hexString(link.nextHash) }
                    links.append((link, t.map { Int32(2 * $0 + 1) } ?? -1))
                }
            }
            for (link, mark) in links {
                let rdata = "1 0 0 - \(DNSSECWire.base32hex(link.nextHash)) \(DNSSECChain.typeList(link.types))"
                plan.own.append(OwnSet(rdata: [rdata], wire: [DNSSECWire.nsec3RDATA(nextHash: link.nextHash, types: link.types.map(\.code))]))
                plan.jobs.append(
                    Job(
                        owner: link.owner, ownerText: link.owner.fqdn, type: .nsec3, ttl: negativeTTL, own: Int32(plan.own.count - 1),
                        keySet: false, before: flushBefore(), mark: mark))
            }
        }
        let trailing = before
        if splice != nil && (!trailing.isEmpty || !plan.before.isEmpty || trackable.contains(false)) {
            throw spliceError("the tracked owners do not match the zone")
        }
        nodes = []
        nodeIndex = [:]
        groups = []

        clock.mark("sign: RRsets and chain")
        // Which signatures are needed, and which can be kept.
        var segments: [(range: Range<Int>, owner: Int, nsec3: Bool)] = []
        var previous = r.previous
        if let splice {
            // Only the tracked owners' blocks are indexed: their signatures may be kept.
            guard let s = splice.map.segments(fileSize: splice.previous.bytes.count) else { throw spliceError("the map does not fit the file") }
            segments = s
            var blocks: [UInt8] = []
            for seg in s {
                let name = tracked[seg.owner]
                let owner = seg.nsec3 ? DNSSECChain.nsec3Owner(sha1(DNSSECWire.canonicalName(name)), apex: apex) : name
                guard isOwnerBlock(splice.previous.bytes, seg.range, prefix: Array((owner.fqdn + "\t").utf8)) else {
                    throw spliceError("the map's range for \(owner) does not hold its lines")
                }
                blocks += splice.previous.bytes[seg.range]
            }
            previous = blocks
        }
        let index = previous.map(SignedZoneIndex.init)
        previous = nil
        clock.mark("sign: index of the previous file")
        var kept = 0
        var toMake = 0
        var earliest = r.expiration
        var zoneSigners: UInt16 = 0
        var keySetSigners: UInt16 = 0
        for k in keys.indices {
            if keys[k].signsZone { zoneSigners |= 1 << k }
            if keys[k].signsKeySet { keySetSigners |= 1 << k }
        }
        var outside = (count: 0, earliest: UInt32.max, inception: UInt32(0))
        var scratch: [UInt8] = []
        for i in plan.jobs.indices {
            let job = plan.jobs[i]
            var need = job.keySet ? keySetSigners : zoneSigners
            if let index {
                scratch.removeAll(keepingCapacity: true)
                plan.appendLines(job, to: &scratch)
                let keyLength = job.ownerText.utf8.count + 1 + String(job.ttl).utf8.count + 4 + job.type.mnemonic.utf8.count
                let found = scratch.withUnsafeBufferPointer { s -> SignedZoneIndex.Block? in
                    guard let block = index.block(key: UnsafeBufferPointer(rebasing: s[0..<keyLength])), index.linesEqual(block, s) else {
                        return nil
                    }
                    return block
                }
                if let block = found {
                    let old = block.signatures.compactMap(index.signature)
                    var lines: [Range<Int>] = []
                    for k in keys.indices where need & (1 << k) != 0 {
                        if let s = old.first(where: {
                            $0.algorithm == Int(keys[k].algorithm) && $0.keyTag == keys[k].tag && $0.inception <= r.now
                                && $0.expiration > r.keepBeyond
                        }) {
                            lines.append(s.line)
                            earliest = min(earliest, s.expiration)
                            need &= ~(1 << k)
                            if job.mark < 0 {
                                outside.earliest = min(outside.earliest, s.expiration)
                                outside.inception = max(outside.inception, s.inception)
                            }
                        }
                    }
                    if job.mark < 0 { outside.count += lines.count }
                    if !lines.isEmpty {
                        kept += lines.count
                        plan.jobs[i].kept = Int32(plan.kept.count)
                        plan.kept.append(lines)
                    }
                }
            }
            plan.jobs[i].signers = need
            toMake += need.nonzeroBitCount
            if job.mark < 0 && need != 0 {
                outside.count += need.nonzeroBitCount
                outside.earliest = min(outside.earliest, r.expiration)
                outside.inception = max(outside.inception, r.inception)
            }
        }
        if let splice {
            // The map's claims about what is copied unread are checked against the bytes copied.
            var gaps: [Range<Int>] = []
            var at = 0
            for seg in segments {
                gaps.append(at..<seg.range.lowerBound)
                at = seg.range.upperBound
            }
            gaps.append(at..<splice.previous.bytes.count)
            let m = splice.map
            guard let copied = SignatureScan.scan(splice.previous.bytes, ranges: gaps), copied.count == m.outsideSignatures,
                copied.count == 0
                    || (copied.earliestExpiration == m.outsideEarliestExpiration && copied.latestInception == m.outsideLatestInception),
                copied.keyTags.isSubset(of: Set(keys.map(\.tag)))
            else { throw spliceError("the zone map's claims about the signatures it does not cover do not hold") }
            outside = (m.outsideSignatures, m.outsideEarliestExpiration, m.outsideLatestInception)
        } else if outside.count == 0 {
            outside = (0, r.expiration, r.inception)
        }
        if let index { plan.previous = index.bytes }

        clock.mark("sign: previous signatures")
        // Batches of jobs with about the same work, taken in order by the threads; each finished
        // batch is written as soon as those before it are.
        let jobs = plan.jobs
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64, jobs.count))
        var bounds = [0]
        var gaps: [Range<Int>] = []
        if splice != nil {
            // One batch per tracked block, in file order, each after the bytes that precede it.
            for i in jobs.indices.dropFirst() where jobs[i].mark != jobs[i - 1].mark { bounds.append(i) }
            bounds.append(jobs.count)
            guard bounds.count - 1 == segments.count else { throw spliceError("the tracked owners do not match the zone") }
            var at = 0
            for (b, seg) in segments.enumerated() {
                guard jobs[bounds[b]].mark == Int32(2 * seg.owner + (seg.nsec3 ? 1 : 0)) else {
                    throw spliceError("the tracked owners are not in the file's order")
                }
                gaps.append(at..<seg.range.lowerBound)
                at = seg.range.upperBound
            }
        } else {
            let batchCount = max(1, min(jobs.count, workers * 4, jobs.count / 1000 + 1) * (jobs.count > 50_000 ? 16 : 1))
            var work = 0
            let total = toMake * 16 + jobs.count
            for i in jobs.indices {
                work += jobs[i].signers.nonzeroBitCount * 16 + 1
                if bounds.count < batchCount && work * batchCount >= total * bounds.count { bounds.append(i + 1) }
            }
            while bounds.count <= batchCount { bounds.append(jobs.count) }
            bounds[batchCount] = jobs.count
        }

        let stride = max(1, jobs.count / fullVerifyLimit)
        let shared = SharedBatches(plan: plan, bounds: bounds, file: file, source: splice?.previous, gaps: gaps)
        plan = Plan()
        let (inception, expiration) = (r.inception, r.expiration)
        let expirationText = DNSSECWire.time(r.expiration)
        let inceptionText = DNSSECWire.time(r.inception)
        let signerName = r.origin
        let params = keys.map { (tag: $0.tag, algorithm: $0.algorithm) }
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            // Local copies of everything shared (no reference counts bounced between cores).
            let plan = shared.plan
            let jobs = plan.jobs
            let previous = plan.previous
            let expirationText = Array(expirationText.utf8)
            let inceptionText = Array(inceptionText.utf8)
            let signerText = Array(signerName.fqdn.utf8)
            let signerWire = DNSSECWire.canonicalName(signerName)
            do {
                let contexts = try keys.map { try SigningContext($0) }
                let buffer = ldns_buffer_new(4096)!
                defer { ldns_buffer_free(buffer) }
                var data: [UInt8] = []
                data.reserveCapacity(4096)
                var rrset: [UInt8] = []
                rrset.reserveCapacity(4096)
                while let b = shared.claim() {
                    var out: [UInt8] = []
                    out.reserveCapacity(1 << 20)
                    var sample: [UInt8] = []
                    var marks: [(Int32, Range<Int>)] = []
                    for i in shared.bounds[b]..<shared.bounds[b + 1] {
                        let job = jobs[i]
                        if job.before >= 0 { for l in plan.before[Int(job.before)] { out.append(text: l, newline: true) } }
                        let start = out.count
                        plan.appendLines(job, to: &out)
                        if job.kept >= 0 {
                            for l in plan.kept[Int(job.kept)] {
                                out += previous[l]
                                out.append(10)
                            }
                        }
                        if job.signers != 0 {
                            let owner = Array(job.ownerText.utf8)
                            let type = Array(job.type.mnemonic.utf8)
                            let wire =
                                try plan.wire(job)
                                ?? plan.rdata(job).map {
                                    try canonicalRDATA("\(job.ownerText)\t\(job.ttl)\tIN\t\(job.type.mnemonic)\t\($0)", buffer: buffer)
                                }
                            let labels = DNSSECWire.labelCount(job.owner)
                            rrset.removeAll(keepingCapacity: true)
                            DNSSECWire.appendRRset(
                                &rrset, owner: DNSSECWire.canonicalName(job.owner), type: job.type.code, ttl: job.ttl, rdatas: wire)
                            for k in params.indices where job.signers & (1 << k) != 0 {
                                let key = params[k]
                                data.removeAll(keepingCapacity: true)
                                DNSSECWire.appendRRSIGHeader(
                                    &data, covered: job.type.code, algorithm: key.algorithm, labels: labels, originalTTL: job.ttl,
                                    expiration: expiration, inception: inception, keyTag: key.tag, signer: signerWire)
                                data += rrset
                                out += owner
                                out.append(9)
                                out.append(decimal: job.ttl)
                                out.append(text: "\tIN\tRRSIG\t", newline: false)
                                out += type
                                out.append(32)
                                out.append(decimal: UInt32(key.algorithm))
                                out.append(32)
                                out.append(decimal: UInt32(labels))
                                out.append(32)
                                out.append(decimal: job.ttl)
                                out.append(32)
                                out += expirationText
                                out.append(32)
                                out += inceptionText
                                out.append(32)
                                out.append(decimal: UInt32(key.tag))
                                out.append(32)
                                out += signerText
                                out.append(32)
                                try contexts[k].sign(data, base64Into: &out)
                                out.append(10)
                            }
                        }
                        if job.owner == signerName || i % stride == 0 { sample += out[start...] }
                        if job.mark >= 0 { marks.append((job.mark, start..<out.count)) }
                    }
                    shared.deposit(b, out, sample: sample, marks: marks)
                }
            } catch {
                shared.fail("\(error)")
            }
        }
        if let failure = shared.failure { throw DNSError(.unsupported, "signing failed: \(failure)") }
        if let splice, let last = segments.last {
            try file.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: splice.previous.bytes[last.range.upperBound...])))
        }
        for l in trailing { try file.write(Array((l + "\n").utf8)) }
        if toMake > 0 { earliest = min(earliest, r.expiration) }
        if splice != nil { earliest = min(earliest, outside.earliest) }
        var map: SignedZoneMap?
        if !tracked.isEmpty && !trackable.contains(false) {
            let spans = shared.spans
            var owners: [SignedZoneMap.Owner] = []
            for (t, name) in tracked.enumerated() {
                guard let block = spans[Int32(2 * t)] else { break }
                let n3 = spans[Int32(2 * t + 1)]
                if r.nsec3 && (n3 == nil || nextHash[t] == nil) || !r.nsec3 && nextName[t] == nil { break }
                owners.append(
                    SignedZoneMap.Owner(
                        name: name.fqdn, start: block.lowerBound, end: block.upperBound, next: nextName[t], nsec3Start: n3?.lowerBound,
                        nsec3End: n3?.upperBound, nsec3Next: nextHash[t]))
            }
            if owners.count == tracked.count {
                map = SignedZoneMap(
                    owners: owners, outsideSignatures: outside.count, outsideEarliestExpiration: outside.earliest,
                    outsideLatestInception: outside.inception)
            }
        }

        clock.mark("sign: signing and writing on \(workers) threads")
        // libldns, an implementation independent of the signing path, verifies the apex RRsets and
        // every RRset of a small zone, or an even sample of a large one (the SOA comes first).
        let sample = shared.samples.joined()
        try ZoneSigner.verify(
            signedText: String(decoding: sample, as: UTF8.self), origin: r.origin, now: Date(timeIntervalSince1970: TimeInterval(r.now)))
        let verified = jobs.indices.filter { jobs[$0].owner == r.origin || $0 % stride == 0 }.count
        clock.mark("sign: libldns verification")
        try file.finish()
        clock.mark("sign: flush to disk")
        return SignResult(
            file: file, made: toMake, kept: kept + (splice?.map.outsideSignatures ?? 0), earliestExpiration: earliest, verifiedRRsets: verified,
            stages: clock.stages, map: map)
    }

    /// The RDATA of a record line, as libldns prints it (DNSKEY comments dropped).
    static func rdataOf(_ text: String) throws -> String {
        var rr: UnsafeMutablePointer<ldns_rr>?
        guard ldns_rr_new_frm_str(&rr, text, 3600, nil, nil) == LDNS_STATUS_OK, let rr else {
            throw DNSError(.syntax, "not a record: \(text)")
        }
        return LDNSRecord(rr).rdata
    }

    /// The canonical wire RDATA (RFC 4034 §6.2) of a record line.
    static func canonicalRDATA(_ text: String, buffer: UnsafeMutablePointer<ldns_buffer>) throws -> [UInt8] {
        var rr: UnsafeMutablePointer<ldns_rr>?
        let status = ldns_rr_new_frm_str(&rr, text, 0, nil, nil)
        guard status == LDNS_STATUS_OK, let rr else {
            throw DNSError(.syntax, "record does not parse (\(String(cString: ldns_get_errorstr_by_id(status)))): \(text)")
        }
        defer { ldns_rr_free(rr) }
        return try canonicalRDATA(rr, buffer: buffer)
    }

    /// The canonical wire RDATA of a parsed record (lower-cases the names in it, RFC 4034 §6.2).
    static func canonicalRDATA(_ rr: UnsafeMutablePointer<ldns_rr>, buffer: UnsafeMutablePointer<ldns_buffer>) throws -> [UInt8] {
        ldns_rr2canonical(rr)
        ldns_buffer_clear(buffer)
        guard ldns_rr_rdata2buffer_wire(buffer, rr) == LDNS_STATUS_OK else { throw DNSError(.syntax, "cannot encode a record's RDATA") }
        return Array(UnsafeBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer)))
    }

    /// SHA-1, for NSEC3 owner hashes.
    static func sha1(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { Digest.digest($0, EVP_sha1()) } }
}

/// What the signing threads share: the read-only plan, the next batch to take, and finished
/// batches waiting for those before them to be written. One thread at a time writes, outside
/// the lock, so the others keep signing.
private final class SharedBatches: @unchecked Sendable {
    let plan: Signer.Plan
    let bounds: [Int]
    let file: StagedFile
    /// With a splice: the previous file, and the bytes of it written before each batch.
    let source: MappedFile?
    let gaps: [Range<Int>]
    /// Where each marked job's bytes went in the file (merged per mark), once all are written.
    private(set) var spans: [Int32: Range<Int>] = [:]
    private let lock = NSLock()
    private var nextBatch = 0
    private var nextToWrite = 0
    private var writing = false
    private var ready: [Int: ([UInt8], [(Int32, Range<Int>)])] = [:]
    private(set) var samples: [[UInt8]]
    private(set) var failure: String?

    init(plan: Signer.Plan, bounds: [Int], file: StagedFile, source: MappedFile?, gaps: [Range<Int>]) {
        self.plan = plan
        self.bounds = bounds
        self.file = file
        self.source = source
        self.gaps = gaps
        samples = Array(repeating: [], count: bounds.count - 1)
    }

    /// The next batch to sign, or nil when all are taken (or one thread failed).
    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, nextBatch < bounds.count - 1 else { return nil }
        nextBatch += 1
        return nextBatch - 1
    }

    func fail(_ reason: String) {
        lock.lock()
        if failure == nil { failure = reason }
        lock.unlock()
    }

    /// Hands in a finished batch; writes it, and every batch it unblocks, unless another thread
    /// is writing (which then picks them up).
    func deposit(_ batch: Int, _ bytes: [UInt8], sample: [UInt8], marks: [(Int32, Range<Int>)]) {
        lock.lock()
        ready[batch] = (bytes, marks)
        samples[batch] = sample
        guard !writing else { return lock.unlock() }
        writing = true
        while true {
            var run: [(Int, [UInt8], [(Int32, Range<Int>)])] = []
            while let next = ready.removeValue(forKey: nextToWrite) {
                run.append((nextToWrite, next.0, next.1))
                nextToWrite += 1
            }
            if run.isEmpty || failure != nil {
                writing = false
                return lock.unlock()
            }
            lock.unlock()
            var problem: String?
            do {
                for (b, bytes, marks) in run {
                    if b < gaps.count, let source { try file.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: source.bytes[gaps[b]]))) }
                    let base = file.size
                    for (mark, r) in marks {
                        let at = base + r.lowerBound..<base + r.upperBound
                        spans[mark] = spans[mark].map { min($0.lowerBound, at.lowerBound)..<max($0.upperBound, at.upperBound) } ?? at
                    }
                    try file.write(bytes)
                }
            } catch { problem = "\(error)" }
            lock.lock()
            if let problem, failure == nil { failure = problem }
        }
    }
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 of `text`, and a newline if asked.
    mutating func append<S: StringProtocol>(text: S, newline: Bool) {
        var done = false
        if let s = text as? String {
            var s = s
            s.withUTF8 { append(contentsOf: $0) }
            done = true
        }
        if !done { append(contentsOf: text.utf8) }
        if newline { append(10) }
    }

    /// Appends `v` in decimal.
    mutating func append(decimal v: UInt32) {
        if v < 10 {
            append(UInt8(48 + v))
            return
        }
        var divisor: UInt32 = 1
        while v / divisor >= 10 { divisor *= 10 }
        var v = v
        while divisor > 0 {
            append(UInt8(48 + v / divisor))
            v %= divisor
            divisor /= 10
        }
    }

    /// Appends `bytes` in base64 (RFC 4648, with padding), as zone files write signatures.
    mutating func append(base64 bytes: UnsafeRawBufferPointer) {
        let table: StaticString = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
        let t = table.utf8Start
        var i = 0
        let n = bytes.count
        while i + 3 <= n {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(t[Int(v >> 6 & 63)])
            append(t[Int(v & 63)])
            i += 3
        }
        if n - i == 1 {
            let v = UInt32(bytes[i]) << 16
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(61)
            append(61)
        } else if n - i == 2 {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            append(t[Int(v >> 18)])
            append(t[Int(v >> 12 & 63)])
            append(t[Int(v >> 6 & 63)])
            append(61)
        }
    }
}

/// A signing key loaded for one run: the libldns key (which holds the OpenSSL key) and its
/// DNSKEY fields. Read-only once built, so the workers share it.
final class LoadedKey: @unchecked Sendable {
    let key: LDNSKey
    let tag: UInt16
    let algorithm: UInt8
    let dnskeyRDATA: String
    let signsKeySet: Bool
    let signsZone: Bool
    var pkey: OpaquePointer { ldns_key_evp_key(key.pointer) }

    init(_ k: SignRequest.SigningKey, zone: DomainName) throws {
        key = try ZoneSigner.load(k.key, zone: zone)
        tag = key.tag
        algorithm = UInt8(truncatingIfNeeded: ldns_key_algorithm(key.pointer).rawValue)
        dnskeyRDATA = try Signer.rdataOf(key.dnskey(ttl: 3600))
        signsKeySet = k.signsKeySet
        signsZone = k.signsZone
        guard ldns_key_evp_key(key.pointer) != nil else {
            throw DNSError(.unsupported, "DNSSEC key \(tag) has no OpenSSL key (algorithm \(algorithm))")
        }
    }
}

/// One thread's signing state for one key, reused for every signature: a digest context and a
/// signing context initialised once (ECDSA and RSA sign a SHA-256 digest; Ed25519 signs the data).
final class SigningContext {
    let algorithm: UInt8
    let pkey: OpaquePointer
    let md: OpaquePointer
    let mdctx: OpaquePointer
    let pctx: OpaquePointer?
    var sig = [UInt8](repeating: 0, count: 1024)
    var raw = [UInt8](repeating: 0, count: 64)

    init(_ key: LoadedKey) throws {
        algorithm = key.algorithm
        pkey = key.pkey
        // An explicitly fetched digest: EVP_sha256() would be fetched again on every init.
        guard let md = EVP_MD_fetch(nil, "SHA256", nil) else { throw DNSError(.unsupported, "OpenSSL has no SHA-256") }
        self.md = md
        mdctx = EVP_MD_CTX_new()
        if algorithm == 15 {
            pctx = nil
            return
        }
        guard let ctx = EVP_PKEY_CTX_new(pkey, nil), EVP_PKEY_sign_init(ctx) == 1 else {
            throw DNSError(.unsupported, "OpenSSL cannot sign with key \(key.tag)")
        }
        pctx = ctx
        if algorithm == 8 {
            guard EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PADDING) == 1, EVP_PKEY_CTX_set_signature_md(ctx, md) == 1 else {
                throw DNSError(.unsupported, "OpenSSL cannot set RSA PKCS#1 v1.5 with SHA-256")
            }
        }
    }

    deinit {
        EVP_MD_CTX_free(mdctx)
        EVP_MD_free(md)
        if let pctx { EVP_PKEY_CTX_free(pctx) }
    }

    /// Appends the DNSSEC signature over `data` to `out` in base64: r‖s for ECDSA (RFC 6605), raw
    /// for RSA and Ed25519.
    func sign(_ data: [UInt8], base64Into out: inout [UInt8]) throws {
        try sign(data) { out.append(base64: $0) }
    }

    private func sign(_ data: [UInt8], _ body: (UnsafeRawBufferPointer) -> Void) throws {
        var length = sig.count
        if algorithm == 15 {
            guard EVP_DigestSignInit(mdctx, nil, nil, nil, pkey) == 1, EVP_DigestSign(mdctx, &sig, &length, data, data.count) == 1 else {
                throw DNSError(.unsupported, "Ed25519 signing failed")
            }
            return sig.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) }
        }
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        try withUnsafeMutableBytes(of: &digest) { d in
            let dp = d.baseAddress!.assumingMemoryBound(to: UInt8.self)
            var size: UInt32 = 0
            guard EVP_DigestInit_ex(mdctx, md, nil) == 1, EVP_DigestUpdate(mdctx, data, data.count) == 1, EVP_DigestFinal_ex(mdctx, dp, &size) == 1,
                EVP_PKEY_sign(pctx, &sig, &length, dp, 32) == 1
            else { throw DNSError(.unsupported, "signing failed") }
        }
        if algorithm != 13 { return sig.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[0..<length])) } }
        guard Self.rawECDSA(sig, length: length, size: 32, into: &raw) else { throw DNSError(.unsupported, "bad ECDSA signature from OpenSSL") }
        raw.withUnsafeBytes { body($0) }
    }

    /// Converts a DER `SEQUENCE { INTEGER r, INTEGER s }` (the first `length` octets of `der`)
    /// into r‖s, each left-padded to `size`, in `out` (2 × `size` octets); false if malformed.
    static func rawECDSA(_ der: [UInt8], length end: Int, size: Int, into out: inout [UInt8]) -> Bool {
        var i = 0
        func length() -> Int? {
            guard i < end else { return nil }
            let first = Int(der[i])
            i += 1
            if first < 0x80 { return first }
            let n = first & 0x7F
            guard n <= 2, i + n <= end else { return nil }
            var v = 0
            for k in 0..<n { v = v << 8 | Int(der[i + k]) }
            i += n
            return v
        }
        guard end > 0, der[0] == 0x30 else { return false }
        i = 1
        guard length() != nil else { return false }
        for part in 0..<2 {
            guard i < end, der[i] == 0x02 else { return false }
            i += 1
            guard var n = length(), i + n <= end else { return false }
            var start = i
            i += n
            while n > size, der[start] == 0 {
                start += 1
                n -= 1
            }
            guard n <= size else { return false }
            let base = part * size
            for k in 0..<(size - n) { out[base + k] = 0 }
            for k in 0..<n { out[base + size - n + k] = der[start + k] }
        }
        return true
    }
}
