import Foundation
import GRDB
import MailKeysCore

/// The order the store lists a domain's DKIM and DNSSEC keys in, oldest first: by the second
/// the key was made, then by its name (selector or key tag) as text, byte by byte.
///
/// Keys made in one run share their creation second, so code that sorts keys it holds in
/// memory must use this order to list them as a later run will read them back (the DNSKEY
/// RRset, for one, must render byte for byte the same).
public enum KeyOrder {
    /// The columns ordered by, matching ``precedes(created:name:_:_:)``.
    static let columnNames = [KeyRecord.CodingKeys.createdAt.rawValue, KeyRecord.CodingKeys.name.rawValue]

    /// The SQL ordering terms, matching ``precedes(created:name:_:_:)``.
    static var columns: [any SQLOrderingTerm] { columnNames.map { Column($0) } }

    /// The ordering terms as SQL text (`created_at, name`).
    static var sql: String { columnNames.joined(separator: ", ") }

    /// Whether the key made at `created` named `name` comes before the one at `otherCreated`
    /// named `otherName`.
    public static func precedes(created: Date, name: String, _ otherCreated: Date, _ otherName: String) -> Bool {
        let (a, b) = (StoredTime.seconds(created), StoredTime.seconds(otherCreated))
        return a != b ? a < b : name.utf8.lexicographicallyPrecedes(otherName.utf8)
    }
}

extension DNSSECKey {
    /// The store's key order (``KeyOrder``): creation second, then key tag as text.
    public static func storeOrder(_ a: DNSSECKey, _ b: DNSSECKey) -> Bool {
        KeyOrder.precedes(created: a.created, name: String(a.tag), b.created, String(b.tag))
    }
}

extension DKIMKey {
    /// The store's key order (``KeyOrder``): creation second, then selector.
    public static func storeOrder(_ a: DKIMKey, _ b: DKIMKey) -> Bool {
        KeyOrder.precedes(created: a.created, name: a.selector, b.created, b.selector)
    }
}
