import Foundation
import MailKeysCore
import MailKeysDNS

/// RSA keys generated ahead, on every core, for a run that creates many (the first tick of a
/// home of many domains, `rotate dkim --all`): an RSA-2048 key takes OpenSSL about 0.3 s, and
/// the DKIM step creates them one domain after another. The step takes a key from the pool
/// when there is one of the size it needs and generates its own otherwise; a key the run does
/// not use is dropped with the pool, never written.
final class DKIMKeyPool: @unchecked Sendable {
    private let lock = NSLock()
    private var pairs: [Int: [DKIMKeys.Pair]]

    /// Empty: every key is generated where it is needed.
    init() { pairs = [:] }

    /// `counts[bits]` RSA keys of each size, generated in parallel.
    init(counts: [Int: Int]) throws {
        let jobs = counts.sorted { $0.key < $1.key }.flatMap { bits, n in Array(repeating: bits, count: n) }
        let made = Slots(jobs.count)
        DispatchQueue.concurrentPerform(iterations: jobs.count) { i in
            made.set(i, Result { try DKIMKeys.generate(.rsa, bits: jobs[i]) })
        }
        var pairs: [Int: [DKIMKeys.Pair]] = [:]
        for (bits, r) in zip(jobs, made.all) { pairs[bits, default: []].append(try r!.get()) }
        self.pairs = pairs
    }

    /// The results of the parallel generation, one slot per job.
    private final class Slots: @unchecked Sendable {
        private let lock = NSLock()
        private(set) var all: [Result<DKIMKeys.Pair, Error>?]

        init(_ count: Int) { all = Array(repeating: nil, count: count) }

        func set(_ i: Int, _ r: Result<DKIMKeys.Pair, Error>) {
            lock.lock()
            all[i] = r
            lock.unlock()
        }
    }

    /// The RSA keys of each size the DKIM step of these domains will create at `now` (only
    /// worth a pool when there are at least two).
    static func needed(_ domains: [DomainRun], mode: MailKeys.Mode, now: Date) throws -> [Int: Int] {
        var counts: [Int: Int] = [:]
        for d in domains where d.policy.dkim.enabled {
            let plan = DKIMPlanner.plan(
                keys: d.dkim,
                policy: d.timing.dkim,
                now: now,
                rotate: try mode.rotatesDKIM(d.name)
            )
            for case .create(_, .rsa) in plan.actions { counts[d.policy.dkim.rsaBits, default: 0] += 1 }
        }
        return counts.values.reduce(0, +) >= 2 ? counts : [:]
    }

    /// A key of `bits` from the pool, nil when it has none left.
    func take(bits: Int) -> DKIMKeys.Pair? {
        lock.lock()
        defer { lock.unlock() }
        return pairs[bits]?.popLast()
    }
}
