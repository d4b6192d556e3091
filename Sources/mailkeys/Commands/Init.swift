import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a home: a commented mailkeys.toml for one domain, Keys/ with the store, Zones/."
    )

    @OptionGroup var common: CommonOptions

    @Option(help: "The mail domain, e.g. example.org.")
    var domain: String

    @Option(help: "An MX host with its addresses when inside the domain: HOST=IP[,IP...]. Repeat for more.")
    var mx: [String] = []

    @Option(help: "A nameserver, with glue addresses when inside the domain: HOST[=IP,...]. Repeat for more.")
    var ns: [String] = []

    @Option(help: "Where DMARC and TLS-RPT reports go (default mailto:dmarc@DOMAIN).")
    var rua: String?

    func run() throws {
        try perform {
            try MailKeys.initHome(
                common.resolvedHome,
                domain: domain,
                mx: mx,
                ns: ns,
                rua: rua,
                now: try RunClock.now(common.now),
                simulate: common.simulate
            )
        }
    }
}
