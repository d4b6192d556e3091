import Foundation

/// CAA property values (RFC 8659 §4.2).
public enum CAA {
    /// Throws unless `value` is `;` or an issuer domain optionally followed by `; key=value` pairs.
    public static func checkIssuer(_ value: String) throws {
        let parts = value.split(separator: ";", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        if !parts[0].isEmpty {
            do { _ = try DomainName(parts[0]) } catch let e as CoreError {
                throw CoreError(.invalidCAA, "CAA issuer \(Quote.context(value)): \(e.reason)")
            }
        }
        for param in parts.dropFirst() where !param.isEmpty {
            let kv = param.split(separator: "=", maxSplits: 1)
            let tag = kv.first ?? ""
            guard kv.count == 2, tag.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }),
                tag.first != "-", tag.last != "-",
                kv[1].allSatisfy({ $0.isASCII && !$0.isWhitespace && $0 != ";" })
            else {
                throw CoreError(
                    .invalidCAA,
                    "CAA issuer \(Quote.context(value)): parameter \(Quote.short(param)) is not key=value"
                )
            }
        }
    }

    /// The presentation RDATA `0 tag "value"`.
    public static func rdata(tag: String, value: String) -> String { "0 \(tag) \(TXT.quote(Array(value.utf8)))" }
}
