import Foundation

/// Helpers shared by the integration tests: the built `mailkeys` binary, scratch homes, real
/// peer programs, golden files. Grouped by concern in the files of `Support/`.
enum Support {
    /// This test target's directory (`Tests/MailKeysIntegrationTests`).
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    static let repoRoot: URL = directory.deletingLastPathComponent().deletingLastPathComponent()

    /// The `mailkeys` executable `swift build` produced (tests run it as a user would).
    static var binary: String {
        get throws {
            let path =
                ProcessInfo.processInfo.environment["MAILKEYS_BIN"]
                ?? repoRoot.appendingPathComponent(".build/debug/mailkeys").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failure("the mailkeys binary is missing at \(path): run `swift build` (make test does)")
            }
            return path
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }

    /// The absolute path of a peer program; a missing peer fails the test loudly.
    static func tool(_ name: String) throws -> String {
        for dir in ["/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/usr/local/sbin"] {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw Failure("\(name) is not installed: `make test` installs it (Debian packages in the Makefile's TEST_PKGS)")
    }

    /// The Debian python3 (with python3-dkim), not whatever python3 is first in PATH.
    static var python: String {
        get throws {
            guard FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") else {
                throw Failure("/usr/bin/python3 is missing")
            }
            let probe = try exec("/usr/bin/python3", ["-c", "import dkim, dns.resolver"])
            guard probe.status == 0 else {
                throw Failure("dkimpy is not installed for /usr/bin/python3 (Debian python3-dkim): \(probe.stderr)")
            }
            return "/usr/bin/python3"
        }
    }

    static let dkimScript = directory.appendingPathComponent("Scripts/dkim_check.py").path
    static let starttlsFrontScript = directory.appendingPathComponent("Scripts/starttls_front.py").path
}
