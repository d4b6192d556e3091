import Foundation

/// `status --json` written one domain at a time: the same bytes as the whole ``StatusReport``
/// encoded pretty-printed with sorted keys (`domains` sorts before `home` and `now`, so the
/// domains come first), without holding every domain's status at once.
public struct StatusStream {
    private let encoder: JSONEncoder
    private var count = 0

    public init() {
        encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    }

    /// The whole report as one document.
    public func document(_ report: StatusReport) throws -> String {
        String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    /// The text that comes before the first domain.
    public func head() -> String { "{\n  \"domains\" : [\n" }

    /// One domain, as an element of the `domains` array.
    public mutating func domain(_ d: StatusReport.DomainInfo) throws -> String {
        let text = String(decoding: try encoder.encode(d), as: UTF8.self)
        let indented = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.isEmpty ? "" : "    " + $0
        }
        .joined(separator: "\n")
        defer { count += 1 }
        return (count == 0 ? "" : ",\n") + indented
    }

    /// The text after the last domain, with the report's other keys.
    public func tail(home: String, now: String) throws -> String {
        func string(_ s: String) throws -> String { String(decoding: try encoder.encode(s), as: UTF8.self) }
        return (count == 0 ? "\n" : "") + "\n  ],\n  \"home\" : \(try string(home)),\n  \"now\" : \(try string(now))\n}"
    }
}
