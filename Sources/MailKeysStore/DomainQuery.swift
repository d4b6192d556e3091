/// The SQL of one per-domain read, in the three forms the store runs it: the rows of one domain
/// (`column = ?`), of a list of domains (`column IN (?, ...)`, a chunk at a time), and of every
/// domain (one pass over the table). Every form lists a domain's rows in the same `order`, so a
/// batched read returns, domain by domain, what the single-domain read returns. The one-domain
/// and list forms search an index, and no form sorts (`QueryPlanTests` checks the plans).
struct DomainQuery: Sendable {
    /// The most domains bound to one statement: well under SQLite's variable limit (999 before
    /// SQLite 3.32), and enough that a few statements cover thousands of domains.
    static let chunkSize = 500
    /// Lists longer than this are read with the every-domain form and filtered, one pass over the
    /// table instead of an index search per domain.
    static let scanAbove = 4 * chunkSize

    /// The table read.
    let table: String
    /// The column holding the domain name (`domain`, or `name` in the `domain` table).
    let column: String
    /// A condition the rows must meet besides their domain (nil: none).
    let filter: String?
    /// The order of a domain's rows (nil: none; the caller keys them by something else).
    let order: String?
    /// The rows of the domain bound to the one `?`.
    let one: String
    /// The rows of every domain, by domain.
    let all: String

    /// The read of `table`'s rows whose `column` names the domain, that meet `filter`, in `order`.
    init(table: String, column: String = "domain", filter: String? = nil, order: String? = nil) {
        self.table = table
        self.column = column
        self.filter = filter
        self.order = order
        one = Self.select(table, [filter, "\(column) = ?"], order: order)
        all = Self.select(table, [filter], order: order.map { "\(column), \($0)" })
    }

    /// The rows of the `count` domains bound to the `?`s, by domain.
    func list(_ count: Int) -> String {
        let marks = Array(repeating: "?", count: count).joined(separator: ", ")
        return Self.select(table, [filter, "\(column) IN (\(marks))"], order: order.map { "\(column), \($0)" })
    }

    private static func select(_ table: String, _ conditions: [String?], order: String?) -> String {
        let conditions = conditions.compactMap { $0 }
        var sql = "SELECT * FROM \(table)"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        if let order { sql += " ORDER BY \(order)" }
        return sql
    }
}
