import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct DS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ds",
        abstract: "DS records for the registrar, and confirming that the parent publishes a new one.",
        subcommands: [Show.self, Seen.self, Gone.self],
        defaultSubcommand: Show.self
    )

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract:
                "Print the DS records (SHA-256) the parent should hold now (both during a KSK rollover), and the trust anchor."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        @Flag(help: "Print JSON (domain, ds, dnskeys, waitingForDS, trustAnchors).")
        var json = false

        func run() throws {
            try perform { try MailKeys.ds(common.resolvedHome, domain: domain, lockWait: common.lockWait, json: json) }
        }
    }

    struct Seen: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "seen",
            abstract:
                "Record that the parent now publishes the DS of the new key KEYTAG; tick retires the old key after the parent's DS TTL."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        @Argument(help: "The key tag of the new KSK or CSK (as `status` and `ds` show it).")
        var keytag: UInt16

        func run() throws {
            try perform {
                try common.run(.dsSeen(domain, keytag))
            }
        }
    }

    struct Gone: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "gone",
            abstract:
                "Record that the parent no longer serves the DS of DOMAIN, which is being removed (`domain remove`); tick takes the zone off its nameservers after the parent's DS TTL."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain being removed.")
        var domain: String

        func run() throws {
            try perform { try common.run(.dsGone(domain)) }
        }
    }
}
