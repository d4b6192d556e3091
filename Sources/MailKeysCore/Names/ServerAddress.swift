import Foundation

/// A server address written `IP`, `IP:PORT` or `[IPv6]:PORT` (port 53 unless given): the
/// parent's servers, export targets, NOTIFY receivers, the SMTP server `check` probes.
public struct ServerAddress: Sendable, Equatable, CustomStringConvertible {
    public var address: IPAddress
    public var port: Int

    /// `address` at `port`.
    public init(address: IPAddress, port: Int) {
        self.address = address
        self.port = port
    }

    /// Parses `text`; `defaultPort` when it names none.
    public init(_ text: String, defaultPort: Int = 53) throws {
        var host = Substring(text)
        var port = defaultPort
        if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
            host = text[text.index(after: text.startIndex)..<close]
            let rest = text[text.index(after: close)...]
            if !rest.isEmpty {
                guard rest.hasPrefix(":"), let p = Int(rest.dropFirst()) else {
                    throw CoreError(.invalidPolicy, "\(Quote.short(text)) is not [IPv6]:PORT")
                }
                port = p
            }
        } else if text.filter({ $0 == ":" }).count == 1, let colon = text.firstIndex(of: ":") {
            host = text[..<colon]
            guard let p = Int(text[text.index(after: colon)...]) else {
                throw CoreError(.invalidPolicy, "\(Quote.short(text)) is not IP:PORT")
            }
            port = p
        }
        guard (1...65535).contains(port) else {
            throw CoreError(.invalidPolicy, "\(Quote.short(text)): port \(port) is out of range 1...65535")
        }
        address = try IPAddress(String(host))
        self.port = port
    }

    public var description: String { address.isV4 ? "\(address):\(port)" : "[\(address)]:\(port)" }
}
