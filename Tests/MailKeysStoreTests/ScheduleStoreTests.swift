import Foundation
import MailKeysCore
import Testing

@testable import MailKeysStore

/// The `schedule` table: one row per domain, replaced whole, read in one query.
@Suite struct ScheduleStoreTests {
    @Test func rowsRoundTripAndAreReplaced() throws {
        let s = try store(with: [])
        #expect(try s.schedules().isEmpty)
        let a = DomainSchedule(
            domain: try name("a.example"),
            inputs: "x",
            nextAt: at(60),
            reason: "DKIM",
            poll: false,
            deadline: at(120)
        )
        let b = DomainSchedule(domain: try name("b.example"), inputs: "y", nextAt: nil, reason: nil, poll: true)
        try s.saveSchedules([a, b])
        #expect(try s.schedules() == [a.domain: a, b.domain: b])
        var a2 = a
        a2.inputs = "z"
        a2.nextAt = nil
        a2.reason = nil
        a2.deadline = nil
        try s.saveSchedules([a2])
        #expect(try s.schedules() == [a.domain: a2, b.domain: b])
        try s.saveSchedules([])
        #expect(try s.schedules().count == 2)
    }

    @Test func aDamagedDomainNameIsReportedNotTrusted() throws {
        let s = try store(with: [])
        try writeRaw(s, "INSERT INTO schedule (domain, inputs, poll) VALUES ('bad..name', 'x', 0)")
        #expect(throws: StoreError.self) { try s.schedules() }
    }
}
