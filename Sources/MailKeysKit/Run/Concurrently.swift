import Foundation

/// Work spread over a few threads with the results in input order.
enum Concurrently {
    /// `body` of each item on up to `width` threads (the caller's among them), each thread
    /// taking the next item not started; the results in the order of `items`. Once an item
    /// fails no new one starts, and the failure of the lowest item is thrown after the started
    /// ones have finished. With a width of 1, or one item, it is a plain `map` on this thread.
    static func map<T, R>(_ items: [T], width: Int, _ body: (T) throws -> R) throws -> [R] {
        guard width > 1, items.count > 1 else { return try items.map(body) }
        let state = State<R>(count: items.count)
        withoutActuallyEscaping(body) { body in
            let work = Work(body: body, items: items)
            DispatchQueue.concurrentPerform(iterations: min(width, items.count)) { _ in
                while let i = state.take() {
                    state.put(i, Result { try work.body(work.items[i]) })
                }
            }
        }
        return try state.results()
    }

    /// The items and the work, shared by the threads for the call's duration.
    private struct Work<T, R>: @unchecked Sendable {
        let body: (T) throws -> R
        let items: [T]
    }

    /// The next item to take and the results so far, behind a lock.
    private final class State<R>: @unchecked Sendable {
        private let lock = NSLock()
        private var next = 0
        private var failed = false
        private var slots: [Result<R, Error>?]

        init(count: Int) { slots = Array(repeating: nil, count: count) }

        func take() -> Int? {
            lock.withLock {
                guard !failed, next < slots.count else { return nil }
                defer { next += 1 }
                return next
            }
        }

        func put(_ i: Int, _ r: Result<R, Error>) {
            lock.withLock {
                slots[i] = r
                if case .failure = r { failed = true }
            }
        }

        func results() throws -> [R] {
            var out: [R] = []
            for slot in slots {
                switch slot {
                case .success(let r)?: out.append(r)
                case .failure(let e)?: throw e
                // Items are taken in order: one not started comes after the failure that
                // stopped the others, which was thrown above.
                case nil: continue
                }
            }
            return out
        }
    }
}
