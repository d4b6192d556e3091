import ArgumentParser
import MailKeysKit

@main
struct MailKeysCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mailkeys",
        abstract: "The DNS side of a mail domain: zone, SPF, DKIM, DMARC, MTA-STS, TLS-RPT, CAA, DANE, DNSSEC.",
        version: MailKeys.version,
        subcommands: [
            Init.self, ZoneCommand.self, Tick.self, Rotate.self, DS.self, TLS.self, CertbotHook.self, Plan.self,
            Check.self, Status.self, Metrics.self, DomainCommand.self, Import.self,
        ]
    )
}
