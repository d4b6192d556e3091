import Foundation
import Testing

@testable import MailKeysCore

private let origin = name("example.org")

private func record(_ owner: String, _ type: RRType, _ rdata: String, ttl: UInt32 = 3600) -> Record {
    Record(
        owner: owner == "@" ? origin : name("\(owner).example.org"),
        ttl: ttl,
        type: type,
        rdata: rdata,
        source: .generated("test")
    )
}

private let soa = SOAData(
    ttl: 3600,
    mname: name("ns1.example.org"),
    rname: name("hostmaster.example.org"),
    refresh: 10800,
    retry: 3600,
    expire: 604_800,
    minimum: 300
)

@Suite("Zone")
struct ZoneTests {
    static let records: [Record] = [
        record("www", .a, "192.0.2.80"),
        record("@", .txt, "\"v=spf1 mx -all\""),
        record("@", .a, "192.0.2.1"),
        record("@", .ns, "ns2.dns-provider.test."),
        record("_dmarc", .txt, "\"v=DMARC1; p=reject\""),
        record("@", .ns, "ns1.example.org."),
        record("@", .mx, "10 mail.example.org."),
        record("a.b", .txt, "\"deep\""),
        record("mail", .aaaa, "2001:db8::25"),
        record("mail", .a, "192.0.2.25"),
        record("www", .a, "192.0.2.79"),
    ]

    @Test func initSortsCanonically() {
        let zone = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: Self.records)
        #expect(
            zone.records.map { "\($0.owner.relative(to: origin)) \($0.type) \($0.rdata)" } == [
                "@ NS ns1.example.org.",
                "@ NS ns2.dns-provider.test.",
                "@ A 192.0.2.1",
                "@ MX 10 mail.example.org.",
                "@ TXT \"v=spf1 mx -all\"",
                "_dmarc TXT \"v=DMARC1; p=reject\"",
                "a.b TXT \"deep\"",
                "mail A 192.0.2.25",
                "mail AAAA 2001:db8::25",
                "www A 192.0.2.79",
                "www A 192.0.2.80",
            ]
        )
    }

    @Test func sortIsIndependentOfInputOrder() {
        let a = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: Self.records)
        let b = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: Self.records.reversed())
        #expect(a == b)
        #expect(a.render(serial: 1) == b.render(serial: 1))
    }

    /// The tracked render gives each owner's lines as a byte range; the apex's starts the file.
    @Test func trackedRenderGivesEachOwnersLines() throws {
        let zone = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: Self.records)
        let owners: Set<DomainName> = [
            origin, name("mail.example.org"), name("a.b.example.org"), name("absent.example.org"),
        ]
        let (text, blocks) = zone.render(serial: 7, header: ["h"], tracking: owners)
        #expect(text == zone.render(serial: 7, header: ["h"]))
        #expect(Set(blocks.keys) == owners.subtracting([name("absent.example.org")]))
        let bytes = Array(text.utf8)
        func lines(_ r: Range<Int>) -> [String] {
            String(decoding: bytes[r], as: UTF8.self).split(separator: "\n").map(String.init)
        }
        let apex = try #require(blocks[origin])
        #expect(apex.lowerBound == 0 && lines(apex).first == "; h" && lines(apex).last!.hasPrefix("@ "))
        #expect(lines(apex).filter { $0.hasPrefix("@ ") }.count == 1 + Self.records.filter { $0.owner == origin }.count)
        let mail = try #require(blocks[name("mail.example.org")])
        #expect(lines(mail).count == 2 && lines(mail).allSatisfy { $0.hasPrefix("mail ") })
        #expect(
            lines(try #require(blocks[name("a.b.example.org")])) == ["a.b                     3600\tIN\tTXT\t\"deep\""]
        )
        bytes.withUnsafeBufferPointer { b in
            #expect(isOwnerBlock(b, mail, prefix: Array("mail ".utf8)))
            #expect(
                !isOwnerBlock(b, mail.lowerBound..<mail.upperBound - 1, prefix: Array("mail ".utf8)),
                "not at a line end"
            )
            #expect(
                !isOwnerBlock(b, mail.lowerBound + 1..<mail.upperBound, prefix: Array("mail ".utf8)),
                "not at a line start"
            )
            let first = mail.lowerBound..<(bytes[mail].firstIndex(of: 10)! + 1)
            #expect(!isOwnerBlock(b, first, prefix: Array("mail ".utf8)), "the owner's next line is left out")
            #expect(!isOwnerBlock(b, mail, prefix: Array("www ".utf8)), "another owner")
        }
    }

    /// A map's ranges in file order, refused when they overlap or leave the file; hex decoding.
    @Test func signedZoneMapSegmentsAndHex() {
        let map = SignedZoneMap(
            owners: [
                .init(name: "a.", start: 0, end: 10, next: "b."),
                .init(name: "b.", start: 20, end: 30, nsec3Start: 50, nsec3End: 60, nsec3Next: "00"),
            ],
            outsideSignatures: 0,
            outsideEarliestExpiration: 0,
            outsideLatestInception: 0
        )
        #expect(map.segments(fileSize: 60)?.map(\.range) == [0..<10, 20..<30, 50..<60])
        #expect(map.segments(fileSize: 59) == nil)
        var overlapping = map
        overlapping.owners[1].start = 5
        #expect(overlapping.segments(fileSize: 60) == nil)
        #expect(bytes(hex: "00ff7A") == [0, 255, 122])
        #expect(bytes(hex: "0") == nil && bytes(hex: "zz") == nil)
    }

    @Test func renderStartsWithHeaderOriginTTLAndSOA() {
        let zone = Zone(origin: origin, defaultTTL: 1800, soa: soa, records: Self.records)
        let text = zone.render(
            serial: 2_024_030_501,
            header: ["mailkeys zone for example.org", "serial owned by the store"]
        )
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "; mailkeys zone for example.org")
        #expect(lines[1] == "; serial owned by the store")
        #expect(lines[2] == "$ORIGIN example.org.")
        #expect(lines[3] == "$TTL 1800")
        #expect(
            lines[4]
                == "@                       3600\tIN\tSOA\tns1.example.org. hostmaster.example.org. 2024030501 10800 3600 604800 300"
        )
        #expect(lines[5] == "@                       3600\tIN\tNS\tns1.example.org.")
        #expect(lines[6] == "@                       3600\tIN\tNS\tns2.dns-provider.test.")
        #expect(lines[7] == "@                       3600\tIN\tA\t192.0.2.1")
        #expect(lines.last == "")
        #expect(lines.count == 4 + 1 + Self.records.count + 1)
        #expect(text.hasSuffix("www                     3600\tIN\tA\t192.0.2.80\n"))
        #expect(text.filter { $0 == "\n" }.count == 16)
    }

    @Test func renderWithoutHeaderStartsWithOrigin() {
        let zone = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: [])
        #expect(
            zone.render(serial: 1)
                == "$ORIGIN example.org.\n$TTL 3600\n@                       3600\tIN\tSOA\tns1.example.org. hostmaster.example.org. 1 10800 3600 604800 300\n"
        )
    }

    @Test func ownersRelativeAndLongNamesStillSeparated() {
        let long = record("a-very-long-label-for-padding", .txt, "\"x\"")
        let outside = Record(
            owner: name("www.example.net"),
            ttl: 60,
            type: .a,
            rdata: "192.0.2.9",
            source: .generated("test")
        )
        let zone = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: [long, outside])
        let text = zone.render(serial: 1)
        #expect(text.contains("\na-very-long-label-for-padding 3600\tIN\tTXT\t\"x\"\n"))
        #expect(text.contains("\nwww.example.net.        60\tIN\tA\t192.0.2.9\n"))
    }

    @Test func rrsetAndSOARDATA() {
        let zone = Zone(origin: origin, defaultTTL: 3600, soa: soa, records: Self.records)
        #expect(zone.rrset(name("www.example.org"), .a).map(\.rdata) == ["192.0.2.79", "192.0.2.80"])
        #expect(zone.rrset(origin, .ns).count == 2)
        #expect(zone.rrset(origin, .caa).isEmpty)
        #expect(zone.soaRDATA(serial: 42) == "ns1.example.org. hostmaster.example.org. 42 10800 3600 604800 300")
    }
}

@Suite("Serial")
struct SerialTests {
    @Test func firstSerialIsTodayNumberOne() {
        #expect(Serial.next(after: nil, now: utc(2024, 3, 5)) == 2_024_030_501)
        #expect(Serial.next(after: nil, now: utc(1999, 12, 31, 23, 59)) == 1_999_123_101)
        #expect(Serial.next(after: nil, now: utc(2024, 2, 29, 0, 0)) == 2_024_022_901)
    }

    @Test func dateIsTakenInUTC() throws {
        // 23:30 in New York on 5 March is 04:30 UTC on 6 March.
        let formatter = ISO8601DateFormatter()
        let evening = try #require(formatter.date(from: "2024-03-05T23:30:00-05:00"))
        #expect(Serial.next(after: nil, now: evening) == 2_024_030_601)
        // 00:30 in Berlin on 6 March is still 5 March in UTC.
        let morning = try #require(formatter.date(from: "2024-03-06T00:30:00+01:00"))
        #expect(Serial.next(after: nil, now: morning) == 2_024_030_501)
    }

    @Test func sameDayIncrements() {
        #expect(Serial.next(after: 2_024_030_501, now: utc(2024, 3, 5)) == 2_024_030_502)
        #expect(Serial.next(after: 2_024_030_517, now: utc(2024, 3, 5, 23, 59)) == 2_024_030_518)
    }

    @Test func olderSerialJumpsToToday() {
        #expect(Serial.next(after: 2_024_030_499, now: utc(2024, 3, 5)) == 2_024_030_501)
        #expect(Serial.next(after: 7, now: utc(2024, 3, 5)) == 2_024_030_501)
    }

    @Test func hundredChangesInOneDayStayStrictlyIncreasing() {
        let now = utc(2024, 3, 5)
        var serials: [UInt32] = []
        var previous: UInt32?
        for _ in 0..<120 {
            let next = Serial.next(after: previous, now: now)
            serials.append(next)
            previous = next
        }
        #expect(serials.first == 2_024_030_501)
        #expect(serials[98] == 2_024_030_599)
        #expect(serials[99] == 2_024_030_600)
        #expect(serials.last == 2_024_030_620)
        #expect(zip(serials, serials.dropFirst()).allSatisfy { $0 < $1 })
        // The next day carries on upwards too.
        let tomorrow = Serial.next(after: serials.last, now: utc(2024, 3, 6))
        #expect(tomorrow == 2_024_030_621)
        #expect(Serial.next(after: 2_024_030_600, now: utc(2024, 3, 6)) == 2_024_030_601)
    }

    @Test func clockBehindPreviousSerialStillIncrements() {
        #expect(Serial.next(after: 2_024_030_503, now: utc(2024, 3, 1)) == 2_024_030_504)
        #expect(Serial.next(after: 2_025_010_101, now: utc(2024, 12, 31)) == 2_025_010_102)
    }
}
