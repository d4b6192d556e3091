import Foundation
import MailKeysCore

/// What the signing threads share: the read-only plan, the next batch to take, and finished
/// batches waiting for those before them to be written. One thread at a time writes, outside
/// the lock, so the others keep signing.
final class SharedBatches: @unchecked Sendable {
    let plan: SigningPlan
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

    init(plan: SigningPlan, bounds: [Int], file: StagedFile, source: MappedFile?, gaps: [Range<Int>]) {
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
                    if b < gaps.count, let source {
                        try file.write(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: source.bytes[gaps[b]])))
                    }
                    let base = file.size
                    for (mark, r) in marks {
                        let at = base + r.lowerBound..<base + r.upperBound
                        spans[mark] =
                            spans[mark].map { min($0.lowerBound, at.lowerBound)..<max($0.upperBound, at.upperBound) }
                            ?? at
                    }
                    try file.write(bytes)
                }
            } catch { problem = "\(error)" }
            lock.lock()
            if let problem, failure == nil { failure = problem }
        }
    }
}
