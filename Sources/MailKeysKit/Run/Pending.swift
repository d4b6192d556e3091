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
    /// Private key files this run writes, the text of each and what it holds (a ``KeyFileCheck``
    /// still without its marker): once in place and read back as that text, they are recorded
    /// as checked, so that the next run need not parse a key this run made.
    var writtenKeys: [(url: URL, text: String, check: KeyFileCheck)] = []

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
        let done = journal.isEmpty ? [] : try journal.apply(store)
        return notices + lines + done + recordPlacedKeys(store)
    }

    /// Records ``writtenKeys`` as checked, each found in place holding the text this run wrote
    /// (the marker taken before the read: a later change moves it). A cache only: when the
    /// store refuses, the next run reads the files, and a line says so.
    private func recordPlacedKeys(_ store: Store) -> [String] {
        let checks: [KeyFileCheck] = writtenKeys.compactMap { key in
            let marker = FileMarker.of(key.url.path)
            guard marker != "-", (try? AtomicFile.read(key.url)) == key.text else { return nil }
            var check = key.check
            check.marker = marker
            return check
        }
        guard !checks.isEmpty else { return [] }
        do {
            try store.transaction { tx in try tx.record(keyFileChecks: checks) }
            return []
        } catch {
            return ["the new key files were not recorded as checked (\(error)); the next run reads them"]
        }
    }
}
