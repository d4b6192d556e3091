import Foundation
import MailKeysCore

/// Errors of the libldns and OpenSSL layer.
public struct DNSError: MailKeysError, Equatable {
    public enum Code: String, Sendable { case unreadable, syntax, unsupported, verify, io }
    public let code: Code
    public let reason: String
    /// What the error is about (see ``MailKeysError/context``).
    public let context: [String: String]
    /// `dns.<code>` (see ``MailKeysError/id``).
    public var id: String { "dns." + code.rawValue }
    public init(_ code: Code, _ reason: String, context: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.context = context
    }
}
