import CLDNS
import MailKeysCore

/// Stage 4 of signing, one per thread: takes batches from ``SharedBatches`` in order and writes
/// each job's unsigned lines, its records, the signatures it keeps and those it makes (one OpenSSL
/// context per key, reused for every signature), then hands the batch back with its share of the
/// verification sample and the byte ranges of tracked owners.
struct SigningWorker {
    /// What every worker of one signing reads.
    struct Setup: @unchecked Sendable {
        var keys: [LoadedKey]
        var inception: UInt32
        var expiration: UInt32
        var signer: DomainName
        /// Every job whose index is a multiple of it (and every apex RRset) goes in the sample.
        var sampleStride: Int
    }

    /// A finished batch.
    struct Batch {
        var bytes: [UInt8] = []
        var sample: [UInt8] = []
        var marks: [(Int32, Range<Int>)] = []
    }

    /// Local copies of everything shared (no reference counts bounced between cores).
    private let plan: SigningPlan
    private let setup: Setup
    private let contexts: [SigningContext]
    private let params: [(tag: UInt16, algorithm: UInt8)]
    private let expirationText: [UInt8]
    private let inceptionText: [UInt8]
    private let signerText: [UInt8]
    private let signerWire: [UInt8]
    private let buffer: UnsafeMutablePointer<ldns_buffer>
    private var data: [UInt8] = []
    private var rrset: [UInt8] = []

    /// Signs batches until none is left or a worker failed (the failure goes to `shared`).
    static func run(_ shared: SharedBatches, _ setup: Setup) {
        do {
            let contexts = try setup.keys.map { try SigningContext($0) }
            let buffer = ldns_buffer_new(4096)!
            defer { ldns_buffer_free(buffer) }
            var worker = SigningWorker(plan: shared.plan, setup: setup, contexts: contexts, buffer: buffer)
            while let b = shared.claim() {
                let batch = try worker.sign(shared.bounds[b]..<shared.bounds[b + 1])
                shared.deposit(b, batch.bytes, sample: batch.sample, marks: batch.marks)
            }
        } catch {
            shared.fail("\(error)")
        }
    }

    private init(plan: SigningPlan, setup: Setup, contexts: [SigningContext], buffer: UnsafeMutablePointer<ldns_buffer>)
    {
        self.plan = plan
        self.setup = setup
        self.contexts = contexts
        self.buffer = buffer
        params = setup.keys.map { (tag: $0.tag, algorithm: $0.algorithm) }
        expirationText = Array(DNSSECWire.time(setup.expiration).utf8)
        inceptionText = Array(DNSSECWire.time(setup.inception).utf8)
        signerText = Array(setup.signer.fqdn.utf8)
        signerWire = DNSSECWire.canonicalName(setup.signer)
        data.reserveCapacity(4096)
        rrset.reserveCapacity(4096)
    }

    /// The text of jobs `range`.
    private mutating func sign(_ range: Range<Int>) throws -> Batch {
        var batch = Batch()
        batch.bytes.reserveCapacity(1 << 20)
        for i in range {
            let job = plan.jobs[i]
            if job.before >= 0 { for l in plan.before[Int(job.before)] { batch.bytes.append(text: l, newline: true) } }
            let start = batch.bytes.count
            plan.appendLines(job, to: &batch.bytes)
            if job.kept >= 0 {
                for l in plan.kept[Int(job.kept)] {
                    batch.bytes += plan.previous[l]
                    batch.bytes.append(10)
                }
            }
            if job.signers != 0 { try appendSignatures(job, to: &batch.bytes) }
            if job.owner == setup.signer || i % setup.sampleStride == 0 { batch.sample += batch.bytes[start...] }
            if job.mark >= 0 { batch.marks.append((job.mark, start..<batch.bytes.count)) }
        }
        return batch
    }

    /// One RRSIG line per key of the job's signers, over the RRset in canonical wire form
    /// (RFC 4034 §3.1.8.1), built once for all of them.
    private mutating func appendSignatures(_ job: SigningJob, to out: inout [UInt8]) throws {
        let wire =
            try plan.wire(job)
            ?? plan.rdata(job).map {
                try Signer.canonicalRDATA(
                    "\(job.ownerText)\t\(job.ttl)\tIN\t\(job.type.mnemonic)\t\($0)",
                    buffer: buffer
                )
            }
        let labels = DNSSECWire.labelCount(job.owner)
        rrset.removeAll(keepingCapacity: true)
        DNSSECWire.appendRRset(
            &rrset,
            owner: DNSSECWire.canonicalName(job.owner),
            type: job.type.code,
            ttl: job.ttl,
            rdatas: wire
        )
        let owner = Array(job.ownerText.utf8)
        let type = Array(job.type.mnemonic.utf8)
        for k in params.indices where job.signers & (1 << k) != 0 {
            let key = params[k]
            data.removeAll(keepingCapacity: true)
            DNSSECWire.appendRRSIGHeader(
                &data,
                covered: job.type.code,
                algorithm: key.algorithm,
                labels: labels,
                originalTTL: job.ttl,
                expiration: setup.expiration,
                inception: setup.inception,
                keyTag: key.tag,
                signer: signerWire
            )
            data += rrset
            appendRRSIGFields(owner: owner, ttl: job.ttl, type: type, key: key, labels: labels, to: &out)
            try contexts[k].sign(data, base64Into: &out)
            out.append(10)
        }
    }

    /// An RRSIG line up to its signature: owner, TTL, class, type, and the RDATA fields.
    private func appendRRSIGFields(
        owner: [UInt8],
        ttl: UInt32,
        type: [UInt8],
        key: (tag: UInt16, algorithm: UInt8),
        labels: UInt8,
        to out: inout [UInt8]
    ) {
        out += owner
        out.append(9)
        out.append(decimal: ttl)
        out.append(text: "\tIN\tRRSIG\t", newline: false)
        out += type
        out.append(32)
        out.append(decimal: UInt32(key.algorithm))
        out.append(32)
        out.append(decimal: UInt32(labels))
        out.append(32)
        out.append(decimal: ttl)
        out.append(32)
        out += expirationText
        out.append(32)
        out += inceptionText
        out.append(32)
        out.append(decimal: UInt32(key.tag))
        out.append(32)
        out += signerText
        out.append(32)
    }
}
