import Foundation
import MailKeysCore
import MailKeysDNS

/// Errors of the use-case layer (home, files, lock, command line).
public struct HomeError: MailKeysError, Equatable {
    public enum Code: String, Sendable { case exists, missing, locked, io, usage, verify, unsafe }
    public let code: Code
    public let reason: String
    /// What the error is about (see ``MailKeysError/context``).
    public let context: [String: String]
    /// `home.<code>` (see ``MailKeysError/id``).
    public var id: String { "home." + code.rawValue }
    public init(_ code: Code, _ reason: String, context: [String: String] = [:]) {
        self.code = code
        self.reason = reason
        self.context = context
    }

    /// An error of kind `code` for a lower layer's `cause`: its reason and context, with its id
    /// as `cause` (`context` adds to them).
    public init(_ code: Code, wrapping cause: some MailKeysError, context: [String: String] = [:]) {
        self.init(code, cause.reason, context: cause.wrappedContext.merging(context) { _, new in new })
    }
}
