import Foundation
import Logging
import MailKeysCore
import MailKeysDNS
import MailKeysStore

/// Everything one run changes, gathered before anything is published, then committed by the
/// ``Journal``'s protocol: the new files are staged, one store transaction records every
/// timestamp, every zone record and the file steps (the intent), then the steps are taken. A
/// failure before the commit leaves the home as it was (staged files are removed, or swept by the
/// next run); one after it is completed by the next run.
final class Pending {
    let journal: Journal
    /// Writers of new files into the journal's staging (run just before the commit).
    var stagings: [(Journal) throws -> Void] = []
    /// Changes made inside the one store transaction.
    var storeOps: [(StoreTransaction) throws -> Void] = []
    /// Lines to print once the commit is done (what the file steps did).
    var lines: [String] = []
    /// Lines the file writers have to report (files moved aside); printed with the commit's.
    var notices: [String] = []
    /// Private key texts generated in this run, by path, for signing before they are on disk.
    var privateTexts: [URL: String] = [:]

    init(_ home: Home) { journal = Journal(home) }

    /// The text of a key file: from this run if it was just generated, else from disk.
    func read(_ url: URL) throws -> String? { try privateTexts[url] ?? AtomicFile.read(url) }

    /// Stages the new files, commits the store transaction with the intent, then takes the
    /// file steps.
    func commit(_ store: Store, now: Date) throws -> [String] {
        do {
            for stage in stagings { try stage(journal) }
            if !storeOps.isEmpty || !journal.isEmpty {
                try store.transaction { tx in
                    for op in storeOps { try op(tx) }
                    try tx.recordIntent(journal.steps, at: now)
                }
            }
        } catch {
            journal.abandon()
            throw error
        }
        journal.sealed()
        let done = journal.isEmpty ? [] : try journal.apply(store)
        return notices + lines + done
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
