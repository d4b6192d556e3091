import ArgumentParser
import Foundation
import MailKeysCore
import MailKeysKit

struct Metrics: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Prometheus metrics of every domain (signature expiry, next events, exports, DKIM keys, certificates)."
    )

    @OptionGroup var common: CommonOptions

    @Option(
        help: ArgumentHelp(
            "Write them to FILE (atomically, for node_exporter's textfile collector: a name ending in .prom) instead of standard output.",
            valueName: "FILE"
        )
    )
    var output: String?

    func run() throws {
        try perform {
            let text = try MailKeys.metrics(
                common.resolvedHome,
                now: try RunClock.now(common.now),
                lockWait: common.lockWait
            )
            guard let output else { return Report(lines: [String(text.dropLast())]) }
            try MailKeys.writeMetrics(text, to: output)
            return Report()
        }
    }
}
