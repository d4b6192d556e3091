import Foundation

/// A DMARC record (RFC 7489, with the tags DMARCbis adds), parsed and validated tag by tag.
public struct DMARCRecord: Sendable, Equatable {
    /// The tags in the order they appear, `v` first.
    public let tags: [(name: String, value: String)]
    /// Non-fatal findings (no `rua`, `p=none`, a `pct` below 100).
    public let warnings: [String]

    public static func == (lhs: DMARCRecord, rhs: DMARCRecord) -> Bool {
        lhs.tags.map { $0.name + "=" + $0.value } == rhs.tags.map { $0.name + "=" + $0.value }
    }

    /// Every tag mailkeys accepts: RFC 7489 §6.3 plus DMARCbis (`np`, `psd`, `t`).
    public static let knownTags = [
        "v", "p", "sp", "np", "rua", "ruf", "adkim", "aspf", "ri", "fo", "rf", "pct", "psd", "t",
    ]

    /// The record text: `v=DMARC1; p=...; ...`.
    public var text: String { tags.map { "\($0.name)=\($0.value)" }.joined(separator: "; ") }

    /// The value of `name`, if present.
    public subscript(name: String) -> String? { tags.first { $0.name == name }?.value }

    /// Parses a record such as `v=DMARC1; p=reject; rua=mailto:d@example.org`.
    public init(_ text: String) throws {
        func fail(_ why: String) -> CoreError {
            CoreError(.invalidDMARC, "DMARC record \(Quote.context(text)): \(why)")
        }
        var tags: [(String, String)] = []
        for raw in text.split(separator: ";", omittingEmptySubsequences: false) {
            let item = raw.trimmingCharacters(in: .whitespaces)
            if item.isEmpty { continue }
            guard let eq = item.firstIndex(of: "=") else { throw fail("\(Quote.short(item)) is not a tag=value pair") }
            let name = item[..<eq].trimmingCharacters(in: .whitespaces).lowercased()
            let value = item[item.index(after: eq)...].trimmingCharacters(in: .whitespaces)
            tags.append((name, value))
        }
        guard let first = tags.first, first.0 == "v", first.1 == "DMARC1" else {
            throw fail("must start with 'v=DMARC1'")
        }
        try self.init(tags: tags)
    }

    /// Validates already split tags (used by the policy, whose DMARC table names the tags).
    public init(tags: [(String, String)]) throws {
        let shown = tags.map { "\($0.0)=\($0.1)" }.joined(separator: "; ")
        func fail(_ why: String) -> CoreError {
            CoreError(.invalidDMARC, "DMARC record \(Quote.context(shown)): \(why)")
        }
        var seen = Set<String>()
        var warnings: [String] = []
        for (name, value) in tags {
            guard Self.knownTags.contains(name) else {
                throw fail("unknown tag \(Quote.short(name)) (known: \(Self.knownTags.joined(separator: ", ")))")
            }
            guard seen.insert(name).inserted else { throw fail("tag \(Quote.short(name)) appears twice") }
            try Self.checkTag(name, value, fail, warnings: &warnings)
        }
        guard seen.contains("p") else { throw fail("the policy tag 'p' is missing") }
        if let p = tags.first(where: { $0.0 == "p" })?.1, p == "none" {
            warnings.append("p=none only monitors: MECSA and internet.nl want quarantine or reject")
        }
        if !seen.contains("rua") { warnings.append("no rua: nobody receives aggregate reports") }
        self.tags = Self.versionFirst(tags).map { (name: $0.0, value: $0.1) }
        self.warnings = warnings
    }

    /// Checks the value of one known tag; `pct` below 100 adds a warning.
    private static func checkTag(
        _ name: String,
        _ value: String,
        _ fail: (String) -> CoreError,
        warnings: inout [String]
    ) throws {
        switch name {
        case "v":
            guard value == "DMARC1" else { throw fail("v must be DMARC1, not \(Quote.short(value))") }
        case "p", "sp", "np":
            guard ["none", "quarantine", "reject"].contains(value) else {
                throw fail("\(name)=\(Quote.short(value)): use none, quarantine or reject")
            }
        case "adkim", "aspf":
            guard value == "r" || value == "s" else {
                throw fail("\(name)=\(Quote.short(value)): use r (relaxed) or s (strict)")
            }
        case "rua", "ruf":
            let uris = value.split(separator: ",", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            for uri in uris {
                do { try ReportURI.check(uri, allowSize: true) } catch let e as CoreError {
                    throw fail("\(name): \(e.reason)")
                }
            }
        case "ri":
            guard let v = UInt32(value) else { throw fail("ri=\(Quote.short(value)) must be a number of seconds") }
            _ = v
        case "pct":
            guard let v = Int(value), (0...100).contains(v) else {
                throw fail("pct=\(Quote.short(value)) must be 0 to 100")
            }
            if v < 100 { warnings.append("pct=\(v): the policy applies to only \(v)% of failing mail") }
        case "fo":
            let opts = value.split(separator: ":", omittingEmptySubsequences: false)
            guard opts.allSatisfy({ ["0", "1", "d", "s"].contains($0) }) else {
                throw fail("fo=\(Quote.short(value)): use 0, 1, d or s, separated by ':'")
            }
        case "rf":
            guard value.split(separator: ":").allSatisfy({ $0 == "afrf" }) else {
                throw fail("rf=\(Quote.short(value)): the only report format is afrf")
            }
        case "psd":
            guard ["y", "n", "u"].contains(value) else { throw fail("psd=\(Quote.short(value)): use y, n or u") }
        case "t":
            guard value == "y" || value == "n" else { throw fail("t=\(Quote.short(value)): use y or n") }
        default:
            break
        }
    }

    /// `tags` with `v` moved to the front (added as `v=DMARC1` when missing).
    private static func versionFirst(_ tags: [(String, String)]) -> [(String, String)] {
        var ordered = tags
        if let v = ordered.firstIndex(where: { $0.0 == "v" }) {
            let tag = ordered.remove(at: v)
            ordered.insert(tag, at: 0)
        } else {
            ordered.insert(("v", "DMARC1"), at: 0)
        }
        return ordered
    }
}
