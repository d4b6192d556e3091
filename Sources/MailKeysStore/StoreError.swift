import MailKeysCore

/// Errors of the key store: a code and a one-line reason.
public struct StoreError: MailKeysError, Equatable {
    /// What went wrong, for callers that react to the kind of failure.
    public enum Code: String, Sendable { case missing, exists, corrupt, locked, foreign, newer, failed }
    /// The kind of failure.
    public let code: Code
    /// One line for a person: what failed and what to do.
    public let reason: String
    /// What the error is about (see ``MailKeysError/context``).
    public let context: [String: String]
    /// `store.<code>` (see ``MailKeysError/id``).
    public var id: String { "store." + code.rawValue }

    /// An error of kind `code` explained by `reason`.
    public init(_ code: Code, _ reason: String, context: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.context = context
    }

    /// A value read from `table.column` that cannot be what the store wrote there.
    static func corrupt(_ table: String, _ column: String, value: String, expected: String) -> StoreError {
        StoreError(
            .corrupt,
            "store is corrupt: \(table).\(column) holds \(Quote.short(value)), which is not \(expected)"
        )
    }
}
