import Foundation

/// Scratch directories and homes made like the example (`make run`).
extension Support {
    /// A fresh empty directory under the system temp dir.
    static func scratch(_ label: String = "home") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "mailkeys-test-\(label)-\(UUID().uuidString.prefix(8))"
        )
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The instant most tests start at (``TestClock``: shifted with `MAILKEYS_TEST_SHIFT_DAYS`).
    static let now = TestClock.at("2026-11-21T10:00:00Z")

    /// The example's init arguments (the same as the Makefile's `make run`).
    static let exampleInit = [
        "--domain", "example.org", "--mx", "mail.example.org=192.0.2.25,2001:db8::25",
        "--ns", "ns1.example.org=192.0.2.53,2001:db8::53", "--ns", "ns2.example.net",
        "--rua", "mailto:dmarc-reports@example.org",
    ]

    /// A home initialised like the example, with the repository's template copied in, and built
    /// once at `at` (``now`` unless the test runs on the real clock).
    static func exampleHome(build: Bool = true, at: String = now) throws -> URL {
        let home = try scratch()
        // A simulation: the tests act at instants ahead of the clock (and CI shifts them further).
        let r = try mailkeys(["init", "--home", home.path, "--now", at, "--simulate"] + exampleInit)
        guard r.status == 0 else { throw Failure("init failed: \(r.stderr)") }
        try FileManager.default.copyItem(
            at: repoRoot.appendingPathComponent("Zones/example.org.zone.in"),
            to: home.appendingPathComponent("Zones/example.org.zone.in")
        )
        if build {
            let t = try mailkeys(["tick", "--home", home.path, "--now", at])
            guard t.status == 0 else { throw Failure("tick failed: \(t.stderr)") }
        }
        return home
    }

    static func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    static func bytes(_ url: URL) -> Data? { FileManager.default.contents(atPath: url.path) }
}

extension Support {
    /// Every file of a directory (not recursive) with its bytes, to compare before and after.
    static func listing(_ dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir.path) {
            out[name] = bytes(dir.appendingPathComponent(name))
        }
        return out
    }
}
