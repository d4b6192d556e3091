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
            let home = common.resolvedHome
            let now = try RunClock.now(common.now)
            // Each domain is printed as soon as it is made (a home of thousands streams).
            var stream = StatusStream()
            if json { print(stream.head(), terminator: "") }
            try MailKeys.status(home, domain: domain, now: now, lockWait: common.lockWait) { d in
                print(json ? try stream.domain(d) : MailKeys.render(d), terminator: "")
            }
            if json { print(try stream.tail(home: home.root.path, now: RunClock.format(now))) }
        } catch {
            throw failure(error)
        }
    }
}
