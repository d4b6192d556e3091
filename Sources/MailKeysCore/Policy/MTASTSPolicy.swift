import Foundation

/// MTA-STS (RFC 8461): the policy served over HTTPS and the `_mta-sts` TXT record announcing it.
public struct MTASTSPolicy: Sendable, Equatable {
    public enum Mode: String, Sendable { case enforce, testing, none }
    public var mode: Mode
    public var maxAge: Int
    /// MX patterns the policy lists (default: every MX host).
    public var mx: [DomainName]
    /// Addresses of `mta-sts.<domain>`, the web server that serves the policy.
    public var addresses: [IPAddress]

    /// The policy file text, CRLF line ends as RFC 8461 §3.2 shows.
    public var text: String {
        var lines = ["version: STSv1", "mode: \(mode.rawValue)"]
        lines += mx.map { "mx: \($0.description)" }
        lines.append("max_age: \(maxAge)")
        return lines.map { $0 + "\r\n" }.joined()
    }

    /// The `id` of the TXT record: a digest of the policy text, so it changes exactly when the
    /// text changes (1–32 alphanumerics, RFC 8461 §3.1).
    public var id: String { String(SHA256.hex(text).prefix(20)) }
}
