import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct TLS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tls",
        abstract: "Certificates of the MX hosts (TLSA records).",
        subcommands: [Import.self]
    )

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Record the certificate HOST serves now; the zones get its TLSA records (per tls.scheme)."
        )

        @OptionGroup var common: CommonOptions

        @Argument(help: "The MX host.")
        var host: String

        @Option(help: "The certificate (PEM; may hold the whole chain).")
        var cert: String

        @Option(help: "The intermediate certificates (PEM), when not in --cert.")
        var chain: String?

        @Option(help: "Its private key (PEM): mailkeys then installs both under Keys/tls/HOST/ for the mail server.")
        var key: String?

        func run() throws {
            try perform {
                try MailKeys.tlsImport(
                    common.resolvedHome,
                    host: host,
                    certPath: cert,
                    chainPath: chain,
                    keyPath: key,
                    now: try RunClock.now(common.now),
                    lockWait: common.lockWait,
                    acceptClock: common.acceptClock,
                    simulate: common.simulate
                )
            }
        }
    }
}
