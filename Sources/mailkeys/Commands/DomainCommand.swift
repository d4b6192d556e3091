import ArgumentParser
import Foundation
import MailKeysKit

struct DomainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "domain",
        abstract: "Add a domain to the policy, or take one down safely.",
        subcommands: [Add.self, Remove.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "add",
            abstract:
                "Append DOMAIN's commented tables to the policy (or write domains/DOMAIN.toml), as init does; the next tick makes its keys and zone."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The mail domain, e.g. example.net.")
        var domain: String

        @OptionGroup var new: NewDomainOptions

        func run() throws {
            try perform {
                try MailKeys.addDomain(
                    common.resolvedHome,
                    domain: domain,
                    mx: new.mx,
                    ns: new.ns,
                    rua: new.rua,
                    lockWait: common.lockWait
                )
            }
        }
    }

    struct Remove: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "remove",
            abstract:
                "Start taking DOMAIN down: a signed zone publishes CDS/CDNSKEY delete and stays signed until its DS is gone at the parent (`ds gone`) and out of every cache; then tick takes it off every export target; once it is out of the policy, its keys and files are archived under Keys/archive/."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain (still in the policy).")
        var domain: String

        @Flag(help: "Stop the removal: the zone is signed and exported as before.")
        var cancel = false

        @Flag(help: "An unsigned zone may leave its nameservers now.")
        var confirm = false

        func validate() throws {
            if cancel && confirm { throw ValidationError("--cancel and --confirm exclude each other") }
        }

        func run() throws {
            try perform {
                try common.run(.removeDomain(domain, cancel ? .cancel : confirm ? .confirm : .start))
            }
        }
    }
}
