import Foundation
import Testing

/// `mailkeys plan`: the timeline of a fixed policy from a fixed `--now` matches its golden file
/// (DNSSEC key tags, random at key generation, masked), and the SVG is well-formed XML.
@Suite struct PlanTests {
    @Test func planMatchesTheGoldenFileAndTheSVGIsWellFormed() throws {
        let home = try Support.exampleHome(build: false)
        let policy = home.appendingPathComponent("mailkeys.toml")
        try Support.read(policy).replacingOccurrences(
            of: "scheme = \"csk\"",
            with: "scheme = \"ksk+zsk\"\nzsk_lifetime = \"30d\""
        )
        .appending("\n[[domains.\"example.org\".export]]\nserver = \"nsd\"\ndirectory = \"/var/lib/nsd/zones\"\n")
        .write(to: policy, atomically: true, encoding: .utf8)
        // Build without exporting (the export target is not running): zone build, then the keys' first steps.
        #expect(try Support.mailkeys(["zone", "build", "--home", home.path, "--now", Support.now]).status == 0)
        let svg = home.appendingPathComponent("plan.svg")
        let r = try Support.mailkeys([
            "plan", "--home", home.path, "--now", "2026-11-21T11:00:00Z", "--days", "120", "--svg", svg.path,
        ])
        #expect(r.status == 0, "\(r.stderr)")
        // Mask the existing keys' tags; the columns then shift, so runs of spaces become one.
        let masked = r.stdout.replacing(/(ksk|zsk|csk) \d+/) { "\($0.output.1) TAG" }.replacing(home.path, with: "HOME")
            .replacing(/\ {2,}/, with: " ")
        try Support.assertSnapshot(masked, named: "plan-120d.txt")
        #expect(
            masked.contains("zsk TAG") && masked.contains("export the new serial"),
            "ZSK rollover and exports appear"
        )
        let check = try Support.exec(
            try Support.tool("python3"),
            [
                "-c",
                "import sys, xml.etree.ElementTree as E; t = E.parse(sys.argv[1]); print(len(t.getroot().findall('{http://www.w3.org/2000/svg}rect')))",
                svg.path,
            ]
        )
        #expect(check.status == 0, "SVG is not well-formed XML: \(check.stderr)")
        #expect((Int(check.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 6, "bars for the keys")
        try BadInputTests.expectRefused(
            home,
            ["plan", "--home", home.path, "--days", "0"],
            message: "--days: 0 is not within 1...3650"
        )
    }
}
