import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start a key rollover now.",
        subcommands: [DKIM.self, ZSK.self, KSK.self, TLSKey.self]
    )

    struct TLSKey: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tls",
            abstract:
                "Generate the next TLS key of an MX host now (scheme current+next): its 3 1 1 is published, and certbot-hook --pre hands it to certbot once it is 2 × TTL old."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The MX host.")
        var host: String

        func run() throws {
            try perform {
                try common.run(.rotateTLS(host))
            }
        }
    }

    struct KSK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "ksk",
            abstract:
                "Publish a new KSK (or CSK) now: it co-signs the DNSKEY RRset, its CDS/CDNSKEY appear once caches know it, and it takes over after `ds seen` plus the parent's DS TTL."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain.")
        var domain: String

        func run() throws {
            try perform {
                try common.run(.rotateKSK(domain))
            }
        }
    }

    struct ZSK: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "zsk",
            abstract:
                "Pre-publish a new ZSK now; tick makes it sign after Dprp + DNSKEY TTL + safety and removes the old one later."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain (its policy must use scheme = \"ksk+zsk\").")
        var domain: String

        func run() throws {
            try perform {
                try common.run(.rotateZSK(domain))
            }
        }
    }

    struct DKIM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim",
            abstract: "Generate and publish new DKIM keys now; they sign once publish_ahead has passed (then run tick)."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain to rotate.")
        var domain: String?

        @Flag(help: "Rotate every domain of the policy.")
        var all = false

        func validate() throws {
            guard (domain == nil) != !all else { throw ValidationError("give a DOMAIN or --all") }
        }

        func run() throws {
            try perform {
                try common.run(.rotateDKIM(all ? nil : domain))
            }
        }
    }
}
