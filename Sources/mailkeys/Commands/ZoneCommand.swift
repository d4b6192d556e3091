import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct ZoneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zone",
        abstract: "Zone files.",
        subcommands: [Build.self, Sign.self, Export.self]
    )

    struct Sign: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "As zone build, for signed domains: also writes Zones/<domain>.zone.signed (verified before it is written)."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneSign(domain))
            }
        }
    }

    struct Build: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Write Zones/<domain>.zone (new serial only when the content changed) and the MTA-STS policy file."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneBuild(domain))
            }
        }
    }
}

extension ZoneCommand {
    struct Export: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "As zone build (and sign), then export each zone that changed to the servers of its [[export]] targets, reload them and confirm the new serial."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "Only this domain (default: every domain of the policy).")
        var domain: String?

        func run() throws {
            try perform {
                try common.run(.zoneExport(domain))
            }
        }
    }
}
