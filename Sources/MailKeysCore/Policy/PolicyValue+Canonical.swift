extension PolicyValue {
    /// One unambiguous text for a value whatever the file's layout, key order, comments or
    /// quoting: tables with sorted keys, strings and keys quoted with escapes. Two values give
    /// the same text exactly when they are equal, so its hash tells whether a domain's policy
    /// changed.
    public var canonical: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .string(let s): Self.quote(s, to: &out)
        case .int(let i): out += "i\(i)"
        case .bool(let b): out += b ? "true" : "false"
        case .double(let d): out += "d\(d.bitPattern)"
        case .other(let name): out += "?\(name.count):\(name)"
        case .array(let items):
            out += "["
            for item in items {
                item.write(to: &out)
                out += ","
            }
            out += "]"
        case .table(let table):
            out += "{"
            for key in table.keys.sorted() {
                Self.quote(key, to: &out)
                out += "="
                table[key]!.write(to: &out)
                out += ","
            }
            out += "}"
        }
    }

    /// A string with its length, so no content can look like structure.
    private static func quote(_ s: String, to out: inout String) {
        out += "\(s.utf8.count):"
        out += s
    }
}
