import Foundation
import Testing

@testable import MailKeysKit

/// RunClock.format writes what ISO8601DateFormatter writes.
@Suite struct RunClockFormatTests {
    @Test(arguments: [0, 1, 59.999, 86_399.5, 951_782_400, 1_795_046_400.25, 4_102_444_799, 253_402_300_799])
    func sameAsTheFormatter(seconds: Double) {
        let d = Date(timeIntervalSince1970: seconds)
        #expect(RunClock.format(d) == ISO8601DateFormatter().string(from: d))
    }
}
