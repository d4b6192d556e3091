extension PolicyValue {
    /// `table` laid over `defaults`: a key both hold as tables is merged the same way, key by
    /// key; any other value of `table` (a string, a list, a list of tables such as `[[mx]]`)
    /// replaces the default whole.
    public static func merged(_ table: [String: PolicyValue], over defaults: [String: PolicyValue]) -> [String:
        PolicyValue]
    {
        guard !defaults.isEmpty else { return table }
        var out = defaults
        for (key, value) in table {
            if case .table(let inner) = value, case .table(let base)? = defaults[key] {
                out[key] = .table(merged(inner, over: base))
            } else {
                out[key] = value
            }
        }
        return out
    }
}
