import Foundation

/// One file-system step a run has committed to take after its store transaction (the intent):
/// recorded in the same transaction as the new state, taken right after it, and taken again by
/// the next run if this one died before clearing them. Every step is idempotent.
public struct IntentStep: Sendable, Equatable, Codable {
    /// What the step does.
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

    /// What the step does.
    public var operation: Operation
    /// The file (or argv list) the step reads, for the operations that take one.
    public var source: String?
    /// The file or directory the step changes.
    public var target: String
    /// SHA-256 of the content `target` gets (`rename`).
    public var hash: String?

    /// A step doing `operation` on `target`.
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
