import Foundation
import Testing

@testable import MailKeysCore

/// Runs `body`, which must throw a ``CoreError`` with `code` whose reason contains every one of
/// `fragments`; records an issue otherwise. Returns the error for further checks.
@discardableResult
func expectCoreError<T>(
    _ code: CoreError.Code,
    _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> CoreError? {
    expectCoreError(code, fragments: fragments, sourceLocation: sourceLocation, body)
}

/// ``expectCoreError(_:_:sourceLocation:_:)`` with the fragments as an array.
@discardableResult
func expectCoreError<T>(
    _ code: CoreError.Code,
    fragments: [String],
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) -> CoreError? {
    do {
        let value = try body()
        Issue.record(
            "expected CoreError(\(code)) containing \(fragments), got the value \(value)",
            sourceLocation: sourceLocation
        )
        return nil
    } catch let error as CoreError {
        #expect(error.code == code, "wrong code for reason: \(error.reason)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                error.reason.contains(fragment),
                "'\(error.reason)' should contain '\(fragment)'",
                sourceLocation: sourceLocation
            )
        }
        return error
    } catch {
        Issue.record("expected a CoreError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A name that the test itself knows to be valid.
func name(_ text: String, kind: DomainName.Kind = .owner) -> DomainName {
    do {
        return try DomainName(text, kind: kind)
    } catch {
        fatalError("test fixture name '\(text)' is invalid: \(error)")
    }
}

/// Builders for policy documents (what the TOML loader hands the core) and template records.
enum Fixture {
    static func strings(_ items: [String]) -> PolicyValue { .array(items.map { .string($0) }) }

    /// An `[[ns]]` entry.
    static func ns(_ host: String, _ addresses: [String] = []) -> PolicyValue {
        var t: [String: PolicyValue] = ["name": .string(host)]
        if !addresses.isEmpty { t["addresses"] = strings(addresses) }
        return .table(t)
    }

    /// An `[[mx]]` entry.
    static func mx(_ host: String, _ addresses: [String] = [], preference: Int? = nil) -> PolicyValue {
        var t: [String: PolicyValue] = ["host": .string(host)]
        if !addresses.isEmpty { t["addresses"] = strings(addresses) }
        if let preference { t["preference"] = .int(preference) }
        return .table(t)
    }

    /// The smallest valid `[domains."NAME"]` table: an in-zone and an out-of-zone nameserver,
    /// one in-zone MX host; everything else defaulted.
    static func domainTable(_ domain: String = "example.org") -> [String: PolicyValue] {
        [
            "ns": .array([ns("ns1.\(domain)", ["192.0.2.53", "2001:db8::53"]), ns("ns2.dns-provider.test")]),
            "mx": .array([mx("mail.\(domain)", ["192.0.2.25", "2001:db8::25"])]),
        ]
    }

    /// A whole document with the given domain tables.
    static func document(_ domains: [String: [String: PolicyValue]]) -> [String: PolicyValue] {
        ["domains": .table(domains.mapValues { .table($0) })]
    }

    /// The document for one domain, its minimal table changed by `modify`.
    static func document(
        _ domain: String = "example.org",
        _ modify: (inout [String: PolicyValue]) -> Void = { _ in }
    ) -> [String: PolicyValue] {
        var table = domainTable(domain)
        modify(&table)
        return document([domain: table])
    }

    /// The validated policy of one domain, its minimal table changed by `modify`.
    static func policy(
        _ domain: String = "example.org",
        _ modify: (inout [String: PolicyValue]) -> Void = { _ in }
    ) throws -> DomainPolicy {
        try Policy(document: document(domain, modify)).domain(domain)
    }

    /// A template record in example.org; `owner` is relative (`@` for the apex).
    static func template(
        _ owner: String,
        _ type: RRType,
        _ rdata: String,
        ttl: UInt32 = 3600,
        line: Int,
        origin: String = "example.org"
    ) -> TemplateRecord {
        let absolute = owner == "@" ? name(origin) : name("\(owner).\(origin)")
        return TemplateRecord(owner: absolute, ttl: ttl, type: type, rdata: rdata, line: line)
    }
}

/// A fixed instant in UTC.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 12, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}
