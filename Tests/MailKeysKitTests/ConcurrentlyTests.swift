import Foundation
import Testing

@testable import MailKeysKit

/// The zone writers' thread pool: results in input order, every item once, the lowest failure.
@Suite struct ConcurrentlyTests {
    struct Boom: Error, Equatable { let item: Int }

    @Test(arguments: [1, 2, 4])
    func resultsKeepTheOrderAndEveryItemRunsOnce(width: Int) throws {
        let counter = Counter()
        let items = Array(0..<500)
        let out = try Concurrently.map(items, width: width) { i -> Int in
            counter.add(i)
            return i * i
        }
        #expect(out == items.map { $0 * $0 })
        #expect(counter.seen == Array(items))
    }

    @Test func theLowestFailureIsThrownAndNoItemStartsAfterIt() throws {
        let counter = Counter()
        #expect(throws: Boom(item: 3)) {
            _ = try Concurrently.map(Array(0..<1000), width: 2) { i -> Int in
                counter.add(i)
                if i == 3 || i == 7 { throw Boom(item: i) }
                return i
            }
        }
        // At most the item each other thread had already taken ran after the failure.
        #expect(counter.seen.count < 1000)
    }

    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [Int] = []
        func add(_ i: Int) { lock.withLock { items.append(i) } }
        var seen: [Int] { lock.withLock { items.sorted() } }
    }
}
