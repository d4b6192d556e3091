import Foundation
import Testing

@testable import MailKeysCore

@Suite("ZoneBuildPlanner")
struct PlannerTests {
    let org = name("example.org")
    let net = name("example.net")
    let now = utc(2024, 3, 5)

    @Test func firstBuild() {
        let result = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: [:], onDisk: [:], now: now)
        #expect(result.actions == [.buildZone(domain: org, reason: "first build")])
        #expect(result.nextWake == nil)
        // A stored row without a content hash (never written) is also a first build, even with a file on disk.
        let again = ZoneBuildPlanner.plan(
            desired: [org: "h1"],
            stored: [org: ZoneState(serial: 5)],
            onDisk: [org: "f1"],
            now: now
        )
        #expect(again.actions == [.buildZone(domain: org, reason: "first build")])
    }

    @Test func contentChanged() {
        let stored = [org: ZoneState(serial: 2_024_030_501, contentHash: "h0", fileHash: "f0")]
        let result = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: stored, onDisk: [org: "f0"], now: now)
        #expect(result.actions == [.buildZone(domain: org, reason: "policy or template changed")])
        #expect(result.nextWake == nil)
    }

    @Test func contentChangeWinsOverMissingFile() {
        let stored = [org: ZoneState(serial: 1, contentHash: "h0", fileHash: "f0")]
        let result = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: stored, onDisk: [org: nil], now: now)
        #expect(result.actions == [.buildZone(domain: org, reason: "policy or template changed")])
    }

    @Test func fileMissing() {
        let stored = [org: ZoneState(serial: 1, contentHash: "h1", fileHash: "f1")]
        let explicitNil = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: stored, onDisk: [org: nil], now: now)
        #expect(explicitNil.actions == [.buildZone(domain: org, reason: "zone file is missing")])
        let absent = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: stored, onDisk: [:], now: now)
        #expect(absent.actions == [.buildZone(domain: org, reason: "zone file is missing")])
    }

    @Test func fileChangedOnDisk() {
        let stored = [org: ZoneState(serial: 1, contentHash: "h1", fileHash: "f1")]
        let result = ZoneBuildPlanner.plan(desired: [org: "h1"], stored: stored, onDisk: [org: "edited"], now: now)
        #expect(result.actions == [.buildZone(domain: org, reason: "zone file was changed outside mailkeys")])
    }

    @Test func nothingToDoWhenAllEqual() {
        let stored = [
            org: ZoneState(serial: 1, contentHash: "h1", fileHash: "f1"),
            net: ZoneState(serial: 2, contentHash: "h2", fileHash: "f2"),
        ]
        let result = ZoneBuildPlanner.plan(
            desired: [org: "h1", net: "h2"],
            stored: stored,
            onDisk: [org: "f1", net: "f2"],
            now: now
        )
        #expect(result.actions.isEmpty)
        #expect(result.nextWake == nil)
        #expect(result == ZoneBuildPlan(actions: []))
    }

    @Test func nothingDesiredNothingToDo() {
        let stored = [org: ZoneState(serial: 1, contentHash: "h1", fileHash: "f1")]
        let result = ZoneBuildPlanner.plan(desired: [:], stored: stored, onDisk: [org: nil], now: now)
        #expect(result.actions.isEmpty)
        #expect(result.nextWake == nil)
    }

    @Test func actionsSortedByDomainName() {
        let a = name("a.example")
        let b = name("b.example")
        let c = name("c.example")
        let stored = [
            b: ZoneState(serial: 1, contentHash: "hb", fileHash: "fb"),
            c: ZoneState(serial: 1, contentHash: "hc", fileHash: "fc"),
        ]
        let result = ZoneBuildPlanner.plan(
            desired: [c: "hc", b: "hb-new", a: "ha"],
            stored: stored,
            onDisk: [b: "fb", c: "fc"],
            now: now
        )
        #expect(
            result.actions == [
                .buildZone(domain: a, reason: "first build"),
                .buildZone(domain: b, reason: "policy or template changed"),
            ]
        )
    }

    @Test func actionDescription() {
        #expect(
            ZoneBuildAction.buildZone(domain: org, reason: "first build").description
                == "build zone example.org: first build"
        )
    }

    @Test func zoneStateDefaults() {
        let state = ZoneState()
        #expect(state.serial == nil)
        #expect(state.contentHash == nil)
        #expect(state.fileHash == nil)
    }
}
