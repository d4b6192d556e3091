import Foundation

/// Stage 3 of signing: the jobs cut into batches that the workers take in order and that are
/// written in order.
enum SigningBatches {
    /// Threads for `jobs` jobs: every core, at most 64, at least one.
    static func workers(for jobs: Int) -> Int {
        max(1, min(ProcessInfo.processInfo.activeProcessorCount, 64, jobs))
    }

    /// Bounds of batches of about the same work (a signature counts 16, a job 1): four per worker,
    /// at least 1,000 jobs each, sixteen times more above 50,000 jobs so a slow batch does not
    /// hold the writer back.
    static func balanced(_ jobs: [SigningJob], toMake: Int, workers: Int) -> [Int] {
        let batchCount = max(1, min(jobs.count, workers * 4, jobs.count / 1000 + 1) * (jobs.count > 50_000 ? 16 : 1))
        var bounds = [0]
        var work = 0
        let total = toMake * 16 + jobs.count
        for i in jobs.indices {
            work += jobs[i].signers.nonzeroBitCount * 16 + 1
            if bounds.count < batchCount && work * batchCount >= total * bounds.count { bounds.append(i + 1) }
        }
        while bounds.count <= batchCount { bounds.append(jobs.count) }
        bounds[batchCount] = jobs.count
        return bounds
    }

    /// A splice's bounds: one batch per tracked range, in file order (each written after the
    /// bytes that precede it).
    static func perRange(_ jobs: [SigningJob], segments: [Splice.Segment]) throws -> [Int] {
        var bounds = [0]
        for i in jobs.indices.dropFirst() where jobs[i].mark != jobs[i - 1].mark { bounds.append(i) }
        bounds.append(jobs.count)
        guard bounds.count - 1 == segments.count else {
            throw Splice.refused("the tracked owners do not match the zone")
        }
        for (b, seg) in segments.enumerated() where jobs[bounds[b]].mark != Int32(2 * seg.owner + (seg.nsec3 ? 1 : 0)) {
            throw Splice.refused("the tracked owners are not in the file's order")
        }
        return bounds
    }
}
