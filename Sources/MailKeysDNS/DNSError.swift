import Foundation

/// Errors of the libldns and OpenSSL layer.
public struct DNSError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable { case unreadable, syntax, unsupported, verify, io }
    public let code: Code
    public let reason: String
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { reason }
}
