import Foundation
import MailKeysCore

/// A run's report as JSON (`tick --json`), with stable keys: `ok`, `error` (null unless the run
/// failed), `actions` (each line that names a domain, as `domain` and `text`), `notes` (the other
/// lines), `warnings`, and `next` (`at` and `reason`; null when nothing is scheduled).
public enum ReportJSON {
    struct Document: Encodable {
        struct Action: Encodable {
            var domain: String
            var text: String
        }
        struct Next: Encodable {
            var at: String
            var reason: String
        }
        var ok: Bool
        var error: String?
        var actions: [Action] = []
        var notes: [String] = []
        var warnings: [String]
        var next: Next?

        enum Key: String, CodingKey { case ok, error, actions, notes, warnings, next }

        /// Every key, null included.
        func encode(to encoder: Encoder) throws {
            var c = encoder.container(keyedBy: Key.self)
            try c.encode(ok, forKey: .ok)
            try c.encode(error, forKey: .error)
            try c.encode(actions, forKey: .actions)
            try c.encode(notes, forKey: .notes)
            try c.encode(warnings, forKey: .warnings)
            try c.encode(next, forKey: .next)
        }
    }

    /// `report` (what the run did, also when it then failed with `error`) as one JSON document.
    public static func render(_ report: Report, error: String? = nil) -> String {
        var doc = Document(ok: error == nil, error: error, warnings: report.warnings)
        for line in report.lines {
            if line.hasPrefix("next: ") {
                doc.next = next(String(line.dropFirst(6)))
            } else if let colon = line.range(of: ": "), let name = try? DomainName(String(line[..<colon.lowerBound])),
                name.labels.count >= 2
            {
                doc.actions.append(.init(domain: name.description, text: String(line[colon.upperBound...])))
            } else {
                doc.notes.append(line)
            }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(doc)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// `2026-12-08T02:05:00Z (example.org: DKIM key event)` as its time and reason; nil for
    /// "nothing scheduled".
    static func next(_ text: String) -> Document.Next? {
        guard let space = text.firstIndex(of: " "), text[text.index(after: space)...].hasPrefix("(") else { return nil }
        return .init(at: String(text[..<space]), reason: String(text[text.index(space, offsetBy: 2)...].dropLast()))
    }
}
