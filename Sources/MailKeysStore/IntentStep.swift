import Foundation
import GRDB

/// One file-system step a run has committed to take after its store transaction (the intent):
/// recorded in the same transaction as the new state, taken right after it, and taken again by
/// the next run if this one died before clearing them. Every step is idempotent.
public struct IntentStep: Sendable, Equatable, Codable {
    public enum Operation: String, Sendable, Codable {
        /// Rename the staged file `source` over `target`; `hash` is the SHA-256 of its content.
        case rename
        /// Copy the file `source` to `target` (outside the home, mode 0644).
        case copy
        /// Make `target` a symbolic link to `source` (by renaming a new link over it).
        case symlink
        /// Delete `target` (a missing file is fine).
        case delete
        /// Delete every `*.pem` in the directory `target` but `privkey.pem`, `fullchain.pem` and
        /// the files whose names start with `source` (the certificate in use).
        case prune
        /// Run the argv list `source` (JSON) once the files are in place (a reload command).
        case run
    }

    public var operation: Operation
    public var source: String?
    public var target: String
    public var hash: String?

    public init(_ operation: Operation, source: String? = nil, target: String, hash: String? = nil) {
        self.operation = operation
        self.source = source
        self.target = target
        self.hash = hash
    }

    static let createTable = """
        CREATE TABLE intent (
            seq INTEGER PRIMARY KEY,
            operation TEXT NOT NULL CHECK (operation IN ('rename', 'copy', 'symlink', 'delete', 'prune', 'run')),
            source TEXT,
            target TEXT NOT NULL CHECK (length(target) > 0),
            hash TEXT CHECK (hash IS NULL OR length(hash) = 64),
            recorded_at INTEGER NOT NULL
        ) STRICT;
        """
}

extension Store {
    /// The steps a run committed to and has not cleared yet, in order (empty: nothing pending).
    public func intent() throws -> [IntentStep] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM intent ORDER BY seq").map { row in
                let op: String = row["operation"]
                guard let operation = IntentStep.Operation(rawValue: op) else {
                    throw StoreError(.corrupt, "store \(path): unknown intent step '\(op)'")
                }
                return IntentStep(operation, source: row["source"], target: row["target"], hash: row["hash"])
            }
        }
    }

    /// Forgets the steps once they are all taken.
    public func clearIntent() throws {
        try transaction { tx in try tx.db.execute(sql: "DELETE FROM intent") }
    }
}

extension StoreTransaction {
    /// Records the steps to take once this transaction has committed.
    public func recordIntent(_ steps: [IntentStep], at now: Date) throws {
        for step in steps {
            try db.execute(
                sql: "INSERT INTO intent (operation, source, target, hash, recorded_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [step.operation.rawValue, step.source, step.target, step.hash, Int64(now.timeIntervalSince1970)])
        }
    }
}
