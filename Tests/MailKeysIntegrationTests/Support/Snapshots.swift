import Foundation
import Testing

/// Golden files in `Snapshots/`.
extension Support {
    static let snapshots = directory.appendingPathComponent("Snapshots")

    /// Compares `actual` with the golden file `name`; `MAILKEYS_RECORD_SNAPSHOTS=1` rewrites it.
    static func assertSnapshot(_ actual: String, named name: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let url = snapshots.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["MAILKEYS_RECORD_SNAPSHOTS"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record(
                "missing snapshot \(name); record it with MAILKEYS_RECORD_SNAPSHOTS=1",
                sourceLocation: sourceLocation
            )
            return
        }
        #expect(
            actual == expected,
            "snapshot \(name) differs; re-record with MAILKEYS_RECORD_SNAPSHOTS=1 if intended",
            sourceLocation: sourceLocation
        )
    }

    /// The zone with every DKIM public key replaced by `<key>` (keys are random; everything
    /// else in a golden file must match exactly).
    static func maskDKIM(_ zone: String) -> String {
        zone.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.contains("._domainkey"), let range = line.range(of: "TXT\t") else { return String(line) }
            let rdata = line[range.upperBound...]
            let text = rdata.replacingOccurrences(of: "\" \"", with: "")
            guard let p = text.range(of: "p=") else { return String(line) }
            return line[..<range.upperBound] + text[..<p.upperBound] + "<key>\""
        }.joined(separator: "\n")
    }
}
