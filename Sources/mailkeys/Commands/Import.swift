import ArgumentParser
import Foundation
import MailKeysCore
import MailKeysKit

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Adopt a live domain's keys: DNSSEC keys from BIND key files, DKIM keys from PEM files or a KeyTable.",
        subcommands: [DNSSEC.self, DKIM.self]
    )

    struct DNSSEC: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dnssec",
            abstract:
                "Import the DNSSEC keys DOMAIN is signed with now from BIND's K<zone>.+<alg>+<tag>.key/.private (dnssec-keygen): one CSK, or a KSK and a ZSK, keeping their timing metadata; they keep signing and are rolled on schedule, so the parent's DS stays."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain (in the policy, with no DNSSEC keys in the store yet).")
        var domain: String

        @Argument(help: "The .key files (each .private next to it).")
        var files: [String]

        func run() throws {
            try perform {
                try MailKeys.importDNSSEC(
                    common.resolvedHome,
                    domain: domain,
                    files: files,
                    now: try RunClock.now(common.now),
                    lockWait: common.lockWait
                )
            }
        }
    }

    struct DKIM: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "dkim",
            abstract:
                "Import DKIM keys DOMAIN signs with now: SELECTOR=FILE (PEM, RSA or Ed25519) or the domain's entries of an OpenDKIM KeyTable; they keep signing and are rolled on schedule."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The domain (in the policy).")
        var domain: String

        @Argument(help: "SELECTOR=FILE pairs, e.g. default=/etc/opendkim/keys/example.org/default.private.")
        var keys: [String] = []

        @Option(help: "An OpenDKIM KeyTable: its lines for DOMAIN are imported.")
        var keytable: String?

        func run() throws {
            let pairs = try keys.map { pair -> (String, String) in
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                    throw ValidationError("'\(pair)' is not SELECTOR=FILE")
                }
                return (parts[0], parts[1])
            }
            try perform {
                try MailKeys.importDKIM(
                    common.resolvedHome,
                    domain: domain,
                    selectors: pairs,
                    keyTable: keytable,
                    now: try RunClock.now(common.now),
                    lockWait: common.lockWait
                )
            }
        }
    }
}
