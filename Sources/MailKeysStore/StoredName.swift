import MailKeysCore

/// Domain names as the store keeps them: lower-case text without the trailing dot, parsed back
/// with the policy's rules; a value that does not parse means the store file was damaged.
enum StoredName {
    /// The column value for `name`.
    static func text(_ name: DomainName) -> String { name.description }

    /// The domain name `text` read from `table.column`, or a `.corrupt` store error.
    static func parse(_ text: String, table: String, column: String) throws -> DomainName {
        do {
            return try DomainName(text)
        } catch {
            throw StoreError.corrupt(table, column, value: text, expected: "a domain name")
        }
    }
}
