/// User input quoted in an error message: cut short, one line.
///
/// A 10 MB policy value or argument must not become a 10 MB error line, and a newline or NUL in
/// it must not break the one line a failure prints.
public enum Quote {
    /// How many characters of the input a message shows.
    public static let limit = 80

    /// `'text'`; longer input as `'first 80 characters…' (N characters)`. Control characters are
    /// escaped (`\n`, `\u{0}`), so the result is always a single line.
    public static func short(_ text: some StringProtocol, limit: Int = limit) -> String {
        let (shown, total) = cut(text, limit: limit)
        guard let total else { return "'\(shown)'" }
        return "'\(shown)…' (\(total) characters)"
    }

    /// `'text'`, or its first 40 characters and `…`: input a message quotes as the context of a
    /// more precise part it quotes in full (the SPF record around a bad term, the URI around a
    /// bad domain), so that nested quotes keep the line short.
    public static func context(_ text: some StringProtocol) -> String { "'\(bare(text, limit: 40))'" }

    /// The same without quotes, for text the message already sets apart (a name, a parser's
    /// message): at most `limit` characters, then `…`.
    public static func bare(_ text: some StringProtocol, limit: Int = limit) -> String {
        let (shown, total) = cut(text, limit: limit)
        return total == nil ? shown : shown + "…"
    }

    /// The first `limit` characters escaped, and the whole length when the text is longer.
    /// Counts Unicode scalars, not grapheme clusters: one "character" of a million combining
    /// marks is cut like any other long text.
    static func cut(_ text: some StringProtocol, limit: Int) -> (String, Int?) {
        var out = ""
        var count = 0
        for scalar in text.unicodeScalars {
            if count == limit { return (out, text.unicodeScalars.count) }
            count += 1
            out += escaped(scalar)
        }
        return (out, nil)
    }

    static func escaped(_ s: Unicode.Scalar) -> String {
        switch s {
        case "\n": return "\\n"
        case "\r": return "\\r"
        case "\t": return "\\t"
        case "\u{2028}", "\u{2029}": return "\\u{\(String(s.value, radix: 16))}"
        default:
            if s.value < 0x20 || (0x7F...0x9F).contains(s.value) { return "\\u{\(String(s.value, radix: 16))}" }
            return String(s)
        }
    }
}
