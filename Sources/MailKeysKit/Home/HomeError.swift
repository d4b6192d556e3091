import Foundation
import MailKeysCore
import MailKeysDNS

/// Errors of the use-case layer (home, files, lock, command line).
public struct HomeError: Error, CustomStringConvertible, Equatable {
    public enum Code: String, Sendable { case exists, missing, locked, io, usage, verify, unsafe }
    public let code: Code
    public let reason: String
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }
    public var description: String { reason }
}
