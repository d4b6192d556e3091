import ArgumentParser
import Foundation
import Logging
import MailKeysCore
import MailKeysKit

struct Tick: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Do everything due now for every domain, print it and the next time to run. Run it from a timer."
    )

    @OptionGroup var common: CommonOptions

    @Flag(help: "Print the report as JSON (stable keys: ok, error, actions, notes, warnings, next).")
    var json = false

    func run() throws {
        try perform(json: json) {
            try common.run(.tick)
        }
    }
}
