import Foundation
import MailKeysCore
import MailKeysStore

/// What every command that reads a home opens, once and in this order: the home lock, the
/// policy (with the hash of its bytes), then the store when first asked for.
final class Session {
    let home: Home
    let lock: HomeLock
    let policy: Policy
    /// Hashes of each domain's part of the policy (zone maps and the schedule record them).
    let digest: PolicyDigest
    private var opened: Store?

    /// Takes the lock (shared for commands that only read), then reads and validates the policy
    /// (unless `readPolicy` is false: the caller reads it through a ``PolicyIndex``).
    init(_ home: Home, lockWait: Double, shared: Bool = false, readPolicy: Bool = true) throws {
        self.home = home
        lock = try HomeLock(home, wait: lockWait, shared: shared)
        if readPolicy {
            (policy, digest) = try PolicyFile.loadHashed(home)
        } else {
            (policy, digest) = (Policy(domains: []), PolicyDigest(global: "", domains: [:]))
        }
    }

    /// Closes the store while the lock is still held (it records the store file as the run left
    /// it, ``Store/close()``).
    deinit { opened?.close() }

    /// The store, opened on first use.
    func store() throws -> Store {
        if let opened { return opened }
        let store = try Store.open(at: home.storeFile.path)
        opened = store
        return store
    }
}
