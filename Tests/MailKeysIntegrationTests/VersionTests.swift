import Foundation
import Testing

/// `mailkeys --version`: the version on one line, exit 0, no home needed; the README names it.
@Suite struct VersionTests {
    @Test func versionIsPrintedAndDocumented() throws {
        let r = try Support.mailkeys(["--version"])
        #expect(r.status == 0, "\(r.stderr)")
        let version = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(version.range(of: #"^[0-9]+\.[0-9]+\.[0-9]+$"#, options: .regularExpression) != nil, "\(r.stdout)")
        let readme = try Support.read(Support.repoRoot.appendingPathComponent("README.md"))
        #expect(readme.contains("`mailkeys --version`"), "the README lists --version")
    }
}
