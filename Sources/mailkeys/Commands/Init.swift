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

    @OptionGroup var new: NewDomainOptions

    func run() throws {
        try perform {
            try MailKeys.initHome(
                common.resolvedHome,
                domain: domain,
                mx: new.mx,
                ns: new.ns,
                rua: new.rua,
                now: try RunClock.now(common.now),
                simulate: common.simulate
            )
        }
    }
}
