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
    public var text: String
    /// Signatures made in this run, and kept from the previous file.
    public var made: Int
    public var kept: Int
    /// The earliest expiration of any signature in the zone (kept ones may expire first).
    public var earliestExpiration: UInt32
    /// RRsets whose signatures libldns checked independently before the text was returned.
    public var verifiedRRsets: Int
    /// Seconds spent in each stage, in order (for `MAILKEYS_TIMING` and the benchmark).
    public var stages: [(String, Double)]
}

/// Signs zones with OpenSSL on every core: one signing context per key and thread, reused for
/// every signature, RRsets in canonical wire form built once; NSEC/NSEC3 chains built in Swift;
/// unchanged RRsets keep their still-valid signatures (incremental signing).
public enum Signer {
    /// Up to this many signed RRsets a zone is verified in full by libldns before it is returned;
    /// above it, the apex RRsets plus an even sample of this many.
    public static let fullVerifyLimit = 1000

    /// One RRset to sign.
    struct Job {
        var owner: DomainName
        var type: RRType
        var ttl: UInt32
        var lines: [String]
        /// Wire RDATA when mailkeys made the record itself (NSEC, NSEC3); else parsed from `lines`.
        var wire: [[UInt8]]?
        var keySet: Bool
        var signers: [Int] = []
        var kept: [Substring] = []
        var sigLines: [String] = []
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
        var apexExtra: [(RRType, UInt32, [String])] = [(.dnskey, r.dnskeyTTL, dnskeys)]
        if !r.cds.isEmpty {
            let cdnskey = try r.cds.map(rdataOf)
            let cds = try r.cds.map { try rdataOf(ZoneSigner.ds(dnskey: $0)) }
            apexExtra += [(.cds, r.dnskeyTTL, cds), (.cdnskey, r.dnskeyTTL, cdnskey)]
        }

        // RRsets in canonical order, grouped by owner.
        if r.nsec3 { apexExtra.append((.nsec3param, 0, ["1 0 0 -"])) }
        var groups: [(name: DomainName, sets: [(type: RRType, ttl: UInt32, rdata: [String])])] = [
            (apex, [(.soa, r.soaTTL, [r.soaRDATA])] + apexExtra.map { ($0.0, $0.1, $0.2) })
        ]
        for rec in r.records {
            if groups[groups.count - 1].name != rec.owner { groups.append((rec.owner, [])) }
            var sets = groups[groups.count - 1].sets
            if let i = sets.firstIndex(where: { $0.type == rec.type }) {
                sets[i].rdata.append(rec.rdata)
            } else {
                sets.append((rec.type, rec.ttl, [rec.rdata]))
            }
            groups[groups.count - 1].sets = sets
        }
        let nodes = DNSSECChain.authoritative(
            groups.map { DNSSECChain.Node(name: $0.name, types: $0.sets.map(\.type), delegation: false) }, apex: apex)
        let delegations = Set(nodes.filter(\.delegation).map(\.name))
        let authoritativeNames = Set(nodes.map(\.name))

        func line(_ owner: DomainName, _ ttl: UInt32, _ type: RRType, _ rdata: String) -> String {
            "\(owner.fqdn)\t\(ttl)\tIN\t\(type.mnemonic)\t\(rdata)"
        }
        var jobs: [Job] = []
        var unsignedLines: [Int: [String]] = [:]  // before job index: glue and delegation NS
        for g in groups {
            let cut = delegations.contains(g.name)
            for s in g.sets.sorted(by: { ($0.type == .soa ? -1 : Int($0.type.code)) < ($1.type == .soa ? -1 : Int($1.type.code)) }) {
                let lines = s.rdata.map { line(g.name, s.ttl, s.type, $0) }
                if !authoritativeNames.contains(g.name) || (cut && s.type != .ds) {
                    unsignedLines[jobs.count, default: []] += lines
                    continue
                }
                let keySet = g.name == apex && [.dnskey, .cds, .cdnskey].contains(s.type)
                jobs.append(Job(owner: g.name, type: s.type, ttl: s.ttl, lines: lines, keySet: keySet))
            }
            if !r.nsec3, authoritativeNames.contains(g.name) {
                // NSEC goes right after its owner's RRsets.
                jobs.append(Job(owner: g.name, type: .nsec, ttl: negativeTTL, lines: [], keySet: false))
            }
        }
        if !r.nsec3 {
            var links = DNSSECChain.nsec(nodes).makeIterator()
            for i in jobs.indices where jobs[i].type == .nsec {
                let link = links.next()!
                jobs[i].lines = [line(link.owner, negativeTTL, .nsec, "\(link.next!.fqdn) \(DNSSECChain.typeList(link.types))")]
                jobs[i].wire = [DNSSECWire.nsecRDATA(next: link.next!, types: link.types.map(\.code))]
            }
        } else {
            for link in DNSSECChain.nsec3(nodes, apex: apex, hash: sha1) {
                let rdata = "1 0 0 - \(DNSSECWire.base32hex(link.nextHash)) \(DNSSECChain.typeList(link.types))"
                jobs.append(
                    Job(
                        owner: link.owner, type: .nsec3, ttl: negativeTTL, lines: [line(link.owner, negativeTTL, .nsec3, rdata)],
                        wire: [DNSSECWire.nsec3RDATA(nextHash: link.nextHash, types: link.types.map(\.code))], keySet: false))
            }
        }

        clock.mark("sign: RRsets and chain")
        // Which signatures are needed, and which can be kept.
        let index = r.previous.map(SignedZoneIndex.init)
        var toSign: [Int] = []
        var kept = 0
        var earliest = r.expiration
        for i in jobs.indices {
            let wanted = keys.indices.filter { jobs[i].keySet ? keys[$0].signsKeySet : keys[$0].signsZone }
            var need: [Int] = []
            var old: [SignedZoneIndex.Signature] = []
            if let index, let first = jobs[i].lines.first, let block = index.blocks[SignedZoneIndex.key(first)],
                block.lines.count == jobs[i].lines.count, zip(block.lines, jobs[i].lines).allSatisfy({ $0 == $1 })
            {
                old = block.signatures.compactMap(SignedZoneIndex.signature)
            }
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
            if !need.isEmpty { toSign.append(i) }
        }

        clock.mark("sign: previous signatures")
        // Sign on every core; each worker owns its contexts and writes only its own slots.
        let results = UnsafeMutableBufferPointer<[String]>.allocate(capacity: toSign.count)
        results.initialize(repeating: [])
        defer { results.deallocate() }
        let failures = UnsafeMutableBufferPointer<String?>.allocate(capacity: 64)
        failures.initialize(repeating: nil)
        defer { failures.deallocate() }
        let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64, toSign.count))
        let signer = r.origin
        let (inception, expiration) = (r.inception, r.expiration)
        let shared = SharedJobs(
            jobs: jobs, toSign: toSign, results: results, failures: failures, expirationText: DNSSECWire.time(expiration),
            inceptionText: DNSSECWire.time(inception))
        let params = keys.map { (tag: $0.tag, algorithm: $0.algorithm) }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Contiguous slices (no two threads write neighbouring result slots), local copies of
            // everything shared (no reference counts bounced between cores).
            let jobs = shared.jobs
            let toSign = shared.toSign
            let results = shared.results
            let (expirationText, inceptionText) = (shared.expirationText, shared.inceptionText)
            let signerText = signer.fqdn
            let signerWire = DNSSECWire.canonicalName(signer)
            let range = (toSign.count * w / workers)..<(toSign.count * (w + 1) / workers)
            do {
                let contexts = try keys.map { try SigningContext($0) }
                let buffer = ldns_buffer_new(4096)!
                defer { ldns_buffer_free(buffer) }
                var data: [UInt8] = []
                data.reserveCapacity(4096)
                for slot in range {
                    let job = jobs[toSign[slot]]
                    let wire = try job.wire ?? job.lines.map { try canonicalRDATA($0, buffer: buffer) }
                    let labels = DNSSECWire.labelCount(job.owner)
                    let owner = job.owner.fqdn
                    var rrset: [UInt8] = []
                    DNSSECWire.appendRRset(&rrset, owner: DNSSECWire.canonicalName(job.owner), type: job.type.code, ttl: job.ttl, rdatas: wire)
                    var lines: [String] = []
                    for k in job.signers {
                        let key = params[k]
                        data.removeAll(keepingCapacity: true)
                        data += DNSSECWire.rrsigHeader(
                            covered: job.type.code, algorithm: key.algorithm, labels: labels, originalTTL: job.ttl,
                            expiration: expiration, inception: inception, keyTag: key.tag, signer: signerWire)
                        data += rrset
                        let signature = try contexts[k].sign(data)
                        lines.append(
                            "\(owner)\t\(job.ttl)\tIN\tRRSIG\t\(job.type.mnemonic) \(key.algorithm) \(labels) \(job.ttl) "
                                + "\(expirationText) \(inceptionText) \(key.tag) \(signerText) \(signature.base64)")
                    }
                    results[slot] = lines
                }
            } catch {
                shared.failures[w] = "\(error)"
            }
        }
        if let failure = failures.compactMap({ $0 }).first { throw DNSError(.unsupported, "signing failed: \(failure)") }

        clock.mark("sign: signing on \(workers) threads")
        var made = 0
        for (slot, i) in toSign.enumerated() {
            jobs[i].sigLines = results[slot]
            made += results[slot].count
        }
        var out = ""
        out.reserveCapacity(jobs.reduce(0) { $0 + ($1.lines.first?.utf8.count ?? 0) * ($1.lines.count + 2) + 200 })
        for (i, job) in jobs.enumerated() {
            for l in unsignedLines[i] ?? [] { out += l + "\n" }
            for l in job.lines { out += l + "\n" }
            for l in job.kept { out += l + "\n" }
            for l in job.sigLines { out += l + "\n" }
        }
        for l in unsignedLines[jobs.count] ?? [] { out += l + "\n" }
        if made > 0 { earliest = min(earliest, r.expiration) }

        clock.mark("sign: output")
        let verified = try verifySample(jobs, origin: r.origin, now: r.now)
        clock.mark("sign: libldns verification")
        return SignResult(
            text: out, made: made, kept: kept, earliestExpiration: earliest, verifiedRRsets: verified, stages: clock.stages)
    }

    /// Has libldns, an implementation independent of the signing path, verify the DNSKEY, SOA and
    /// every other apex RRset plus every RRset of a small zone, or an even sample of a large one.
    static func verifySample(_ jobs: [Job], origin: DomainName, now: UInt32) throws -> Int {
        let stride = max(1, jobs.count / fullVerifyLimit)
        var text = ""
        var count = 0
        for (i, job) in jobs.enumerated() where job.owner == origin || i % stride == 0 {
            for l in job.lines + job.kept.map(String.init) + job.sigLines { text += l + "\n" }
            count += 1
        }
        // The SOA must come first for libldns's zone reader.
        try ZoneSigner.verify(signedText: text, origin: origin, now: Date(timeIntervalSince1970: TimeInterval(now)))
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
        ldns_rr2canonical(rr)
        ldns_buffer_clear(buffer)
        guard ldns_rr_rdata2buffer_wire(buffer, rr) == LDNS_STATUS_OK else { throw DNSError(.syntax, "cannot encode: \(text)") }
        return Array(UnsafeBufferPointer(start: ldns_buffer_begin(buffer), count: ldns_buffer_position(buffer)))
    }

    /// SHA-1, for NSEC3 owner hashes.
    static func sha1(_ data: [UInt8]) -> [UInt8] { data.withUnsafeBytes { Digest.digest($0, EVP_sha1()) } }
}

/// The read-only job list and the per-slot result storage shared by the signing workers: each
/// worker writes only the slots it owns, so no two threads touch the same element.
private final class SharedJobs: @unchecked Sendable {
    let jobs: [Signer.Job]
    let toSign: [Int]
    let results: UnsafeMutableBufferPointer<[String]>
    let failures: UnsafeMutableBufferPointer<String?>
    let expirationText: String
    let inceptionText: String
    init(
        jobs: [Signer.Job], toSign: [Int], results: UnsafeMutableBufferPointer<[String]>, failures: UnsafeMutableBufferPointer<String?>,
        expirationText: String, inceptionText: String
    ) {
        self.jobs = jobs
        self.toSign = toSign
        self.results = results
        self.failures = failures
        self.expirationText = expirationText
        self.inceptionText = inceptionText
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

    init(_ key: LoadedKey) throws {
        algorithm = key.algorithm
        pkey = key.pkey
        md = EVP_sha256()
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
        if let pctx { EVP_PKEY_CTX_free(pctx) }
    }

    /// The DNSSEC signature over `data`: r‖s for ECDSA (RFC 6605), raw for RSA and Ed25519.
    func sign(_ data: [UInt8]) throws -> [UInt8] {
        var sig = [UInt8](repeating: 0, count: 512)
        var length = sig.count
        if algorithm == 15 {
            guard EVP_DigestSignInit(mdctx, nil, nil, nil, pkey) == 1, EVP_DigestSign(mdctx, &sig, &length, data, data.count) == 1 else {
                throw DNSError(.unsupported, "Ed25519 signing failed")
            }
            return Array(sig[0..<length])
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var size: UInt32 = 0
        guard EVP_DigestInit_ex(mdctx, md, nil) == 1, EVP_DigestUpdate(mdctx, data, data.count) == 1, EVP_DigestFinal_ex(mdctx, &digest, &size) == 1,
            EVP_PKEY_sign(pctx, &sig, &length, digest, 32) == 1
        else { throw DNSError(.unsupported, "signing failed") }
        return algorithm == 13 ? try Self.rawECDSA(sig[0..<length], size: 32) : Array(sig[0..<length])
    }

    /// Converts a DER `SEQUENCE { INTEGER r, INTEGER s }` into r‖s, each left-padded to `size`.
    static func rawECDSA(_ der: ArraySlice<UInt8>, size: Int) throws -> [UInt8] {
        var d = Array(der)
        var i = 0
        func length() throws -> Int {
            guard i < d.count else { throw DNSError(.unsupported, "bad ECDSA signature") }
            let first = Int(d[i])
            i += 1
            if first < 0x80 { return first }
            let n = first & 0x7F
            guard n <= 2, i + n <= d.count else { throw DNSError(.unsupported, "bad ECDSA signature") }
            let v = d[i..<i + n].reduce(0) { $0 << 8 | Int($1) }
            i += n
            return v
        }
        guard d.first == 0x30 else { throw DNSError(.unsupported, "bad ECDSA signature") }
        i = 1
        _ = try length()
        var out: [UInt8] = []
        for _ in 0..<2 {
            guard i < d.count, d[i] == 0x02 else { throw DNSError(.unsupported, "bad ECDSA signature") }
            i += 1
            let n = try length()
            guard i + n <= d.count else { throw DNSError(.unsupported, "bad ECDSA signature") }
            var v = Array(d[i..<i + n])
            i += n
            while v.count > size, v.first == 0 { v.removeFirst() }
            guard v.count <= size else { throw DNSError(.unsupported, "bad ECDSA signature") }
            out += [UInt8](repeating: 0, count: size - v.count) + v
        }
        d.removeAll()
        return out
    }
}

extension Array where Element == UInt8 {
    var base64: String { Data(self).base64EncodedString() }
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

    /// The lower-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: UnsafeBufferPointer<UInt8>) -> String { hex(digest(UnsafeRawBufferPointer(bytes), EVP_sha256())) }
}
