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
    /// Private key files this run writes and what each holds (a ``KeyFileCheck`` still without
    /// its marker): once they are in place, they are recorded as checked, so that the next run
    /// need not read and parse a key this run made.
    var writtenKeys: [(url: URL, check: KeyFileCheck)] = []

    /// Guards ``storeOps`` for ``record(_:)`` from the zone writers' threads.
    private let lock = NSLock()

    init(_ home: Home) { journal = Journal(home) }

    /// Adds a change to the store transaction; safe from any thread.
    func record(_ op: @escaping (StoreTransaction) throws -> Void) { lock.withLock { storeOps.append(op) } }

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
        let done = journal.isEmpty ? [] : try journal.apply(store, placed: placedKeys)
        return notices + lines + done
    }

    /// ``writtenKeys`` as they are now on disk, each with its `stat` marker.
    private func placedKeys() -> [KeyFileCheck] {
        writtenKeys.compactMap { key in
            let marker = FileMarker.of(key.url.path)
            guard marker != "-" else { return nil }
            var check = key.check
            check.marker = marker
            return check
        }
    }
}
