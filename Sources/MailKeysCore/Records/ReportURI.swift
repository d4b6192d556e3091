import Foundation

/// Report destinations of DMARC (`mailto:`, RFC 7489 §6.2) and TLS-RPT (`mailto:` or `https:`).
public enum ReportURI {
    /// Throws unless `uri` is `mailto:local@domain` (optionally `!size` for DMARC) or, with
    /// `allowHTTPS`, `https://host/...`.
    public static func check(_ uri: String, allowSize: Bool = false, allowHTTPS: Bool = false) throws {
        if allowHTTPS, uri.lowercased().hasPrefix("https://") {
            let rest = uri.dropFirst(8)
            let host = rest.prefix { $0 != "/" && $0 != ":" }
            do { _ = try DomainName(String(host)) } catch let e as CoreError {
                throw CoreError(.invalidPolicy, "\(Quote.context(uri)): \(e.reason)")
            }
            return
        }
        guard uri.lowercased().hasPrefix("mailto:") else {
            let allowed = allowHTTPS ? "mailto: or https:" : "mailto:"
            throw CoreError(.invalidPolicy, "\(Quote.short(uri)) is not a \(allowed) URI")
        }
        var address = Substring(uri.dropFirst(7))
        if allowSize, let bang = address.firstIndex(of: "!") {
            let size = address[address.index(after: bang)...]
            let digits = size.prefix { $0.isNumber }
            let unit = size.dropFirst(digits.count)
            guard !digits.isEmpty, unit.isEmpty || (unit.count == 1 && "kmgtKMGT".contains(unit)) else {
                throw CoreError(.invalidPolicy, "\(Quote.context(uri)): bad size limit \(Quote.short("!" + size))")
            }
            address = address[..<bang]
        }
        _ = try mailboxDomain(String(address), in: uri)
    }

    /// The domain of `local@domain`, validated.
    public static func mailboxDomain(_ address: String, in context: String) throws -> DomainName {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty,
            parts[0].allSatisfy({ $0.isASCII && !$0.isWhitespace && !",;!<>\"".contains($0) })
        else {
            throw CoreError(.invalidPolicy, "\(Quote.short(context)) is not a valid mail address")
        }
        do {
            return try DomainName(String(parts[1]))
        } catch let e as CoreError {
            throw CoreError(.invalidPolicy, "\(Quote.context(context)): \(e.reason)")
        }
    }

    /// The domain a `mailto:` URI delivers to, nil for other schemes.
    public static func mailtoDomain(_ uri: String) -> DomainName? {
        guard uri.lowercased().hasPrefix("mailto:") else { return nil }
        var address = Substring(uri.dropFirst(7))
        if let bang = address.firstIndex(of: "!") { address = address[..<bang] }
        guard let at = address.lastIndex(of: "@") else { return nil }
        return try? DomainName(String(address[address.index(after: at)...]))
    }
}
