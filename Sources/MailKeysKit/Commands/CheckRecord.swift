import Foundation
import MailKeysCore

/// The last `check` of a domain, kept for `metrics` in `Keys/checks/<domain>.json`: when it ran
/// (its `now`) and whether each line passed.
struct CheckRecord: Codable, Equatable {
    /// Seconds since 1970 of the check's `now`.
    var at: Double
    /// Line id → passed.
    var lines: [String: Bool]

    static func dir(_ home: Home) -> URL { home.keysDir.appendingPathComponent("checks", isDirectory: true) }

    static func file(_ home: Home, _ domain: String) -> URL {
        dir(home).appendingPathComponent("\(domain).json", isDirectory: false)
    }

    /// Records `report` (atomically: a metrics run never reads half a file).
    static func save(_ report: CheckReport, home: Home, now: Date) throws {
        let record = CheckRecord(
            at: now.timeIntervalSince1970.rounded(.down),
            lines: Dictionary(report.checks.map { ($0.id, $0.ok) }, uniquingKeysWith: { a, b in a && b })
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try Directory.make(dir(home), mode: 0o700)
        try AtomicFile.write(
            String(decoding: try encoder.encode(record), as: UTF8.self) + "\n",
            to: file(home, report.domain),
            tempDir: home.tempDir(for: file(home, report.domain))
        )
    }

    /// The records of `domains` that have one (one directory read; a damaged file is skipped).
    static func load(_ home: Home, domains: [DomainName]) -> [(DomainName, CheckRecord)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir(home).path) else { return [] }
        let present = Set(names)
        return domains.compactMap { d in
            guard present.contains("\(d).json"),
                let data = FileManager.default.contents(atPath: file(home, d.description).path),
                let r = try? JSONDecoder().decode(CheckRecord.self, from: data)
            else { return nil }
            return (d, r)
        }
    }
}
