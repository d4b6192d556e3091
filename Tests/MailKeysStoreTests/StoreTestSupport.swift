import Foundation
import GRDB
import MailKeysCore
import Testing

@testable import MailKeysStore

/// A fixed instant in whole seconds (the store keeps whole seconds, so times round-trip exactly).
let t0 = Date(timeIntervalSince1970: 1_800_000_000)

/// `t0` moved by `seconds`.
func at(_ seconds: Double) -> Date { t0.addingTimeInterval(seconds) }

/// A domain name typed as a person would.
func name(_ text: String) throws -> DomainName { try DomainName(text) }

/// A new in-memory store that knows `domains`.
func store(with domains: [String] = ["example.org"]) throws -> Store {
    let store = try Store.inMemory()
    try store.transaction { tx in
        for d in domains { try tx.ensureDomain(try name(d), at: t0) }
    }
    return store
}

/// Runs `sql` straight on the store's database, bypassing its API (and, when `checks` is false,
/// its CHECK constraints): how a damaged or hand-edited store file comes about.
func writeRaw(_ store: Store, checks: Bool = true, _ sql: String, _ arguments: StatementArguments = []) throws {
    try store.queue.writeWithoutTransaction { db in
        if !checks { try db.execute(sql: "PRAGMA ignore_check_constraints = ON") }
        defer { try? db.execute(sql: "PRAGMA ignore_check_constraints = OFF") }
        try db.execute(sql: sql, arguments: arguments)
    }
}

/// Runs `body`, which must throw a ``StoreError`` with `code` whose reason contains every one of
/// `fragments`.
func expectStoreError<T>(
    _ code: StoreError.Code,
    _ fragments: String...,
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> T
) {
    do {
        let value = try body()
        Issue.record("expected StoreError(\(code)), got the value \(value)", sourceLocation: sourceLocation)
    } catch let error as StoreError {
        #expect(error.code == code, "wrong code for reason: \(error.reason)", sourceLocation: sourceLocation)
        for fragment in fragments {
            #expect(
                error.reason.contains(fragment),
                "'\(error.reason)' should contain '\(fragment)'",
                sourceLocation: sourceLocation
            )
        }
    } catch {
        Issue.record("expected StoreError(\(code)), got \(error)", sourceLocation: sourceLocation)
    }
}
