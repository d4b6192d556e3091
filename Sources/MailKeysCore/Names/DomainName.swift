/// A fully-qualified domain name, stored as lower-case labels without the root.
///
/// Two constructors with different strictness:
/// - ``init(_:kind:)`` validates what a person typed in the policy or on the command line
///   (LDH host names, `_`-prefixed owner labels, lengths, a single optional trailing dot);
/// - ``init(presentation:)`` accepts a name as a zone-file parser (libldns) printed it, keeping
///   escapes as they are.
public struct DomainName: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// What the name is used for, which decides the characters it may contain.
    public enum Kind: Sendable {
        /// A host name (MX or NS target, mail domain): letters, digits and hyphens (RFC 952/1123).
        case host
        /// An owner name of a record: like a host, but labels may contain `_` (`_dmarc`, `_25._tcp`).
        case owner
        /// A host pattern as MTA-STS allows it: a host name whose first label may be `*`.
        case wildcardHost
    }

    /// The labels, left to right, lower-cased; empty for the root.
    public let labels: [String]

    /// The root name `.`.
    public static let root = DomainName(uncheckedLabels: [])

    init(uncheckedLabels: [String]) { self.labels = uncheckedLabels }

    /// Parses and validates a name typed by a person.
    ///
    /// A single trailing dot is accepted (`example.org.` equals `example.org`); an empty name,
    /// an empty label (`a..b`, a leading dot), a label over 63 octets, a name over 253 characters,
    /// non-ASCII characters (use the A-label), a label starting or ending with a hyphen, and an
    /// all-numeric top-level label (it looks like an IP address) are refused.
    public init(_ text: String, kind: Kind = .host) throws {
        var body = Substring(text)
        // Only a refused name is quoted: a run parses thousands of good ones.
        func shown() -> String { text.isEmpty ? "\"\"" : Quote.short(text) }
        guard !body.isEmpty else { throw CoreError(.invalidName, "empty domain name") }
        if body.hasSuffix(".") { body = body.dropLast() }
        guard !body.isEmpty else {
            throw CoreError(.invalidName, "domain name \(shown()): the root is not allowed here")
        }
        if let bad = body.unicodeScalars.first(where: { !$0.isASCII }) {
            throw CoreError(
                .invalidName,
                "domain name \(shown()) contains the non-ASCII character \(Quote.short(String(bad))): use its A-label form (xn--...)"
            )
        }
        guard body.utf8.count <= 253 else {
            throw CoreError(
                .invalidName,
                "domain name \(shown()) is \(body.utf8.count) characters long; the limit is 253"
            )
        }
        let parts = body.split(separator: ".", omittingEmptySubsequences: false)
        var labels: [String] = []
        for (index, part) in parts.enumerated() {
            guard !part.isEmpty else {
                throw CoreError(.invalidName, "domain name \(shown()) has an empty label")
            }
            guard part.utf8.count <= 63 else {
                throw CoreError(
                    .invalidName,
                    "domain name \(shown()): label \(index + 1) is \(part.utf8.count) octets long; the limit is 63"
                )
            }
            if kind == .wildcardHost && index == 0 && part == "*" {
                labels.append("*")
                continue
            }
            for scalar in part.unicodeScalars {
                // ASCII here (checked above): letters, digits, '-' (and '_' in owner names).
                let v = scalar.value | 0x20  // upper case to lower
                let ok =
                    (0x61...0x7A).contains(v) || (0x30...0x39).contains(scalar.value) || scalar == "-"
                    || (kind == .owner && scalar == "_")
                guard ok else {
                    let what = kind == .owner ? "letters, digits, '-' and '_'" : "letters, digits and '-'"
                    throw CoreError(
                        .invalidName,
                        "domain name \(shown()): label \(Quote.short(part)) contains \(Quote.short(String(scalar))); only \(what) are allowed"
                    )
                }
            }
            if part.hasPrefix("-") || part.hasSuffix("-") {
                throw CoreError(
                    .invalidName,
                    "domain name \(shown()): label \(Quote.short(part)) must not start or end with '-'"
                )
            }
            labels.append(part.utf8.contains { (0x41...0x5A).contains($0) } ? part.lowercased() : String(part))
        }
        if kind != .owner, let last = labels.last, last.allSatisfy(\.isNumber) {
            throw CoreError(
                .invalidName,
                "domain name \(shown()) ends in the numeric label \(Quote.short(last)): an IP address is not a host name"
            )
        }
        self.labels = labels
    }

    /// Accepts a name in zone-file presentation form (as libldns prints it): absolute, escapes kept.
    public init(presentation text: String) {
        var labels: [String] = []
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            var i = 0
            var upper = false
            func flush() {
                if i > start {
                    let label = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
                    labels.append(upper ? label.lowercased() : label)
                }
                upper = false
            }
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if b == UInt8(ascii: ".") {
                    flush()
                    start = i + 1
                } else if b >= 0x41 && b <= 0x5A || b >= 0x80 {
                    upper = true
                }
                i += 1
            }
            i = min(i, bytes.count)
            flush()
        }
        self.labels = labels
    }

    /// The name with a trailing dot, as zone files write absolute names.
    public var fqdn: String { labels.isEmpty ? "." : labels.joined(separator: ".") + "." }

    /// The name without the trailing dot.
    public var description: String { labels.isEmpty ? "." : labels.joined(separator: ".") }

    /// Whether `self` equals `other` or lies below it.
    public func isSubdomain(of other: DomainName) -> Bool {
        labels.count >= other.labels.count && Array(labels.suffix(other.labels.count)) == other.labels
    }

    /// The owner as written inside a zone whose origin is `origin`: `@` for the apex, the relative
    /// labels below it, the absolute name otherwise.
    public func relative(to origin: DomainName) -> String {
        if self == origin { return "@" }
        if isSubdomain(of: origin) {
            return labels.prefix(labels.count - origin.labels.count).joined(separator: ".")
        }
        return fqdn
    }

    /// This name with `prefix` (one or more dot-separated owner labels) in front, validated.
    public func prepending(_ prefix: String) throws -> DomainName {
        try DomainName(prefix + "." + description, kind: .owner)
    }

    /// The parent name (one label fewer); the root for a single label.
    public var parent: DomainName { DomainName(uncheckedLabels: Array(labels.dropFirst())) }

    /// The number of octets in wire format.
    public var wireLength: Int { labels.reduce(1) { $0 + $1.utf8.count + 1 } }

    /// The wire octets of a label in presentation form (`\DDD` and `\X` escapes decoded).
    static func octets(_ label: String) -> [UInt8] { TXT.unescape(Array(label.utf8)) }

    /// DNSSEC canonical order (RFC 4034 §6.1): label by label from the right, by octets with
    /// ASCII letters lower-cased. Compares in place (zones sort hundreds of thousands of names).
    public static func < (lhs: DomainName, rhs: DomainName) -> Bool {
        var i = lhs.labels.count - 1
        var j = rhs.labels.count - 1
        while i >= 0 && j >= 0 {
            let a = lhs.labels[i]
            let b = rhs.labels[j]
            if a != b {
                let backslash = UInt8(ascii: "\\")
                if !a.utf8.contains(backslash) && !b.utf8.contains(backslash) {
                    return a.utf8.lexicographicallyPrecedes(b.utf8)
                }
                func lower(_ o: [UInt8]) -> [UInt8] { o.map { (0x41...0x5A).contains($0) ? $0 | 0x20 : $0 } }
                return lower(octets(a)).lexicographicallyPrecedes(lower(octets(b)))
            }
            i -= 1
            j -= 1
        }
        return lhs.labels.count < rhs.labels.count
    }
}
