import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "The coming key, certificate, re-sign and export events: the real planners on a virtual clock; changes nothing."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "Only this domain.")
    var domain: String?

    @Option(help: "How many days ahead (1...3650).")
    var days = 90

    @Option(help: "Also write the timeline as an SVG to this file (one lane per key, states as bars, today marked).")
    var svg: String?

    @Flag(help: "Print the events as JSON (from, to, events: at, domain, kind, subject, detail).")
    var json = false

    func run() throws {
        try perform {
            let timeline = try MailKeys.plan(
                common.resolvedHome,
                domain: domain,
                days: days,
                now: try RunClock.now(common.now),
                lockWait: common.lockWait
            )
            var report = Report()
            report.lines =
                json
                ? [timeline.json]
                : timeline.table.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if let svg {
                try AtomicFile.write(timeline.svg, to: URL(fileURLWithPath: svg))
                if !json { report.lines.append("wrote \(svg)") }
            }
            return report
        }
    }
}
