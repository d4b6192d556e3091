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
    public var previous: String?
    public var keepBeyond: UInt32

    public init(
        origin: DomainName, soaRDATA: String, soaTTL: UInt32, records: [Record], keys: [SigningKey], publishedOnly: [String] = [],
        cds: [String] = [], dnskeyTTL: UInt32, inception: UInt32, expiration: UInt32, nsec3: Bool, now: UInt32, previous: String? = nil,
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

/// A signed zone and what signing it took.
public struct SignResult: Sendable {
    /// The signed zone file, in pieces to be written one after the other (one per signing thread).
    public var chunks: [[UInt8]]
    /// Signatures made in this run, and kept from the previous file.
    public var made: Int
    public var kept: Int
    /// The earliest expiration of any signature in the zone (kept ones may expire first).
    public var earliestExpiration: UInt32
    /// RRsets whose signatures libldns checked independently before the text was returned.
    public var verifiedRRsets: Int
    /// Seconds spent in each stage, in order (for `MAILKEYS_TIMING` and the benchmark).
    public var stages: [(String, Double)]

    /// The whole signed zone as text (tests and small zones; a large zone is written from `chunks`).
    public var text: String { String(decoding: chunks.joined(), as: UTF8.self) }

    /// The lower-case hex SHA-256 of the signed zone file.
    public var sha256Hex: String { Digest.sha256Hex(chunks: chunks) }
}

/// Signs zones with OpenSSL on every core: one signing context per key and thread, reused for
/// every signature, RRsets in canonical wire form built once; NSEC/NSEC3 chains built in Swift;
/// unchanged RRsets keep their still-valid signatures (incremental signing). Each thread writes
/// the finished text of a contiguous run of RRsets, so the file is never assembled twice.
public enum Signer {
    /// Up to this many signed RRsets a zone is verified in full by libldns before it is returned;
    /// above it, the apex RRsets plus an even sample of this many.
    public static let fullVerifyLimit = 1000

    /// One RRset to sign, and the unsigned lines (glue, delegation NS) printed before it.
    struct Job {
        var owner: DomainName
        var ownerText: String
        var type: RRType
        var ttl: UInt32
        var rdata: [String]
        /// Canonical wire RDATA when known (template records, NSEC, NSEC3); else parsed from `rdata`.
        var wire: [[UInt8]]?
        var keySet: Bool
        var signers: [Int] = []
        var kept: [Substring] = []
        var before: [String] = []

        /// The record lines as the signed file has them: `owner\tTTL\tIN\tTYPE\tRDATA`.
        func line(_ i: Int) -> String { "\(ownerText)\t\(ttl)\tIN\t\(type.mnemonic)\t\(rdata[i])" }
    }

    /// One owner's RRsets before they become jobs.
    struct RRsetData {
        var type: RRType
        var ttl: UInt32
        var rdata: [String]
        var wire: [[UInt8]]?
    }

    public static func sign(_ r: SignRequest) throws -> SignResult {
        var clock = StageClock()
        let keys = try r.keys.map { try LoadedKey($0, zone: r.origin) }
        guard keys.contains(where: \.signsKeySet), keys.contains(where: \.signsZone) else {
            throw DNSError(.unsupported, "signing needs a key for the DNSKEY RRset and one for the zone data")
        }
        let apex = r.origin
        let soaMinimum = UInt32(r.soaRDATA.split(separator: " ").last.flatMap { UInt32($0) } ?? 3600)
        let negativeTTL = min(soaMinimum, r.soaTTL)

        // The apex key RRsets: DNSKEY of every signing and published key, CDS and CDNSKEY.
        var dnskeys = keys.map { $0.dnskeyRDATA }
        for text in r.publishedOnly { dnskeys.append(try rdataOf(text)) }
        var apexSets = [RRsetData(type: .soa, ttl: r.soaTTL, rdata: [r.soaRDATA]), RRsetData(type: .dnskey, ttl: r.dnskeyTTL, rdata: dnskeys)]
        if !r.cds.isEmpty {
            let cdnskey = try r.cds.map(rdataOf)
            let cds = try r.cds.map { try rdataOf(ZoneSigner.ds(dnskey: $0)) }
            apexSets += [RRsetData(type: .cds, ttl: r.dnskeyTTL, rdata: cds), RRsetData(type: .cdnskey, ttl: r.dnskeyTTL, rdata: cdnskey)]
        }
        if r.nsec3 { apexSets.append(RRsetData(type: .nsec3param, ttl: 0, rdata: ["1 0 0 -"])) }

        // RRsets grouped by owner: the records come in canonical order, each RRset together.
        var groups: [(name: DomainName, sets: [RRsetData])] = [(apex, apexSets)]
        let records = r.records
        var i = 0
        while i < records.count {
            let owner = records[i].owner
            var sets: [RRsetData] = []
            while i < records.count && records[i].owner == owner {
                let type = records[i].type
                var set = RRsetData(type: type, ttl: records[i].ttl, rdata: [], wire: [])
                while i < records.count && records[i].type == type && records[i].owner == owner {
                    set.rdata.append(records[i].rdata)
                    if let w = records[i].wire { set.wire?.append(w) } else { set.wire = nil }
                    i += 1
                }
                sets.append(set)
            }
            if owner == apex { groups[0].sets += sets } else { groups.append((owner, sets)) }
        }
        let nodes = DNSSECChain.authoritative(
            groups.map { DNSSECChain.Node(name: $0.name, types: $0.sets.map(\.type), delegation: false) }, apex: apex)
        let delegations = Set(nodes.filter(\.delegation).map(\.name))
        let authoritativeNames = Set(nodes.map(\.name))

        func line(_ owner: String, _ ttl: UInt32, _ type: RRType, _ rdata: String) -> String { "\(owner)\t\(ttl)\tIN\t\(type.mnemonic)\t\(rdata)" }
        var jobs: [Job] = []
        jobs.reserveCapacity(groups.count * 2 + 16)
        var before: [String] = []  // unsigned lines for the next job
        for g in groups {
            let cut = delegations.contains(g.name)
            let ownerText = g.name.fqdn
            let authoritative = authoritativeNames.contains(g.name)
            for s in g.sets.sorted(by: { ($0.type == .soa ? -1 : Int($0.type.code)) < ($1.type == .soa ? -1 : Int($1.type.code)) }) {
                if !authoritative || (cut && s.type != .ds) {
                    before += s.rdata.map { line(ownerText, s.ttl, s.type, $0) }
                    continue
                }
                let keySet = g.name == apex && [.dnskey, .cds, .cdnskey].contains(s.type)
                jobs.append(
                    Job(
                        owner: g.name, ownerText: ownerText, type: s.type, ttl: s.ttl, rdata: s.rdata, wire: s.wire, keySet: keySet,
                        before: before))
                before = []
            }
            if !r.nsec3, authoritative {
                // NSEC goes right after its owner's RRsets.
                jobs.append(Job(owner: g.name, ownerText: ownerText, type: .nsec, ttl: negativeTTL, rdata: [], keySet: false, before: before))
                before = []
            }
        }
        if !r.nsec3 {
            var links = DNSSECChain.nsec(nodes).makeIterator()
            for i in jobs.indices where jobs[i].type == .nsec {
                let link = links.next()!
                jobs[i].rdata = ["\(link.next!.fqdn) \(DNSSECChain.typeList(link.types))"]
                jobs[i].wire = [DNSSECWire.nsecRDATA(next: link.next!, types: link.types.map(\.code))]
            }
        } else {
            for link in DNSSECChain.nsec3(nodes, apex: apex, hash: sha1) {
                let rdata = "1 0 0 - \(DNSSECWire.base32hex(link.nextHash)) \(DNSSECChain.typeList(link.types))"
                jobs.append(
                    Job(
                        owner: link.owner, ownerText: link.owner.fqdn, type: .nsec3, ttl: negativeTTL, rdata: [rdata],
                        wire: [DNSSECWire.nsec3RDATA(nextHash: link.nextHash, types: link.types.map(\.code))], keySet: false, before: before))
                before = []
            }
        }
        let trailing = before

        clock.mark("sign: RRsets and chain")
        // Which signatures are needed, and which can be kept.
        let index = r.previous.map(SignedZoneIndex.init)
        var kept = 0
        var toMake = 0
        var earliest = r.expiration
        let zoneSigners = keys.indices.filter { keys[$0].signsZone }
        let keySetSigners = keys.indices.filter { keys[$0].signsKeySet }
        for i in jobs.indices {
            let wanted = jobs[i].keySet ? keySetSigners : zoneSigners
            var old: [SignedZoneIndex.Signature] = []
            if let index, !jobs[i].rdata.isEmpty,
                let block = index.blocks[Substring("\(jobs[i].ownerText)\t\(jobs[i].ttl)\tIN\t\(jobs[i].type.mnemonic)")],
                block.lines.count == jobs[i].rdata.count, block.lines.indices.allSatisfy({ block.lines[$0] == jobs[i].line($0) })
            {
                old = block.signatures.compactMap(SignedZoneIndex.signature)
            }
            var need: [Int] = []
            for k in wanted {
                if let s = old.first(where: {
                    $0.algorithm == Int(keys[k].algorithm) && $0.keyTag == keys[k].tag && $0.inception <= r.now && $0.expiration > r.keepBeyond
                }) {
                    jobs[i].kept.append(s.line)
                    earliest = min(earliest, s.expiration)
                    kept += 1
                } else {
                    need.append(k)
                }
            }
            jobs[i].signers = need
            toMake += need.count
        }

        clock.mark("sign: previous signatures")
        // Contiguous runs of jobs with about the same number of signatures to make, one per thread.
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64, jobs.count))
        var bounds = [0]
        var work = 0
        let total = toMake * 16 + jobs.count
        for i in jobs.indices {
            work += jobs[i].signers.count * 16 + 1
            if bounds.count < workers && work * workers >= total * bounds.count { bounds.append(i + 1) }
        }
        while bounds.count <= workers { bounds.append(jobs.count) }
        bounds[workers] = jobs.count

        let shared = SharedJobs(
            jobs: jobs, bounds: bounds, workers: workers, expirationText: DNSSECWire.time(r.expiration),
            inceptionText: DNSSECWire.time(r.inception))
        let (inception, expiration) = (r.inception, r.expiration)
        let signerName = r.origin
        let params = keys.map { (tag: $0.tag, algorithm: $0.algorithm) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Local copies of everything shared (no reference counts bounced between cores).
            let jobs = shared.jobs
            let range = shared.bounds[w]..<shared.bounds[w + 1]
            let expirationText = Array(shared.expirationText.utf8)
            let inceptionText = Array(shared.inceptionText.utf8)
            let signerText = Array(signerName.fqdn.utf8)
            let signerWire = DNSSECWire.canonicalName(signerName)
            var out: [UInt8] = []
            var spans: [Range<Int>] = []
            spans.reserveCapacity(range.count)
            do {
                let contexts = try keys.map { try SigningContext($0) }
                let buffer = ldns_buffer_new(4096)!
                defer { ldns_buffer_free(buffer) }
                var data: [UInt8] = []
                data.reserveCapacity(4096)
                var rrset: [UInt8] = []
                rrset.reserveCapacity(4096)
                for i in range {
                    let job = jobs[i]
                    for l in job.before { out.append(text: l, newline: true) }
                    let start = out.count
                    let owner = Array(job.ownerText.utf8)
                    let type = Array(job.type.mnemonic.utf8)
                    for rd in job.rdata {
                        out += owner
                        out.append(9)
                        out.append(decimal: job.ttl)
                        out += [9, 73, 78, 9]  // \tIN\t
                        out += type
                        out.append(9)
                        out.append(text: rd, newline: true)
                    }
                    for l in job.kept { out.append(text: l, newline: true) }
                    if !job.signers.isEmpty {
                        let wire =
                            try job.wire
                            ?? job.rdata.map { try canonicalRDATA("\(job.ownerText)\t\(job.ttl)\tIN\t\(job.type.mnemonic)\t\($0)", buffer: buffer) }
                        let labels = DNSSECWire.labelCount(job.owner)
                        rrset.removeAll(keepingCapacity: true)
                        DNSSECWire.appendRRset(
                            &rrset, owner: DNSSECWire.canonicalName(job.owner), type: job.type.code, ttl: job.ttl, rdatas: wire)
                        for k in job.signers {
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
                    spans.append(start..<out.count)
                }
                if w == workers - 1 { for l in trailing { out.append(text: l, newline: true) } }
            } catch {
                shared.failureSlots[w] = "\(error)"
            }
            shared.chunkSlots[w] = out
            shared.spanSlots[w] = spans
        }
        if let failure = shared.failures.compactMap({ $0 }).first { throw DNSError(.unsupported, "signing failed: \(failure)") }
        let chunks = shared.chunks
        if toMake > 0 { earliest = min(earliest, r.expiration) }

        clock.mark("sign: signing on \(workers) threads")
        let verified = try verifySample(jobs, chunks: chunks, spans: shared.spans, bounds: bounds, origin: r.origin, now: r.now)
        clock.mark("sign: libldns verification")
        return SignResult(
            chunks: chunks, made: toMake, kept: kept, earliestExpiration: earliest, verifiedRRsets: verified, stages: clock.stages)
    }

    /// Has libldns, an implementation independent of the signing path, verify the DNSKEY, SOA and
    /// every other apex RRset plus every RRset of a small zone, or an even sample of a large one.
    static func verifySample(
        _ jobs: [Job], chunks: [[UInt8]], spans: [[Range<Int>]], bounds: [Int], origin: DomainName, now: UInt32
    ) throws -> Int {
        let stride = max(1, jobs.count / fullVerifyLimit)
        var text: [UInt8] = []
        var count = 0
        for w in chunks.indices {
            for i in bounds[w]..<bounds[w + 1] where jobs[i].owner == origin || i % stride == 0 {
                text += chunks[w][spans[w][i - bounds[w]]]
                count += 1
            }
        }
        // The SOA comes first (job 0) as libldns's zone reader needs.
        try ZoneSigner.verify(
            signedText: String(decoding: text, as: UTF8.self), origin: origin, now: Date(timeIntervalSince1970: TimeInterval(now)))
        return count
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

/// The read-only job list shared by the signing workers and the per-worker results: each worker
/// writes only its own slots, so no two threads touch the same element.
private final class SharedJobs: @unchecked Sendable {
    let jobs: [Signer.Job]
    let bounds: [Int]
    let expirationText: String
    let inceptionText: String
    let chunkSlots: UnsafeMutableBufferPointer<[UInt8]>
    let spanSlots: UnsafeMutableBufferPointer<[Range<Int>]>
    let failureSlots: UnsafeMutableBufferPointer<String?>
    init(jobs: [Signer.Job], bounds: [Int], workers: Int, expirationText: String, inceptionText: String) {
        self.jobs = jobs
        self.bounds = bounds
        self.expirationText = expirationText
        self.inceptionText = inceptionText
        chunkSlots = .allocate(capacity: workers)
        chunkSlots.initialize(repeating: [])
        spanSlots = .allocate(capacity: workers)
        spanSlots.initialize(repeating: [])
        failureSlots = .allocate(capacity: workers)
        failureSlots.initialize(repeating: nil)
    }
    deinit {
        chunkSlots.deinitialize().deallocate()
        spanSlots.deinitialize().deallocate()
        failureSlots.deinitialize().deallocate()
    }
    var chunks: [[UInt8]] { Array(chunkSlots) }
    var spans: [[Range<Int>]] { Array(spanSlots) }
    var failures: [String?] { Array(failureSlots) }
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

    /// The DNSSEC signature over `data`: r‖s for ECDSA (RFC 6605), raw for RSA and Ed25519.
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        var out: [UInt8] = []
        try sign(data) { out = Array($0) }
        return out
    }

    /// Appends the DNSSEC signature over `data` to `out` in base64.
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

/// Digests through OpenSSL: whole zone files (the core's pure-Swift SHA-256 is for short
/// inputs; a signed zone can be tens of megabytes), SPKI and certificate hashes, NSEC3 owners.
public enum Digest {
    /// The digest of `bytes` with `md` (`EVP_sha256()`, `EVP_sha1()`).
    static func digest(_ bytes: UnsafeRawBufferPointer, _ md: OpaquePointer?) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 64)
        var size: UInt32 = 0
        _ = EVP_Digest(bytes.baseAddress, bytes.count, &out, &size, md, nil)
        return Array(out.prefix(Int(size)))
    }

    /// Lower-case hex.
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }

    /// The lower-case hex SHA-256 of the UTF-8 bytes of `text`.
    public static func sha256Hex(_ text: String) -> String {
        var text = text
        return text.withUTF8 { hex(digest(UnsafeRawBufferPointer($0), EVP_sha256())) }
    }

    /// The lower-case hex SHA-256 of `chunks` one after the other.
    public static func sha256Hex(chunks: [[UInt8]]) -> String {
        let ctx = EVP_MD_CTX_new()
        defer { EVP_MD_CTX_free(ctx) }
        var out = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        EVP_DigestInit_ex(ctx, EVP_sha256(), nil)
        for c in chunks { EVP_DigestUpdate(ctx, c, c.count) }
        EVP_DigestFinal_ex(ctx, &out, &size)
        return hex(out)
    }

    /// The lower-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String { hex(digest(UnsafeRawBufferPointer(bytes), EVP_sha256())) }
}
