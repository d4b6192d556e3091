import Testing

@testable import MailKeysCore

@Suite("TimeSpan and TTLLimits")
struct DurationTests {
    @Test(arguments: [
        ("90d", 7_776_000),
        ("1h30m", 5400),
        ("2w", 1_209_600),
        ("3600", 3600),
        ("0", 0),
        ("45s", 45),
        ("1w2d3h4m5s", 604_800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5),
        ("1H", 3600),
        (" 7d ", 604_800),
        ("30m30m", 3600),
    ])
    func parses(text: String, seconds: Int) throws {
        #expect(try TimeSpan.seconds(text) == seconds)
    }

    @Test(arguments: ["10x", "1y", "5 d", "1h30q"])
    func unknownUnitRefused(text: String) {
        expectCoreError(.invalidDuration, "duration '\(text)'", "unknown unit", "use s, m, h, d or w") {
            try TimeSpan.seconds(text)
        }
    }

    @Test(arguments: [("1h30", "'30' has no unit"), ("2w5", "'5' has no unit")])
    func missingUnitRefused(text: String, fragment: String) {
        expectCoreError(.invalidDuration, "duration '\(text)'", fragment) { try TimeSpan.seconds(text) }
    }

    @Test(arguments: ["h", "d1", "1hm"])
    func missingNumberRefused(text: String) {
        expectCoreError(.invalidDuration, "a number must come before") { try TimeSpan.seconds(text) }
    }

    @Test func emptyAndNegativeRefused() {
        expectCoreError(.invalidDuration, "empty duration") { try TimeSpan.seconds("") }
        expectCoreError(.invalidDuration, "empty duration") { try TimeSpan.seconds("   ") }
        expectCoreError(.invalidDuration, "duration '-5' is negative") { try TimeSpan.seconds("-5") }
    }

    @Test func hugeNumberRefused() {
        expectCoreError(.invalidDuration, "the number 999999999999 is too large") {
            try TimeSpan.seconds("999999999999w")
        }
        expectCoreError(.invalidDuration, "a number must come before 'w'") { try TimeSpan.seconds("w") }
    }

    @Test(arguments: [
        (0, "0s"),
        (45, "45s"),
        (60, "1m"),
        (3600, "1h"),
        (5400, "1h30m"),
        (86400, "1d"),
        (604_800, "1w"),
        (1_209_600, "2w"),
        (90061, "1d1h1m1s"),
        (7_776_000, "90d"),  // not a whole number of weeks: days
        (691_200, "8d"),
    ])
    func format(seconds: Int, text: String) throws {
        #expect(TimeSpan.format(seconds) == text)
        #expect(try TimeSpan.seconds(text) == seconds)
    }

    @Test func ttlLimitsAcceptTheBounds() throws {
        #expect(try TTLLimits.check(60, "TTL") == 60)
        #expect(try TTLLimits.check(3600, "TTL") == 3600)
        #expect(try TTLLimits.check(604_800, "TTL") == 604_800)
        #expect(TTLLimits.range == 60...604_800)
    }

    @Test(arguments: [59, 604_801, 0, -1])
    func ttlLimitsRefuseOutOfRange(seconds: Int) {
        expectCoreError(.invalidTTL, "MX ttl: TTL \(seconds) s is out of range 60...604800 s") {
            try TTLLimits.check(seconds, "MX ttl")
        }
    }
}
