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

    func run() throws {
        try perform {
            try common.run(.tick)
        }
    }
}
