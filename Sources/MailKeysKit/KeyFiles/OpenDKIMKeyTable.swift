import Foundation
import MailKeysCore

/// An OpenDKIM KeyTable (`KeyTable file:…`): lines `NAME DOMAIN:SELECTOR:KEYFILE`, comments `#`.
/// Read for `mailkeys import dkim --keytable`.
enum OpenDKIMKeyTable {
    /// The (selector, key file) pairs the table lists for `domain`.
    static func entries(_ path: String, domain: DomainName) throws -> [(String, String)] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw HomeError(.missing, "cannot read the KeyTable \(path)")
        }
        var out: [(String, String)] = []
        for (n, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.prefix { $0 != "#" }.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let fields = line.split(whereSeparator: \.isWhitespace)
            let value = fields.count == 2 ? fields[1].split(separator: ":", maxSplits: 2).map(String.init) : []
            guard value.count == 3 else {
                throw HomeError(.usage, "\(path) line \(n + 1): not `NAME DOMAIN:SELECTOR:KEYFILE`")
            }
            guard (try? DomainName(value[0])) == domain else { continue }
            out.append((value[1], value[2]))
        }
        if out.isEmpty { throw HomeError(.usage, "\(path) lists no key of \(domain)") }
        return out
    }
}
