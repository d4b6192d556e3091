import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Audit the live DNS and the MX's STARTTLS like MECSA and internet.nl: DNSSEC from mailkeys' trust anchor, MX, IPv6, STARTTLS, TLSA, TLS versions, suites and their order, key exchange, compression, renegotiation, EMS, certificates, MTA-STS, TLS-RPT, SPF, DKIM, DMARC, CAA. Exits 1 if anything fails."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "The domain.")
    var domain: String

    @Option(
        help: "The authoritative server to ask, IP[:PORT] (default: the first export target's address, else 127.0.0.1)."
    )
    var server: String?

    @Option(help: "Where to reach the MX's SMTP, IP[:PORT] (default: the MX's address, port 25 or the TLSA port).")
    var smtp: String?

    @Option(
        name: .customLong("mta-sts"),
        help: "Where to fetch the MTA-STS policy over HTTPS, IP[:PORT] (default: mta-sts.DOMAIN's address, port 443)."
    )
    var mtaSTS: String?

    @Option(
        help:
            "A PEM file of CA certificates to verify the MTA-STS host and the MX's chain with (default: the system's)."
    )
    var ca: String?

    @Option(
        name: .customLong("connect-to"),
        help: ArgumentHelp(
            "Connect to TO instead of FROM, an address and port found in DNS: FROM=TO, each IPv4:PORT or [IPv6]:PORT, in the same family. Repeat for more.",
            discussion:
                "For a server behind NAT or on another port: e.g. --connect-to [2001:db8::25]:25=[::1]:2525 reaches the MX's IPv6 address on the loopback. Applies to the IPv6 reachability probes, STARTTLS without --smtp and MTA-STS without --mta-sts."
        )
    )
    var connectTo: [String] = []

    @Flag(help: "Print JSON (stable keys) instead of the score card.")
    var json = false

    func run() throws {
        try bootstrapLogging()
        let report: CheckReport
        do {
            report = try MailKeys.check(
                common.resolvedHome,
                domain: domain,
                server: server,
                smtp: smtp,
                mtaSTS: mtaSTS,
                ca: ca,
                connectTo: connectTo,
                now: try RunClock.now(common.now),
                lockWait: common.lockWait
            )
        } catch { throw failure(error) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text, terminator: "")
        }
        if !report.ok { throw ExitCode(1) }
    }
}
