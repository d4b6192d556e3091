import MailKeysCore

/// The jobs of one signing in file order and their side tables; built by
/// ``SigningPlanBuilder``, given their signers by ``SignatureReuse``, read-only once the
/// workers start.
struct SigningPlan {
    /// An RRset the signer makes itself (apex SOA, DNSKEY, CDS, CDNSKEY, NSEC3PARAM, NSEC3).
    struct OwnSet {
        var rdata: [String]
        var wire: [[UInt8]]?
    }

    var jobs: [SigningJob] = []
    var records: [Record] = []
    var own: [OwnSet] = []
    var otherTypes: [[UInt16]] = []
    /// Byte ranges of kept signature lines in ``previous``.
    var kept: [[Range<Int>]] = []
    var previous: [UInt8] = []
    var before: [[String]] = []
    var mnemonics: [UInt16: String] = [:]

    /// The RDATA texts of a job.
    func rdata(_ job: SigningJob) -> [String] {
        if job.own >= 0 { return own[Int(job.own)].rdata }
        if let next = job.next {
            return [next.fqdn + " " + types(job).map { mnemonics[$0] ?? "TYPE\($0)" }.joined(separator: " ")]
        }
        return (Int(job.first)..<Int(job.first + job.count)).map { records[$0].rdata }
    }

    /// The canonical wire RDATA of a job, where known without parsing.
    func wire(_ job: SigningJob) -> [[UInt8]]? {
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
    func appendLines(_ job: SigningJob, to out: inout [UInt8]) {
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
    func types(_ job: SigningJob) -> [UInt16] {
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
