import Foundation
import Logging
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Everything one run changes, gathered before anything is written, then committed in order:
/// new files (keys, revealed keys), one store transaction (every timestamp, every zone record
/// and the zone files, renamed into place inside it), and only then deletions. A failure before
/// the commit leaves the home as it was; new files are removed again.
final class Pending {
    /// Writers of new files; each returns the path it created (removed again on failure).
    var fileWrites: [() throws -> URL] = []
    /// Changes made inside the one store transaction.
    var storeOps: [(StoreTransaction) throws -> Void] = []
    /// Work after the commit (deleting retired private keys); each may return a line to print.
    var afterCommit: [() -> String?] = []
    /// Work after the commit that may fail (switching installed certificates, reloads): the
    /// first failure is thrown, with the commit already done; the next run repairs or retries.
    var postCommit: [() throws -> String?] = []
    /// Lines the file writers have to report (files moved aside); printed with the commit's.
    var notices: [String] = []
    /// Private key texts generated in this run, by path, for signing before they are on disk.
    var privateTexts: [URL: String] = [:]

    /// The text of a key file: from this run if it was just generated, else from disk.
    func read(_ url: URL) throws -> String? { try privateTexts[url] ?? AtomicFile.read(url) }

    /// Writes the new files, runs the store transaction, then the after-commit work.
    func commit(_ store: Store) throws -> [String] {
        var written: [URL] = []
        do {
            for write in fileWrites { written.append(try write()) }
            if !storeOps.isEmpty {
                try store.transaction { tx in
                    for op in storeOps { try op(tx) }
                }
            }
        } catch {
            for url in written { try? FileManager.default.removeItem(at: url) }
            throw error
        }
        var lines = notices + afterCommit.compactMap { $0() }
        for step in postCommit { if let line = try step() { lines.append(line) } }
        return lines
    }
}

/// A domain's DNSSEC keys and what they do in this run.
struct DNSSECSigning {
    var keys: [DNSSECKey] = []
    /// The keys that sign, each with what it signs.
    var signing: [SignRequest.SigningKey] = []
    /// DNSKEY records published without signing (pre-published, or new KSKs' ZSK partners).
    var publishedOnly: [String] = []
    /// DNSKEY records whose CDS and CDNSKEY the apex publishes.
    var cds: [String] = []
    /// What each key does now, by tag (`keyset`, `zone`, `keyset+zone`, `published`).
    var uses: [UInt16: String] = [:]
}

/// The log (swift-log): what runs did, for the journal. The command line sends it to standard
/// error at the level of `MAILKEYS_LOG_LEVEL` (default `error`; `notice` shows exports, `info`
/// every action, `debug` the stage timings too).
public enum Log {
    public static let logger = Logger(label: "mailkeys")
}

/// Stage timings printed to standard error when `MAILKEYS_TIMING` is set (used by `make bench`).
enum Trace {
    nonisolated(unsafe) static var clock = StageClock()
    static let enabled = ProcessInfo.processInfo.environment["MAILKEYS_TIMING"] != nil

    static func mark(_ stage: String) {
        if enabled || Log.logger.logLevel <= .debug { clock.mark(stage) }
    }
    static func add(_ stages: [(String, Double)]) { if enabled { clock.append(stages) } }
    static func print() {
        for (name, seconds) in clock.stages { Log.logger.debug("stage", metadata: ["stage": "\(name)", "seconds": "\(seconds)"]) }
        guard enabled else { return }
        for (name, seconds) in clock.stages { FileHandle.standardError.write(Data(String(format: "timing: %-36@ %8.3f s\n", name, seconds).utf8)) }
    }
}
