/// The error every validator and builder of the core throws: a machine-readable code and a
/// one-line reason a person can act on.
public struct CoreError: MailKeysError, Equatable {
    /// What kind of input was wrong.
    public enum Code: String, Sendable {
        case invalidName
        case invalidAddress
        case invalidTTL
        case invalidDuration
        case invalidSPF
        case invalidDMARC
        case invalidMTASTS
        case invalidTLSRPT
        case invalidCAA
        case invalidPolicy
        case invalidRecord
        case conflict
    }

    public let code: Code
    public let reason: String
    /// What the error is about (see ``MailKeysError/context``).
    public let context: [String: String]
    /// `core.<code>` (see ``MailKeysError/id``).
    public var id: String { "core." + code.rawValue }

    public init(_ code: Code, _ reason: String, context: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.context = context
    }

}
