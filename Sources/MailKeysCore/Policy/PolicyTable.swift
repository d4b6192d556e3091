/// Reads one table of a ``PolicyValue`` tree by key, remembering which keys were used so that
/// ``finish()`` can refuse every key nobody asked for (a typo must not be silently ignored).
public final class PolicyTable {
    /// The dotted path of this table, for messages (`domains."example.org".dmarc`).
    public let path: String
    private let entries: [String: PolicyValue]
    private var used = Set<String>()

    public init(_ entries: [String: PolicyValue], path: String) {
        self.entries = entries
        self.path = path
    }

    /// The keys present, sorted.
    public var keys: [String] { entries.keys.sorted() }

    func fail(_ key: String?, _ why: String) -> CoreError {
        let at = key.map(child) ?? path
        return CoreError(.invalidPolicy, "\(at.isEmpty ? "policy" : at): \(why)")
    }

    /// The raw value of `key`, marking it used.
    public func value(_ key: String) -> PolicyValue? {
        used.insert(key)
        return entries[key]
    }

    public func string(_ key: String) throws -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw fail(key, "expected a string, found \(v.typeName)") }
        return s
    }

    public func bool(_ key: String) throws -> Bool? {
        guard let v = value(key) else { return nil }
        guard case .bool(let b) = v else { throw fail(key, "expected true or false, found \(v.typeName)") }
        return b
    }

    public func int(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        guard case .int(let i) = v else { throw fail(key, "expected an integer, found \(v.typeName)") }
        return i
    }

    /// A time span: an integer number of seconds or a string like `"7d"` / `"1h30m"`.
    public func seconds(_ key: String) throws -> Int? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i):
            guard i >= 0 else { throw fail(key, "must not be negative") }
            return i
        case .string(let s):
            do { return try TimeSpan.seconds(s) } catch let e as CoreError { throw fail(key, e.reason) }
        default:
            throw fail(key, "expected seconds or a duration like \"1h\", found \(v.typeName)")
        }
    }

    /// A TTL (seconds or duration string) checked against ``TTLLimits``.
    public func ttl(_ key: String) throws -> UInt32? {
        guard let s = try seconds(key) else { return nil }
        do { return try TTLLimits.check(s, "TTL") } catch let e as CoreError {
            throw CoreError(e.code, "\(child(key)): \(e.reason)")
        }
    }

    /// An array of strings; a single string is accepted as a one-element array.
    public func strings(_ key: String) throws -> [String]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .string(let s): return [s]
        case .array(let items):
            return try items.map {
                guard case .string(let s) = $0 else { throw fail(key, "expected strings, found \($0.typeName)") }
                return s
            }
        default:
            throw fail(key, "expected an array of strings, found \(v.typeName)")
        }
    }

    /// An array of integers; a single integer is accepted as a one-element array.
    public func ints(_ key: String) throws -> [Int]? {
        guard let v = value(key) else { return nil }
        switch v {
        case .int(let i): return [i]
        case .array(let items):
            return try items.map {
                guard case .int(let i) = $0 else { throw fail(key, "expected integers, found \($0.typeName)") }
                return i
            }
        default:
            throw fail(key, "expected an array of integers, found \(v.typeName)")
        }
    }

    public func table(_ key: String) throws -> PolicyTable? {
        guard let v = value(key) else { return nil }
        guard case .table(let t) = v else { throw fail(key, "expected a table, found \(v.typeName)") }
        return PolicyTable(t, path: child(key))
    }

    /// The dotted path of `key` below this table.
    func child(_ key: String) -> String { Self.join(path, key) }

    /// `path.key`, the key quoted as TOML needs unless it is a bare key, and cut short with its
    /// control characters escaped (keys are input too: a message stays one short line).
    public static func join(_ path: String, _ key: String) -> String {
        let bare =
            !key.isEmpty
            && key.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                    || $0 == "_"
            }
        let shown = bare ? Quote.bare(key) : "\"\(Quote.bare(key))\""
        return path.isEmpty ? shown : "\(path).\(shown)"
    }

    /// An array of tables (`[[...]]` in TOML).
    public func tables(_ key: String) throws -> [PolicyTable]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else { throw fail(key, "expected an array of tables, found \(v.typeName)") }
        return try items.enumerated().map { index, item in
            guard case .table(let t) = item else { throw fail(key, "expected tables, found \(item.typeName)") }
            return PolicyTable(t, path: "\(child(key))[\(index)]")
        }
    }

    /// Throws for the first key present that no accessor asked for.
    public func finish() throws {
        if let unknown = entries.keys.sorted().first(where: { !used.contains($0) }) {
            throw fail(unknown, "unknown key (see the policy reference in the README)")
        }
    }

    /// Wraps `body`'s ``CoreError`` so the message names this table's `key`.
    public func within<T>(_ key: String, _ body: () throws -> T) throws -> T {
        do { return try body() } catch let e as CoreError {
            throw CoreError(e.code, "\(child(key)): \(e.reason)")
        }
    }
}
