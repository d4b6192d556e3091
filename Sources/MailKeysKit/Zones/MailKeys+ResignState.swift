import Foundation
import MailKeysCore
import MailKeysDNS
import MailKeysStore

extension MailKeys {
    /// What the signed file on disk means for this run.
    struct ResignState {
        /// Why the zone must be signed again now (nil: it need not).
        var reason: String?
        /// When it falls due otherwise.
        var due: Date?
        /// The signed file when it is the one mailkeys last wrote (its valid signatures may be
        /// kept), and the SHA-256 the store recorded for it.
        var previous: MappedFile?
        var expected: String?
        /// The file's hash still being computed (the state assumes it matches `expected`).
        var pending: BackgroundHash?

        /// The state once the file's hash is known.
        func settled() -> ResignState {
            guard let pending else { return self }
            guard pending.value == expected else {
                return ResignState(reason: "signed zone was changed outside mailkeys")
            }
            var s = self
            s.pending = nil
            return s
        }
    }

    /// Why a signed zone must be signed again now (nil: it need not), else when it falls due; and
    /// the signed file when it is the one mailkeys last wrote (its valid signatures may be kept).
    /// With `deferHash`, the file is hashed on another thread while the caller goes on, and the
    /// state is provisional until ``ResignState/settled()``.
    static func resignState(_ home: Home, store: Store, _ w: DesiredZone, now: Date, deferHash: Bool = false) throws
        -> ResignState
    {
        let name = w.policy.name
        let state = try store.signingState(name)
        let file: MappedFile?
        do { file = try MappedFile.open(home.signedFile(name).path) } catch let e as DNSError {
            throw HomeError(.io, wrapping: e)
        }
        guard let file else { return ResignState(reason: "signed zone is missing") }
        var out = ResignState(previous: file, expected: state.fileHash)
        if deferHash {
            out.pending = BackgroundHash(file)
        } else if file.sha256Hex != state.fileHash {
            return ResignState(reason: "signed zone was changed outside mailkeys")
        }
        guard let expires = state.expiresAt else {
            out.reason = "first signing"
            return out
        }
        let due = Resign.due(expiration: expires, policy: w.policy.dnssec)
        if now >= due { out.reason = "signatures expire \(RunClock.format(expires))" } else { out.due = due }
        return out
    }

    /// A SHA-256 computed on another thread, for a result needed only later.
    final class BackgroundHash: @unchecked Sendable {
        private let done = DispatchSemaphore(value: 0)
        private var result = ""

        init(_ file: MappedFile) {
            DispatchQueue.global().async {
                self.result = file.sha256Hex
                self.done.signal()
            }
        }

        /// The hash, waiting for it if need be.
        var value: String {
            done.wait()
            defer { done.signal() }
            return result
        }
    }
}
