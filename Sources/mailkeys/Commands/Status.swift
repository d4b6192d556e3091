import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Domains, serials, records, keys and the next events."
    )

    @OptionGroup var common: CommonOptions

    @Argument(help: "Only this domain.")
    var domain: String?

    @Flag(help: "Print JSON (stable keys) instead of text.")
    var json = false

    func run() throws {
        do {
            let report = try MailKeys.status(
                common.resolvedHome,
                domain: domain,
                now: try RunClock.now(common.now),
                lockWait: common.lockWait
            )
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try encoder.encode(report), as: UTF8.self))
            } else {
                print(MailKeys.render(report), terminator: "")
            }
        } catch {
            throw failure(error)
        }
    }
}
