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
        // An export is predicted only where the zone changes: a DKIM key starting or stopping to
        // sign changes no record.
        let lines = masked.split(separator: "\n").map(String.init)
        let changes = Set(
            lines.filter { l in
                !l.contains(" export ")
                    && !(l.contains(" dkim ") && (l.contains("start signing") || l.contains("stop signing")))
            }.map { $0.prefix(20) }
        )
        for l in lines where l.contains(" export nsd ") {
            #expect(changes.contains(l.prefix(20)), "an export with no zone change: \(l)")
        }
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

    /// A renewal held by the deploy gate is drawn pending until it goes live, then served; the
    /// certificate it replaces is served until then (issue 18: there was no served bar). The
    /// "now" label sits above the month labels, clear of the legend, and a month label at the
    /// right edge ends at its line instead of running off the image.
    @Test func aGatedRenewalIsDrawnPendingThenServedAndTheLabelsStayClear() throws {
        let home = try TLSTests.servedAndGated().home
        let svg = home.appendingPathComponent("plan.svg")
        let plan = try Support.mailkeys([
            "plan", "--home", home.path, "--now", TestClock.at("2026-11-21T12:10:00Z"), "--days", "100", "--svg",
            svg.path,
        ])
        #expect(plan.status == 0, "\(plan.stderr)")
        let live = TestClock.at("2026-11-21T14:00:00Z")
        let table = plan.stdout.replacing(/\ {2,}/, with: " ")
        #expect(table.contains("\(live) example.org tls mail.example.org deploy gate installs"), "\(plan.stdout)")
        let text = try Support.read(svg)
        #expect(text.contains("<title>pending "), "the renewal waits at the gate")
        #expect(text.contains("<title>served \(live) – "), "the renewal is served from the install on")
        #expect(text.contains("– \(live)</title>"), "the certificate it replaces is served until then")
        // Every text lies within the image; "now" above the month labels.
        let width = 1100.0
        for match in text.matches(of: /<text x="([0-9.]+)" y="([0-9.]+)"([^>]*)>([^<]*)<\/text>/) {
            let x = Double(match.output.1)!
            let y = Double(match.output.2)!
            let end = match.output.3.contains("text-anchor=\"end\"") ? x : x + Double(match.output.4.count) * 7
            #expect(end <= width && x >= 0, "text runs off the image: \(match.output.0)")
            if match.output.4 == "now" { #expect(y < 26, "now overlaps the month labels or the legend") }
        }
    }
}
