/// A parsed configuration document, independent of the file format's library: the policy loader
/// turns TOML into this tree, and the core validates it into a ``Policy``.
public indirect enum PolicyValue: Sendable, Equatable {
    case string(String)
    case int(Int)
    case bool(Bool)
    case double(Double)
    case array([PolicyValue])
    case table([String: PolicyValue])
    /// A value of a type the policy never uses (dates, times), named for the error message.
    case other(String)

    /// Throws for the first key (in sorted order) longer than ``InputLimits/policyKey`` or
    /// string longer than ``InputLimits/policyString``, naming where it is; the message shows
    /// neither whole.
    public static func checkLimits(_ table: [String: PolicyValue], path: String = "") throws {
        for key in table.keys.sorted() {
            let at = PolicyTable.join(path, key)
            let length = key.unicodeScalars.count
            guard length <= InputLimits.policyKey else {
                throw CoreError(
                    .invalidPolicy,
                    "\(at): a key of \(length) characters; the limit is \(InputLimits.policyKey)"
                )
            }
            try table[key]!.checkLimits(at)
        }
    }

    private func checkLimits(_ at: String) throws {
        switch self {
        case .string(let s):
            let length = s.unicodeScalars.count
            guard length <= InputLimits.policyString else {
                throw CoreError(
                    .invalidPolicy,
                    "\(at): a string of \(length) characters; the limit is \(InputLimits.policyString)"
                )
            }
        case .array(let items):
            for (index, item) in items.enumerated() { try item.checkLimits("\(at)[\(index)]") }
        case .table(let t):
            try Self.checkLimits(t, path: at)
        default:
            break
        }
    }

    var typeName: String {
        switch self {
        case .string: return "a string"
        case .int: return "an integer"
        case .bool: return "a boolean"
        case .double: return "a number"
        case .array: return "an array"
        case .table: return "a table"
        case .other(let name): return name
        }
    }
}
